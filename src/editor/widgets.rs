//! What the editor's panels share: the set the panels run in (windows order themselves after
//! it) and common widgets.

use bevy::prelude::*;
use bevy_egui::egui;
use twincity_i18n::tr;

/// System sets of the UI plugin (in `EguiPrimaryContextPass`).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UiSet {
    Panels,
}

/// What the Undo / Redo / Save / Save as buttons of a scenario panel asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileButton {
    Undo,
    Redo,
    /// Save to the file it came from.
    Save,
    /// Ask where to save (also what Save means for a file never saved).
    SaveAs,
}

/// The Undo / Redo / Save / Save as buttons of a scenario panel (crowd or incidents), laid
/// out in the current row; `saved_before`: the document has a file to save to.
pub fn undo_save_buttons<T: Clone + PartialEq>(
    ui: &mut egui::Ui,
    history: Option<&twincity_model::undo::History<T>>,
    saved_before: bool,
) -> Option<FileButton> {
    let (can_undo, can_redo) = history.map_or((false, false), |h| (h.can_undo(), h.can_redo()));
    let mut pressed = None;
    if ui
        .add_enabled(can_undo, egui::Button::new(tr("menu-undo")))
        .clicked()
    {
        pressed = Some(FileButton::Undo);
    }
    if ui
        .add_enabled(can_redo, egui::Button::new(tr("menu-redo")))
        .clicked()
    {
        pressed = Some(FileButton::Redo);
    }
    if ui.button(tr("menu-save")).clicked() {
        pressed = Some(if saved_before {
            FileButton::Save
        } else {
            FileButton::SaveAs
        });
    }
    if ui.button(tr("menu-save-as")).clicked() {
        pressed = Some(FileButton::SaveAs);
    }
    pressed
}

/// A number field that writes and reads numbers as the interface's language does (`0,5` in
/// French, `0.5` in English); use it instead of `egui::DragValue::new`.
pub fn drag<Num: egui::emath::Numeric>(value: &mut Num) -> egui::DragValue<'_> {
    egui::DragValue::new(value)
        .custom_formatter(format_number)
        .custom_parser(parse_number)
}

/// A slider whose number reads as the interface's language writes numbers; use it instead of
/// `egui::Slider::new`.
pub fn slider<Num: egui::emath::Numeric>(
    value: &mut Num,
    range: std::ops::RangeInclusive<Num>,
) -> egui::Slider<'_> {
    egui::Slider::new(value, range)
        .custom_formatter(format_number)
        .custom_parser(parse_number)
}

/// `n` with egui's choice of decimals, the decimal separator the language's.
pub fn format_number(n: f64, decimals: std::ops::RangeInclusive<usize>) -> String {
    format_number_in(twincity_i18n::language(), n, decimals)
}

fn format_number_in(
    lang: twincity_i18n::Lang,
    n: f64,
    decimals: std::ops::RangeInclusive<usize>,
) -> String {
    let text = egui::emath::format_with_decimals_in_range(n, decimals);
    match lang {
        twincity_i18n::Lang::Fr => text.replace('.', ","),
        twincity_i18n::Lang::En => text,
    }
}

/// A number typed in a field: spaces (thousands) ignored, the language's decimal separator
/// (a comma in French; in English a comma separates thousands), `−` as a minus.
pub fn parse_number(text: &str) -> Option<f64> {
    parse_number_in(twincity_i18n::language(), text)
}

fn parse_number_in(lang: twincity_i18n::Lang, text: &str) -> Option<f64> {
    let french = lang == twincity_i18n::Lang::Fr;
    let plain: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && (french || *c != ','))
        .map(|c| match c {
            '−' => '-',
            ',' => '.',
            c => c,
        })
        .collect();
    plain.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use twincity_i18n::Lang;

    #[test]
    fn number_fields_follow_the_language() {
        assert_eq!(format_number_in(Lang::Fr, 0.5, 2..=2), "0,50");
        assert_eq!(format_number_in(Lang::En, 0.5, 2..=2), "0.50");
        assert_eq!(parse_number_in(Lang::Fr, "1 234,5"), Some(1234.5));
        assert_eq!(parse_number_in(Lang::Fr, "0.25"), Some(0.25));
        assert_eq!(parse_number_in(Lang::En, "1,234.5"), Some(1234.5));
        assert_eq!(parse_number_in(Lang::En, "−3"), Some(-3.0));
        assert_eq!(parse_number_in(Lang::Fr, "trois"), None);
    }
}
