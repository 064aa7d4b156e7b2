//! The editor's "Export dataset…" window: the settings of `twincity render` for the loaded
//! scenario (or the project), run as a child process of this same program so the editor
//! stays responsive, with its progress, and a Cancel that stops it cleanly (the dataset
//! left is valid and partial; "Resume" finishes it). With "then train", a finished export is
//! followed by `twincity train` on the new dataset (see `editor::train`); the model it writes
//! opens in the Model inference window.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use twincity_i18n::{Arg, integer, tr, tr_args};
use twincity_infer::Task;
use twincity_model::VirtualCamera;

use crate::editor::cameras::OverlaySettings;
use crate::editor::inference::{InferencePanel, ModelEntry};
use crate::editor::train::{TrainEnd, TrainOptions, Training};
use crate::render::document::Document;
use crate::render::frame::{FrameSet, add_frame_sets};
use crate::render::scenario::ScenarioPlayer;

/// System sets of the export window.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportSet {
    /// Reads the running export's progress (in `Update`).
    Poll,
    /// Draws the window (in `EguiPrimaryContextPass`, after the panels).
    Dialog,
}

/// Opens the window.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenExport;

/// What the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportForm {
    pub out: String,
    pub fps: f64,
    pub start_s: f64,
    /// Seconds to render; `None`: to the scenario's end.
    pub duration_s: Option<f64>,
    /// Camera ids to render (all when empty).
    pub cameras: Vec<u32>,
    pub size: Option<(u32, u32)>,
    pub jpeg: Option<u8>,
    pub masks: bool,
    pub depth: bool,
    pub density: bool,
    pub blur: bool,
    pub opt_out_reason: String,
    pub resume: bool,
}

impl Default for ExportForm {
    fn default() -> Self {
        Self {
            out: String::new(),
            fps: 1.0,
            start_s: 0.0,
            duration_s: None,
            cameras: Vec::new(),
            size: None,
            jpeg: None,
            masks: false,
            depth: false,
            density: false,
            blur: true,
            opt_out_reason: String::new(),
            resume: false,
        }
    }
}

impl ExportForm {
    /// The `twincity` arguments rendering `input` as asked, or why it cannot start.
    pub fn args(&self, input: &std::path::Path) -> Result<Vec<String>, String> {
        if self.out.trim().is_empty() {
            return Err(tr("export-need-folder"));
        }
        if !self.blur && self.opt_out_reason.trim().len() < 8 {
            return Err(tr("export-need-reason"));
        }
        let mut a = vec![
            "render".to_string(),
            input.display().to_string(),
            "--out".into(),
            self.out.trim().to_string(),
            "--fps".into(),
            self.fps.to_string(),
            "--start".into(),
            self.start_s.to_string(),
            "--progress".into(),
            "json".into(),
        ];
        if let Some(d) = self.duration_s {
            a.extend(["--duration".into(), d.to_string()]);
        }
        if !self.cameras.is_empty() {
            let ids: Vec<String> = self.cameras.iter().map(|c| c.to_string()).collect();
            a.extend(["--cameras".into(), ids.join(",")]);
        }
        if let Some((w, h)) = self.size {
            a.extend([
                "--width".into(),
                w.to_string(),
                "--height".into(),
                h.to_string(),
            ]);
        }
        if let Some(q) = self.jpeg {
            a.extend([
                "--format".into(),
                "jpeg".into(),
                "--quality".into(),
                q.to_string(),
            ]);
        }
        for (on, flag) in [
            (self.masks, "--masks"),
            (self.depth, "--depth"),
            (self.density, "--density-maps"),
            (self.resume, "--resume"),
        ] {
            if on {
                a.push(flag.into());
            }
        }
        if !self.blur {
            a.extend([
                "--no-privacy-blur".into(),
                self.opt_out_reason.trim().to_string(),
            ]);
        }
        Ok(a)
    }
}

/// One line of a running export's output (`--progress json`).
#[derive(Clone, Debug, PartialEq)]
pub enum ExportEvent {
    Progress {
        done: u64,
        total: u64,
        file: String,
    },
    Finished {
        images: u64,
        status: String,
    },
    /// The export ended with an error (its last lines of stderr).
    Failed(String),
}

/// Reads a `--progress json` line.
pub fn parse_progress(line: &str) -> Option<ExportEvent> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if v["finished"].as_bool() == Some(true) {
        return Some(ExportEvent::Finished {
            images: v["images"].as_u64()?,
            status: v["status"].as_str()?.to_string(),
        });
    }
    Some(ExportEvent::Progress {
        done: v["done"].as_u64()?,
        total: v["total"].as_u64()?,
        file: v["file"].as_str()?.to_string(),
    })
}

struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    events: Mutex<Receiver<ExportEvent>>,
    /// Reads its progress lines (the last one may come after the process has ended).
    stdout: Option<JoinHandle<()>>,
    /// When the process was seen to end, and its exit status.
    exited: Option<(Instant, std::process::ExitStatus)>,
    /// The dataset folder written.
    out: PathBuf,
    /// The dataset's status when it finished (`complete`, `partial`).
    status: Option<String>,
    /// Train afterwards: the card fine-tuned, and epochs.
    then_train: Option<(PathBuf, u32)>,
}

/// A model trained after an export: its card and report.
#[derive(Clone, Debug, PartialEq)]
pub struct Trained {
    pub card: PathBuf,
    pub report: Option<PathBuf>,
}

/// The window's state.
#[derive(Resource, Default)]
pub struct ExportDialog {
    pub open: bool,
    pub form: ExportForm,
    pub custom_size: bool,
    running: Option<Running>,
    pub progress: Option<(u64, u64, String)>,
    /// The last export's outcome, or why it could not start.
    pub message: Option<(bool, String)>,
    cancelling: bool,
    folder_tx: Option<Sender<PathBuf>>,
    folder_rx: Option<Mutex<Receiver<PathBuf>>>,
    /// "Then train": a model trained on the dataset once it is exported.
    pub train: TrainOptions,
    training: Option<Training>,
    /// The last training's outcome (a failure, or that it was stopped).
    pub train_message: Option<(bool, String)>,
    /// The last model trained here.
    pub trained: Option<Trained>,
}

impl ExportDialog {
    /// An export or a training after it is running.
    pub fn is_running(&self) -> bool {
        self.running.is_some() || self.training.is_some()
    }

