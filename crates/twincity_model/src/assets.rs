//! Where the files shipped with TwinCity Studio (`assets/`) are found.

use std::path::{Path, PathBuf};

/// A folder of the files shipped with TwinCity Studio (`assets/SUB`): beside the executable,
/// in a folder above it (a build inside the source tree), or under the working folder.
pub fn bundled_assets(sub: &str) -> Option<PathBuf> {
    let mut starts = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        starts.extend(dir.ancestors().map(Path::to_path_buf));
    }
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    starts
        .into_iter()
        .map(|d| d.join("assets").join(sub))
        .find(|d| d.is_dir())
}
