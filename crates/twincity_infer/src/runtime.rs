//! Finding and loading ONNX Runtime. The library is not linked in: the program looks for it
//! at run time, in this order, and uses the first it finds:
//!
//! 1. the file `ORT_DYLIB_PATH` names;
//! 2. next to the executable (or in `lib/` beside it), as a packaged build ships it;
//! 3. the project-local install that `scripts/setup.sh` makes: the `onnxruntime` wheel in
//!    `.venv/`, found from the executable's folder upwards — never from the working folder,
//!    so running TwinCity inside a downloaded folder that holds a `.venv` loads none of its
//!    native code;
//! 4. the system's library folders (`LD_LIBRARY_PATH`, `/usr/local/lib`, `/usr/lib`...).
//!
//! A library whose file name gives a version older than [`REQUIRED_VERSION`] is refused
//! before it is loaded; once loaded, the version the library itself reports
//! (`OrtGetApiBase()->GetVersionString()`) is checked too, so a renamed older library is
//! refused as well. Both messages say which version was found.
//!
//! When none is found, [`RuntimeError::Missing`] lists where it looked and says how to get it,
//! and everything that does not run a model keeps working.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;

/// The ONNX Runtime version this program is built against (its C API level).
pub const REQUIRED_VERSION: &str = "1.31";

/// Where and how to get the runtime, for error messages and the editor's panel.
pub const HOW_TO_INSTALL: &str = "run `bash scripts/setup.sh` in the TwinCity Studio folder \
(it installs ONNX Runtime 1.31 into .venv), or `pip download --no-deps onnxruntime==1.31.1`, \
unzip the wheel and set ORT_DYLIB_PATH to its onnxruntime/capi/libonnxruntime.so.1.31.1 \
(onnxruntime.dll on Windows, libonnxruntime.1.31.1.dylib on macOS)";

/// Why no model can run.
#[derive(Clone, Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("ONNX Runtime {REQUIRED_VERSION} was not found (looked in: {}); to get it, {HOW_TO_INSTALL}",
        searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    Missing { searched: Vec<PathBuf> },
    #[error(
        "ORT_DYLIB_PATH names {0}, which does not exist; point it at the library file, or unset it"
    )]
    BadVariable(PathBuf),
    #[error(
        "cannot load ONNX Runtime from {path}: {message}; it must be version {REQUIRED_VERSION} or later: {HOW_TO_INSTALL}"
    )]
    Load { path: PathBuf, message: String },
}

/// The loaded runtime: where it came from, and the environment sessions are made in.
pub struct Runtime {
    pub library: PathBuf,
    pub environment: Environment,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("library", &self.library)
            .finish_non_exhaustive()
    }
}

/// File names the library has on this platform, most specific first.
fn library_names() -> &'static [&'static str] {
    if cfg!(target_os = "windows") {
        &["onnxruntime.dll"]
    } else if cfg!(target_os = "macos") {
        &["libonnxruntime.dylib"]
    } else {
        &["libonnxruntime.so"]
    }
}

/// The library in `dir`: an exact name, or a versioned one (`libonnxruntime.so.1.31.1`).
fn library_in(dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            library_names().iter().any(|base| {
                let stem = base.trim_end_matches(".so").trim_end_matches(".dylib");
                name == *base
                    || (name.starts_with(&format!("{base}.")) && !name.ends_with(".py"))
                    || (cfg!(target_os = "macos")
                        && name.starts_with(&format!("{stem}."))
                        && name.ends_with(".dylib"))
            })
        })
        .filter(|p| p.is_file())
        .collect();
    // Prefer the longest (most versioned) name: `.so.1.31.1` over a `.so` symlink to another.
    found.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
    found.into_iter().next()
}

/// `.venv/lib/python3.*/site-packages/onnxruntime/capi` under `root`, when it exists.
fn venv_capi(root: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for venv in [root.join(".venv/lib"), root.join(".venv/Lib")] {
        if let Ok(entries) = std::fs::read_dir(&venv) {
            for e in entries.flatten() {
                dirs.push(e.path().join("site-packages/onnxruntime/capi"));
            }
        }
        // Windows venvs have no python3.X level.
        dirs.push(venv.join("site-packages/onnxruntime/capi"));
    }
    dirs
}

/// The folders searched, in order, for the given executable (without `ORT_DYLIB_PATH`,
/// which is checked first and alone). The working folder plays no part.
pub fn search_folders(exe: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = exe.and_then(Path::parent) {
        dirs.push(dir.to_path_buf());
        dirs.push(dir.join("lib"));
        for root in dir.ancestors() {
            if root.join(".venv").is_dir() {
                dirs.extend(venv_capi(root));
            }
        }
    }
    if let Some(paths) = std::env::var_os("LD_LIBRARY_PATH") {
        dirs.extend(std::env::split_paths(&paths));
    }
    for d in [
        "/usr/local/lib",
        "/usr/lib",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/opt/homebrew/lib",
    ] {
        dirs.push(PathBuf::from(d));
    }
    dirs
}