    /// Starts `twincity ARGS` (this same program) in the background.
    fn start(&mut self, args: Vec<String>) {
        let exe = match std::env::current_exe() {
            Ok(e) => e,
            Err(e) => {
                let error: Arg = e.to_string().into();
                self.message = Some((false, tr_args("export-no-program", &[("error", error)])));
                return;
            }
        };
        let spawned = std::process::Command::new(exe)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                let error: Arg = e.to_string().into();
                self.message = Some((false, tr_args("export-cannot-start", &[("error", error)])));
                return;
            }
        };
        let (tx, rx) = channel();
        let stdout = child.stdout.take().map(|out| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                    if let Some(e) = parse_progress(&line) {
                        let _ = tx.send(e);
                    }
                }
            })
        });
        if let Some(err) = child.stderr.take() {
            std::thread::spawn(move || {
                let lines: Vec<String> = std::io::BufReader::new(err)
                    .lines()
                    .map_while(Result::ok)
                    .collect();
                let text = lines
                    .iter()
                    .filter(|l| l.starts_with("error"))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n");
                if !text.is_empty() {
                    let _ = tx.send(ExportEvent::Failed(text));
                }
            });
        }
        self.progress = Some((0, 0, String::new()));
        self.message = None;
        self.train_message = None;
        self.trained = None;
        self.cancelling = false;
        let then_train = self
            .train
            .enabled
            .then(|| self.train.base_card().map(|b| (b, self.train.epochs)))
            .flatten();
        self.running = Some(Running {
            stdin: child.stdin.take(),
            child,
            events: Mutex::new(rx),
            stdout,
            exited: None,
            out: PathBuf::from(self.form.out.trim()),
            status: None,
            then_train,
        });
    }

    /// Asks the running export to stop after the image it is writing.
    pub fn cancel(&mut self) {
        if let Some(r) = self.running.as_mut()
            && let Some(stdin) = r.stdin.as_mut()
        {
            let _ = stdin.write_all(b"cancel\n");
            let _ = stdin.flush();
            self.cancelling = true;
        }
    }

    /// Takes in what the export and the training after it said; notices their ends. Returns
    /// the model card of a training that just finished.
    pub fn poll(&mut self) -> Option<Trained> {
        self.poll_export();
        let end = self.training.as_mut()?.poll()?;
        self.training = None;
        match end {
            TrainEnd::Trained { card, report } => {
                let trained = Trained { card, report };
                // Listed for the Model inference window in later sessions too (`twincity
                // train` registers it as well; a card is listed once).
                self.train_message =
                    twincity_infer::register_trained(&trained.card)
                        .err()
                        .map(|e| {
                            let error: Arg = e.to_string().into();
                            (false, tr_args("export-not-registered", &[("error", error)]))
                        });
                self.trained = Some(trained.clone());
                Some(trained)
            }
            TrainEnd::Failed(why) => {
                self.train_message = Some((false, why));
                None
            }
        }
    }

    /// Takes in what the export said; notices its end, and starts the training asked for
    /// when the dataset is complete.
    fn poll_export(&mut self) {
        let Some(r) = self.running.as_mut() else {
            return;
        };
        let events: Vec<ExportEvent> = r
            .events
            .lock()
            .map(|rx| rx.try_iter().collect())
            .unwrap_or_default();
        for e in events {
            match e {
                ExportEvent::Progress { done, total, file } => {
                    self.progress = Some((done, total, file))
                }
                ExportEvent::Finished { images, status } => {
                    let text = tr_args(
                        "export-finished",
                        &[
                            ("n", Arg::Count(images as i64)),
                            ("shown", integer(images as i64).into()),
                            ("status", status_label(&status).into()),
                        ],
                    );
                    self.message = Some((true, text));
                    r.status = Some(status);
                }
                ExportEvent::Failed(text) => self.message = Some((false, text)),
            }
        }
        if r.exited.is_none()
            && let Ok(Some(status)) = r.child.try_wait()
        {
            r.exited = Some((Instant::now(), status));
        }
        let Some((at, status)) = r.exited else {
            return;
        };
        // Its last line may still be on its way.
        let read = r.stdout.as_ref().is_none_or(JoinHandle::is_finished);
        if !read && at.elapsed() < Duration::from_secs(2) {
            return;
        }
        if !status.success() && self.message.as_ref().is_none_or(|(ok, _)| *ok) {
            self.message = Some((
                false,
                tr_args("export-stopped", &[("status", status.to_string().into())]),
            ));
        }
        if self.cancelling && !status.success() {
            self.message = Some((false, tr("export-cancelled")));
        }
        let then_train = train_after(
            r.then_train.take(),
            status.success() && !self.cancelling,
            r.status.as_deref(),
        )
        .unwrap_or_else(|why| {
            self.train_message = Some((false, why));
            None
        });
        let out = r.out.clone();
        self.running = None;
        self.cancelling = false;
        if let Some((base, epochs)) = then_train {
            self.start_training(&out, &base, epochs);
        }
    }

    /// Starts `twincity train` on the dataset in `out`.
    fn start_training(&mut self, out: &Path, base: &Path, epochs: u32) {
        let args = crate::editor::train::train_args(out, base, epochs);
        match Training::start(args) {
            Ok(t) => self.training = Some(t),
            Err(e) => self.train_message = Some((false, e)),
        }
    }

    /// Why the training asked for cannot start, if it cannot.
    fn train_problem(&self) -> Option<String> {
        (self.train.enabled && self.train.base_card().is_none()).then(|| tr("export-choose-base"))
    }

    /// Stops the training running after the export.
    pub fn stop_training(&mut self) {
        if let Some(t) = self.training.as_mut() {
            t.stop();
        }
    }
}

impl Drop for ExportDialog {
    fn drop(&mut self) {
        // Closing the editor stops an export cleanly.
        self.cancel();
        if let Some(r) = self.running.as_mut() {
            let _ = r.child.wait();
        }
    }
}

pub struct ExportPlugin;

impl Plugin for ExportPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        app.init_resource::<ExportDialog>()
            .add_message::<OpenExport>()
            .configure_sets(Update, ExportSet::Poll.in_set(FrameSet::Report))
            .add_systems(Update, poll_export.in_set(ExportSet::Poll))
            .add_systems(
                EguiPrimaryContextPass,
                export_window
                    .in_set(ExportSet::Dialog)
                    .after(crate::editor::widgets::UiSet::Panels),
            );
    }
}

fn poll_export(
    mut dialog: ResMut<ExportDialog>,
    mut open: MessageReader<OpenExport>,
    panel: Option<ResMut<InferencePanel>>,
) {
    if open.read().count() > 0 {
        dialog.open = true;
    }
    if let Some(trained) = dialog.poll()
        && let Some(mut panel) = panel
    {
        panel.open_trained_card(trained.card);
    }
    let folder = dialog
        .folder_rx
        .as_ref()
        .and_then(|rx| rx.lock().ok().and_then(|r| r.try_recv().ok()));
    if let Some(f) = folder {
        dialog.form.out = f.display().to_string();
    }
}

