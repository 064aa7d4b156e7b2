//! The editor's panels (bevy_egui): menu bar, scene list (left), properties of the selection
//! (right), status bar, and the dialogs. The UI reads resources and sends [`DocCommand`]s; it
//! edits the project directly only for property fields, which the undo history then records.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

use bevy::diagnostic::{DiagnosticsStore, FrameTimeDiagnosticsPlugin};
use bevy::prelude::*;
use bevy::window::{FileDragAndDrop, WindowCloseRequested};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use twincity_model::VirtualCamera;
use twincity_model::camera::{DoriClass, LensPreset};
use twincity_model::project::{CityImport, PROJECT_SUFFIX};

use crate::editor::cameras::OverlaySettings;
use crate::editor::viewport::{FrameAllRequest, ViewState, ViewportRect, frame_selection};
use crate::editor::widgets::UiSet;
use crate::render::city::{CityStatus, DemoLayout, ImportState};
use crate::render::crowd::{CrowdCommand, CrowdPlayer};
use crate::render::document::{
    DocCommand, Document, Interaction, Level, Notifications, Selection, UndoHistory,
};

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
        .add_systems(
            Update,
            (scene_stats, window_events)
                .in_set(crate::render::document::DocumentSet::ApplyCommands),
        )
        .add_systems(EguiPrimaryContextPass, editor_ui.in_set(UiSet::Panels));
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

/// File dialogs run on their own thread (they block); results come back here.
#[derive(Resource)]
struct DialogChannel {
    tx: Sender<(PathPurpose, PathBuf)>,
    rx: Mutex<Receiver<(PathPurpose, PathBuf)>>,
}

fn browse(purpose: PathPurpose, tx: Sender<(PathPurpose, PathBuf)>, current: String) {
    std::thread::spawn(move || {
        let mut dialog = rfd::FileDialog::new();
        let current = PathBuf::from(current);
        if let Some(dir) = current.parent().filter(|d| d.is_dir()) {
            dialog = dialog.set_directory(dir);
        }
        let picked = match purpose {
            PathPurpose::Open => dialog.add_filter("TwinCity project", &["ron"]).pick_file(),
            PathPurpose::Import => dialog.add_filter("glTF 2.0", &["glb", "gltf"]).pick_file(),
            PathPurpose::Crowd => dialog.add_filter("Crowd scenario", &["ron"]).pick_file(),
            PathPurpose::Scenario => dialog.add_filter("Scenario", &["ron"]).pick_file(),
            PathPurpose::ScenarioSaveAs => dialog
                .add_filter("Scenario", &["ron"])
                .set_file_name("incidents.scenario.ron")
                .save_file(),
            PathPurpose::CrowdSaveAs => dialog
                .add_filter("Crowd scenario", &["ron"])
                .set_file_name("crowd.ron")
                .save_file(),
            PathPurpose::SaveAs => dialog
                .add_filter("TwinCity project", &["ron"])
                .set_file_name(format!("project{PROJECT_SUFFIX}"))
                .save_file(),
        };
        if let Some(p) = picked {
            let _ = tx.send((purpose, p));
        }
    });
}

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
                    ui.prompt = Some(PathPrompt {
                        purpose: PathPurpose::Open,
                        text: path_buf.display().to_string(),
                        z_up: false,
                        error: None,
                    });
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

/// What the panels show besides the document (one system parameter, to keep the count of
/// `editor_ui`'s parameters within Bevy's limit).
type SceneViews<'w> = (
    Res<'w, SceneStats>,
    Res<'w, DiagnosticsStore>,
    Res<'w, CityStatus>,
    Res<'w, DemoLayout>,
    ResMut<'w, crate::editor::coverage::CoverageView>,
    ResMut<'w, crate::editor::previews::CameraPreviews>,
    ResMut<'w, crate::editor::placement::CameraPlacement>,
    Res<'w, crate::render::raycast::SceneRaycast>,
);

/// The crowd and scenario players with their commands, and the export window's opener.
type Players<'w> = (
    ResMut<'w, CrowdPlayer>,
    MessageWriter<'w, CrowdCommand>,
    ResMut<'w, crate::render::scenario::ScenarioPlayer>,
    MessageWriter<'w, crate::render::scenario::ScenarioCommand>,
    MessageWriter<'w, crate::editor::export::OpenExport>,
);

