//! Building the whole-table orders by id and confidence (`model::order::Presorted`) for a
//! table whose ids come in random order, unlike the synthetic sets of the other benches
//! (their ids follow the rows, which flatters any sort by id). The app builds these orders
//! on one background thread after opening; the first sort by id or confidence waits for them.
//!
//! `cargo bench --bench sort_orders -- --rows 10000000` (default 1,000,000).

use std::time::Instant;

use errata::model::Task;
use errata::model::dataset::{EvalSet, EvalSetParts};
use errata::model::ids::Ids;
use errata::model::order::Presorted;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: usize = args
        .iter()
        .position(|a| a == "--rows")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    // xorshift: 16 hex digits per id, like hashes or UUID fragments; confidences with ties.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let ids: Ids = (0..rows).map(|_| format!("{:016x}", next())).collect();
    let confidence: Vec<f64> = (0..rows).map(|_| (next() % 1000) as f64 / 1000.0).collect();
    let set = EvalSet::new(EvalSetParts {
        task: Task::Classification,
        ids,
        vocab: vec!["a".into()],
        n_classes: 1,
        labels: vec![0; rows],
        predictions: vec![0; rows],
        confidence: Some(confidence),
        human: None,
        baseline: None,
        slices: Vec::new(),
    });
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let mut times: Vec<f64> = (0..3)
            .map(|_| {
                let start = Instant::now();
                pool.install(|| Presorted::default().build_all(&set));
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "{rows} random ids and confidences, both whole-table orders on {threads} thread(s): \
             median {:.0} ms (best {:.0})",
            times[1], times[0]
        );
    }
}
