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

/// Where a string literal starting at byte `at` of `text` is an argument: the name of the call
/// (`label`, `Window::new`, `format!`...) and the argument's index, if it is one.
fn call_of(text: &str, at: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let (mut depth, mut commas) = (0i32, 0usize);
    let mut i = at;
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' if depth > 0 => depth -= 1,
            b'(' => {
                let name: String = text[..i]
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '!'))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                return Some((name, commas));
            }
            b'[' | b'{' | b';' => return None,
            b',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    None
}

/// Whether a call's argument is text egui (or a file dialog) shows.
fn shows_text(name: &str, arg: usize) -> bool {
    let last = name.rsplit("::").next().unwrap_or(name);
    let first_arg = [
        "label",
        "button",
        "heading",
        "weak",
        "strong",
        "small",
        "monospace",
        "on_hover_text",
        "on_disabled_hover_text",
        "hint_text",
        "selected_text",
        "menu_button",
        "text",
        "small_button",
        "add_filter",
        "suffix",
        "prefix",
    ];
    let typed = [
        "Window::new",
        "CollapsingHeader::new",
        "RichText::new",
        "Button::new",
        "Label::new",
        "Checkbox::new",
    ];
    (arg == 0 && (first_arg.contains(&last) || typed.iter().any(|t| name.ends_with(t))))
        || (arg == 1 && ["checkbox", "selectable_label", "colored_label"].contains(&last))
        || (arg == 2 && ["radio_value", "selectable_value"].contains(&last))
}

/// Words of a literal a translator would translate: two letters or more, outside `{...}`
/// placeholders, and not a unit or a symbol the two languages share.
fn words_to_translate(literal: &str) -> Vec<String> {
    // Units, names, and words French writes the same ("image").
    const SHARED: [&str; 18] = [
        "px", "mm", "fps", "FPS", "km", "min", "max", "via", "ms", "PNG", "JPEG", "ONNX", "DORI",
        "glTF", "TwinCity", "Studio", "Image", "images",
    ];
    let mut plain = String::new();
    let mut depth = 0;
    for c in literal.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if depth == 0 => plain.push(c),
            _ => plain.push(' '),
        }
    }
    plain
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 2 && !SHARED.contains(w))
        .map(str::to_string)
        .collect()
}

/// Literal text handed straight to a widget in the editor's code (outside tests): each such
/// text must come from a message instead. The check can fail: it finds the English label of
/// a made-up widget call.
#[test]
fn no_widget_is_given_english_text_directly() {
    fn scan(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                scan(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.extend(
                    untranslated(&text)
                        .into_iter()
                        .map(|(line, l)| format!("{}:{line}: \"{l}\"", path.display())),
                );
            }
        }
    }
    let probe = "fn f(ui: &mut egui::Ui) {\n    ui.checkbox(&mut on, \"Show frustums\");\n    \
                 ui.label(tr(\"menu-file\"));\n    ui.label(format!(\"{} px\", n));\n}\n";
    assert_eq!(untranslated(probe), vec![(2, "Show frustums".to_string())]);
    let mut found = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    scan(&root.join("src/editor"), &mut found);
    assert!(
        found.is_empty(),
        "text to make a message:\n{}",
        found.join("\n")
    );
}

/// The literals of `text` (outside its test module and comments) given straight to a widget
/// with words to translate, with their line numbers.
fn untranslated(text: &str) -> Vec<(usize, String)> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = code[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 3,
            b'"' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                let literal = &code[start..end.min(bytes.len())];
                let mut call = call_of(code, i);
                if call.as_ref().is_some_and(|(name, _)| name == "format!") {
                    let at = code[..i].rfind("format!(").unwrap_or(i);
                    call = call_of(code, at);
                }
                if call.is_some_and(|(name, arg)| shows_text(&name, arg))
                    && !words_to_translate(literal).is_empty()
                {
                    out.push((code[..i].matches('\n').count() + 1, literal.to_string()));
                }
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    out
}
