//! The open project: its state, the file it came from, undo/redo, and the commands that change
//! it (New, Open, Save, Import, Undo, Redo, Quit). The UI only *sends* [`DocCommand`]s; this
//! plugin applies them and reports problems in [`Notifications`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use twincity_i18n::{Arg, number, tr, tr_args};
use twincity_model::CameraId;
use twincity_model::project::{CityImport, EditorView, GeoOrigin, Project};
use twincity_model::undo::History;

use crate::render::city::CitySpec;
use crate::render::frame::{FrameSet, add_frame_sets};

/// System sets of the document plugin.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentSet {
    /// Applies [`DocCommand`]s and keeps [`CitySpec`] equal to the project.
    ApplyCommands,
    /// Records an undo step when the project changed and no drag is in progress.
    RecordHistory,
}

/// The project being edited.
#[derive(Resource, Clone, Debug)]
pub struct Document {
    pub project: Project,
    /// The file it was loaded from or last saved to.
    pub path: Option<PathBuf>,
    saved: Project,
}

impl Document {
    pub fn new(project: Project, path: Option<PathBuf>) -> Self {
        Self {
            saved: project.clone(),
            project,
            path,
        }
    }

    /// True when the project differs from what was last loaded or saved.
    pub fn is_dirty(&self) -> bool {
        self.project != self.saved
    }

    pub fn title(&self) -> String {
        let file = self
            .path
            .as_deref()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "unsaved".into());
        format!(
            "TwinCity Studio - {} ({file}){}",
            self.project.name,
            if self.is_dirty() { " *" } else { "" }
        )
    }
}

/// What the user wants done to the document.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum DocCommand {
    /// Replace the project with an empty one (no city).
    New,
    /// Replace the project with the bundled demo.
    NewDemo,
    Open(PathBuf),
    /// Save to the current path (the UI asks for one first when there is none).
    Save,
    SaveAs(PathBuf),
    Import(CityImport),
    Undo,
    Redo,
    /// Leave the editor (the UI has already asked about unsaved changes).
    Quit,
}

/// Undo history of the project.
#[derive(Resource)]
pub struct UndoHistory(pub History<Project>);

/// Set by the UI each frame while the pointer holds a widget (slider, drag value) so that a
/// drag is recorded as one undo step.
#[derive(Resource, Default)]
pub struct Interaction {
    pub dragging: bool,
    /// A tool in the 3D view (placing and aiming a camera) is mid-drag.
    pub tool_dragging: bool,
}

/// What is selected in the scene.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    #[default]
    None,
    Building(u32),
    Camera(CameraId),
    /// A part (node) of an imported file: index into `placement::SceneRaycast::parts`.
    Part(u32),
}

/// The editor view now (kept by the viewport plugin), saved into the project on Save.
#[derive(Resource, Clone, Debug, Default)]
pub struct CurrentView(pub EditorView);

/// A view the viewport must jump to (after Open / New).
#[derive(Resource, Clone, Debug, Default)]
pub struct ViewRequest(pub Option<EditorView>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Clone, Debug)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    pub at: Duration,
}

/// Messages for the user: the latest shows in the status bar; errors also open a window.
#[derive(Resource, Default)]
pub struct Notifications {
    pub entries: Vec<Notice>,
    /// Errors not yet acknowledged by the user.
    pub unread_errors: Vec<String>,
}

impl Notifications {
    pub fn info(&mut self, text: impl Into<String>, now: Duration) {
        let text = text.into();
        info!("{text}");
        self.entries.push(Notice {
            level: Level::Info,
            text,
            at: now,
        });
    }

    pub fn error(&mut self, text: impl Into<String>, now: Duration) {
        let text = text.into();
        error!("{text}");
        self.unread_errors.push(text.clone());
        self.entries.push(Notice {
            level: Level::Error,
            text,
            at: now,
        });
    }

    pub fn latest(&self) -> Option<&Notice> {
        self.entries.last()
    }
}

/// Holds the document and applies commands to it.
pub struct DocumentPlugin {
    pub initial: Document,
}

