//! Reading and writing versioned RON documents with errors that name the file, the place and
//! the fix, and writes that never leave a half-written file behind.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Where in a file an error is, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// An error about one document file.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot write: {source} (nothing was changed on disk)")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{location}: {message}")]
    Syntax {
        path: PathBuf,
        location: Location,
        message: String,
    },
    #[error("{path}{}: `{field}`: {message}", location.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        location: Option<Location>,
        field: String,
        message: String,
    },
    #[error("cannot serialise the document: {0}")]
    Serialise(String),
}

impl DocError {
    /// The file this error is about, when there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            DocError::Read { path, .. }
            | DocError::Write { path, .. }
            | DocError::Syntax { path, .. }
            | DocError::Invalid { path, .. } => Some(path),
            DocError::Serialise(_) => None,
        }
    }
}

/// A semantic problem found after parsing: the dotted field path and what is expected there.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
    /// A string to search for in the source to locate the problem (a name or key), if any.
    pub anchor: Option<String>,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            anchor: None,
        }
    }

    pub fn at(mut self, anchor: impl Into<String>) -> Self {
        self.anchor = Some(anchor.into());
        self
    }

    /// Turns this problem into a [`DocError`] for `path`, locating the anchor in `source`.
    pub fn into_error(self, path: &Path, source: &str) -> DocError {
        let location = self.anchor.as_deref().and_then(|a| locate(source, a));
        DocError::Invalid {
            path: path.to_path_buf(),
            location,
            field: self.field,
            message: self.message,
        }
    }
}

/// Line and column of the first occurrence of `needle` in `source`.
pub fn locate(source: &str, needle: &str) -> Option<Location> {
    let offset = source.find(needle)?;
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some(Location { line, col })
}

/// Parses RON text; `path` is only used to name the file in errors. Optional values may be
/// written bare (`leave_to: (1.0, 2.0)`) or as `Some(..)`.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, DocError> {
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| DocError::Syntax {
            path: path.to_path_buf(),
            location: Location {
                line: e.span.start.line,
                col: e.span.start.col,
            },
            message: explain_ron_error(&e.code),
        })
}

fn explain_ron_error(code: &ron::Error) -> String {
    match code {
        ron::Error::NoSuchStructField {
            expected, found, ..
        } => format!(
            "unknown field `{found}`; expected one of: {}",
            expected.join(", ")
        ),
        ron::Error::MissingStructField { field, outer } => format!(
            "missing field `{field}`{}; add it (see docs/project-format.md)",
            outer
                .as_ref()
                .map(|o| format!(" in `{o}`"))
                .unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

/// Reads and parses a RON file.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<(T, String), DocError> {
    let text = read_text(path)?;
    let value = parse(path, &text)?;
    Ok((value, text))
}

/// The largest document (project, scenario, crowd, model card) read, bytes: far above any
/// real one (the bundled ones are under 20 KiB), far below what could exhaust memory.
pub const MAX_DOCUMENT_BYTES: u64 = 16 << 20;

/// A document's text: a regular file (not a device, pipe or folder — `/dev/zero` named as a
/// crowd file is refused, not read until memory runs out) of at most
/// [`MAX_DOCUMENT_BYTES`], in UTF-8.
pub fn read_text(path: &Path) -> Result<String, DocError> {
    let err = |source| DocError::Read {
        path: path.to_path_buf(),
        source,
    };
    let bytes = read_limited(path, MAX_DOCUMENT_BYTES, "documents").map_err(err)?;
    String::from_utf8(bytes)
        .map_err(|e| err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// The bytes of `path` when it is a regular file (not a folder, device or pipe) of at most
/// `max` bytes; `what` names the kind of file in the error ("documents", "glTF files").
pub fn read_limited(path: &Path, max: u64, what: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    limited_size(path, max, what)?;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64, max, what));
    }
    Ok(bytes)
}

/// The size of `path` when it is a regular file (not a folder, device or pipe) of at most
/// `max` bytes, without reading it: what [`read_limited`] checks first, for a file another
/// program opens (an ONNX model).
pub fn limited_size(path: &Path, max: u64, what: &str) -> std::io::Result<u64> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(refused(
            "not a regular file (a folder, device or pipe); name a file".into(),
        ));
    }
    if meta.len() > max {
        return Err(too_big(meta.len(), max, what));
    }
    Ok(meta.len())
}

fn refused(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, message)
}

fn too_big(n: u64, max: u64, what: &str) -> std::io::Error {
    refused(format!(
        "{n} bytes or more; {what} are limited to {} MiB: is this the right file?",
        max >> 20
    ))
}

/// Pretty-prints a value as RON, the layout people edit by hand.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, DocError> {
    let config = ron::ser::PrettyConfig::new()
        .depth_limit(8)
        .struct_names(false)
        .separate_tuple_members(false)
        .indentor("    ".to_string());
    let mut text = ron::ser::to_string_pretty(value, config)
        .map_err(|e| DocError::Serialise(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed, then
/// renamed over the target. On any failure the previous file is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DocError> {
    let err = |source| DocError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| err(std::io::Error::other("the path names no file")))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_gives_one_based_line_and_column() {
        let src = "(\n  a: 1,\n  name: \"x\",\n)";
        assert_eq!(locate(src, "name"), Some(Location { line: 3, col: 3 }));
        assert_eq!(locate(src, "zzz"), None);
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.ron");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn atomic_write_into_missing_folder_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing").join("a.ron");
        let e = write_atomic(&p, b"x").unwrap_err();
        assert!(e.to_string().contains("cannot write"), "{e}");
        assert!(!p.exists());
    }
}
