//! The menu bar (File, Edit, View, Presentation, Language, Help) and the keyboard shortcuts
//! of its items.

use bevy::prelude::*;
use bevy_egui::egui;

use super::{Actions, Guarded, PanelRoot, PathPurpose};
use twincity_i18n::{Lang, tr};

use crate::editor::cameras::OverlaySettings;
use crate::editor::present::Presentation;
use crate::editor::tour_editor::TourEditor;
use crate::editor::view_quality::ViewQuality;
use crate::editor::viewport::ViewState;
use crate::render::document::{DocCommand, Notifications, Selection, UndoHistory};

/// The menu bar along the top of the window.
pub(super) fn menu_bar(
    mut root: PanelRoot,
    history: Res<UndoHistory>,
    mut overlays: ResMut<OverlaySettings>,
    mut view: ResMut<ViewState>,
    mut quality: ResMut<ViewQuality>,
    selection: Res<Selection>,
    mut tours: ResMut<TourEditor>,
    mut presentation: ResMut<Presentation>,
    mut notes: ResMut<Notifications>,
    time: Res<Time<Real>>,
) -> Result {
    root.show("menu", |ui, actions| {
        egui::Panel::top("menu_bar").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                file_menu(ui, actions);
                edit_menu(ui, actions, &history, *selection);
                view_menu(ui, actions, &mut overlays, (&mut view, &mut quality));
                tour_menu(ui, &mut tours, &mut presentation);
                if let Err(e) = language_menu(ui) {
                    notes.error(e, time.elapsed());
                }
                help_menu(ui, actions);
            });
        });
    })
}

/// The shortcuts of the File and Edit menus, read before any panel takes the keyboard.
pub(super) fn shortcuts(ctx: &egui::Context, a: &mut Actions) {
    use egui::{Key, KeyboardShortcut, Modifiers};
    let cmd = |k| KeyboardShortcut::new(Modifiers::COMMAND, k);
    let cmd_shift = |k| KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, k);
    ctx.input_mut(|i| {
        if i.consume_shortcut(&cmd_shift(Key::S)) {
            a.prompt = Some(PathPurpose::SaveAs);
        }
        if i.consume_shortcut(&cmd_shift(Key::Z)) || i.consume_shortcut(&cmd(Key::Y)) {
            a.commands.push(DocCommand::Redo);
        }
        if i.consume_shortcut(&cmd(Key::Z)) {
            a.commands.push(DocCommand::Undo);
        }
        if i.consume_shortcut(&cmd(Key::N)) {
            a.guarded = Some(Guarded::New);
        }
        if i.consume_shortcut(&cmd(Key::O)) {
            a.guarded = Some(Guarded::Open);
        }
        if i.consume_shortcut(&cmd(Key::S)) {
            a.save = true;
        }
        if i.consume_shortcut(&cmd(Key::I)) {
            a.prompt = Some(PathPurpose::Import);
        }
        if i.consume_shortcut(&cmd(Key::Q)) {
            a.guarded = Some(Guarded::Quit);
        }
    });
    if !ctx.egui_wants_keyboard_input() && ctx.input(|i| i.key_pressed(Key::Delete)) {
        a.delete_selected = true;
    }
}

/// A menu item with its shortcut on the right.
fn item(ui: &mut egui::Ui, id: &str, shortcut: &str) -> bool {
    ui.add(egui::Button::new(tr(id)).shortcut_text(shortcut))
        .clicked()
}

fn file_menu(ui: &mut egui::Ui, a: &mut Actions) {
    ui.menu_button(tr("menu-file"), |ui| {
        if item(ui, "menu-new", "Ctrl+N") {
            a.guarded = Some(Guarded::New);
        }
        if item(ui, "menu-new-demo", "") {
            a.guarded = Some(Guarded::NewDemo);
        }
        if item(ui, "menu-open", "Ctrl+O") {
            a.guarded = Some(Guarded::Open);
        }
        ui.separator();
        if item(ui, "menu-save", "Ctrl+S") {
            a.save = true;
        }
        if item(ui, "menu-save-as", "Ctrl+Shift+S") {
            a.prompt = Some(PathPurpose::SaveAs);
        }
        ui.separator();
        if item(ui, "menu-export", "") {
            a.export = true;
        }
        if item(ui, "menu-import", "Ctrl+I") {
            a.prompt = Some(PathPurpose::Import);
        }
        ui.separator();
        if item(ui, "menu-quit", "Ctrl+Q") {
            a.guarded = Some(Guarded::Quit);
        }
    });
}

