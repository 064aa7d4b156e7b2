//! The editor's panels (bevy_egui): menu bar, status bar, scenario timeline, scene list (left),
//! properties of the selection (right) and the dialogs, one system each. The panels read
//! resources and note what the user asked for in [`Actions`]; [`apply::apply_actions`] then
//! sends the [`DocCommand`]s. Property fields edit the project directly, and the undo history
//! records the change.
//!
//! Each panel system takes its side of the window from what the systems before it left
//! ([`FreeRect`]); what is left at the end is the 3D view. The systems run in this order, in
//! [`UiSet::Panels`]:
//!
//! | system | file | takes |
//! |---|---|---|
//! | `begin_frame` | here | file-dialog results, keyboard shortcuts |
//! | `menu_bar` | `menu.rs` | the top row |
//! | `status_bar` | `status.rs` | the bottom row |
//! | `timeline_dock` | `timeline_dock.rs` | above the status bar, when a scenario is loaded |
//! | `scene_panel` | `scene.rs` | the left side |
//! | `properties_panel` | `properties.rs` | the right side |
//! | `central_view` | here | the rest: the 3D view's rectangle |
//! | `dialogs` | `dialogs.rs` | windows over everything |
//! | `previews_window` | here | the Camera previews window, when shown |
//! | `apply_actions` | `apply.rs` | nothing: does what was asked |

mod apply;
mod dialogs;
mod menu;
mod properties;
mod scene;
mod status;
mod timeline_dock;

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::window::{FileDragAndDrop, WindowCloseRequested};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use twincity_model::project::{CityImport, PROJECT_SUFFIX};

use crate::editor::cameras::OverlaySettings;
use crate::editor::previews::CameraPreviews;
use crate::editor::viewport::{ViewState, ViewportRect};
use crate::editor::widgets::UiSet;
use crate::render::crowd::CrowdCommand;
use crate::render::document::{DocCommand, Document, DocumentSet, Selection};
use crate::render::scenario::ScenarioCommand;

pub use dialogs::SHORTCUTS;

pub struct UiPlugin;

impl Plugin for UiPlugin {
    fn build(&self, app: &mut App) {
        let (tx, rx) = channel();
        app.insert_resource(DialogChannel {
            tx,
            rx: Mutex::new(rx),
        })
        .init_resource::<UiState>()
        .init_resource::<SceneStats>()
        .init_resource::<Actions>()
        .init_resource::<FreeRect>()
        .add_systems(
            Update,
            (scene_stats, window_events).in_set(DocumentSet::ApplyCommands),
        )
        .add_systems(
            EguiPrimaryContextPass,
            (
                begin_frame,
                menu::menu_bar,
                status::status_bar,
                timeline_dock::timeline_dock,
                scene::scene_panel,
                properties::properties_panel,
                central_view,
                dialogs::dialogs,
                previews_window,
                apply::apply_actions,
            )
                .chain()
                .in_set(UiSet::Panels)
                // Presentation mode hides every editing panel.
                .run_if(not(crate::editor::present::presenting)),
        );
    }
}

/// Triangle and mesh counts of everything in the scene (refreshed twice a second).
#[derive(Resource, Default, Clone, Copy, Debug)]
pub struct SceneStats {
    pub meshes: usize,
    pub triangles: usize,
}

fn scene_stats(
    meshes: Query<&Mesh3d>,
    assets: Res<Assets<Mesh>>,
    mut stats: ResMut<SceneStats>,
    time: Res<Time<Real>>,
    mut last: Local<f32>,
) {
    let now = time.elapsed_secs();
    if now - *last < 0.5 && stats.meshes > 0 {
        return;
    }
    *last = now;
    let mut s = SceneStats::default();
    for m in &meshes {
        s.meshes += 1;
        if let Some(mesh) = assets.get(&m.0) {
            s.triangles += match mesh.indices() {
                Some(i) => i.len() / 3,
                None => mesh.count_vertices() / 3,
            };
        }
    }
    *stats = s;
}

/// What a path prompt is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathPurpose {
    Open,
    SaveAs,
    Import,
    Crowd,
    CrowdSaveAs,
    Scenario,
    ScenarioSaveAs,
}

/// Something that waits for the user to say what to do with unsaved changes.
#[derive(Clone, Debug, PartialEq)]
pub enum Guarded {
    New,
    NewDemo,
    Open,
    Quit,
}

