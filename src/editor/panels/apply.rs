//! Carries out what the panels asked for during the frame ([`Actions`]): commands to the
//! document, the crowd and the scenario, prompts, camera edits and view changes.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::EguiContexts;
use twincity_model::VirtualCamera;
use twincity_model::project::PROJECT_SUFFIX;

use super::{Actions, Guarded, PathPrompt, PathPurpose, UiState};
use crate::editor::export::OpenExport;
use crate::editor::viewport::{FrameAllRequest, ViewState, frame_selection};
use crate::render::city::DemoLayout;
use crate::render::crowd::CrowdCommand;
use crate::render::document::{DocCommand, Document, Interaction, Selection};
use crate::render::raycast::SceneRaycast;
use crate::render::scenario::ScenarioCommand;

/// Where the panels' requests go.
#[derive(SystemParam)]
pub(super) struct Outbox<'w> {
    document: MessageWriter<'w, DocCommand>,
    crowd: MessageWriter<'w, CrowdCommand>,
    scenario: MessageWriter<'w, ScenarioCommand>,
    export: MessageWriter<'w, OpenExport>,
}

/// The view and what framing needs to know about the scene.
#[derive(SystemParam)]
pub(super) struct ViewEdits<'w> {
    view: ResMut<'w, ViewState>,
    frame_all: ResMut<'w, FrameAllRequest>,
    layout: Res<'w, DemoLayout>,
    raycast: Res<'w, SceneRaycast>,
}

/// The last panel system: does what was asked this frame.
pub(super) fn apply_actions(
    mut contexts: EguiContexts,
    mut actions: ResMut<Actions>,
    mut doc: ResMut<Document>,
    mut ui_state: ResMut<UiState>,
    mut selection: ResMut<Selection>,
    mut interaction: ResMut<Interaction>,
    mut outbox: Outbox,
    mut views: ViewEdits,
) -> Result {
    let a = &mut *actions;
    guard_and_prompt(a, &doc, &mut ui_state, &mut outbox.document);
    for c in a.commands.drain(..) {
        outbox.document.write(c);
    }
    for c in a.crowd.drain(..) {
        outbox.crowd.write(c);
    }
    for c in a.scenario.drain(..) {
        outbox.scenario.write(c);
    }
    if a.export {
        outbox.export.write(OpenExport);
    }
    let mut selected = *selection;
    edit_cameras(a, &mut doc, &mut selected, &views.view);
    change_view(a, &doc, selected, &mut views);
    selection.set_if_neq(a.select.unwrap_or(selected));
    // Confirmation after a successful save.
    if !doc.is_dirty()
        && let Some(g) = ui_state.after_save.take()
    {
        run_guarded(g, &mut ui_state, &mut outbox.document);
    }
    let ctx = contexts.ctx_mut()?;
    interaction.dragging = ctx.egui_is_using_pointer() || ctx.dragged_id().is_some();
    Ok(())
}

/// New, Open and Quit wait for a decision when there are unsaved changes; Save without a file
/// and the other file actions open the path prompt.
fn guard_and_prompt(
    a: &mut Actions,
    doc: &Document,
    ui_state: &mut UiState,
    commands: &mut MessageWriter<DocCommand>,
) {
    if let Some(g) = a.guarded.take() {
        if doc.is_dirty() {
            ui_state.confirm = Some(g);
        } else {
            run_guarded(g, ui_state, commands);
        }
    }
    if a.save {
        if doc.path.is_some() {
            commands.write(DocCommand::Save);
        } else {
            a.prompt = Some(PathPurpose::SaveAs);
        }
    }
    if let Some(purpose) = a.prompt {
        let text = match purpose {
            PathPurpose::SaveAs => doc
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| format!("untitled{PROJECT_SUFFIX}")),
            _ => String::new(),
        };
        ui_state.prompt = Some(PathPrompt::new(purpose, text));
    }
}

/// Adds a camera at the view's focus (6 m up, looking the view's way) or deletes the
/// selected one.
fn edit_cameras(a: &Actions, doc: &mut Document, selection: &mut Selection, view: &ViewState) {
    if a.add_camera {
        let id = doc.project.next_camera_id();
        let mut cam = VirtualCamera::new(
            id,
            twincity_i18n::tr_args("camera-default-name", &[("n", id.0.to_string().into())]),
            view.view.focus + Vec3::Y * 6.0,
            view.view.yaw_deg,
        );
        cam.tilt_deg = 20.0;
        doc.project.cameras.push(cam);
        *selection = Selection::Camera(id);
    }
    if a.delete_selected
        && let Selection::Camera(id) = *selection
    {
        doc.project.cameras.retain(|c| c.id != id);
        *selection = Selection::None;
    }
}

/// Framing, fly mode and resetting the view.
fn change_view(a: &Actions, doc: &Document, selection: Selection, views: &mut ViewEdits) {
    if a.frame {
        frame_selection(
            &mut views.view,
            selection,
            Some(&*views.layout),
            doc,
            views.raycast.parts(),
        );
    }
    if a.toggle_fly {
        views.view.fly = !views.view.fly;
    }
    if a.reset_view {
        views.view.view = twincity_model::project::EditorView::default();
        views.view.fly = false;
    }
    if a.frame_all {
        views.frame_all.0 = true;
    }
}

/// Does what waited for the unsaved-changes decision.
fn run_guarded(g: Guarded, ui_state: &mut UiState, commands: &mut MessageWriter<DocCommand>) {
    match g {
        Guarded::New => {
            commands.write(DocCommand::New);
        }
        Guarded::NewDemo => {
            commands.write(DocCommand::NewDemo);
        }
        Guarded::Open => {
            // A prompt pre-filled by a dropped file is kept; otherwise ask for the file.
            if !ui_state
                .prompt
                .as_ref()
                .is_some_and(|p| p.purpose == PathPurpose::Open)
            {
                ui_state.prompt = Some(PathPrompt::new(PathPurpose::Open, String::new()));
            }
        }
        Guarded::Quit => {
            commands.write(DocCommand::Quit);
        }
    }
}
