//! The user's preferences (`preferences.ron`): the interface language. Kept in
//! `$TWINCITY_HOME`, else `$XDG_CONFIG_HOME/twincity`, else `~/.config/twincity`; written
//! atomically.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use twincity_model::ronfile::{self, DocError};

/// The file name of the preferences.
pub const PREFERENCES_FILE: &str = "preferences.ron";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// The interface language (`"fr"`, `"en"`); the system's when `None`.
    #[serde(default)]
    pub language: Option<String>,
}

/// Where the preferences live (see the module's documentation); `None` without any home.
pub fn preferences_path() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(home) = var("TWINCITY_HOME") {
        return Some(PathBuf::from(home).join(PREFERENCES_FILE));
    }
    let config = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("twincity").join(PREFERENCES_FILE))
}

impl Preferences {
    /// The preferences in `path`; the defaults when there is no such file.
    pub fn load(path: &Path) -> Result<Self, DocError> {
        if !path.exists() {
            return Ok(Self::default());
        }
        let (prefs, text): (Preferences, String) = ronfile::read(path)?;
        if let Some(code) = &prefs.language
            && crate::Lang::from_locale(code).is_none()
        {
            return Err(ronfile::FieldProblem::new(
                "language",
                format!("{code:?} is not a language of the interface; write \"fr\" or \"en\""),
            )
            .at("language")
            .into_error(path, &text));
        }
        Ok(prefs)
    }

    /// The preferences of this user (defaults when there are none); a broken file is
    /// reported and left as it is.
    pub fn load_user() -> (Self, Option<String>) {
        match preferences_path() {
            Some(path) => match Self::load(&path) {
                Ok(p) => (p, None),
                Err(e) => (Self::default(), Some(e.to_string())),
            },
            None => (Self::default(), None),
        }
    }

    /// Writes the preferences atomically, making the folder when needed.
    pub fn save(&self, path: &Path) -> Result<(), DocError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| DocError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let text = ronfile::to_string(self)?;
        ronfile::write_atomic(path, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_round_trip_and_bad_ones_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("twincity").join(PREFERENCES_FILE);
        assert_eq!(Preferences::load(&path).unwrap(), Preferences::default());
        let p = Preferences {
            language: Some("fr".into()),
        };
        p.save(&path).unwrap();
        assert_eq!(Preferences::load(&path).unwrap(), p);
        std::fs::write(&path, "(\n    language: Some(\"klingon\"),\n)\n").unwrap();
        let e = Preferences::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("preferences.ron:2:") && e.contains("\"fr\""),
            "{e}"
        );
    }

    #[test]
    fn the_chosen_language_wins_over_the_preferences() {
        use crate::{Lang, choose_language};
        let prefs = Preferences {
            language: Some("fr".into()),
        };
        assert_eq!(choose_language(None, &prefs), Lang::Fr);
        assert_eq!(choose_language(Some(Lang::En), &prefs), Lang::En);
    }
}
