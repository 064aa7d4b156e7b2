//! The hostile corpus (`tests/hostile/`, written by `scripts/make_hostile_corpus.py`): every
//! file, read by the command that takes it, ends in a clear error — no panic, no hang — and
//! the error says what `EXPECTED.tsv` says it must.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{python, root, twincity};

#[test]
fn every_hostile_file_gets_its_error_and_nothing_worse() {
    let corpus = root().join("tests/hostile");
    let expected = std::fs::read_to_string(corpus.join("EXPECTED.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
        .collect();
    assert!(rows.len() >= 10, "{} cases", rows.len());
    for row in rows {
        let [file, command, error] = row[..] else {
            panic!("EXPECTED.tsv: bad row {row:?}");
        };
        let mut child = twincity()
            .args(command.split_whitespace())
            .arg(corpus.join(file))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(120) {
                child.kill().unwrap();
                panic!("{file}: `twincity {command}` still running after 2 minutes");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_ne!(out.status.code(), Some(101), "{file}: panicked\n{text}");
        assert!(!out.status.success(), "{file}: accepted\n{text}");
        assert!(
            text.contains(error),
            "{file}: the error does not say `{error}`:\n{text}"
        );
    }
}

/// The committed corpus is what the script writes.
#[test]
fn the_corpus_is_what_its_script_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(python())
        .arg(root().join("scripts/make_hostile_corpus.py"))
        .arg(dir.path())
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed = root().join("tests/hostile");
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() > 10);
    for name in names {
        assert_eq!(
            std::fs::read(dir.path().join(&name)).unwrap(),
            std::fs::read(committed.join(&name)).unwrap(),
            "{name:?} differs from the script's: run python3 scripts/make_hostile_corpus.py"
        );
    }
}