/// What is exported: the loaded scenario's file, or the project's; or why neither can be.
fn export_source(player: &ScenarioPlayer, doc: &Document) -> Result<PathBuf, String> {
    if player.scenario.is_some() {
        return match (&player.path, player.dirty) {
            (Some(p), false) => Ok(p.clone()),
            _ => Err(tr("export-save-scenario-first")),
        };
    }
    match (&doc.path, doc.is_dirty()) {
        (Some(p), false) => Ok(p.clone()),
        _ => Err(tr("export-save-project-first")),
    }
}

fn export_window(
    mut contexts: EguiContexts,
    mut dialog: ResMut<ExportDialog>,
    player: Res<ScenarioPlayer>,
    doc: Res<Document>,
    mut panel: Option<ResMut<InferencePanel>>,
    mut overlays: Option<ResMut<OverlaySettings>>,
) -> Result {
    if !dialog.open {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let source = export_source(&player, &doc);
    let mut open = dialog.open;
    let d = &mut *dialog;
    if d.form.out.is_empty()
        && let Ok(p) = &source
    {
        d.form.out = default_folder(p);
    }
    // The models training can start from (the cards the Model inference window opens).
    let bases = if d.train.enabled {
        if let Some(p) = panel.as_mut() {
            p.list_bundled();
        }
        let models = panel.as_ref().map_or(&[][..], |p| p.models.as_slice());
        base_choices(models, crate::editor::train::default_base())
    } else {
        Vec::new()
    };
    egui::Window::new(tr("export-title"))
        .id(egui::Id::new("export_window"))
        .open(&mut open)
        .resizable(false)
        .show(&ctx, |ui| {
            match &source {
                Ok(p) => ui.label(tr_args(
                    "export-renders",
                    &[("path", p.display().to_string().into())],
                )),
                Err(e) => ui.colored_label(egui::Color32::LIGHT_RED, e),
            };
            let running = d.running.is_some();
            ui.add_enabled_ui(!d.is_running(), |ui| {
                egui::Grid::new("export_form")
                    .num_columns(2)
                    .show(ui, |ui| form_rows(ui, d, &doc.project.cameras, &bases));
                if let Some(s) = player.scenario.as_ref()
                    && !s.randomisation.is_default()
                {
                    ui.weak(tr_args(
                        "export-randomisation",
                        &[("what", describe_randomisation(&s.randomisation).into())],
                    ));
                }
            });
            ui.separator();
            progress_lines(ui, d, running);
            training_lines(ui, d, overlays.as_deref_mut());
            export_buttons(ui, d, &source, running);
        });
    dialog.open = open || dialog.is_running();
    Ok(())
}

/// The rows of the form: folder, frames, cameras, size, image format, extras, privacy,
/// resume, then train.
fn form_rows(
    ui: &mut egui::Ui,
    d: &mut ExportDialog,
    cameras: &[VirtualCamera],
    bases: &[(PathBuf, String)],
) {
    folder_row(ui, d);
    frames_row(ui, &mut d.form);
    cameras_row(ui, &mut d.form, cameras);
    size_row(ui, &mut d.form);
    format_row(ui, &mut d.form);
    ui.label(tr("export-also"));
    ui.horizontal(|ui| {
        ui.checkbox(&mut d.form.masks, tr("export-masks"));
        ui.checkbox(&mut d.form.depth, tr("export-depth"));
        ui.checkbox(&mut d.form.density, tr("export-density-maps"));
    });
    ui.end_row();
    ui.label(tr("export-privacy"));
    ui.vertical(|ui| {
        ui.checkbox(&mut d.form.blur, tr("export-blur"));
        if !d.form.blur {
            ui.label(tr("export-why-sharp"));
            ui.text_edit_singleline(&mut d.form.opt_out_reason);
        }
    });
    ui.end_row();
    ui.label("");
    ui.checkbox(&mut d.form.resume, tr("export-resume"));
    ui.end_row();
    train_row(ui, d, bases);
}

/// "Then train": fine-tune a model on the dataset once it is exported; from which model, for
/// how many epochs.
fn train_row(ui: &mut egui::Ui, d: &mut ExportDialog, bases: &[(PathBuf, String)]) {
    ui.label(tr("export-then"));
    ui.vertical(|ui| {
        ui.checkbox(&mut d.train.enabled, tr("export-train"))
            .on_hover_text(tr("export-train-tip"));
        if !d.train.enabled {
            return;
        }
        ui.horizontal(|ui| {
            ui.label(tr("export-train-from"));
            let chosen = d.train.base_card();
            let current = match &chosen {
                Some(c) => bases
                    .iter()
                    .find(|(p, _)| p == c)
                    .map_or_else(|| c.display().to_string(), |(_, n)| n.clone()),
                None => tr("export-choose-model"),
            };
            egui::ComboBox::from_id_salt("train_base")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for (card, name) in bases {
                        ui.selectable_value(&mut d.train.base, Some(card.clone()), name)
                            .on_hover_text(card.display().to_string());
                    }
                });
            ui.label(tr("export-train-for"));
            ui.add(
                crate::editor::widgets::drag(&mut d.train.epochs)
                    .range(1..=1000)
                    .suffix(format!(" {}", tr("export-epochs"))),
            );
        });
        let out = d.form.out.trim();
        if !out.is_empty() {
            let folder = crate::editor::train::model_folder(Path::new(out));
            ui.weak(tr_args(
                "export-model-goes-to",
                &[("folder", folder.display().to_string().into())],
            ));
        }
    });
    ui.end_row();
}

