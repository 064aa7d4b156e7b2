//! The menu bar (File, Edit, View, Help) and the keyboard shortcuts of its items.

use bevy::prelude::*;
use bevy_egui::egui;

use super::{Actions, Guarded, PanelRoot, PathPurpose};
use crate::editor::cameras::OverlaySettings;
use crate::editor::viewport::ViewState;
use crate::render::document::{DocCommand, Selection, UndoHistory};

/// The menu bar along the top of the window.
pub(super) fn menu_bar(
    mut root: PanelRoot,
    history: Res<UndoHistory>,
    mut overlays: ResMut<OverlaySettings>,
    mut view: ResMut<ViewState>,
    selection: Res<Selection>,
) -> Result {
    root.show("menu", |ui, actions| {
        egui::Panel::top("menu_bar").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                menu_items(ui, actions, &history, &mut overlays, &mut view, *selection);
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

fn menu_items(
    ui: &mut egui::Ui,
    a: &mut Actions,
    history: &UndoHistory,
    overlays: &mut OverlaySettings,
    view: &mut ViewState,
    selection: Selection,
) {
    ui.menu_button("File", |ui| {
        if ui.button("New (empty)          Ctrl+N").clicked() {
            a.guarded = Some(Guarded::New);
        }
        if ui.button("New from demo district").clicked() {
            a.guarded = Some(Guarded::NewDemo);
        }
        if ui.button("Open...              Ctrl+O").clicked() {
            a.guarded = Some(Guarded::Open);
        }
        ui.separator();
        if ui.button("Save                 Ctrl+S").clicked() {
            a.save = true;
        }
        if ui.button("Save As...     Ctrl+Shift+S").clicked() {
            a.prompt = Some(PathPurpose::SaveAs);
        }
        ui.separator();
        if ui.button("Export dataset...").clicked() {
            a.export = true;
        }
        if ui.button("Import glTF...       Ctrl+I").clicked() {
            a.prompt = Some(PathPurpose::Import);
        }
        ui.separator();
        if ui.button("Quit                 Ctrl+Q").clicked() {
            a.guarded = Some(Guarded::Quit);
        }
    });
    ui.menu_button("Edit", |ui| {
        if ui
            .add_enabled(history.0.can_undo(), egui::Button::new("Undo      Ctrl+Z"))
            .clicked()
        {
            a.commands.push(DocCommand::Undo);
        }
        if ui
            .add_enabled(history.0.can_redo(), egui::Button::new("Redo      Ctrl+Y"))
            .clicked()
        {
            a.commands.push(DocCommand::Redo);
        }
        ui.separator();
        if ui.button("Add camera at view focus").clicked() {
            a.add_camera = true;
        }
        let is_cam = matches!(selection, Selection::Camera(_));
        if ui
            .add_enabled(is_cam, egui::Button::new("Delete selected camera   Del"))
            .clicked()
        {
            a.delete_selected = true;
        }
    });
    ui.menu_button("View", |ui| {
        ui.checkbox(&mut overlays.frustums, "Camera frustums");
        ui.checkbox(&mut overlays.previews, "Camera previews");
        ui.checkbox(&mut overlays.inference, "Model inference");
        ui.checkbox(&mut overlays.plate_check, "Plate check");
        ui.checkbox(&mut view.fly, "Fly mode (F)");
        if ui.button("Frame selection (Z)").clicked() {
            a.frame = true;
        }
        if ui.button("Frame all (Home)").clicked() {
            a.frame_all = true;
        }
        if ui.button("Reset view").clicked() {
            a.reset_view = true;
        }
    });
    ui.menu_button("Help", |ui| {
        if ui.button("Keyboard and mouse").clicked() {
            a.show_shortcuts = true;
        }
        if ui.button("About TwinCity Studio").clicked() {
            a.show_about = true;
        }
    });
}
