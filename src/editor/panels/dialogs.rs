//! The editor's dialogs: the path prompt (type a path or browse), unsaved changes, problems
//! to acknowledge, and the Help windows.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use twincity_i18n::{tr, tr_args};
use twincity_model::project::CityImport;

use super::{Actions, DialogChannel, Guarded, PathPrompt, PathPurpose, UiState, browse};
use crate::render::crowd::CrowdCommand;
use crate::render::document::{DocCommand, Document, Notifications};
use crate::render::scenario::ScenarioCommand;

/// The dialogs, over the panels.
pub(super) fn dialogs(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    mut actions: ResMut<Actions>,
    channel: Res<DialogChannel>,
    mut notes: ResMut<Notifications>,
    doc: Res<Document>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    path_prompt(ctx, &mut ui_state, &mut actions, &channel);
    unsaved_changes(ctx, &mut ui_state, &mut actions, &doc);
    problems(ctx, &mut notes);
    help_windows(ctx, &mut ui_state, &actions);
    Ok(())
}

/// The path prompt: type a path or browse with the system dialog; OK asks for the command of
/// the prompt's purpose, Cancel forgets it.
fn path_prompt(
    ctx: &egui::Context,
    ui_state: &mut UiState,
    a: &mut Actions,
    channel: &DialogChannel,
) {
    let Some(mut prompt) = ui_state.prompt.take() else {
        return;
    };
    let (title, ok_label) = match prompt.purpose {
        PathPurpose::Open => ("prompt-open-project", "prompt-open"),
        PathPurpose::SaveAs => ("prompt-save-project", "prompt-save"),
        PathPurpose::Import => ("prompt-import", "prompt-import-button"),
        PathPurpose::Crowd => ("prompt-load-crowd", "prompt-load"),
        PathPurpose::CrowdSaveAs => ("prompt-save-crowd", "prompt-save"),
        PathPurpose::Scenario => ("prompt-load-scenario", "prompt-load"),
        PathPurpose::ScenarioSaveAs => ("prompt-save-scenario", "prompt-save"),
    };
    let mut keep = true;
    egui::Window::new(tr(title))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.label(tr("prompt-file"));
                ui.add(egui::TextEdit::singleline(&mut prompt.text).desired_width(380.0));
                if ui.button(tr("prompt-browse")).clicked() {
                    browse(prompt.purpose, channel.tx.clone(), prompt.text.clone());
                }
            });
            if prompt.purpose == PathPurpose::Import {
                ui.checkbox(&mut prompt.z_up, tr("prompt-z-up"));
            }
            if let Some(e) = &prompt.error {
                ui.colored_label(egui::Color32::from_rgb(230, 80, 60), e);
            }
            ui.horizontal(|ui| {
                if ui.button(tr(ok_label)).clicked() {
                    keep = !submit_prompt(&mut prompt, a);
                }
                if ui.button(tr("dialog-cancel")).clicked() {
                    keep = false;
                    ui_state.after_save = None;
                }
            });
        });
    if keep {
        ui_state.prompt = Some(prompt);
    }
}

/// OK in the path prompt: asks for the command of its purpose and says true, or notes in the
/// prompt why the path cannot be used and says false (the prompt stays open).
fn submit_prompt(prompt: &mut PathPrompt, a: &mut Actions) -> bool {
    let path = PathBuf::from(prompt.text.trim());
    if prompt.text.trim().is_empty() {
        prompt.error = Some(tr("prompt-empty"));
        return false;
    }
    match prompt.purpose {
        PathPurpose::Open => a.commands.push(DocCommand::Open(path)),
        PathPurpose::SaveAs => a.commands.push(DocCommand::SaveAs(path)),
        PathPurpose::Crowd => a.crowd.push(CrowdCommand::Load(path)),
        PathPurpose::CrowdSaveAs => a.crowd.push(CrowdCommand::Save(Some(path))),
        PathPurpose::Scenario => a.scenario.push(ScenarioCommand::Load(path)),
        PathPurpose::ScenarioSaveAs => a.scenario.push(ScenarioCommand::Save(Some(path))),
        PathPurpose::Import => match crate::render::document::check_import_path(&path) {
            Ok(()) => a.commands.push(DocCommand::Import(CityImport {
                path,
                z_up: prompt.z_up,
            })),
            Err(e) => {
                prompt.error = Some(e);
                return false;
            }
        },
    }
    true
}