/// UI-only state (not part of the document).
#[derive(Resource, Default)]
pub struct UiState {
    pub prompt: Option<PathPrompt>,
    pub confirm: Option<Guarded>,
    pub show_shortcuts: bool,
    pub show_about: bool,
    /// After a successful "save before" in the unsaved-changes dialog, run this.
    after_save: Option<Guarded>,
}

#[derive(Clone, Debug)]
pub struct PathPrompt {
    pub purpose: PathPurpose,
    pub text: String,
    pub z_up: bool,
    pub error: Option<String>,
}

impl PathPrompt {
    /// An empty prompt for `purpose`.
    fn new(purpose: PathPurpose, text: String) -> Self {
        PathPrompt {
            purpose,
            text,
            z_up: false,
            error: None,
        }
    }
}

/// File dialogs run on their own thread (they block); results come back here.
#[derive(Resource)]
struct DialogChannel {
    tx: Sender<(PathPurpose, PathBuf)>,
    rx: Mutex<Receiver<(PathPurpose, PathBuf)>>,
}

/// Opens the system's file dialog for `purpose` on its own thread, starting in the folder of
/// `current`; the picked path comes back through [`DialogChannel`].
fn browse(purpose: PathPurpose, tx: Sender<(PathPurpose, PathBuf)>, current: String) {
    std::thread::spawn(move || {
        let mut dialog = rfd::FileDialog::new();
        let current = PathBuf::from(current);
        if let Some(dir) = current.parent().filter(|d| d.is_dir()) {
            dialog = dialog.set_directory(dir);
        }
        let picked = match purpose {
            PathPurpose::Open => dialog
                .add_filter(twincity_i18n::tr("dialog-filter-project"), &["ron"])
                .pick_file(),
            PathPurpose::Import => dialog.add_filter("glTF 2.0", &["glb", "gltf"]).pick_file(),
            PathPurpose::Crowd => dialog
                .add_filter(twincity_i18n::tr("dialog-filter-crowd"), &["ron"])
                .pick_file(),
            PathPurpose::Scenario => dialog
                .add_filter(twincity_i18n::tr("dialog-filter-scenario"), &["ron"])
                .pick_file(),
            PathPurpose::ScenarioSaveAs => dialog
                .add_filter(twincity_i18n::tr("dialog-filter-scenario"), &["ron"])
                .set_file_name("incidents.scenario.ron")
                .save_file(),
            PathPurpose::CrowdSaveAs => dialog
                .add_filter(twincity_i18n::tr("dialog-filter-crowd"), &["ron"])
                .set_file_name("crowd.ron")
                .save_file(),
            PathPurpose::SaveAs => dialog
                .add_filter(twincity_i18n::tr("dialog-filter-project"), &["ron"])
                .set_file_name(format!("project{PROJECT_SUFFIX}"))
                .save_file(),
        };
        if let Some(p) = picked {
            let _ = tx.send((purpose, p));
        }
    });
}

/// Closing the window and dropping files on it: both wait for a decision on unsaved changes.
fn window_events(
    mut close: MessageReader<WindowCloseRequested>,
    mut dropped: MessageReader<FileDragAndDrop>,
    mut ui: ResMut<UiState>,
    mut commands: MessageWriter<DocCommand>,
    doc: Res<Document>,
) {
    if close.read().count() > 0 {
        if doc.is_dirty() {
            ui.confirm = Some(Guarded::Quit);
        } else {
            commands.write(DocCommand::Quit);
        }
    }
    for event in dropped.read() {
        if let FileDragAndDrop::DroppedFile { path_buf, .. } = event {
            let is_project = path_buf.to_string_lossy().ends_with(".ron");
            if is_project {
                if doc.is_dirty() {
                    ui.confirm = Some(Guarded::Open);
                    ui.after_save = None;
                    // Remember the file: the prompt opens pre-filled once the user decided.
                    ui.prompt = Some(PathPrompt::new(
                        PathPurpose::Open,
                        path_buf.display().to_string(),
                    ));
                } else {
                    commands.write(DocCommand::Open(path_buf.clone()));
                }
            } else {
                commands.write(DocCommand::Import(CityImport {
                    path: path_buf.clone(),
                    z_up: false,
                }));
            }
        }
    }
}

/// What the user asked for during this frame, noted by the panels and carried out by
/// [`apply::apply_actions`] at the end of [`UiSet::Panels`].
#[derive(Resource, Default)]
struct Actions {
    commands: Vec<DocCommand>,
    scenario: Vec<ScenarioCommand>,
    guarded: Option<Guarded>,
    prompt: Option<PathPurpose>,
    save: bool,
    add_camera: bool,
    delete_selected: bool,
    frame: bool,
    toggle_fly: bool,
    reset_view: bool,
    frame_all: bool,
    select: Option<Selection>,
    show_shortcuts: bool,
    show_about: bool,
    crowd: Vec<CrowdCommand>,
    export: bool,
}