/// The training to start after an export that ended (`finished`: on its own, successfully):
/// the one asked for when the dataset is complete; none when none was asked for or the export
/// was cancelled or failed; why not when the dataset is not complete.
fn train_after(
    asked: Option<(PathBuf, u32)>,
    finished: bool,
    status: Option<&str>,
) -> Result<Option<(PathBuf, u32)>, String> {
    match (asked, status) {
        (None, _) => Ok(None),
        (Some(_), _) if !finished => Ok(None),
        (Some(train), Some("complete")) => Ok(Some(train)),
        (Some(_), _) => Err(tr("export-not-trained")),
    }
}

/// The models a training can start from: the bundled YOLOX-nano (`default`) first, then every
/// detection model open in the Model inference window; each with its name (and where it comes
/// from).
pub fn base_choices(models: &[ModelEntry], default: Option<PathBuf>) -> Vec<(PathBuf, String)> {
    let named = |m: &ModelEntry| match m.origin.label() {
        Some(o) => format!("{} ({o})", m.name),
        None => m.name.clone(),
    };
    let mut out = Vec::new();
    if let Some(d) = default {
        let name = models
            .iter()
            .find(|m| m.card == d)
            .map_or_else(|| tr("export-bundled-yolox"), named);
        out.push((d, name));
    }
    for m in models.iter().filter(|m| m.task == Task::Detection) {
        if !out.iter().any(|(c, _)| *c == m.card) {
            out.push((m.card.clone(), named(m)));
        }
    }
    out
}

/// The dataset folder, typed or chosen in a dialog (on a thread of its own).
fn folder_row(ui: &mut egui::Ui, d: &mut ExportDialog) {
    ui.label(tr("export-folder"));
    ui.horizontal(|ui| {
        ui.text_edit_singleline(&mut d.form.out);
        if ui.button(tr("export-browse")).clicked() {
            let (tx, rx) = channel();
            d.folder_tx = Some(tx.clone());
            d.folder_rx = Some(Mutex::new(rx));
            std::thread::spawn(move || {
                if let Some(p) = rfd::FileDialog::new().pick_folder() {
                    let _ = tx.send(p);
                }
            });
        }
    });
    ui.end_row();
}

/// Frames per second, from when, and to the end or for how long.
fn frames_row(ui: &mut egui::Ui, form: &mut ExportForm) {
    ui.label(tr("export-frames"));
    ui.horizontal(|ui| {
        ui.add(
            crate::editor::widgets::drag(&mut form.fps)
                .range(0.01..=60.0)
                .speed(0.05)
                .suffix(format!(" {}", tr("export-per-second"))),
        );
        ui.label(tr("export-from"));
        ui.add(
            crate::editor::widgets::drag(&mut form.start_s)
                .range(0.0..=86_400.0)
                .suffix(" s"),
        );
        let mut whole = form.duration_s.is_none();
        if ui.checkbox(&mut whole, tr("export-to-the-end")).changed() {
            form.duration_s = if whole { None } else { Some(10.0) };
        }
        if let Some(dur) = form.duration_s.as_mut() {
            ui.add(
                crate::editor::widgets::drag(dur)
                    .range(0.1..=86_400.0)
                    .suffix(" s"),
            );
        }
    });
    ui.end_row();
}