impl Plugin for DocumentPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        let doc = self.initial.clone();
        app.insert_resource(UndoHistory(History::new(doc.project.clone())))
            .insert_resource(CurrentView(doc.project.view.clone()))
            .insert_resource(ViewRequest(Some(doc.project.view.clone())))
            .insert_resource(doc)
            .init_resource::<Interaction>()
            .init_resource::<Selection>()
            .init_resource::<Notifications>()
            .init_resource::<FrameWhenLoaded>()
            .add_message::<DocCommand>()
            .configure_sets(
                Update,
                (DocumentSet::ApplyCommands, DocumentSet::RecordHistory)
                    .chain()
                    .in_set(FrameSet::Document),
            )
            .add_systems(
                Update,
                (
                    (apply_commands, sync_city_spec, drop_stale_selection)
                        .chain()
                        .in_set(DocumentSet::ApplyCommands),
                    (record_history, update_window_title)
                        .chain()
                        .in_set(DocumentSet::RecordHistory),
                ),
            );
    }
}

fn apply_commands(
    mut commands: MessageReader<DocCommand>,
    mut doc: ResMut<Document>,
    mut history: ResMut<UndoHistory>,
    mut notes: ResMut<Notifications>,
    mut view_request: ResMut<ViewRequest>,
    view: Res<CurrentView>,
    mut selection: ResMut<Selection>,
    time: Res<Time<Real>>,
    mut exit: MessageWriter<AppExit>,
    mut frame_when_loaded: ResMut<FrameWhenLoaded>,
) {
    let now = time.elapsed();
    for command in commands.read() {
        match command {
            DocCommand::New | DocCommand::NewDemo => {
                let project = if *command == DocCommand::New {
                    Ok(Project::empty("Untitled"))
                } else {
                    Project::demo()
                };
                match project {
                    Ok(project) => {
                        view_request.0 = Some(project.view.clone());
                        history.0.reset(project.clone());
                        *doc = Document::new(project, None);
                        *selection = Selection::None;
                        notes.info(tr("note-new-project"), now);
                    }
                    Err(e) => notes.error(e.to_string(), now),
                }
            }
            DocCommand::Open(path) => match Project::load(path) {
                Ok(project) => {
                    view_request.0 = Some(project.view.clone());
                    history.0.reset(project.clone());
                    *doc = Document::new(project, Some(path.clone()));
                    *selection = Selection::None;
                    notes.info(tr_args("note-opened", &[("file", file_arg(path))]), now);
                }
                // The open project is left untouched.
                Err(e) => notes.error(
                    tr_args("note-open-failed", &[("error", e.to_string().into())]),
                    now,
                ),
            },
            DocCommand::Save => match doc.path.clone() {
                Some(path) => save(&mut doc, &path, &view.0, &mut notes, now),
                None => notes.error(tr("note-save-no-file"), now),
            },
            DocCommand::SaveAs(path) => save(&mut doc, path, &view.0, &mut notes, now),
            DocCommand::Import(import) => {
                if doc.project.imports.iter().any(|i| i.path == import.path) {
                    notes.info(
                        tr_args("note-already-imported", &[("file", file_arg(&import.path))]),
                        now,
                    );
                } else {
                    match adopt_import(&mut doc.project, import.clone()) {
                        Ok(note) => {
                            *frame_when_loaded = FrameWhenLoaded::armed();
                            notes.info(
                                tr_args(
                                    "note-importing",
                                    &[("file", file_arg(&import.path)), ("note", note.into())],
                                ),
                                now,
                            );
                        }
                        Err(problem) => notes.error(problem, now),
                    }
                }
            }
            DocCommand::Undo => {
                if let Some(state) = history.0.undo() {
                    doc.project = state.clone();
                }
            }
            DocCommand::Redo => {
                if let Some(state) = history.0.redo() {
                    doc.project = state.clone();
                }
            }
            DocCommand::Quit => {
                exit.write(AppExit::Success);
            }
        }
    }
}

/// Checks a file to import (see [`check_import_path`] and
/// [`twincity_gltf::inspect::check_import`]) and adds it to the project. The first file
/// with large coordinates sets the project's origin (and its CRS, when the file names one);
/// later files are placed against that same origin. Returns a note for the user.
pub fn adopt_import(project: &mut Project, import: CityImport) -> Result<String, String> {
    check_import_path(&import.path)?;
    let check = twincity_gltf::inspect::check_import(&import.path, import.z_up)
        .map_err(|e| tr_args("note-import-failed", &[("error", e.to_string().into())]))?;
    let mut note = String::new();
    let found_crs = check.crs.map(|c| c.crs);
    match &mut project.origin {
        None if check.origin != bevy::math::DVec3::ZERO => {
            let origin = GeoOrigin::from_world(check.origin, found_crs);
            let mut args = vec![
                ("x", number(origin.x, 0).into()),
                ("y", number(origin.y, 0).into()),
                ("z", number(origin.z, 0).into()),
            ];
            note = match &origin.crs {
                Some(crs) => {
                    args.push(("crs", crs.to_string().into()));
                    tr_args("note-recentred", &args)
                }
                None => tr_args("note-recentred-no-crs", &args),
            };
            project.origin = Some(origin);
        }
        Some(origin) if origin.crs.is_none() && found_crs.is_some() => {
            origin.crs = found_crs;
        }
        _ => {}
    }
    project.imports.push(import);
    Ok(note)
}