fn editor_ui(
    mut contexts: EguiContexts,
    mut doc: ResMut<Document>,
    history: Res<UndoHistory>,
    mut selection: ResMut<Selection>,
    mut ui_state: ResMut<UiState>,
    mut commands: MessageWriter<DocCommand>,
    mut notes: ResMut<Notifications>,
    mut interaction: ResMut<Interaction>,
    mut viewport: ResMut<ViewportRect>,
    mut view: ResMut<ViewState>,
    mut overlays: ResMut<OverlaySettings>,
    mut frame_all: ResMut<FrameAllRequest>,
    (stats, diagnostics, city_status, layout, mut coverage, mut previews, mut placement, raycast): SceneViews,
    dialogs: Res<DialogChannel>,
    (mut crowd, mut crowd_commands, mut scenario, mut scenario_commands, mut export): Players,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();

    // Results of native file dialogs fill the matching prompt.
    if let Ok(rx) = dialogs.rx.lock() {
        while let Ok((purpose, path)) = rx.try_recv() {
            let mut text = path.display().to_string();
            if purpose == PathPurpose::SaveAs && !text.ends_with(".ron") {
                text.push_str(PROJECT_SUFFIX);
            }
            let z_up = ui_state.prompt.as_ref().is_some_and(|p| p.z_up);
            ui_state.prompt = Some(PathPrompt {
                purpose,
                text,
                z_up,
                error: None,
            });
        }
    }

    let mut action = Actions::default();
    shortcuts(&ctx, &mut action);

    let mut root = egui::Ui::new(
        ctx.clone(),
        "editor_root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );

    egui::Panel::top("menu_bar").show(&mut root, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            menu_bar(
                ui,
                &mut action,
                &history,
                &mut overlays,
                &mut view,
                *selection,
            );
        });
    });

    egui::Panel::bottom("status_bar").show(&mut root, |ui| {
        status_bar(ui, &doc, &stats, &diagnostics, &notes, &view);
    });

    if scenario.scenario.is_some() {
        egui::Panel::bottom("scenario_timeline")
            .default_size(240.0)
            .resizable(true)
            .show(&mut root, |ui| {
                let out = crate::editor::timeline::timeline_panel(ui, &scenario);
                if let Some(sel) = out.select {
                    scenario.selected = sel;
                }
                if let Some(placing) = out.placing {
                    scenario.placing = placing;
                }
                if out.save_as {
                    action.prompt = Some(PathPurpose::ScenarioSaveAs);
                }
                action.scenario.extend(out.commands);
            });
    }

    egui::Panel::left("scene_panel")
        .default_size(250.0)
        .resizable(true)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                scene_panel(
                    ui,
                    &mut doc,
                    &mut selection,
                    &city_status,
                    &layout,
                    &mut placement,
                    &mut action,
                );
                let demo_city = doc.project.demo_city;
                let out = crate::editor::crowd_panel::crowd_panel(
                    ui,
                    &mut crowd,
                    demo_city,
                    &doc.project.imports,
                    doc.project.origin.as_ref(),
                );
                action.crowd.extend(out.commands);
                let focus = view.view.focus;
                let project = &mut doc.project;
                crate::editor::coverage::coverage_panel(
                    ui,
                    &mut coverage,
                    &project.cameras,
                    &mut project.coverage,
                    focus,
                );
                if out.load {
                    action.prompt = Some(PathPurpose::Crowd);
                }
                scenario_section(ui, &scenario, &mut action);
                if out.save_as {
                    action.prompt = Some(PathPurpose::CrowdSaveAs);
                }
            });
        });

    egui::Panel::right("properties_panel")
        .default_size(300.0)
        .resizable(true)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                properties_panel(
                    ui,
                    &mut doc,
                    *selection,
                    &layout,
                    raycast.parts(),
                    &mut action,
                );
            });
        });

    viewport.0 = Some({
        let r = root.available_rect_before_wrap();
        Rect::new(r.min.x, r.min.y, r.max.x, r.max.y)
    });
    if view.fly {
        let r = root.available_rect_before_wrap();
        root.painter().text(
            r.left_top() + egui::vec2(10.0, 8.0),
            egui::Align2::LEFT_TOP,
            "FLY MODE - drag to look, W A S D / Q E to move, Shift faster, F to leave",
            egui::FontId::proportional(14.0),
            egui::Color32::WHITE,
        );
    }

    dialogs_ui(&ctx, &mut ui_state, &mut action, &dialogs, &mut notes, &doc);
    if overlays.previews {
        let textures = previews
            .images()
            .filter_map(|(id, image, size)| Some((id, (contexts.image_id(image)?, size))))
            .collect();
        crate::editor::previews::previews_window(
            &ctx,
            &mut previews,
            &textures,
            &doc.project.cameras,
            &mut overlays.previews,
        );
    }

    // Apply what was asked this frame.
    let dirty = doc.is_dirty();
    if let Some(g) = action.guarded.take() {
        if dirty {
            ui_state.confirm = Some(g);
        } else {
            run_guarded(g, &mut ui_state, &mut commands);
        }
    }
    if action.save {
        if doc.path.is_some() {
            commands.write(DocCommand::Save);
        } else {
            action.prompt = Some(PathPurpose::SaveAs);
        }
    }
    if let Some(purpose) = action.prompt {
        let text = match purpose {
            PathPurpose::SaveAs => doc
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| format!("untitled{PROJECT_SUFFIX}")),
            _ => String::new(),
        };
        ui_state.prompt = Some(PathPrompt {
            purpose,
            text,
            z_up: false,
            error: None,
        });
    }
    for c in action.commands.drain(..) {
        commands.write(c);
    }
    for c in action.crowd.drain(..) {
        crowd_commands.write(c);
    }
    for c in action.scenario.drain(..) {
        scenario_commands.write(c);
    }
    if action.export {
        export.write(crate::editor::export::OpenExport);
    }
    if action.add_camera {
        let id = doc.project.next_camera_id();
        let mut cam = VirtualCamera::new(
            id,
            format!("Camera {}", id.0),
            view.view.focus + Vec3::Y * 6.0,
            view.view.yaw_deg,
        );
        cam.tilt_deg = 20.0;
        doc.project.cameras.push(cam);
        *selection = Selection::Camera(id);
    }
    if action.delete_selected
        && let Selection::Camera(id) = *selection
    {
        doc.project.cameras.retain(|c| c.id != id);
        *selection = Selection::None;
    }
    if action.frame {
        frame_selection(&mut view, *selection, Some(&layout), &doc, raycast.parts());
    }
    if let Some(s) = action.select {
        *selection = s;
    }
    if action.toggle_fly {
        view.fly = !view.fly;
    }
    if action.reset_view {
        view.view = twincity_model::project::EditorView::default();
        view.fly = false;
    }
    if action.frame_all {
        frame_all.0 = true;
    }
    // Confirmation after a successful save.
    if !doc.is_dirty()
        && let Some(g) = ui_state.after_save.take()
    {
        run_guarded(g, &mut ui_state, &mut commands);
    }
    interaction.dragging = ctx.egui_is_using_pointer() || ctx.dragged_id().is_some();
    Ok(())
}

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
                ui_state.prompt = Some(PathPrompt {
                    purpose: PathPurpose::Open,
                    text: String::new(),
                    z_up: false,
                    error: None,
                });
            }
        }
        Guarded::Quit => {
            commands.write(DocCommand::Quit);
        }
    }
}