/// Unsaved changes before New, Open or Quit: save first, discard them, or cancel.
fn unsaved_changes(ctx: &egui::Context, ui_state: &mut UiState, a: &mut Actions, doc: &Document) {
    let Some(g) = ui_state.confirm.clone() else {
        return;
    };
    egui::Window::new(tr("unsaved-title"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.label(tr_args(
                "unsaved-text",
                &[("name", doc.project.name.clone().into())],
            ));
            ui.horizontal(|ui| {
                if ui.button(tr("prompt-save")).clicked() {
                    a.save = true;
                    ui_state.after_save = Some(g.clone());
                    ui_state.confirm = None;
                }
                if ui.button(tr("unsaved-discard")).clicked() {
                    a.guarded = None;
                    ui_state.confirm = None;
                    // Run without asking again.
                    match g {
                        Guarded::New => a.commands.push(DocCommand::New),
                        Guarded::NewDemo => a.commands.push(DocCommand::NewDemo),
                        Guarded::Quit => a.commands.push(DocCommand::Quit),
                        Guarded::Open => {
                            if !ui_state
                                .prompt
                                .as_ref()
                                .is_some_and(|p| p.purpose == PathPurpose::Open)
                            {
                                a.prompt = Some(PathPurpose::Open);
                            }
                        }
                    }
                }
                if ui.button(tr("dialog-cancel")).clicked() {
                    ui_state.confirm = None;
                    ui_state.prompt = None;
                }
            });
        });
}

/// Errors stay until acknowledged.
fn problems(ctx: &egui::Context, notes: &mut Notifications) {
    if notes.unread_errors.is_empty() {
        return;
    }
    let mut ok = false;
    egui::Window::new(tr("problem-title"))
        .collapsible(false)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0))
        .show(ctx, |ui| {
            for e in &notes.unread_errors {
                ui.colored_label(egui::Color32::from_rgb(230, 80, 60), e);
            }
            ok = ui.button(tr("dialog-ok")).clicked();
        });
    if ok {
        notes.unread_errors.clear();
    }
}

/// Help > Keyboard and mouse, and Help > About.
fn help_windows(ctx: &egui::Context, ui_state: &mut UiState, a: &Actions) {
    ui_state.show_shortcuts |= a.show_shortcuts;
    ui_state.show_about |= a.show_about;
    egui::Window::new(tr("keys-title"))
        .open(&mut ui_state.show_shortcuts)
        .show(ctx, |ui| {
            egui::Grid::new("keys").striped(true).show(ui, |ui| {
                for (k, v) in SHORTCUTS {
                    ui.monospace(tr(k));
                    ui.label(tr(v));
                    ui.end_row();
                }
            });
        });
    egui::Window::new(tr("about-title"))
        .open(&mut ui_state.show_about)
        .show(ctx, |ui| {
            ui.heading(format!("TwinCity Studio {}", env!("CARGO_PKG_VERSION")));
            ui.label(tr("about-what"));
            ui.add_space(6.0);
            ui.label(tr("about-privacy"));
            ui.add_space(6.0);
            ui.label(tr("about-licence"));
        });
}

/// Every key and mouse binding (message ids: the keys, what they do), shown in Help and
/// documented in the README.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("key-left-drag", "key-left-drag-does"),
    ("key-right-drag", "key-right-drag-does"),
    ("key-wheel", "key-wheel-does"),
    ("key-left-click", "key-left-click-does"),
    ("key-f", "key-f-does"),
    ("key-wasd", "key-wasd-does"),
    ("key-qe", "key-qe-does"),
    ("key-shift", "key-shift-does"),
    ("key-z", "key-z-does"),
    ("key-g", "key-g-does"),
    ("key-r", "key-r-does"),
    ("key-home", "key-home-does"),
    ("key-delete", "key-delete-does"),
    ("key-new-open", "key-new-open-does"),
    ("key-save", "key-save-does"),
    ("key-import", "key-import-does"),
    ("key-undo", "key-undo-does"),
    ("key-quit", "key-quit-does"),
    ("key-f5", "key-f5-does"),
];