/// A checkbox per camera (none listed in the form: all of them).
fn cameras_row(ui: &mut egui::Ui, form: &mut ExportForm, cameras: &[VirtualCamera]) {
    ui.label(tr("export-cameras"));
    ui.vertical(|ui| {
        for c in cameras {
            let mut on = form.cameras.is_empty() || form.cameras.contains(&c.id.0);
            if ui.checkbox(&mut on, &c.name).changed() {
                if form.cameras.is_empty() {
                    form.cameras = cameras.iter().map(|c| c.id.0).collect();
                }
                form.cameras.retain(|id| *id != c.id.0);
                if on {
                    form.cameras.push(c.id.0);
                }
                if form.cameras.len() == cameras.len() {
                    form.cameras.clear();
                }
            }
        }
    });
    ui.end_row();
}

/// Each camera's resolution, or one size for all.
fn size_row(ui: &mut egui::Ui, form: &mut ExportForm) {
    ui.label(tr("export-size"));
    ui.horizontal(|ui| {
        let mut custom = form.size.is_some();
        ui.radio_value(&mut custom, false, tr("export-each-camera-resolution"));
        ui.radio_value(&mut custom, true, "");
        if custom && form.size.is_none() {
            form.size = Some((1280, 720));
        } else if !custom {
            form.size = None;
        }
        if let Some((w, h)) = form.size.as_mut() {
            ui.add(crate::editor::widgets::drag(w).range(16..=8192));
            ui.label("×");
            ui.add(crate::editor::widgets::drag(h).range(16..=8192));
        }
    });
    ui.end_row();
}

/// PNG, or JPEG with its quality.
fn format_row(ui: &mut egui::Ui, form: &mut ExportForm) {
    ui.label(tr("export-image-format"));
    ui.horizontal(|ui| {
        let mut jpeg = form.jpeg.is_some();
        ui.radio_value(&mut jpeg, false, "PNG");
        ui.radio_value(&mut jpeg, true, "JPEG");
        form.jpeg = match (jpeg, form.jpeg) {
            (true, None) => Some(90),
            (true, q) => q,
            (false, _) => None,
        };
        if let Some(q) = form.jpeg.as_mut() {
            ui.add(crate::editor::widgets::slider(q, 1..=100).text(tr("export-quality")));
        }
    });
    ui.end_row();
}

/// The running export's progress, and the last outcome.
fn progress_lines(ui: &mut egui::Ui, d: &ExportDialog, running: bool) {
    if let Some((done, total, file)) = &d.progress
        && running
    {
        let f = if *total > 0 {
            *done as f32 / *total as f32
        } else {
            0.0
        };
        ui.add(
            egui::ProgressBar::new(f)
                // "images" in French too: not a message.
                .text(format!(
                    "{} / {} images",
                    integer(*done as i64),
                    integer(*total as i64)
                ))
                .show_percentage(),
        );
        ui.weak(file);
    }
    if let Some((ok, m)) = &d.message {
        let colour = if *ok {
            egui::Color32::LIGHT_GREEN
        } else {
            egui::Color32::LIGHT_RED
        };
        ui.colored_label(colour, m);
    }
}

/// The training after the export: its progress, how it ended, and where its model and report
/// are.
fn training_lines(ui: &mut egui::Ui, d: &ExportDialog, overlays: Option<&mut OverlaySettings>) {
    if let Some(t) = &d.training {
        match (&t.progress, t.progress.as_ref().and_then(|p| p.fraction())) {
            (Some(p), Some(f)) => {
                ui.add(
                    egui::ProgressBar::new(f)
                        .text(p.describe())
                        .show_percentage(),
                );
            }
            (p, _) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(
                        p.as_ref()
                            .map_or_else(|| tr("export-starting-training"), |p| p.describe()),
                    );
                });
            }
        }
    }
    if let Some((ok, m)) = &d.train_message {
        let colour = if *ok {
            egui::Color32::LIGHT_GREEN
        } else {
            egui::Color32::LIGHT_RED
        };
        ui.colored_label(colour, m);
    }
    if let Some(t) = d.trained.as_ref().filter(|_| d.training.is_none()) {
        ui.colored_label(
            egui::Color32::LIGHT_GREEN,
            tr_args(
                "export-model-trained",
                &[("card", t.card.display().to_string().into())],
            ),
        );
        if let Some(r) = &t.report {
            ui.label(tr_args(
                "export-report",
                &[("report", r.display().to_string().into())],
            ));
        }
        ui.horizontal(|ui| {
            ui.weak(tr("export-listed"));
            if let Some(o) = overlays
                && ui.button(tr("export-open-inference")).clicked()
            {
                o.inference = true;
            }
        });
    }
}

