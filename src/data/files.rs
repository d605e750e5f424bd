//! Writing files safely: through a temporary file in the same folder and a rename, so that
//! no reader ever sees half a file and an interrupted write leaves the old one intact.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The names errata gives its temporary files, followed by six random characters.
pub const TEMPORARY_PREFIXES: [&str; 3] = [".errata-write-", ".errata-new-", ".errata-copy-"];

/// A temporary file left by a killed write is removed once it is this old; a live write keeps
/// its file's modification time far more recent.
pub const STALE_AFTER: Duration = Duration::from_secs(3600);

/// A temporary file next to `target`, readable like any file the user saves (tempfiles are
/// private to their owner by default). `prefix` is one of [`TEMPORARY_PREFIXES`].
pub fn temporary_beside(target: &Path, prefix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    debug_assert!(TEMPORARY_PREFIXES.contains(&prefix));
    let folder = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    remove_stale_temporaries(folder);
    let temp = tempfile::Builder::new()
        .prefix(prefix)
        .tempfile_in(folder)?;
    set_normal_permissions(temp.as_file())?;
    Ok(temp)
}

/// Whether `name` is one of errata's temporary files (or the journal SQLite keeps beside one).
fn is_temporary(name: &str) -> bool {
    let name = ["-journal", "-wal", "-shm"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
    TEMPORARY_PREFIXES.iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
    })
}

/// Removes the temporary files that writes killed before they could clean up (SIGKILL, power
/// loss) left in `folder`, once they are [`STALE_AFTER`] old. Best effort: a folder that cannot
/// be listed, or a file that cannot be removed, is left as it is.
pub fn remove_stale_temporaries(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let stale = entry.file_name().to_str().is_some_and(is_temporary)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age >= STALE_AFTER));
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn set_normal_permissions(file: &File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_normal_permissions(_file: &File) -> std::io::Result<()> {
    Ok(())
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temp = temporary_beside(path, ".errata-write-")?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Free space, in bytes, on the disk holding `path` (a file or folder); `None` where the
/// system does not say.
pub fn free_space(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let folder = if path.is_dir() {
            path
        } else {
            match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            }
        };
        let name = std::ffi::CString::new(folder.as_os_str().as_bytes()).ok()?;
        let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: `name` is a NUL-terminated path and `stats` a writable statvfs.
        if unsafe { libc::statvfs(name.as_ptr(), &mut stats) } != 0 {
            return None;
        }
        Some(stats.f_bavail as u64 * stats.f_frsize as u64)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_temporaries_of_errata_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        let names = [
            ".errata-write-a1B2c3",
            ".errata-new-Zz09aa-journal",
            ".errata-write-fresh1",
            ".errata-write-toolong1",
            "report.html",
            ".errata-copy-",
        ];
        for name in names {
            let file = File::create(dir.path().join(name)).unwrap();
            if name != ".errata-write-fresh1" {
                file.set_modified(old).unwrap();
            }
        }
        remove_stale_temporaries(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".errata-copy-",
                ".errata-write-fresh1",
                ".errata-write-toolong1",
                "report.html"
            ]
        );
    }
}