/// What the user asked for during this frame.
#[derive(Default)]
struct Actions {
    commands: Vec<DocCommand>,
    scenario: Vec<crate::render::scenario::ScenarioCommand>,
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

fn shortcuts(ctx: &egui::Context, a: &mut Actions) {
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

fn menu_bar(
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

fn status_bar(
    ui: &mut egui::Ui,
    doc: &Document,
    stats: &SceneStats,
    diagnostics: &DiagnosticsStore,
    notes: &Notifications,
    view: &ViewState,
) {
    ui.horizontal(|ui| {
        let fps = diagnostics
            .get(&FrameTimeDiagnosticsPlugin::FPS)
            .and_then(|d| d.smoothed())
            .unwrap_or(0.0);
        ui.monospace(format!("{fps:5.1} FPS"));
        ui.separator();
        ui.monospace(format!("{} triangles", group_digits(stats.triangles)));
        ui.separator();
        ui.monospace(format!("{} meshes", stats.meshes));
        ui.separator();
        ui.monospace(format!("{} cameras", doc.project.cameras.len()));
        ui.separator();
        if view.fly {
            ui.monospace(format!("fly {:.0} m/s", view.fly_speed));
            ui.separator();
        }
        if let Some(n) = notes.latest() {
            let colour = match n.level {
                Level::Info => ui.visuals().text_color(),
                Level::Error => egui::Color32::from_rgb(230, 80, 60),
            };
            ui.colored_label(colour, &n.text);
        }
    });
}

/// `12345678` -> `12 345 678`.
pub fn group_digits(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

fn scene_panel(
    ui: &mut egui::Ui,
    doc: &mut Document,
    selection: &mut Selection,
    status: &CityStatus,
    layout: &DemoLayout,
    placement: &mut crate::editor::placement::CameraPlacement,
    a: &mut Actions,
) {
    ui.heading("Scene");
    ui.separator();
    egui::CollapsingHeader::new("City meshes")
        .default_open(true)
        .show(ui, |ui| {
            ui.checkbox(&mut doc.project.demo_city, "Demo district");
            if doc.project.demo_city {
                egui::CollapsingHeader::new(format!("{} buildings", layout.0.buildings.len()))
                    .id_salt("demo_buildings")
                    .show(ui, |ui| {
                        for b in &layout.0.buildings {
                            let sel = *selection == Selection::Building(b.id);
                            if ui.selectable_label(sel, &b.name).clicked() {
                                a.select = Some(Selection::Building(b.id));
                            }
                        }
                    });
            }
            let mut remove = None;
            for (i, import) in doc.project.imports.iter().enumerate() {
                let name = import
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let state = status
                    .imports
                    .iter()
                    .find(|(p, _)| *p == import.path)
                    .map(|(_, s)| s.clone())
                    .unwrap_or(ImportState::Loading);
                ui.horizontal(|ui| {
                    let (icon, tip) = match &state {
                        ImportState::Loading => ("...", "loading".to_string()),
                        ImportState::Loaded => ("ok", "loaded".to_string()),
                        ImportState::Failed(e) => ("!", e.clone()),
                    };
                    ui.label(icon).on_hover_text(tip);
                    ui.label(&name)
                        .on_hover_text(import.path.display().to_string());
                    if ui
                        .small_button("x")
                        .on_hover_text("Remove from the project")
                        .clicked()
                    {
                        remove = Some(i);
                    }
                });
                if let ImportState::Failed(e) = &state {
                    // Why it failed, in full: the icon alone tells nothing.
                    ui.label(
                        egui::RichText::new(format!("Not loaded: {e}"))
                            .color(egui::Color32::from_rgb(230, 90, 80))
                            .small(),
                    );
                }
            }
            if let Some(i) = remove {
                doc.project.imports.remove(i);
            }
            if ui.button("Import glTF...").clicked() {
                a.prompt = Some(PathPurpose::Import);
            }
        });
    egui::CollapsingHeader::new(format!("Cameras ({})", doc.project.cameras.len()))
        .id_salt("cameras")
        .default_open(true)
        .show(ui, |ui| {
            for c in &doc.project.cameras {
                let sel = *selection == Selection::Camera(c.id);
                if ui.selectable_label(sel, &c.name).clicked() {
                    a.select = Some(Selection::Camera(c.id));
                }
            }
            ui.horizontal_wrapped(|ui| {
                if ui
                    .button("Add camera")
                    .on_hover_text("At the view's focus, 6 m up")
                    .clicked()
                {
                    a.add_camera = true;
                }
                if ui
                    .selectable_label(placement.active, "Place on the city")
                    .on_hover_text(
                        "Click a wall, a roof or the ground in the view; drag to aim (Esc cancels)",
                    )
                    .clicked()
                {
                    placement.active = !placement.active;
                }
            });
            if placement.active {
                ui.horizontal(|ui| {
                    ui.label("Mount height");
                    ui.add(
                        egui::DragValue::new(&mut placement.mount_height)
                            .speed(0.1)
                            .range(0.5..=100.0)
                            .suffix(" m"),
                    );
                });
                ui.weak("Click a wall, roof or the ground; drag to aim; Esc cancels.");
            }
        });
}

fn properties_panel(
    ui: &mut egui::Ui,
    doc: &mut Document,
    selection: Selection,
    layout: &DemoLayout,
    parts: &[twincity_scene::coverage::ScenePart],
    a: &mut Actions,
) {
    ui.heading("Properties");
    ui.separator();
    match selection {
        Selection::None => {
            ui.label("Project");
            ui.horizontal(|ui| {
                ui.label("Name");
                ui.text_edit_singleline(&mut doc.project.name);
            });
            ui.add_space(8.0);
            georeference(ui, &mut doc.project);
            ui.add_space(8.0);
            ui.weak("Click a building or a camera in the view or in the scene list to see its properties.");
        }
        Selection::Building(id) => {
            if let Some(b) = layout.0.buildings.iter().find(|b| b.id == id) {
                egui::Grid::new("building").num_columns(2).show(ui, |ui| {
                    ui.label("Name");
                    ui.strong(&b.name);
                    ui.end_row();
                    ui.label("Use");
                    ui.label(b.usage);
                    ui.end_row();
                    ui.label("Height");
                    ui.label(format!("{:.1} m ({} storeys)", b.height, b.storeys()));
                    ui.end_row();
                    let s = b.footprint.size();
                    ui.label("Footprint");
                    ui.label(format!(
                        "{:.0} m x {:.0} m ({:.0} m2)",
                        s.x,
                        s.y,
                        b.footprint.area()
                    ));
                    ui.end_row();
                    let c = b.footprint.center();
                    ui.label("Centre (E, N)");
                    ui.label(format!("{:.1} m, {:.1} m", c.x, c.y));
                    ui.end_row();
                });
                if ui.button("Frame (Z)").clicked() {
                    a.frame = true;
                }
            }
        }
        Selection::Part(i) => {
            if let Some(p) = parts.get(i as usize) {
                part_properties(ui, p, doc.project.origin.as_ref());
                if ui.button("Frame (Z)").clicked() {
                    a.frame = true;
                }
            }
        }
        Selection::Camera(id) => {
            let origin = doc.project.origin.clone();
            if let Some(cam) = doc.project.camera_mut(id) {
                camera_properties(ui, cam, origin.as_ref(), a);
            }
        }
    }
}

/// A part of an imported file: where it comes from, its size and its feature metadata (the
/// node's glTF `extras`), so the twin can be queried by clicking it.
fn part_properties(
    ui: &mut egui::Ui,
    p: &twincity_scene::coverage::ScenePart,
    origin: Option<&twincity_model::project::GeoOrigin>,
) {
    egui::Grid::new("part").num_columns(2).show(ui, |ui| {
        ui.label("Name");
        ui.strong(&p.name);
        ui.end_row();
        ui.label("File");
        ui.label(format!("{} (node {})", p.source, p.node));
        ui.end_row();
        if let Some(m) = &p.material {
            ui.label("Material");
            ui.label(m);
            ui.end_row();
        }
        ui.label("Triangles");
        ui.label(crate::editor::panels::group_digits(p.triangles));
        ui.end_row();
        let size = p.max - p.min;
        ui.label("Size");
        ui.label(format!(
            "{:.1} x {:.1} m, {:.1} m high",
            size.x, size.z, size.y
        ));
        ui.end_row();
        let c = (p.min + p.max) * 0.5;
        ui.label("Centre (E, N)");
        ui.label(format!("{:.1} m, {:.1} m", c.x, -c.z));
        ui.end_row();
        if let Some(o) = origin {
            ui.label(format!(
                "In {}",
                o.crs.as_deref().unwrap_or("the source CRS")
            ));
            ui.label(format!(
                "E {:.2}, N {:.2}",
                o.x + c.x as f64,
                o.y - c.z as f64
            ));
            ui.end_row();
        }
    });
    ui.add_space(4.0);
    ui.strong("Metadata (glTF extras)");
    match p
        .extras
        .as_deref()
        .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
    {
        Some(serde_json::Value::Object(map)) if !map.is_empty() => {
            egui::Grid::new("extras")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (k, v) in &map {
                        ui.label(k);
                        let text = match v {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        ui.label(text);
                        ui.end_row();
                    }
                });
        }
        Some(other) if !other.is_null() => {
            ui.monospace(other.to_string());
        }
        _ => {
            ui.weak("none in the file");
        }
    }
}

/// The project's origin in its CRS and the CRS itself (typed as an EPSG code when the
/// imported files do not say). Exports are placed on the map with these.
fn georeference(ui: &mut egui::Ui, project: &mut twincity_model::Project) {
    egui::CollapsingHeader::new("Georeference")
        .default_open(true)
        .show(ui, |ui| {
            let zero = twincity_model::project::GeoOrigin {
                x: 0.0,
                y: 0.0,
                z: 0.0,
                crs: None,
            };
            // Edited on a copy, written back only when it changed (no change detection noise).
            let mut edited = project.origin.clone().unwrap_or(zero.clone());
            let origin = &mut edited;
            // With imported files the origin is what they were moved by: shown, not edited
            // (editing it would move them away from the cameras).
            let locked = !project.imports.is_empty();
            let labels = if origin.is_geocentric() {
                ["Origin ECEF X", "Origin ECEF Y", "Origin ECEF Z"]
            } else {
                ["Origin east (x)", "Origin north (y)", "Origin height (z)"]
            };
            egui::Grid::new("origin").num_columns(2).show(ui, |ui| {
                for (label, v, speed) in [
                    (labels[0], &mut origin.x, 1.0),
                    (labels[1], &mut origin.y, 1.0),
                    (labels[2], &mut origin.z, 0.1),
                ] {
                    ui.label(label);
                    if locked {
                        ui.label(format!("{v:.3} m"));
                    } else {
                        ui.add(egui::DragValue::new(v).speed(speed).suffix(" m"));
                    }
                    ui.end_row();
                }
                ui.label("CRS (EPSG)");
                let mut code = origin
                    .crs
                    .as_deref()
                    .and_then(|c| c.strip_prefix("EPSG:"))
                    .unwrap_or("")
                    .to_string();
                if ui
                    .add(egui::TextEdit::singleline(&mut code).hint_text("e.g. 2154"))
                    .on_hover_text("The projected CRS of the origin (2154 Lambert-93, 28992 RD New, 2056 LV95...)")
                    .changed()
                {
                    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
                    origin.crs = (!digits.is_empty()).then(|| format!("EPSG:{digits}"));
                }
                ui.end_row();
            });
            let georef = twincity_scene::coverage_export::Georef::new(Some(origin));
            ui.weak(format!("Exports: {}", georef.description));
            let wanted = (edited != zero).then_some(edited);
            if wanted != project.origin {
                project.origin = wanted;
            }
        });
}

fn camera_properties(
    ui: &mut egui::Ui,
    cam: &mut VirtualCamera,
    origin: Option<&twincity_model::project::GeoOrigin>,
    a: &mut Actions,
) {
    ui.horizontal(|ui| {
        ui.label("Name");
        ui.text_edit_singleline(&mut cam.name);
    });
    ui.label(format!("Id {}", cam.id.0));
    ui.add_space(4.0);
    egui::CollapsingHeader::new("Placement")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("placement").num_columns(2).show(ui, |ui| {
                ui.label("East (x)");
                ui.add(
                    egui::DragValue::new(&mut cam.position.x)
                        .speed(0.1)
                        .suffix(" m"),
                );
                ui.end_row();
                ui.label("North (-z)");
                let mut north = -cam.position.z;
                if ui
                    .add(egui::DragValue::new(&mut north).speed(0.1).suffix(" m"))
                    .changed()
                {
                    cam.position.z = -north;
                }
                ui.end_row();
                ui.label("Height (y)");
                ui.add(
                    egui::DragValue::new(&mut cam.position.y)
                        .speed(0.05)
                        .suffix(" m"),
                );
                ui.end_row();
                ui.label("Pan (bearing)");
                ui.add(egui::Slider::new(&mut cam.pan_deg, 0.0..=360.0).suffix(" deg"));
                ui.end_row();
                ui.label("Tilt (down)");
                ui.add(egui::Slider::new(&mut cam.tilt_deg, -90.0..=90.0).suffix(" deg"));
                ui.end_row();
                ui.label("Roll");
                ui.add(egui::Slider::new(&mut cam.roll_deg, -180.0..=180.0).suffix(" deg"));
                ui.end_row();
                if let Some(o) = origin {
                    let p = cam.position.as_dvec3();
                    ui.label(format!(
                        "In {}",
                        o.crs.as_deref().unwrap_or("the source CRS")
                    ));
                    ui.label(format!(
                        "E {:.2}, N {:.2}, H {:.2}",
                        o.x + p.x,
                        o.y - p.z,
                        o.z + p.y
                    ))
                    .on_hover_text(
                        "The camera's optical centre in the project's coordinate reference system",
                    );
                    ui.end_row();
                }
            });
        });
    egui::CollapsingHeader::new("Lens")
        .default_open(true)
        .show(ui, |ui| {
            let current = LensPreset::ALL.iter().find(|p| p.lens() == cam.lens);
            egui::ComboBox::from_label("Preset")
                .selected_text(current.map_or("Custom", |p| p.label()))
                .show_ui(ui, |ui| {
                    for p in LensPreset::ALL {
                        if ui
                            .selectable_label(current == Some(&p), p.label())
                            .clicked()
                        {
                            cam.lens = p.lens();
                        }
                    }
                });
            egui::Grid::new("lens").num_columns(2).show(ui, |ui| {
                ui.label("Sensor width");
                ui.add(
                    egui::DragValue::new(&mut cam.lens.sensor_width_mm)
                        .speed(0.01)
                        .range(0.5..=50.0)
                        .suffix(" mm"),
                );
                ui.end_row();
                ui.label("Sensor height");
                ui.add(
                    egui::DragValue::new(&mut cam.lens.sensor_height_mm)
                        .speed(0.01)
                        .range(0.5..=50.0)
                        .suffix(" mm"),
                );
                ui.end_row();
                ui.label("Focal length");
                ui.add(
                    egui::DragValue::new(&mut cam.lens.focal_length_mm)
                        .speed(0.05)
                        .range(0.5..=300.0)
                        .suffix(" mm"),
                );
                ui.end_row();
                ui.label("Horizontal FOV");
                let mut hfov = cam.lens.horizontal_fov().to_degrees();
                if ui
                    .add(
                        egui::DragValue::new(&mut hfov)
                            .speed(0.2)
                            .range(1.0..=170.0)
                            .suffix(" deg"),
                    )
                    .changed()
                {
                    cam.lens.focal_length_mm = cam.lens.focal_for_horizontal_fov(hfov.to_radians());
                }
                ui.end_row();
                ui.label("Vertical FOV");
                ui.label(format!("{:.1} deg", cam.render_vertical_fov().to_degrees()));
                ui.end_row();
            });
            let mut zoom = cam.zoom_mm.is_some();
            if ui
                .checkbox(&mut zoom, "Varifocal / PTZ zoom")
                .on_hover_text("A zoom lens: set its focal range, then zoom within it")
                .changed()
            {
                let f = cam.lens.focal_length_mm;
                cam.zoom_mm = zoom.then(|| (f.min(2.8), f.max(12.0)));
            }
            if let Some((wide, tele)) = cam.zoom_mm.as_mut() {
                egui::Grid::new("zoom").num_columns(2).show(ui, |ui| {
                    ui.label("Wide end");
                    ui.add(
                        egui::DragValue::new(wide)
                            .speed(0.05)
                            .range(0.5..=300.0)
                            .suffix(" mm"),
                    );
                    ui.end_row();
                    ui.label("Tele end");
                    ui.add(
                        egui::DragValue::new(tele)
                            .speed(0.05)
                            .range(0.5..=300.0)
                            .suffix(" mm"),
                    );
                    ui.end_row();
                });
                *tele = tele.max(*wide);
                let (w, t) = (*wide, *tele);
                cam.lens.focal_length_mm = cam.lens.focal_length_mm.clamp(w, t);
                ui.add(
                    egui::Slider::new(&mut cam.lens.focal_length_mm, w..=t)
                        .logarithmic(true)
                        .text("zoom")
                        .suffix(" mm"),
                );
            }
        });
    egui::CollapsingHeader::new("Image")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("image").num_columns(2).show(ui, |ui| {
                ui.label("Resolution");
                ui.horizontal(|ui| {
                    ui.add(egui::DragValue::new(&mut cam.resolution.0).range(16..=16384));
                    ui.label("x");
                    ui.add(egui::DragValue::new(&mut cam.resolution.1).range(16..=16384));
                });
                ui.end_row();
                ui.label("Frame rate");
                ui.add(
                    egui::DragValue::new(&mut cam.fps)
                        .speed(0.5)
                        .range(0.5..=240.0)
                        .suffix(" fps"),
                );
                ui.end_row();
            });
        });
    egui::CollapsingHeader::new("DORI reach (IEC 62676-4)")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("dori")
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    ui.strong("Class");
                    ui.strong("px/m");
                    ui.strong("up to");
                    if cam.zoom_mm.is_some() {
                        ui.strong("wide");
                        ui.strong("tele");
                    }
                    ui.end_row();
                    let reach = |focal: f32, ppm: f32| {
                        let mut lens = cam.lens;
                        lens.focal_length_mm = focal;
                        format!(
                            "{:.1} m",
                            DoriClass::max_distance(&lens, cam.resolution.0, ppm)
                        )
                    };
                    for (class, ppm) in DoriClass::THRESHOLDS.iter().rev().skip(1).take(4) {
                        ui.label(format!("{class:?}"));
                        ui.label(format!("{ppm}"));
                        ui.label(reach(cam.lens.focal_length_mm, *ppm));
                        if let Some((w, t)) = cam.zoom_mm {
                            ui.label(reach(w, *ppm));
                            ui.label(reach(t, *ppm));
                        }
                        ui.end_row();
                    }
                });
        });
    ui.horizontal(|ui| {
        if ui.button("Frame (Z)").clicked() {
            a.frame = true;
        }
        if ui.button("Delete").clicked() {
            a.delete_selected = true;
        }
    });
}

