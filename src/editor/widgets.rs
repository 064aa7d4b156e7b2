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
