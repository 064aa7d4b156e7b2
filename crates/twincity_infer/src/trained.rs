//! The models trained here: `twincity train` registers each model card it writes in a list
//! file, and the editor's Model inference window opens every card on that list, so a new
//! model appears there without anyone editing files.
//!
//! The list is plain text, one absolute (canonical) card path a line, in
//! `$TWINCITY_HOME/trained-models.txt`, or else `$XDG_DATA_HOME/twincity/`, or else
//! `$HOME/.local/share/twincity/`. It is rewritten atomically (a temporary file renamed over
//! it), so a reader never sees half a list.

use std::ffi::OsString;
use std::io::{Error, ErrorKind};
use std::path::{Path, PathBuf};

/// The list file's name, in the folder [`list_path`] picks.
pub const LIST_FILE: &str = "trained-models.txt";

/// The largest list read, bytes (tens of thousands of cards).
const MAX_LIST_BYTES: u64 = 4 << 20;

/// Where the list of trained cards lives, from the environment; `None` when none of
/// `TWINCITY_HOME`, `XDG_DATA_HOME` and `HOME` is set.
pub fn list_path() -> Option<PathBuf> {
    list_path_from(|name| std::env::var_os(name))
}

/// [`list_path`], reading the environment through `var` (tests pass their own).
fn list_path_from(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    // The XDG base directory specification: a relative XDG_DATA_HOME is ignored.
    let xdg = set("XDG_DATA_HOME").filter(|d| d.is_absolute());
    let folder = set("TWINCITY_HOME")
        .or_else(|| xdg.map(|d| d.join("twincity")))
        .or_else(|| set("HOME").map(|h| h.join(".local").join("share").join("twincity")))?;
    Some(folder.join(LIST_FILE))
}

/// Adds a model card to the list of trained models (its canonical path, once: a card
/// already listed is left as it is). The card must exist.
pub fn register_trained(card: &Path) -> std::io::Result<()> {
    let list = list_path().ok_or_else(|| {
        Error::new(
            ErrorKind::NotFound,
            "no folder for the list of trained models: set TWINCITY_HOME (or HOME)",
        )
    })?;
    register_in(&list, card)
}

/// Every card on the list of trained models that still exists, in the order registered.
pub fn trained_cards() -> Vec<PathBuf> {
    list_path().map_or_else(Vec::new, |list| cards_listed(&list))
}

/// [`register_trained`] with the list at `list`.
fn register_in(list: &Path, card: &Path) -> std::io::Result<()> {
    let card = card
        .canonicalize()
        .map_err(|e| Error::new(e.kind(), format!("{}: {e}", card.display())))?;
    let line = card
        .to_str()
        .filter(|s| !s.contains(['\n', '\r']))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{}: the list of trained models holds UTF-8 paths without line breaks",
                    card.display()
                ),
            )
        })?;
    let mut lines = read_lines(list)?;
    if lines.iter().any(|l| l == line) {
        return Ok(());
    }
    lines.push(line.to_string());
    if let Some(folder) = list.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|e| Error::new(e.kind(), format!("{}: {e}", folder.display())))?;
    }
    let mut text = lines.join("\n");
    text.push('\n');
    twincity_model::ronfile::write_atomic(list, text.as_bytes()).map_err(|e| match e {
        twincity_model::ronfile::DocError::Write { path, source } => {
            Error::new(source.kind(), format!("{}: {source}", path.display()))
        }
        other => Error::other(other.to_string()),
    })
}

/// The cards on the list at `list` that still exist (none when there is no list yet, or it
/// cannot be read).
fn cards_listed(list: &Path) -> Vec<PathBuf> {
    read_lines(list)
        .unwrap_or_default()
        .into_iter()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .collect()
}

/// The list's non-empty lines, trimmed; none when the file does not exist yet.
fn read_lines(list: &Path) -> std::io::Result<Vec<String>> {
    let bytes = match twincity_model::ronfile::read_limited(list, MAX_LIST_BYTES, "model lists") {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::new(e.kind(), format!("{}: {e}", list.display()))),
    };
    let text = String::from_utf8_lossy(&bytes);
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, "()").unwrap();
        p
    }

    #[test]
    fn the_list_lives_in_twincity_home_then_xdg_data_home_then_home() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(
            list_path_from(env(&[
                ("TWINCITY_HOME", "/t"),
                ("XDG_DATA_HOME", "/x"),
                ("HOME", "/h")
            ])),
            Some(PathBuf::from("/t/trained-models.txt"))
        );
        assert_eq!(
            list_path_from(env(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")])),
            Some(PathBuf::from("/x/twincity/trained-models.txt"))
        );
        // Empty and relative values do not count.
        assert_eq!(
            list_path_from(env(&[
                ("TWINCITY_HOME", ""),
                ("XDG_DATA_HOME", "rel"),
                ("HOME", "/h")
            ])),
            Some(PathBuf::from("/h/.local/share/twincity/trained-models.txt"))
        );
        assert_eq!(list_path_from(env(&[])), None);
    }

    #[test]
    fn cards_are_registered_once_by_their_canonical_path() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("home/deeper/trained-models.txt");
        assert!(cards_listed(&list).is_empty(), "no list yet: no cards");
        std::fs::create_dir(dir.path().join("run")).unwrap();
        let a = card(&dir.path().join("run"), "a.ron");
        let b = card(dir.path(), "b.ron");
        register_in(&list, &a).unwrap();
        register_in(&list, &b).unwrap();
        // The same card by another path is not listed twice.
        register_in(&list, &dir.path().join("run/../run/a.ron")).unwrap();
        register_in(&list, &a).unwrap();
        let listed = cards_listed(&list);
        assert_eq!(
            listed,
            vec![a.canonicalize().unwrap(), b.canonicalize().unwrap()]
        );
        assert!(listed.iter().all(|p| p.is_absolute()));
        let text = std::fs::read_to_string(&list).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.ends_with('\n'));
        // No temporary file is left beside the list.
        let left: Vec<_> = std::fs::read_dir(list.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![OsString::from(LIST_FILE)]);
    }

    #[test]
    fn cards_that_are_gone_are_skipped_and_a_missing_card_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join(LIST_FILE);
        let a = card(dir.path(), "a.ron");
        let b = card(dir.path(), "b.ron");
        register_in(&list, &a).unwrap();
        register_in(&list, &b).unwrap();
        std::fs::remove_file(&a).unwrap();
        assert_eq!(cards_listed(&list), vec![b.canonicalize().unwrap()]);
        let e = register_in(&list, &dir.path().join("nowhere.ron")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("nowhere.ron"), "{e}");
        // Blank lines and surrounding spaces in a list edited by hand are ignored.
        std::fs::write(
            &list,
            format!("\n  {}  \n\n", b.canonicalize().unwrap().display()),
        )
        .unwrap();
        assert_eq!(cards_listed(&list), vec![b.canonicalize().unwrap()]);
        register_in(&list, &b).unwrap();
        assert_eq!(cards_listed(&list).len(), 1);
    }

    #[test]
    fn a_list_that_is_not_a_file_gives_an_error_not_a_lost_list() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join(LIST_FILE);
        std::fs::create_dir(&list).unwrap();
        let a = card(dir.path(), "a.ron");
        let e = register_in(&list, &a).unwrap_err();
        assert!(e.to_string().contains(LIST_FILE), "{e}");
        assert!(cards_listed(&list).is_empty());
    }
}