/// Cancel while exporting, Stop training while training; otherwise Export (with why it
/// cannot start yet).
fn export_buttons(
    ui: &mut egui::Ui,
    d: &mut ExportDialog,
    source: &Result<PathBuf, String>,
    running: bool,
) {
    ui.horizontal(|ui| {
        if let Some(t) = &d.training {
            let stopping = t.stopping();
            let label = tr(if stopping {
                "export-stopping"
            } else {
                "export-stop-training"
            });
            if ui
                .add_enabled(!stopping, egui::Button::new(label))
                .clicked()
            {
                d.stop_training();
            }
        } else if running {
            let label = tr(if d.cancelling {
                "export-stopping"
            } else {
                "export-cancel"
            });
            if ui
                .add_enabled(!d.cancelling, egui::Button::new(label))
                .clicked()
            {
                d.cancel();
            }
        } else {
            let args = source
                .clone()
                .and_then(|p| d.form.args(&p))
                .and_then(|a| d.train_problem().map_or(Ok(a), Err));
            let hint = args.as_ref().err().cloned();
            let button = ui.add_enabled(args.is_ok(), egui::Button::new(tr("export-export")));
            if button.clicked()
                && let Ok(a) = args
            {
                d.start(a);
            } else if let Some(h) = hint {
                ui.weak(h);
            }
        }
    });
}

/// A dataset folder named after the input: `datasets/NAME` beside the working folder.
pub fn default_folder(input: &std::path::Path) -> String {
    let name = input
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = name
        .trim_end_matches(twincity_scenario::SCENARIO_SUFFIX)
        .trim_end_matches(".twin.ron")
        .trim_end_matches(".ron");
    format!("datasets/{stem}")
}

fn describe_randomisation(r: &twincity_scenario::Randomisation) -> String {
    let mut parts = Vec::new();
    if r.environment_per_frame {
        parts.push(tr("export-rand-light"));
    }
    if r.appearance {
        parts.push(tr("export-rand-looks"));
    }
    // The en dash and the × stay out of the messages (symbols).
    let range = |n: &twincity_scenario::Num| -> Arg {
        let (a, b) = n.bounds();
        Arg::Text(if a == b {
            short_number(a)
        } else {
            format!("{}–{}", short_number(a), short_number(b))
        })
    };
    if r.sensor_noise.bounds().1 > 0.0 {
        parts.push(tr_args(
            "export-rand-noise",
            &[("range", range(&r.sensor_noise))],
        ));
    }
    if r.motion_blur_px.bounds().1 > 0.0 {
        parts.push(tr_args(
            "export-rand-motion-blur",
            &[("range", range(&r.motion_blur_px))],
        ));
    }
    if let Some(q) = &r.jpeg_quality {
        parts.push(tr_args("export-rand-jpeg", &[("range", range(q))]));
    }
    if r.scale.bounds().0 < 1.0 {
        let (a, b) = r.scale.bounds();
        let scale = if a == b {
            format!("× {}", short_number(a))
        } else {
            format!("× {}–{}", short_number(a), short_number(b))
        };
        parts.push(tr_args("export-rand-scale", &[("scale", scale.into())]));
    }
    parts.join(", ")
}

/// `x` as the language writes numbers, with the digits of its shortest form (`0.25`: two
/// decimals).
fn short_number(x: f64) -> String {
    let decimals = x.to_string().split_once('.').map_or(0, |(_, d)| d.len());
    twincity_i18n::number(x, decimals)
}

