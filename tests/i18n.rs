//! The interface's languages: every message the editor's code names exists in French and in
//! English, and the interface's font draws every character of the French messages and bundled
//! tours (accents, « », œ, the narrow no-break space of French numbers).

use std::path::Path;

use bevy_egui::egui;
use twincity_i18n::{ENGLISH_FTL, FRENCH_FTL, Lang, message, message_ids};

/// String literals that look like message ids (`menu-file`, `key-f5-does`) in the Rust files
/// under `dir` that use `twincity_i18n`.
fn ids_in_code(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            ids_in_code(&path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.contains("twincity_i18n") {
            continue;
        }
        for literal in text.split('"').skip(1).step_by(2) {
            let is_id = literal.contains('-')
                && literal.starts_with(|c: char| c.is_ascii_lowercase())
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !literal.ends_with('-');
            if is_id {
                found.push((path.display().to_string(), literal.to_string()));
            }
        }
    }
}

#[test]
fn every_message_the_code_names_exists_in_both_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    ids_in_code(&root.join("src"), &mut found);
    assert!(found.len() > 150, "only {} message ids found", found.len());
    let fr = message_ids(FRENCH_FTL).unwrap();
    let en = message_ids(ENGLISH_FTL).unwrap();
    let missing: Vec<String> = found
        .iter()
        .filter(|(_, id)| !fr.contains(id) || !en.contains(id))
        .map(|(file, id)| {
            let langs = [("fr", &fr), ("en", &en)]
                .iter()
                .filter(|(_, ids)| !ids.contains(id))
                .map(|(l, _)| *l)
                .collect::<Vec<_>>()
                .join(" and ");
            format!("{file}: `{id}` missing in {langs}")
        })
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_interface_font_draws_every_french_character() {
    let mut text: String = message_ids(FRENCH_FTL)
        .unwrap()
        .iter()
        .map(|id| message(Lang::Fr, id, None))
        .collect();
    text.push_str(&twincity_i18n::number_in(Lang::Fr, 1234.5, 1));
    // And the bundled tours' French texts.
    let tours = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/tours");
    for entry in std::fs::read_dir(tours).unwrap() {
        let tour = twincity_model::tour::Tour::load(&entry.unwrap().path()).unwrap();
        text.push_str(&tour.title.fr);
        for step in &tour.steps {
            text.push_str(&step.title.fr);
            text.push_str(&step.text.fr);
            if let Some(alert) = &step.alert {
                text.push_str(&alert.fr);
            }
        }
    }
    let ctx = egui::Context::default();
    // The proportional family (Ubuntu Light, then egui's emoji fonts) is the fallback of
    // the monospace one too: what it draws, the status bar draws.
    let font = egui::FontId::proportional(20.0);
    // One frame drawing the text in the font loads it; its texture changes are not for
    // any GPU here.
    let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
        ui.label(egui::RichText::new(&text).font(font.clone()));
    });
    output.textures_delta.clear();
    let mut missing: Vec<char> = ctx.fonts_mut(|f| {
        text.chars()
            .filter(|c| !c.is_control() && !f.has_glyph(&font, *c))
            .collect()
    });
    missing.sort();
    missing.dedup();
    // The check can fail: an arrow, which the editor once drew as an empty box.
    assert!(!ctx.fonts_mut(|f| f.has_glyph(&font, '\u{2192}')));
    assert!(missing.is_empty(), "{font:?} has no glyph for {missing:?}");
    for ch in ['é', 'è', 'à', 'ç', 'œ', '«', '…', '\u{202f}'] {
        assert!(
            text.contains(ch),
            "no French message uses {ch:?}: the check above is weaker"
        );
    }
}