/// The part of the window that no panel has taken yet this frame (reset by `begin_frame`).
#[derive(Resource, Default)]
struct FreeRect(Option<egui::Rect>);

/// What every panel system needs: the egui context, the free part of the window and the
/// actions of this frame.
#[derive(SystemParam)]
struct PanelRoot<'w, 's> {
    contexts: EguiContexts<'w, 's>,
    free: ResMut<'w, FreeRect>,
    actions: ResMut<'w, Actions>,
}

impl PanelRoot<'_, '_> {
    /// Runs `add` in a background `Ui` (named `id`) over the free part of the window, then
    /// keeps what `add`'s panels left free for the next system.
    fn show(&mut self, id: &str, add: impl FnOnce(&mut egui::Ui, &mut Actions)) -> Result {
        let ctx = self.contexts.ctx_mut()?.clone();
        let rect = self.free.0.unwrap_or_else(|| ctx.viewport_rect());
        let mut root = egui::Ui::new(
            ctx,
            egui::Id::new("editor_root").with(id),
            egui::UiBuilder::new()
                .layer_id(egui::LayerId::background())
                .max_rect(rect),
        );
        add(&mut root, &mut self.actions);
        self.free.0 = Some(root.available_rect_before_wrap());
        Ok(())
    }
}

/// Starts the frame's panels: the whole window is free, nothing is asked yet; results of the
/// native file dialogs fill the matching prompt, and keyboard shortcuts are read.
fn begin_frame(
    mut contexts: EguiContexts,
    mut free: ResMut<FreeRect>,
    mut actions: ResMut<Actions>,
    mut ui_state: ResMut<UiState>,
    dialogs: Res<DialogChannel>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    free.0 = Some(ctx.viewport_rect());
    *actions = Actions::default();
    if let Ok(rx) = dialogs.rx.lock() {
        while let Ok((purpose, path)) = rx.try_recv() {
            let mut text = path.display().to_string();
            if purpose == PathPurpose::SaveAs && !text.ends_with(".ron") {
                text.push_str(PROJECT_SUFFIX);
            }
            let z_up = ui_state.prompt.as_ref().is_some_and(|p| p.z_up);
            ui_state.prompt = Some(PathPrompt {
                z_up,
                ..PathPrompt::new(purpose, text)
            });
        }
    }
    menu::shortcuts(ctx, &mut actions);
    Ok(())
}

/// What the panels left is the 3D view: its rectangle goes to the viewport, and fly mode
/// says how to steer over it.
fn central_view(
    mut root: PanelRoot,
    mut viewport: ResMut<ViewportRect>,
    view: Res<ViewState>,
) -> Result {
    root.show("central", |ui, _| {
        let r = ui.available_rect_before_wrap();
        viewport.0 = Some(Rect::new(r.min.x, r.min.y, r.max.x, r.max.y));
        if view.fly {
            ui.painter().text(
                r.left_top() + egui::vec2(10.0, 8.0),
                egui::Align2::LEFT_TOP,
                twincity_i18n::tr("view-fly-hint"),
                egui::FontId::proportional(14.0),
                egui::Color32::WHITE,
            );
        }
    })
}

/// The Camera previews window ([`crate::editor::previews`]), while View > Camera previews is
/// on; says whether any window shows previews (`CameraPreviews::shown`).
fn previews_window(
    mut contexts: EguiContexts,
    mut previews: ResMut<CameraPreviews>,
    mut overlays: ResMut<OverlaySettings>,
    doc: Res<Document>,
) -> Result {
    // The windows that draw previews; while all are closed, thumbnails stop rendering.
    let shown = overlays.previews || overlays.inference || overlays.plate_check;
    if previews.shown != shown {
        previews.shown = shown;
    }
    if !overlays.previews {
        return Ok(());
    }
    let textures = previews
        .images()
        .filter_map(|(id, image, size)| Some((id, (contexts.image_id(image)?, size))))
        .collect();
    let ctx = contexts.ctx_mut()?;
    crate::editor::previews::previews_window(
        ctx,
        &mut previews,
        &textures,
        &doc.project.cameras,
        &mut overlays.previews,
    );
    Ok(())
}
