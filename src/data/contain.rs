//! Running library code that may panic on hostile input (polars refuses some values by
//! panicking): the panic becomes an error the caller reports with the file's name, and is
//! kept off stderr, where it would read as a crash.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// Set while this thread runs inside [`contain`]: its panics are caught and reported.
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`; a panic on this thread inside it becomes `Err` with the panic's message.
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = CONTAINED.replace(true);
    let result = catch_unwind(AssertUnwindSafe(f));
    CONTAINED.set(was);
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an unexpected failure".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(contain(|| 7), Ok(7));
        assert_eq!(
            contain(|| -> u8 { panic!("bad {}", 1) }),
            Err("bad 1".into())
        );
        assert_eq!(contain(|| -> u8 { panic!("static") }), Err("static".into()));
        // Nested: the outer call still contains after the inner one returns.
        let outer = contain(|| {
            let _ = contain(|| ());
            panic!("after")
        });
        assert_eq!(outer, Err::<(), _>("after".into()));
    }
}