/// A dataset's status (`complete`, `partial`) in words; another as `twincity render` says it.
fn status_label(status: &str) -> String {
    match status {
        "complete" => tr("export-status-complete"),
        "partial" => tr("export-status-partial"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_form_becomes_a_render_command_line() {
        let form = ExportForm {
            out: "out/ds".into(),
            fps: 2.0,
            start_s: 5.0,
            duration_s: Some(30.0),
            cameras: vec![3, 1],
            size: Some((640, 360)),
            jpeg: Some(80),
            masks: true,
            density: true,
            resume: true,
            ..Default::default()
        };
        let args = form.args(std::path::Path::new("a.scenario.ron")).unwrap();
        let cli =
            crate::cli::Cli::try_parse_from(std::iter::once("twincity".to_string()).chain(args))
                .unwrap();
        let Some(crate::cli::Command::Render(r)) = cli.command else {
            panic!("not a render command");
        };
        assert_eq!(r.out, PathBuf::from("out/ds"));
        assert_eq!((r.fps, r.start, r.duration), (2.0, 5.0, Some(30.0)));
        assert_eq!(r.cameras, vec!["3", "1"]);
        assert_eq!((r.width, r.height), (Some(640), Some(360)));
        assert_eq!(
            (r.format, r.quality),
            (crate::cli::render::FileFormat::Jpeg, 80)
        );
        assert!(r.masks && r.density_maps && !r.depth && r.resume);
        assert_eq!(r.no_privacy_blur, None);
        assert_eq!(r.progress, crate::cli::render::ProgressStyle::Json);
    }

    #[test]
    fn privacy_opt_out_needs_a_reason_and_a_folder_is_needed() {
        let mut form = ExportForm {
            out: "x".into(),
            blur: false,
            ..Default::default()
        };
        let input = std::path::Path::new("p.twin.ron");
        assert!(form.args(input).unwrap_err().contains("why"));
        form.opt_out_reason = "training a face detector".into();
        let args = form.args(input).unwrap();
        let i = args.iter().position(|a| a == "--no-privacy-blur").unwrap();
        assert_eq!(args[i + 1], "training a face detector");
        form.out = " ".into();
        assert!(form.args(input).unwrap_err().contains("folder"));
    }

    #[test]
    fn the_default_folder_is_named_after_the_input() {
        assert_eq!(
            default_folder(std::path::Path::new("scenarios/night_dumping.scenario.ron")),
            "datasets/night_dumping"
        );
        assert_eq!(
            default_folder(std::path::Path::new("/p/site.twin.ron")),
            "datasets/site"
        );
    }

    #[test]
    fn training_starts_from_the_bundled_model_or_an_open_detector() {
        use crate::editor::inference::Origin;
        let entry = |card: &str, name: &str, task, origin| ModelEntry {
            card: card.into(),
            name: name.into(),
            task,
            classes: vec!["person".into()],
            origin,
        };
        let models = vec![
            entry(
                "/m/yolox_nano.ron",
                "YOLOX-nano",
                Task::Detection,
                Origin::Bundled,
            ),
            entry(
                "/m/centerface.ron",
                "CenterFace",
                Task::FaceDetection,
                Origin::Bundled,
            ),
            entry(
                "/d/x-model/twin.ron",
                "twin",
                Task::Detection,
                Origin::Trained,
            ),
            entry("/u/mine.ron", "Mine", Task::Detection, Origin::Added),
        ];
        let bundled = PathBuf::from("/m/yolox_nano.ron");
        let choices = |models: &[ModelEntry], default: Option<PathBuf>| {
            base_choices(models, default)
                .into_iter()
                .map(|(c, n)| format!("{} = {n}", c.display()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            choices(&models, Some(bundled.clone())),
            vec![
                "/m/yolox_nano.ron = YOLOX-nano (bundled)",
                "/d/x-model/twin.ron = twin (trained)",
                "/u/mine.ron = Mine",
            ]
        );
        // Before the Model inference window has opened anything: the bundled model alone.
        assert_eq!(
            choices(&[], Some(bundled.clone())),
            vec!["/m/yolox_nano.ron = YOLOX-nano (bundled)"]
        );
        assert!(choices(&[], None).is_empty());
        // Training follows a complete export only.
        let asked = Some((bundled.clone(), 5));
        assert_eq!(
            train_after(asked.clone(), true, Some("complete")),
            Ok(asked.clone())
        );
        assert_eq!(
            train_after(asked.clone(), false, Some("complete")),
            Ok(None)
        );
        assert_eq!(train_after(None, true, Some("complete")), Ok(None));
        assert!(
            train_after(asked, true, Some("partial"))
                .unwrap_err()
                .contains("not complete")
        );
        // Asked for with a model to start from, it can start.
        let mut d = ExportDialog::default();
        assert_eq!(d.train_problem(), None);
        d.train = TrainOptions {
            enabled: true,
            base: Some(bundled),
            epochs: 3,
        };
        assert_eq!(d.train_problem(), None);
    }

    #[test]
    fn progress_lines_are_read() {
        assert_eq!(
            parse_progress(
                r#"{"done":3,"total":9,"frame":1,"camera":"a","objects":4,"file":"images/x.png"}"#
            ),
            Some(ExportEvent::Progress {
                done: 3,
                total: 9,
                file: "images/x.png".into()
            })
        );
        assert_eq!(
            parse_progress(r#"{"finished":true,"images":9,"status":"complete"}"#),
            Some(ExportEvent::Finished {
                images: 9,
                status: "complete".into()
            })
        );
        assert_eq!(parse_progress("twincity render: ..."), None);
    }
}
