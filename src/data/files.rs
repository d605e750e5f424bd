//! Writing files safely: through a temporary file in the same folder and a rename, so that
//! no reader ever sees half a file and an interrupted write leaves the old one intact.

use std::fs::File;
use std::io::Write;
use std::path::Path;

/// A temporary file next to `target`, readable like any file the user saves (tempfiles are
/// private to their owner by default).
pub fn temporary_beside(target: &Path, prefix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let folder = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = tempfile::Builder::new()
        .prefix(prefix)
        .tempfile_in(folder)?;
    set_normal_permissions(temp.as_file())?;
    Ok(temp)
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