fn edit_menu(ui: &mut egui::Ui, a: &mut Actions, history: &UndoHistory, selection: Selection) {
    ui.menu_button(tr("menu-edit"), |ui| {
        let undo = egui::Button::new(tr("menu-undo")).shortcut_text("Ctrl+Z");
        if ui.add_enabled(history.0.can_undo(), undo).clicked() {
            a.commands.push(DocCommand::Undo);
        }
        let redo = egui::Button::new(tr("menu-redo")).shortcut_text("Ctrl+Y");
        if ui.add_enabled(history.0.can_redo(), redo).clicked() {
            a.commands.push(DocCommand::Redo);
        }
        ui.separator();
        if item(ui, "menu-add-camera", "") {
            a.add_camera = true;
        }
        let is_cam = matches!(selection, Selection::Camera(_));
        let delete = egui::Button::new(tr("menu-delete-camera")).shortcut_text("Del");
        if ui.add_enabled(is_cam, delete).clicked() {
            a.delete_selected = true;
        }
    });
}

fn view_menu(
    ui: &mut egui::Ui,
    a: &mut Actions,
    overlays: &mut OverlaySettings,
    (view, quality): (&mut ViewState, &mut ViewQuality),
) {
    ui.menu_button(tr("menu-view"), |ui| {
        ui.checkbox(&mut overlays.frustums, tr("menu-frustums"));
        ui.checkbox(&mut overlays.previews, tr("menu-previews"));
        ui.checkbox(&mut overlays.inference, tr("menu-inference"));
        ui.checkbox(&mut overlays.plate_check, tr("menu-plate-check"));
        ui.checkbox(&mut view.fly, tr("menu-fly"));
        ui.checkbox(&mut quality.enabled, tr("menu-fast-moves"))
            .on_hover_text(tr("menu-fast-moves-hint"));
        if item(ui, "menu-frame-selection", "Z") {
            a.frame = true;
        }
        if item(ui, "menu-frame-all", "Home") {
            a.frame_all = true;
        }
        if item(ui, "menu-reset-view", "") {
            a.reset_view = true;
        }
    });
}

/// Presentation: the Tour editor window, and presenting the tour it holds full screen.
fn tour_menu(ui: &mut egui::Ui, tours: &mut TourEditor, presentation: &mut Presentation) {
    ui.menu_button(tr("menu-presentation"), |ui| {
        ui.checkbox(&mut tours.open, tr("menu-tour-editor"));
        let has_steps = presentation.step_count() > 0;
        let present = egui::Button::new(tr("menu-present")).shortcut_text("F5");
        if ui
            .add_enabled(has_steps, present)
            .on_disabled_hover_text(tr("menu-present-needs-tour"))
            .clicked()
        {
            presentation.start_at(0);
        }
    });
    if presentation.step_count() > 0 && ui.input(|i| i.key_pressed(egui::Key::F5)) {
        presentation.start_at(0);
    }
}

/// The interface language: switched at once, and kept in the user's preferences.
fn language_menu(ui: &mut egui::Ui) -> Result<(), String> {
    let mut result = Ok(());
    ui.menu_button(tr("menu-language"), |ui| {
        for lang in Lang::ALL {
            let chosen = twincity_i18n::language() == lang;
            if ui.radio(chosen, lang.native_name()).clicked() && !chosen {
                twincity_i18n::set_language(lang);
                result = save_language(lang);
            }
        }
    });
    result
}

fn save_language(lang: Lang) -> Result<(), String> {
    use twincity_i18n::prefs::{Preferences, preferences_path};
    let Some(path) = preferences_path() else {
        return Ok(());
    };
    let (mut prefs, _) = Preferences::load_user();
    prefs.language = Some(lang.code().to_string());
    prefs.save(&path).map_err(|e| e.to_string())
}

fn help_menu(ui: &mut egui::Ui, a: &mut Actions) {
    ui.menu_button(tr("menu-help"), |ui| {
        if item(ui, "menu-keys", "") {
            a.show_shortcuts = true;
        }
        if item(ui, "menu-about", "") {
            a.show_about = true;
        }
    });
}
