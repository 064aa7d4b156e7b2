//! A library that is named like ONNX Runtime 1.31 but reports an older version when loaded is
//! refused, with the version it reported: the check does not trust the file name. Its own
//! process, since a loaded runtime stays loaded. Linux only: it builds the stand-in library
//! with the system's C compiler.
#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::Command;

/// The smallest library with ONNX Runtime's entry point: `OrtGetApiBase`, whose
/// `GetVersionString` says 1.20.0 (and whose `GetApi` gives nothing).
const STAND_IN: &str = r#"
typedef struct {
    const void *(*GetApi)(unsigned version);
    const char *(*GetVersionString)(void);
} OrtApiBase;
static const void *get_api(unsigned version) { (void)version; return 0; }
static const char *version_string(void) { return "1.20.0"; }
static const OrtApiBase base = { get_api, version_string };
const OrtApiBase *OrtGetApiBase(void) { return &base; }
"#;

fn build_stand_in(dir: &Path) -> std::path::PathBuf {
    let source = dir.join("stand_in.c");
    std::fs::write(&source, STAND_IN).unwrap();
    let library = dir.join("libonnxruntime.so.1.31.1");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&library)
        .arg(&source)
        .status()
        .expect("a C compiler (`cc`) builds the stand-in library");
    assert!(status.success(), "cc failed");
    library
}

#[test]
fn a_renamed_older_runtime_is_refused_by_the_version_it_reports() {
    let dir = tempfile::tempdir().unwrap();
    let library = build_stand_in(dir.path());
    let e = twincity_infer::runtime::load(library.clone())
        .expect_err("a library reporting 1.20.0 is refused")
        .to_string();
    assert!(
        e.contains("reports ONNX Runtime 1.20.0") && e.contains("needs 1.31"),
        "{e}"
    );
    assert!(e.contains(&library.display().to_string()), "{e}");
    assert!(e.contains("scripts/setup.sh"), "{e}");
}
