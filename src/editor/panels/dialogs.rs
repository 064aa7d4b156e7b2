//! The editor's dialogs: the path prompt (type a path or browse), unsaved changes, problems
//! to acknowledge, and the Help windows.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
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
        PathPurpose::Open => ("Open project", "Open"),
        PathPurpose::SaveAs => ("Save project as", "Save"),
        PathPurpose::Import => ("Import glTF / GLB city mesh", "Import"),
        PathPurpose::Crowd => ("Load crowd scenario", "Load"),
        PathPurpose::CrowdSaveAs => ("Save crowd scenario as", "Save"),
        PathPurpose::Scenario => ("Load scenario", "Load"),
        PathPurpose::ScenarioSaveAs => ("Save scenario as", "Save"),
    };
    let mut keep = true;
    egui::Window::new(title)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.label("File");
                ui.add(egui::TextEdit::singleline(&mut prompt.text).desired_width(380.0));
                if ui.button("Browse...").clicked() {
                    browse(prompt.purpose, channel.tx.clone(), prompt.text.clone());
                }
            });
            if prompt.purpose == PathPurpose::Import {
                ui.checkbox(
                    &mut prompt.z_up,
                    "The file is Z-up (rotate it to glTF's Y-up)",
                );
            }
            if let Some(e) = &prompt.error {
                ui.colored_label(egui::Color32::from_rgb(230, 80, 60), e);
            }
            ui.horizontal(|ui| {
                if ui.button(ok_label).clicked() {
                    keep = !submit_prompt(&mut prompt, a);
                }
                if ui.button("Cancel").clicked() {
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
        prompt.error = Some("Type a path or press Browse".into());
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
    egui::Window::new("Unsaved changes")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.label(format!(
                "\"{}\" has changes that are not saved.",
                doc.project.name
            ));
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() {
                    a.save = true;
                    ui_state.after_save = Some(g.clone());
                    ui_state.confirm = None;
                }
                if ui.button("Discard changes").clicked() {
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
                if ui.button("Cancel").clicked() {
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
    egui::Window::new("Problem")
        .collapsible(false)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0))
        .show(ctx, |ui| {
            for e in &notes.unread_errors {
                ui.colored_label(egui::Color32::from_rgb(230, 80, 60), e);
            }
            ok = ui.button("OK").clicked();
        });
    if ok {
        notes.unread_errors.clear();
    }
}

/// Help > Keyboard and mouse, and Help > About.
fn help_windows(ctx: &egui::Context, ui_state: &mut UiState, a: &Actions) {
    ui_state.show_shortcuts |= a.show_shortcuts;
    ui_state.show_about |= a.show_about;
    egui::Window::new("Keyboard and mouse")
        .open(&mut ui_state.show_shortcuts)
        .show(ctx, |ui| {
            egui::Grid::new("keys").striped(true).show(ui, |ui| {
                for (k, v) in SHORTCUTS {
                    ui.monospace(*k);
                    ui.label(*v);
                    ui.end_row();
                }
            });
        });
    egui::Window::new("About TwinCity Studio")
        .open(&mut ui_state.show_about)
        .show(ctx, |ui| {
            ui.heading(format!("TwinCity Studio {}", env!("CARGO_PKG_VERSION")));
            ui.label("An open-source editor for city digital twins: virtual CCTV cameras, simulated crowds and scripted incidents, rendered into annotated, privacy-safe training data.");
            ui.add_space(6.0);
            ui.label("Privacy is an invariant: no face recognition, no tracking of individuals; faces and plates are blurred in everything the product exports.");
            ui.add_space(6.0);
            ui.label("Licence: MIT OR Apache-2.0. Built on Bevy and egui.");
        });
}

/// Every key and mouse binding, shown in Help and documented in the README.
pub const SHORTCUTS: &[(&str, &str)] = &[
    (
        "Left drag",
        "Orbit around the focus (look around in fly mode)",
    ),
    ("Right / middle drag", "Pan"),
    ("Wheel", "Zoom (fly speed in fly mode)"),
    ("Left click", "Select a building or camera"),
    ("F", "Toggle fly mode"),
    ("W A S D", "Fly forward / left / back / right"),
    ("Q / E", "Fly down / up"),
    ("Shift", "Fly four times faster"),
    ("Z", "Frame the selection"),
    (
        "G",
        "Move the selected camera with the pointer (click: keep; Esc, right click: cancel)",
    ),
    (
        "R",
        "Aim the selected camera at the pointer (click: keep; Esc, right click: cancel)",
    ),
    ("Home", "Frame everything in the scene"),
    ("Delete", "Delete the selected camera"),
    ("Ctrl+N / Ctrl+O", "New / open project"),
    ("Ctrl+S / Ctrl+Shift+S", "Save / save as"),
    ("Ctrl+I", "Import a glTF/GLB city mesh"),
    ("Ctrl+Z / Ctrl+Y", "Undo / redo (Ctrl+Shift+Z also redoes)"),
    ("Ctrl+Q", "Quit"),
];