/// Where the library is, without loading it.
pub fn locate() -> Result<PathBuf, RuntimeError> {
    if let Some(path) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(RuntimeError::BadVariable(path))
        };
    }
    let exe = std::env::current_exe().ok();
    let folders = search_folders(exe.as_deref());
    folders
        .iter()
        .find_map(|d| library_in(d))
        .ok_or(RuntimeError::Missing { searched: folders })
}

/// The version a library's file name gives (`libonnxruntime.so.1.31.1`,
/// `libonnxruntime.1.31.1.dylib`), as (major, minor).
fn version_in_name(path: &Path) -> Option<(u32, u32)> {
    let name = path.file_name()?.to_str()?;
    let rest = name
        .strip_prefix("libonnxruntime.so.")
        .or_else(|| name.strip_prefix("libonnxruntime."))?;
    let mut parts = rest.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Refuses a library whose name says it is older than [`REQUIRED_VERSION`].
fn check_version(path: &Path) -> Result<(), RuntimeError> {
    let required = REQUIRED_VERSION
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
    match (version_in_name(path), required) {
        (Some(found), Some(required)) if found < required => Err(RuntimeError::Load {
            path: path.to_path_buf(),
            message: format!(
                "this is ONNX Runtime {}.{}; TwinCity needs {REQUIRED_VERSION} or newer",
                found.0, found.1
            ),
        }),
        _ => Ok(()),
    }
}

/// The runtime, loaded on first use; later calls return the same result.
pub fn runtime() -> Result<&'static Runtime, RuntimeError> {
    static RUNTIME: OnceLock<Result<Runtime, RuntimeError>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| load(locate()?))
        .as_ref()
        .map_err(Clone::clone)
}

/// Loads the library at `library` (once per process: ONNX Runtime cannot be unloaded), after
/// checking the version its name gives, then the version it reports itself.
pub fn load(library: PathBuf) -> Result<Runtime, RuntimeError> {
    check_version(&library)?;
    let refuse = |message: String| RuntimeError::Load {
        path: library.clone(),
        message,
    };
    let builder = ort::init_from(&library).map_err(|e| match e {
        ort::LoadDynamicError::BadVersion { version_str, .. } => refuse(format!(
            "the library reports ONNX Runtime {version_str}; TwinCity needs {REQUIRED_VERSION} or newer"
        )),
        other => refuse(other.to_string()),
    })?;
    let environment = builder
        .with_name("twincity")
        .with_telemetry(false)
        .build()
        .map_err(|e| refuse(e.to_string()))?;
    Ok(Runtime {
        library,
        environment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_versioned_library_of_a_project_local_install() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let capi = root.join(".venv/lib/python3.11/site-packages/onnxruntime/capi");
        std::fs::create_dir_all(&capi).unwrap();
        std::fs::write(capi.join("libonnxruntime.so.1.31.1"), b"").unwrap();
        std::fs::write(capi.join("onnxruntime_validation.py"), b"").unwrap();
        let exe = root.join("target/release/twincity");
        let folders = search_folders(Some(&exe));
        let found = folders.iter().find_map(|d| library_in(d));
        if cfg!(target_os = "linux") {
            assert_eq!(found, Some(capi.join("libonnxruntime.so.1.31.1")));
        }
        // The same install seen only from the working folder is not used: an executable
        // elsewhere searches its own folders, none under `root`.
        let elsewhere = tempfile::tempdir().unwrap();
        let folders = search_folders(Some(&elsewhere.path().join("bin/twincity")));
        assert!(folders.iter().all(|d| !d.starts_with(root)), "{folders:?}");
    }

    #[test]
    fn an_older_library_is_refused_by_name_before_loading() {
        let old = Path::new("/x/libonnxruntime.so.1.22.0");
        assert_eq!(version_in_name(old), Some((1, 22)));
        let e = check_version(old).unwrap_err().to_string();
        assert!(e.contains("1.22") && e.contains("needs 1.31"), "{e}");
        assert!(check_version(Path::new("/x/libonnxruntime.so.1.31.1")).is_ok());
        assert!(check_version(Path::new("/x/libonnxruntime.1.32.0.dylib")).is_ok());
        assert!(check_version(Path::new("/x/libonnxruntime.so")).is_ok());
        assert_eq!(version_in_name(Path::new("/x/onnxruntime.dll")), None);
    }

    /// The version this program asks for is the C API level it is built against.
    #[test]
    fn the_required_version_is_the_api_level_built_against() {
        assert_eq!(REQUIRED_VERSION, format!("1.{}", ort::MINOR_VERSION));
    }

    #[test]
    fn the_missing_message_says_where_it_looked_and_how_to_install() {
        let e = RuntimeError::Missing {
            searched: vec![PathBuf::from("/a/b"), PathBuf::from("/c")],
        };
        let text = e.to_string();
        assert!(text.contains("/a/b, /c"), "{text}");
        assert!(text.contains("scripts/setup.sh"), "{text}");
        assert!(text.contains("ORT_DYLIB_PATH"), "{text}");
    }
}