fn dialogs_ui(
    ctx: &egui::Context,
    ui_state: &mut UiState,
    a: &mut Actions,
    dialogs: &DialogChannel,
    notes: &mut Notifications,
    doc: &Document,
) {
    // Path prompt: type a path or browse with the system dialog.
    if let Some(mut prompt) = ui_state.prompt.take() {
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
                        browse(prompt.purpose, dialogs.tx.clone(), prompt.text.clone());
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
                        let path = PathBuf::from(prompt.text.trim());
                        if prompt.text.trim().is_empty() {
                            prompt.error = Some("Type a path or press Browse".into());
                        } else {
                            match prompt.purpose {
                                PathPurpose::Open => {
                                    a.commands.push(DocCommand::Open(path));
                                    keep = false;
                                }
                                PathPurpose::SaveAs => {
                                    a.commands.push(DocCommand::SaveAs(path));
                                    keep = false;
                                }
                                PathPurpose::Crowd => {
                                    a.crowd.push(CrowdCommand::Load(path));
                                    keep = false;
                                }
                                PathPurpose::CrowdSaveAs => {
                                    a.crowd.push(CrowdCommand::Save(Some(path)));
                                    keep = false;
                                }
                                PathPurpose::Scenario => {
                                    a.scenario
                                        .push(crate::render::scenario::ScenarioCommand::Load(path));
                                    keep = false;
                                }
                                PathPurpose::ScenarioSaveAs => {
                                    a.scenario.push(
                                        crate::render::scenario::ScenarioCommand::Save(Some(path)),
                                    );
                                    keep = false;
                                }
                                PathPurpose::Import => {
                                    match crate::render::document::check_import_path(&path) {
                                        Ok(()) => {
                                            a.commands.push(DocCommand::Import(CityImport {
                                                path,
                                                z_up: prompt.z_up,
                                            }));
                                            keep = false;
                                        }
                                        Err(e) => prompt.error = Some(e),
                                    }
                                }
                            }
                        }
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

    // Unsaved changes.
    if let Some(g) = ui_state.confirm.clone() {
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

    // Errors stay until acknowledged.
    if !notes.unread_errors.is_empty() {
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

/// The Scenario section of the scene panel: load a scenario (its timeline opens below the
/// view), or what is loaded and playing.
fn scenario_section(
    ui: &mut egui::Ui,
    player: &crate::render::scenario::ScenarioPlayer,
    action: &mut Actions,
) {
    egui::CollapsingHeader::new("Scenario")
        .default_open(true)
        .show(ui, |ui| {
            match &player.scenario {
                Some(s) => {
                    ui.label(format!("{} ({} events)", s.name, s.events.len()));
                    if let Some(state) = &player.state {
                        let down = state.people.iter().filter(|p| p.is_down()).count();
                        ui.weak(format!(
                            "{:.1} s: {} people, {} down, {} objects, {} vehicles; sun {:.0}°, lights {}",
                            state.time_s,
                            state.people.len(),
                            down,
                            state.objects.len(),
                            state.vehicles.len(),
                            state.environment.sun_elevation_deg,
                            if state.environment.street_lights_on { "on" } else { "off" }
                        ));
                    }
                }
                None => {
                    ui.weak("Incidents on a timeline: dumping, a collapse, gatherings, vehicles.");
                }
            }
            if let Some(e) = &player.error {
                ui.colored_label(egui::Color32::LIGHT_RED, e);
            }
            ui.horizontal(|ui| {
                if ui
                    .button("Load scenario...")
                    .on_hover_text("A *.scenario.ron file (see docs/scenarios.md)")
                    .clicked()
                {
                    action.prompt = Some(PathPurpose::Scenario);
                }
                if ui
                    .button("Export dataset...")
                    .on_hover_text(
                        "Render every camera into annotated, privacy-safe images \
                         (see docs/dataset-format.md)",
                    )
                    .clicked()
                {
                    action.export = true;
                }
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_thousands() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1 000");
        assert_eq!(group_digits(12345678), "12 345 678");
    }
}