/// A path as a message's argument.
pub fn file_arg(path: &Path) -> Arg {
    path.display().to_string().into()
}

/// Checks that a file to import exists and looks like glTF before it is added to the project.
pub fn check_import_path(path: &Path) -> Result<(), String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext != "glb" && ext != "gltf" {
        return Err(tr_args("note-import-not-gltf", &[("file", file_arg(path))]));
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(tr_args("note-import-not-file", &[("file", file_arg(path))])),
        Err(e) => Err(tr_args(
            "note-import-unreadable",
            &[("file", file_arg(path)), ("error", e.to_string().into())],
        )),
    }
}

fn save(
    doc: &mut Document,
    path: &Path,
    view: &EditorView,
    notes: &mut Notifications,
    now: Duration,
) {
    let mut out = doc.project.clone();
    out.view = view.clone();
    match out.save(path) {
        Ok(()) => {
            // The view is not part of the undo history; keep the in-memory project unchanged so
            // saving does not create an undo step.
            doc.saved = doc.project.clone();
            doc.path = Some(path.to_path_buf());
            notes.info(tr_args("note-saved", &[("file", file_arg(path))]), now);
        }
        Err(e) => notes.error(
            tr_args("note-save-failed", &[("error", e.to_string().into())]),
            now,
        ),
    }
}

fn sync_city_spec(doc: Res<Document>, mut spec: ResMut<CitySpec>) {
    if !doc.is_changed() {
        return;
    }
    let wanted = CitySpec {
        demo_city: doc.project.demo_city,
        imports: doc.project.imports.clone(),
        origin: doc.project.origin.clone(),
    };
    if *spec != wanted {
        *spec = wanted;
    }
}

fn drop_stale_selection(doc: Res<Document>, mut selection: ResMut<Selection>) {
    if let Selection::Camera(id) = *selection
        && doc.project.camera(id).is_none()
    {
        *selection = Selection::None;
    }
}

fn record_history(
    doc: Res<Document>,
    interaction: Res<Interaction>,
    mut history: ResMut<UndoHistory>,
) {
    history.0.observe(
        &doc.project,
        interaction.dragging || interaction.tool_dragging,
    );
}

fn update_window_title(doc: Res<Document>, mut windows: Query<&mut Window, With<PrimaryWindow>>) {
    if !doc.is_changed() {
        return;
    }
    let title = doc.title();
    for mut w in &mut windows {
        if w.title != title {
            w.title = title.clone();
        }
    }
}

/// Saves a scenario file (crowd or incidents) to `to`, else to `current`, only when `check`
/// passed: a file that would not load is never written. The path written, or the message
/// saying why not.
pub fn save_valid(
    to: Option<std::path::PathBuf>,
    current: Option<&std::path::PathBuf>,
    check: Result<(), twincity_model::ronfile::FieldProblem>,
    save: impl FnOnce(&Path) -> Result<(), twincity_model::ronfile::DocError>,
) -> Result<std::path::PathBuf, String> {
    let path = to
        .or_else(|| current.cloned())
        .ok_or_else(|| "Choose a file to save to (Save as...)".to_string())?;
    check.map_err(|p| format!("Not saved: {}: {} (fix it, then save)", p.field, p.message))?;
    save(&path).map_err(|e| format!("Not saved: {e}"))?;
    Ok(path)
}

/// Set when a file is imported: once every import has loaded (and its meshes have bounds),
/// the view is fitted to the scene so the new city is in sight.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct FrameWhenLoaded {
    pub armed: bool,
    /// Frames the loaded scene has stayed settled (counted by the viewport before it frames).
    pub(crate) frames_settled: u32,
}

impl FrameWhenLoaded {
    pub fn armed() -> Self {
        Self {
            armed: true,
            frames_settled: 0,
        }
    }
}
