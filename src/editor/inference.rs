//! Live model inference on the camera views (the "Model inference" window).
//!
//! Per camera, the user turns a model on; the camera's preview is read back from the GPU and
//! sent to one worker thread, which runs the model and — for rendered views — computes the
//! ground truth of the same frame (the annotation pass of the dataset writer) and matches the
//! two at IoU 0.5. The frame channel holds one frame: while the worker is busy, newer frames
//! replace nothing and are dropped (counted), so the UI never waits and what is shown is never
//! more than one frame old. The window overlays predicted boxes (colour by class, with
//! scores), ground-truth boxes (dashed), matches, false positives and misses; shows the
//! predicted and true counts and a plot of both; the model's latency and the effective rate.
//!
//! Alert rules (a person lying down, a crowd above a size, a class in a zone, each for some
//! seconds) raise alerts into a list a human must confirm or dismiss; the tool never acts on
//! its own, and every alert and decision is appended to a log file.
//!
//! A camera can also send each frame to a second model, for comparison: the window then shows
//! the two results side by side on the same frame, each matched with the same ground truth.
//!
//! A real image or video can replace a camera's view (to compare a model on real footage):
//! each image, and each video frame, goes through the face detector and its faces are blurred
//! before it is shown or used; without a face detector nothing of it is shown at all.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, TrySendError, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::gpu_readback::{Readback, ReadbackComplete};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, EguiTextureHandle, EguiUserTextures, egui};
use twincity_i18n::{Arg, Lang, number_in, tr, tr_args, tr_args_in};
use twincity_infer::{Frame, Inference, Model, Task, Tiling};
use twincity_model::{CameraId, Project, VirtualCamera};
use twincity_scenario::world::WorldState;

use crate::editor::previews::CameraPreviews;
use crate::render::document::Document;
use crate::render::frame::{FrameSet, add_frame_sets};
use crate::render::scenario::ScenarioPlayer;

/// System sets of live inference.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InferenceSet {
    /// Read-backs out, results in, alert rules (in `Update`).
    Exchange,
    /// The window (in `EguiPrimaryContextPass`, after the panels).
    Window,
}

/// A model the window offers.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelEntry {
    pub card: PathBuf,
    pub name: String,
    pub task: Task,
    pub classes: Vec<String>,
    pub origin: Origin,
}

/// Where a model the window offers comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Shipped with TwinCity Studio (the bundled models folder).
    Bundled,
    /// Written by `twincity train` (on the list of trained models).
    Trained,
    /// Added by the user (Add model..., `--infer`).
    Added,
}

impl Origin {
    /// How the models list names it (nothing for a model the user added).
    pub fn label(self) -> Option<&'static str> {
        match self {
            Origin::Bundled => Some("bundled"),
            Origin::Trained => Some("trained"),
            Origin::Added => None,
        }
    }

    /// [`Origin::label`] in the interface's language.
    pub fn text(self) -> Option<String> {
        match self {
            Origin::Bundled => Some(tr("infer-origin-bundled")),
            Origin::Trained => Some(tr("infer-origin-trained")),
            Origin::Added => None,
        }
    }
}

/// A ground-truth box of the frame, and whether a prediction matched it.
#[derive(Clone, Debug, PartialEq)]
pub struct TruthBox {
    pub bbox: [f32; 4],
    pub category: String,
    pub matched: bool,
}

/// The latest result of one camera.
#[derive(Clone, Debug, Default)]
pub struct Shown {
    pub width: u32,
    pub height: u32,
    pub inference: Inference,
    /// Per prediction: matched a ground-truth box (`None`: not compared — no ground truth,
    /// or a class with no dataset category).
    pub matched: Vec<Option<bool>>,
    pub truth: Option<Vec<TruthBox>>,
    /// Visible heads in the frame: the true count.
    pub true_count: Option<usize>,
}

impl Shown {
    /// A model's result, not compared with any ground truth (yet).
    pub fn predicted(width: u32, height: u32, inference: Inference) -> Shown {
        Shown {
            width,
            height,
            matched: vec![None; inference.detections.len()],
            inference,
            truth: None,
            true_count: None,
        }
    }
}

/// A real image or video shown in place of a camera's view, faces already blurred.
pub struct RealImage {
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// The still image (blurred); empty for a video.
    pub rgba: Arc<Vec<u8>>,
    pub texture: Handle<Image>,
    /// Faces blurred in the image, or in the video frame shown.
    pub faces_blurred: usize,
    /// A video being decoded: its frames go to the worker (blur, then the model).
    pub video: Option<crate::editor::real_video::Video>,
    /// Video frames shown so far (each blurred first), and the one on screen.
    pub frames_shown: u64,
    pub frame_time_s: f64,
    sent: Option<Instant>,
}

/// The second model a camera's frames also go to, and its latest result on the same frame
/// as the camera's own model.
#[derive(Default)]
pub struct Comparison {
    /// The card compared with (`None`: no comparison).
    pub model: Option<PathBuf>,
    pub shown: Option<Shown>,
    /// Its model time on the last frame.
    pub model_ms: Option<f64>,
    pub error: Option<String>,
}

impl Comparison {
    /// The second model's part of a frame's results: kept when it is the model compared
    /// with now; none (the frame went to one model only) clears what was shown.
    fn take(&mut self, compared: Option<Compared>) {
        match compared {
            Some((card, result)) if self.model.as_ref() == Some(&card) => match result {
                Ok(shown) => {
                    self.model_ms = Some(shown.inference.timing.total().as_secs_f64() * 1000.0);
                    self.shown = Some(shown);
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            },
            // From a model no longer compared with: stale.
            Some(_) => {}
            None => {
                self.shown = None;
                self.model_ms = None;
            }
        }
    }
}

/// Live inference state of one camera.
#[derive(Default)]
pub struct CameraRun {
    pub enabled: bool,
    pub model: Option<PathBuf>,
    /// A second model run on the same frames, shown beside the first.
    pub compare: Comparison,
    /// Tiles (columns, rows) for small, distant people.
    pub tiles: Option<(u32, u32)>,
    pub shown: Option<Shown>,
    /// `[seconds since the window started, predicted, true, predicted by the model compared
    /// with]` (NaN where there is none), the last two minutes.
    pub history: VecDeque<[f64; 4]>,
    /// Model time of the last frame (pre-processing, run, decoding).
    pub model_ms: Option<f64>,
    /// From the read-back reaching the UI to the result coming back.
    pub end_to_end_ms: Option<f64>,
    results: VecDeque<Instant>,
    pub dropped: u64,
    pub error: Option<String>,
    pub real: Option<RealImage>,
    /// A video just opened, waiting for its texture (made in the next update).
    pending_video: Option<crate::editor::real_video::Video>,
    /// A real image is being loaded (and blurred) by the worker.
    loading: bool,
    readback: Option<(Entity, AssetId<Image>)>,
    /// Since when each alert rule's condition holds, and whether it already raised.
    conditions: HashMap<&'static str, (f64, bool)>,
}

impl CameraRun {
    /// Results per second over the last five seconds.
    pub fn effective_fps(&self) -> f64 {
        let now = Instant::now();
        let recent = self
            .results
            .iter()
            .filter(|t| now.duration_since(**t) < Duration::from_secs(5))
            .count();
        recent as f64 / 5.0
    }
}

/// Alert rules. Each needs its condition to hold for `seconds` without a break.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    /// A person box wider than tall (someone lying on the ground).
    pub lying: Option<f32>,
    /// The predicted count at or above `.0`.
    pub crowd: Option<(u32, f32)>,
    /// A box of class `.0` with its centre in the zone (left, top, width, height as fractions
    /// of the image), or a classification score of that class above the card's threshold.
    pub zone: Option<(String, [f32; 4], f32)>,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            lying: Some(5.0),
            crowd: Some((20, 10.0)),
            zone: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Confirmed,
    Dismissed,
}

/// An alert waiting for (or having had) a human decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub id: u64,
    pub camera: CameraId,
    pub camera_name: String,
    /// What was seen, in English: the log's words, whatever the interface's language.
    pub what: String,
    /// What was seen, in the interface's language when it was raised.
    pub shown: String,
    pub raised: SystemTime,
    pub decision: Decision,
}

/// An alert's description: in English for the log, so that an audit record reads the same
/// whatever language the interface speaks, and in the interface's language for the screen.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertText {
    pub logged: String,
    pub shown: String,
}

impl AlertText {
    /// `text` written in English and in the interface's language.
    pub fn new(text: impl Fn(Lang) -> String) -> Self {
        Self {
            logged: text(Lang::En),
            shown: text(twincity_i18n::language()),
        }
    }
}

/// A frame for the camera's model (and the one it is compared with).
struct FrameJob {
    camera: CameraId,
    card: PathBuf,
    compare: Option<PathBuf>,
    tiling: Option<Tiling>,
    width: u32,
    height: u32,
    /// RGBA, or a BGRA preview read-back as it comes (rows padded).
    rgba: Arc<Vec<u8>>,
    bgra: bool,
    truth: Option<Box<TruthJob>>,
}

enum Job {
    Frame(FrameJob),
    /// Load a real image and blur its faces.
    Real {
        camera: CameraId,
        path: PathBuf,
    },
    /// A real video frame: blur its faces, then run the model (if any, and the one it is
    /// compared with) on the blurred frame.
    Video {
        camera: CameraId,
        card: Option<PathBuf>,
        compare: Option<PathBuf>,
        tiling: Option<Tiling>,
        frame: crate::editor::real_video::VideoFrame,
    },
    /// Open a card (checks it against its model).
    Open {
        card: PathBuf,
    },
    /// A camera's read-back as the product keeps it: the faces and plates its ground truth
    /// finds, blurred.
    Privacy {
        camera: CameraId,
        width: u32,
        height: u32,
        bgra: Vec<u8>,
        truth: Box<TruthJob>,
    },
}

struct TruthJob {
    state: WorldState,
    ground: f32,
    camera: VirtualCamera,
    /// The scene's occluders are rebuilt when this changes.
    project: Arc<Project>,
}

/// The ground truth of one frame, computed once and matched with each model's predictions.
#[derive(Clone, Debug, PartialEq)]
struct FrameTruth {
    /// Each object's dataset category id, category and visible box.
    objects: Vec<(u32, String, [u32; 4])>,
    /// Visible heads: the true count.
    visible_heads: usize,
}

/// The result of the model a camera is compared with, and its card.
type Compared = (PathBuf, Result<Shown, String>);

/// The scene's occluders, kept while the project stays the same.
type CityCache = Option<(Arc<Project>, Arc<twincity_scene::coverage::Occluders>)>;

/// A video frame after the worker: faces blurred, and the models' results on it.
struct BlurredFrame {
    picture: image::RgbaImage,
    faces: usize,
    time_s: f64,
    shown: Option<Result<Shown, String>>,
    compare: Option<Compared>,
}

enum Reply {
    Frame {
        camera: CameraId,
        result: Result<Shown, String>,
        compare: Option<Compared>,
    },
    Real {
        camera: CameraId,
        result: Result<(String, image::RgbaImage, usize), String>,
    },
    Video {
        camera: CameraId,
        result: Result<BlurredFrame, String>,
    },
    Opened {
        card: PathBuf,
        result: Result<ModelEntry, String>,
    },
    Privacy {
        camera: CameraId,
        result: Result<(image::RgbaImage, usize), String>,
    },
}

/// A camera's picture as the product keeps it (faces and plates blurred), beside the live
/// picture as captured (presentation mode's privacy step).
pub struct PrivacyView {
    pub camera: CameraId,
    /// The latest kept picture and its size.
    pub kept: Option<(Handle<Image>, UVec2)>,
    /// Faces and plates blurred in it.
    pub blurred: usize,
    pub error: Option<String>,
    sent: Option<Instant>,
}

struct Worker {
    frames: SyncSender<Job>,
    control: Sender<Job>,
    replies: Mutex<Receiver<Reply>>,
    busy: Arc<AtomicBool>,
}

/// The latest read-back of each camera running a model, waiting for the worker.
type ReadBacks = Arc<Mutex<HashMap<CameraId, (Instant, Vec<u8>)>>>;

/// A file chosen in a dialog: a card to add (no camera), or real footage for a camera.
type Picked = (Option<CameraId>, PathBuf);

/// Still images the window loads as real footage.
const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg"];

/// Whether a file is a video (by its extension), rather than a still image.
pub fn is_video(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        crate::editor::real_video::EXTENSIONS.contains(&e.to_ascii_lowercase().as_str())
    })
}

/// The inference window's state and its worker (whether the window is open is
/// `OverlaySettings::inference`).
#[derive(Resource)]
pub struct InferencePanel {
    pub models: Vec<ModelEntry>,
    /// Cards that could not be opened, with why.
    pub problems: Vec<String>,
    pub cameras: HashMap<CameraId, CameraRun>,
    /// The camera shown large.
    pub selected: Option<CameraId>,
    pub rules: Rules,
    pub alerts: Vec<Alert>,
    /// Where alerts and decisions are logged (JSON lines).
    pub log: PathBuf,
    worker: Worker,
    frames: ReadBacks,
    started: Instant,
    next_camera: usize,
    picked: Mutex<Option<Receiver<Picked>>>,
    project: Option<Arc<Project>>,
    /// The bundled and trained cards were sent to be opened (on first showing the window,
    /// not at start).
    listed: bool,
    /// The cards written by `twincity train` (canonical paths).
    trained: Vec<PathBuf>,
    /// A camera shown as captured and as kept (blurred).
    pub privacy: Option<PrivacyView>,
}

impl Default for InferencePanel {
    fn default() -> Self {
        Self {
            models: Vec::new(),
            problems: Vec::new(),
            cameras: HashMap::new(),
            selected: None,
            rules: Rules::default(),
            alerts: Vec::new(),
            log: PathBuf::from("twincity-alerts.jsonl"),
            worker: spawn_worker(),
            frames: Arc::default(),
            started: Instant::now(),
            next_camera: 0,
            picked: Mutex::new(None),
            project: None,
            listed: false,
            trained: Vec::new(),
            privacy: None,
        }
    }
}

impl InferencePanel {
    /// Opens the bundled models and the models trained here (the cards `twincity train`
    /// registered), once (they load in the worker, in the background).
    pub fn list_bundled(&mut self) {
        if self.listed || twincity_infer::runtime().is_err() {
            return;
        }
        self.listed = true;
        if let Some(dir) = twincity_infer::bundled_dir() {
            for card in twincity_infer::cards_in(&dir) {
                self.open_card(card);
            }
        }
        for card in twincity_infer::trained_cards() {
            self.open_trained_card(card);
        }
    }

    /// Opens a card `twincity train` just wrote: listed as trained.
    pub fn open_trained_card(&mut self, card: PathBuf) {
        let card = card.canonicalize().unwrap_or(card);
        if !self.trained.contains(&card) {
            self.trained.push(card.clone());
        }
        self.open_card(card);
    }

    /// Asks the worker to open a card; it joins the list when it opens.
    pub fn open_card(&mut self, card: PathBuf) {
        let card = card.canonicalize().unwrap_or(card);
        let _ = self.worker.control.send(Job::Open { card });
    }

    /// Every camera in `cameras` runs the model of `card`; the first is shown.
    pub fn run_everywhere(&mut self, card: PathBuf, cameras: &[CameraId]) {
        let card = card.canonicalize().unwrap_or(card);
        self.open_card(card.clone());
        for id in cameras {
            let run = self.cameras.entry(*id).or_default();
            run.enabled = true;
            run.model = Some(card.clone());
        }
        self.selected = cameras.first().copied();
    }

    /// Shows `camera` as captured and as kept (blurred), or stops (`None`).
    pub fn show_privacy(&mut self, camera: Option<CameraId>) {
        if self.privacy.as_ref().map(|p| p.camera) == camera {
            return;
        }
        self.privacy = camera.map(|camera| {
            self.cameras.entry(camera).or_default();
            PrivacyView {
                camera,
                kept: None,
                blurred: 0,
                error: None,
                sent: None,
            }
        });
    }

    /// Every camera running a model has shown a result or an error, and the privacy view its
    /// kept picture (for screenshots).
    pub fn settled(&self) -> bool {
        if self
            .privacy
            .as_ref()
            .is_some_and(|p| p.kept.is_none() && p.error.is_none())
        {
            return false;
        }
        let footage_shown = |r: &CameraRun| {
            !r.loading
                && r.pending_video.is_none()
                && r.real
                    .as_ref()
                    .is_none_or(|real| real.video.is_none() || real.frames_shown > 0)
        };
        let compared = |r: &CameraRun| {
            camera_models(r).is_none_or(|(_, compare)| {
                compare.is_none() || r.compare.shown.is_some() || r.compare.error.is_some()
            })
        };
        self.cameras.values().all(|r| {
            r.error.is_some()
                || (footage_shown(r)
                    && (!(r.enabled && r.model.is_some()) || (r.shown.is_some() && compared(r))))
        })
    }

    /// Asks the worker to load a real image into a camera's view (faces blurred first).
    pub fn load_real_image(&mut self, camera: CameraId, path: PathBuf) {
        self.cameras.entry(camera).or_default().loading = true;
        let _ = self.worker.control.send(Job::Real { camera, path });
    }

    /// Real footage in a camera's view: a video (played, every frame blurred before it is
    /// shown) or a still image.
    pub fn load_real_footage(&mut self, camera: CameraId, path: PathBuf) {
        if is_video(&path) {
            let run = self.cameras.entry(camera).or_default();
            match crate::editor::real_video::Video::open(
                &path,
                &crate::editor::real_video::Tools::default(),
                crate::editor::real_video::Pace::RealTime,
            ) {
                Ok(video) => {
                    run.pending_video = Some(video);
                    run.error = None;
                }
                Err(e) => run.error = Some(e),
            }
        } else {
            self.load_real_image(camera, path);
        }
    }

    fn log_line(&self, event: &str, alert: &Alert) {
        self.append_log(serde_json::json!({
            "event": event,
            "at_unix_s": unix_s(SystemTime::now()),
            "alert": alert.id,
            "raised_unix_s": unix_s(alert.raised),
            "camera": alert.camera_name,
            "what": alert.what,
        }));
    }

    /// Logs what an automated check concluded (a Plate check passage: match, possibly cloned,
    /// not seen...), beside the alerts it may raise, so that every conclusion can be audited.
    pub fn log_check(&self, camera_name: &str, what: String) {
        self.append_log(serde_json::json!({
            "event": "checked",
            "at_unix_s": unix_s(SystemTime::now()),
            "camera": camera_name,
            "what": what,
        }));
    }

    fn append_log(&self, line: serde_json::Value) {
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .and_then(|mut f| writeln!(f, "{line}"));
        if let Err(e) = written {
            warn!("cannot append to the alert log {}: {e}", self.log.display());
        }
    }

    /// A human's decision on an alert, logged.
    pub fn decide(&mut self, id: u64, decision: Decision) {
        if let Some(i) = self.alerts.iter().position(|a| a.id == id) {
            self.alerts[i].decision = decision;
            let a = self.alerts[i].clone();
            let word = match decision {
                Decision::Confirmed => "confirmed",
                Decision::Dismissed => "dismissed",
                Decision::Pending => "reopened",
            };
            self.log_line(word, &a);
        }
    }

    /// Raises an alert (logged) for a person to confirm or dismiss.
    pub fn raise(&mut self, camera: CameraId, camera_name: &str, what: AlertText) {
        let alert = Alert {
            id: self.alerts.len() as u64 + 1,
            camera,
            camera_name: camera_name.to_string(),
            what: what.logged,
            shown: what.shown,
            raised: SystemTime::now(),
            decision: Decision::Pending,
        };
        self.log_line("raised", &alert);
        self.alerts.push(alert);
    }

    fn model(&self, card: &Path) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.card == card)
    }
}

fn unix_s(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn spawn_worker() -> Worker {
    let (frames, frame_rx) = sync_channel::<Job>(1);
    let (control, control_rx) = channel::<Job>();
    let (reply_tx, replies) = channel::<Reply>();
    let busy = Arc::new(AtomicBool::new(false));
    let worker_busy = busy.clone();
    std::thread::Builder::new()
        .name("model inference".into())
        .spawn(move || {
            let mut models: HashMap<PathBuf, Model> = HashMap::new();
            let mut city: CityCache = None;
            loop {
                let job = match control_rx.try_recv() {
                    Ok(j) => j,
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
                    Err(_) => match frame_rx.recv_timeout(Duration::from_millis(30)) {
                        Ok(j) => j,
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                        Err(_) => return,
                    },
                };
                let reply = run_job(job, &mut models, &mut city);
                if matches!(
                    reply,
                    Reply::Frame { .. } | Reply::Video { .. } | Reply::Privacy { .. }
                ) {
                    worker_busy.store(false, Ordering::Release);
                }
                if reply_tx.send(reply).is_err() {
                    return;
                }
            }
        })
        .expect("spawn the inference thread");
    Worker {
        frames,
        control,
        replies: Mutex::new(replies),
        busy,
    }
}

fn model_for<'a>(
    models: &'a mut HashMap<PathBuf, Model>,
    card: &Path,
) -> Result<&'a mut Model, String> {
    if !models.contains_key(card) {
        let m = Model::load(card).map_err(|e| e.to_string())?;
        models.insert(card.to_path_buf(), m);
    }
    Ok(models.get_mut(card).expect("just inserted"))
}

fn run_job(job: Job, models: &mut HashMap<PathBuf, Model>, city: &mut CityCache) -> Reply {
    match job {
        Job::Open { card } => {
            let result = model_for(models, &card).map(|m| ModelEntry {
                card: card.clone(),
                name: m.card.name.clone(),
                task: m.card.task,
                classes: m.card.classes.clone(),
                origin: Origin::Added,
            });
            Reply::Opened { card, result }
        }
        Job::Real { camera, path } => Reply::Real {
            camera,
            result: blurred_real_image(models, &path),
        },
        Job::Video {
            camera,
            card,
            compare,
            tiling,
            frame,
        } => Reply::Video {
            camera,
            result: blurred_video_frame(models, card.as_deref(), compare.as_deref(), tiling, frame),
        },
        Job::Frame(job) => frame_results(models, city, job),
        Job::Privacy {
            camera,
            width,
            height,
            bgra,
            truth,
        } => Reply::Privacy {
            camera,
            result: kept_picture(*truth, (width, height), &bgra, city),
        },
    }
}

/// A read-back as the product keeps it: what the annotation pass finds to blur (faces,
/// plates), blurred as in exported datasets; and how many regions were blurred.
fn kept_picture(
    t: TruthJob,
    (width, height): (u32, u32),
    bgra: &[u8],
    city: &mut CityCache,
) -> Result<(image::RgbaImage, usize), String> {
    let frame =
        Frame::bgra_readback(width, height, bgra).ok_or_else(|| tr("infer-picture-size"))?;
    let stride = frame.stride as usize * 4;
    let mut picture = image::RgbaImage::new(width, height);
    for (y, row) in picture.rows_mut().enumerate() {
        let line = &frame.pixels[y * stride..y * stride + width as usize * 4];
        for (px, src) in row.zip(line.chunks_exact(4)) {
            *px = image::Rgba([src[2], src[1], src[0], 255]);
        }
    }
    let (_, _, blur) = frame_annotations(t, (width, height), city)?;
    twincity_dataset::privacy::blur_boxes(&mut picture, &blur);
    Ok((picture, blur.len()))
}

/// A frame through the camera's model and the one it is compared with, each matched with the
/// frame's ground truth (computed once, when a model gave a result).
fn frame_results(
    models: &mut HashMap<PathBuf, Model>,
    city: &mut CityCache,
    job: FrameJob,
) -> Reply {
    let FrameJob {
        camera,
        card,
        compare,
        tiling,
        width,
        height,
        rgba,
        bgra,
        truth,
    } = job;
    let frame = if bgra {
        Frame::bgra_readback(width, height, &rgba)
    } else {
        Some(Frame::rgba(width, height, &rgba))
    };
    let Some(frame) = frame else {
        let e = tr("infer-readback-size");
        return Reply::Frame {
            camera,
            result: Err(e.clone()),
            compare: compare.map(|c| (c, Err(e))),
        };
    };
    let mut result = infer_on(models, &card, &frame, tiling);
    let mut compare = compare.map(|c| {
        let r = infer_on(models, &c, &frame, tiling);
        (c, r)
    });
    let any = result.is_ok() || compare.as_ref().is_some_and(|(_, r)| r.is_ok());
    if let Some(t) = truth.filter(|_| any) {
        let truth = frame_truth(*t, (width, height), city);
        with_truth(&mut result, models.get(&card), &truth);
        if let Some((c, r)) = &mut compare {
            with_truth(r, models.get(c), &truth);
        }
    }
    Reply::Frame {
        camera,
        result,
        compare,
    }
}

/// The model of `card` on a frame.
fn infer_on(
    models: &mut HashMap<PathBuf, Model>,
    card: &Path,
    frame: &Frame,
    tiling: Option<Tiling>,
) -> Result<Shown, String> {
    let model = model_for(models, card)?;
    let inference = model.infer(frame, tiling).map_err(|e| e.to_string())?;
    Ok(Shown::predicted(frame.width, frame.height, inference))
}

/// A model's result matched with the frame's ground truth (or failed with it, when the ground
/// truth could not be computed).
fn with_truth(
    result: &mut Result<Shown, String>,
    model: Option<&Model>,
    truth: &Result<FrameTruth, String>,
) {
    match truth {
        Err(e) => {
            if result.is_ok() {
                *result = Err(e.clone());
            }
        }
        Ok(t) => {
            if let (Ok(shown), Some(model)) = (result.as_mut(), model) {
                match_truth(shown, &model.card, t);
            }
        }
    }
}

/// The frame's ground truth from the annotation pass (the dataset writer's objects and
/// visible heads), at the frame's size.
fn frame_truth(t: TruthJob, size: (u32, u32), city: &mut CityCache) -> Result<FrameTruth, String> {
    let (objects, heads, _) = frame_annotations(t, size, city)?;
    Ok(FrameTruth {
        objects: objects
            .into_iter()
            .map(|o| (o.category_id, o.category, o.bbox))
            .collect(),
        visible_heads: heads.iter().filter(|h| h.visible).count(),
    })
}

/// What the annotation pass finds in a frame: the dataset writer's objects, heads and the
/// regions it blurs.
type Annotated = (
    Vec<twincity_dataset::ObjectRecord>,
    Vec<twincity_dataset::annotate::HeadPoint>,
    Vec<twincity_dataset::annotate::PixelBox>,
);

/// The annotation pass on one frame, at the frame's size.
fn frame_annotations(
    t: TruthJob,
    (width, height): (u32, u32),
    city: &mut CityCache,
) -> Result<Annotated, String> {
    use twincity_dataset::{Privacy, image_objects};
    let occluders = match city {
        Some((p, occ)) if Arc::ptr_eq(p, &t.project) || **p == *t.project => occ.clone(),
        _ => {
            let m = twincity_scene::coverage::scene_model(&t.project)?;
            let occ = Arc::new(twincity_scene::coverage::Occluders::new(&m.triangles));
            *city = Some((t.project.clone(), occ.clone()));
            occ
        }
    };
    let mut cam = t.camera.clone();
    cam.resolution = (width, height);
    let cast = twincity_scenario::people::Cast::bundled()?;
    let figures = twincity_scenario::figures::figures(&t.state, t.ground, cast);
    let scene = twincity_dataset::annotate::IdScene::new(&occluders, &figures);
    let annotations = scene.annotate(&cam);
    Ok(image_objects(
        &t.state,
        &annotations,
        (width, height),
        &Privacy::blurred(),
    ))
}

/// A model's predictions matched with the frame's ground truth (IoU 0.5, COCO's greedy
/// matching by score), over the dataset categories its card maps classes to.
fn match_truth(shown: &mut Shown, card: &twincity_infer::ModelCard, truth: &FrameTruth) {
    use twincity_dataset::category_id;
    use twincity_dataset::metrics::{Dt, Gt, evaluate_boxes};
    let categories: Vec<u32> = (0..card.classes.len())
        .filter_map(|c| card.category(c).and_then(category_id))
        .collect();
    let compared: Vec<&(u32, String, [u32; 4])> = truth
        .objects
        .iter()
        .filter(|o| categories.contains(&o.0))
        .collect();
    let gts: Vec<Gt> = compared
        .iter()
        .map(|o| Gt {
            image: 1,
            category: o.0,
            bbox: o.2.map(f64::from),
            ignore: false,
        })
        .collect();
    let mut dt_index = Vec::new();
    let dts: Vec<Dt> = shown
        .inference
        .detections
        .iter()
        .enumerate()
        .filter_map(|(k, d)| {
            let cat = card.category(d.class).and_then(category_id)?;
            dt_index.push(k);
            Some(Dt {
                image: 1,
                category: cat,
                bbox: d.bbox.map(f64::from),
                score: d.score as f64,
            })
        })
        .collect();
    let e = evaluate_boxes(&[1], &categories, &gts, &dts, 1000);
    for (j, k) in dt_index.into_iter().enumerate() {
        shown.matched[k] = e.dt_matched50[j];
    }
    shown.truth = Some(
        compared
            .iter()
            .zip(&e.gt_matched50)
            .map(|(o, matched)| TruthBox {
                bbox: o.2.map(|v| v as f32),
                category: o.1.clone(),
                matched: *matched,
            })
            .collect(),
    );
    shown.true_count = Some(truth.visible_heads);
}

/// Loads an image file and blurs every face the bundled face detector finds (CenterFace, at a
/// low threshold: a missed face is worse than a blurred patch). Fails, showing nothing, when
/// the detector cannot run.
fn blurred_real_image(
    models: &mut HashMap<PathBuf, Model>,
    path: &Path,
) -> Result<(String, image::RgbaImage, usize), String> {
    let mut img = image::open(path)
        .map_err(|e| {
            tr_args(
                "infer-image-unreadable",
                &[
                    ("file", path.display().to_string().into()),
                    ("error", e.to_string().into()),
                ],
            )
        })?
        .to_rgba8();
    let faces = blur_faces(models, &mut img)?;
    Ok((file_label(path), img, faces))
}

/// A real video frame: its faces blurred, then the model (if any, and the one it is compared
/// with) run on the blurred frame.
fn blurred_video_frame(
    models: &mut HashMap<PathBuf, Model>,
    card: Option<&Path>,
    compare: Option<&Path>,
    tiling: Option<Tiling>,
    frame: crate::editor::real_video::VideoFrame,
) -> Result<BlurredFrame, String> {
    let (width, height) = (frame.width, frame.height);
    let mut img = image::RgbaImage::from_raw(width, height, frame.rgba)
        .ok_or_else(|| tr("infer-video-frame-size"))?;
    let faces = blur_faces(models, &mut img)?;
    let blurred = Frame::rgba(width, height, img.as_raw());
    let shown = card.map(|card| infer_on(models, card, &blurred, tiling));
    let compare = card
        .and(compare)
        .map(|c| (c.to_path_buf(), infer_on(models, c, &blurred, tiling)));
    Ok(BlurredFrame {
        picture: img,
        faces,
        time_s: frame.time_s,
        shown,
        compare,
    })
}

/// Blurs every face the bundled face detector finds in a real picture (CenterFace, at a low
/// threshold: a missed face is worse than a blurred patch), grown by a quarter on each side,
/// and — a second safeguard, independent of the first — the head of every person the bundled
/// person detector finds ([`head_boxes`]), so a face CenterFace misses (profile, small,
/// partly hidden) is still blurred. Returns the number of faces found. Fails when either
/// detector cannot run: the caller then shows nothing.
fn blur_faces(
    models: &mut HashMap<PathBuf, Model>,
    img: &mut image::RgbaImage,
) -> Result<usize, String> {
    let faces = face_boxes(models, img)?;
    let heads = head_boxes(models, img)?;
    twincity_dataset::privacy::blur_boxes(img, &faces);
    twincity_dataset::privacy::blur_boxes(img, &heads);
    Ok(faces.len())
}

/// What the bundled model of `card` finds in `img`, with the model (for its card); an error
/// saying why real footage cannot be shown when it cannot run.
fn privacy_detections<'a>(
    models: &'a mut HashMap<PathBuf, Model>,
    card: &str,
    role: &str,
    img: &image::RgbaImage,
) -> Result<(&'a Model, Vec<twincity_infer::Detection>), String> {
    let path = twincity_infer::bundled_dir()
        .map(|d| d.join(card))
        .filter(|p| p.is_file())
        .ok_or_else(|| {
            tr_args(
                "infer-detector-missing",
                &[("role", role.into()), ("card", card.into())],
            )
        })?;
    let model = model_for(models, &path).map_err(|e| {
        tr_args(
            "infer-detector-fails",
            &[("role", role.into()), ("error", e.into())],
        )
    })?;
    let frame = Frame::rgba(img.width(), img.height(), img.as_raw());
    let found = model.infer(&frame, None).map_err(|e| e.to_string())?;
    Ok((&*model, found.detections))
}

/// The faces CenterFace finds, each grown by a quarter on each side (hair, ears and the chin
/// edge go too), as pixel boxes.
fn face_boxes(
    models: &mut HashMap<PathBuf, Model>,
    img: &image::RgbaImage,
) -> Result<Vec<[u32; 4]>, String> {
    let (_, faces) = privacy_detections(models, "centerface.ron", &tr("infer-face-detector"), img)?;
    Ok(faces
        .iter()
        .map(|d| grown(d.bbox, 0.25, 0.25, img.dimensions()))
        .collect())
}

/// The second safeguard: for every person YOLOX-nano finds, the top quarter of their box over
/// its whole width and a tenth beyond each side — where an upright person's head is, whatever
/// way they face and however small their face.
fn head_boxes(
    models: &mut HashMap<PathBuf, Model>,
    img: &image::RgbaImage,
) -> Result<Vec<[u32; 4]>, String> {
    let (model, found) =
        privacy_detections(models, "yolox_nano.ron", &tr("infer-person-detector"), img)?;
    Ok(found
        .iter()
        .filter(|d| model.card.category(d.class) == Some("person"))
        .map(|d| {
            let [x, y, w, h] = d.bbox;
            grown([x, y, w, h * 0.25], 0.1, 0.05, img.dimensions())
        })
        .collect())
}

/// A detection box `[x, y, w, h]` grown by `gx` of its width and `gy` of its height on each
/// side, clipped to the image, in whole pixels.
fn grown(b: [f32; 4], gx: f32, gy: f32, (width, height): (u32, u32)) -> [u32; 4] {
    let [x, y, w, h] = b;
    let (gx, gy) = (w * gx, h * gy);
    let x0 = (x - gx).max(0.0) as u32;
    let y0 = (y - gy).max(0.0) as u32;
    let x1 = ((x + w + gx).max(0.0) as u32).min(width);
    let y1 = ((y + h + gy).max(0.0) as u32).min(height);
    [x0, y0, x1.saturating_sub(x0), y1.saturating_sub(y0)]
}

pub struct InferencePlugin;

impl Plugin for InferencePlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        app.init_resource::<InferencePanel>()
            .configure_sets(Update, InferenceSet::Exchange.in_set(FrameSet::Report))
            .add_systems(Update, exchange.in_set(InferenceSet::Exchange))
            .add_systems(
                EguiPrimaryContextPass,
                inference_window
                    .in_set(InferenceSet::Window)
                    .after(crate::editor::widgets::UiSet::Panels),
            );
    }
}

/// Keeps read-backs on the cameras that run a model, sends the next frame when the worker is
/// free, takes results in and checks the alert rules.
fn exchange(
    mut commands: Commands,
    mut panel: ResMut<InferencePanel>,
    mut previews: ResMut<CameraPreviews>,
    doc: Res<Document>,
    player: Res<ScenarioPlayer>,
    mut images: ResMut<Assets<Image>>,
    mut textures: ResMut<EguiUserTextures>,
) {
    let panel = &mut *panel;
    follow_document(panel, &doc, doc.is_changed());
    show_opened_videos(panel, &mut images, &mut textures);
    let preview_images = keep_readbacks(&mut commands, panel, &mut previews);
    take_replies(panel, &doc, &mut images, &mut textures);
    send_next_frame(panel, &doc, &player, &preview_images);
}

/// The project the ground truth is computed in, where the alert log goes (beside the
/// project), and only the document's cameras kept.
fn follow_document(panel: &mut InferencePanel, doc: &Document, changed: bool) {
    if changed || panel.project.is_none() {
        panel.project = Some(Arc::new(doc.project.clone()));
        panel.log = doc.path.as_ref().and_then(|p| p.parent()).map_or_else(
            || PathBuf::from("twincity-alerts.jsonl"),
            |d| d.join("twincity-alerts.jsonl"),
        );
    }
    panel
        .cameras
        .retain(|id, _| doc.project.cameras.iter().any(|c| c.id == *id));
}

/// A video just opened: a dark picture until its first frame comes back blurred.
fn show_opened_videos(
    panel: &mut InferencePanel,
    images: &mut ResMut<Assets<Image>>,
    textures: &mut ResMut<EguiUserTextures>,
) {
    for run in panel.cameras.values_mut() {
        let Some(video) = run.pending_video.take() else {
            continue;
        };
        let (w, h) = video.info.size;
        let dark = image::RgbaImage::from_pixel(w, h, image::Rgba([20, 20, 20, 255]));
        let name = file_label(&video.info.path);
        show_real(run, images, textures, name, dark, 0, Some(video));
        run.history.clear();
    }
}

/// Cameras running a model render their preview large, and are read back (a read-back
/// entity per camera, following its preview image). Returns the preview images and sizes.
fn keep_readbacks(
    commands: &mut Commands,
    panel: &mut InferencePanel,
    previews: &mut CameraPreviews,
) -> HashMap<CameraId, (Handle<Image>, UVec2)> {
    let privacy = panel.privacy.as_ref().map(|p| p.camera);
    previews.wide = panel
        .cameras
        .iter()
        .filter(|(id, r)| (r.enabled && r.real.is_none()) || privacy == Some(**id))
        .map(|(id, _)| *id)
        .collect();
    let preview_images: HashMap<CameraId, (Handle<Image>, UVec2)> = previews
        .images()
        .map(|(id, h, s)| (id, (h.clone(), s)))
        .collect();
    for (id, run) in panel.cameras.iter_mut() {
        let wanted = ((run.enabled && run.real.is_none()) || privacy == Some(*id))
            .then(|| preview_images.get(id))
            .flatten();
        let current = run.readback.map(|(_, asset)| asset);
        if current != wanted.map(|(h, _)| h.id()) {
            if let Some((e, _)) = run.readback.take() {
                commands.entity(e).despawn();
            }
            if let Some((handle, _)) = wanted {
                let slot = panel.frames.clone();
                let camera = *id;
                let e = commands
                    .spawn((
                        Name::new("Inference read-back"),
                        Readback::texture(handle.clone()),
                    ))
                    .observe(move |event: On<ReadbackComplete>| {
                        if let Ok(mut s) = slot.lock() {
                            s.insert(camera, (Instant::now(), event.data.clone()));
                        }
                    })
                    .id();
                run.readback = Some((e, handle.id()));
            }
        }
    }
    preview_images
}

/// Takes in what the worker sent back: cards opened, real images loaded, video frames
/// blurred, the model's results. (Images and textures come as `ResMut` so that they are
/// marked changed only when something is put in them.)
fn take_replies(
    panel: &mut InferencePanel,
    doc: &Document,
    images: &mut ResMut<Assets<Image>>,
    textures: &mut ResMut<EguiUserTextures>,
) {
    let replies: Vec<Reply> = panel
        .worker
        .replies
        .lock()
        .map(|r| r.try_iter().collect())
        .unwrap_or_default();
    let now = panel.started.elapsed().as_secs_f64();
    for reply in replies {
        match reply {
            Reply::Opened { card, result } => model_opened(panel, card, result),
            Reply::Real { camera, result } => {
                let run = panel.cameras.entry(camera).or_default();
                run.loading = false;
                match result {
                    Ok((name, picture, faces)) => {
                        let rgba = Arc::new(picture.as_raw().clone());
                        show_real(run, images, textures, name, picture, faces, None);
                        if let Some(real) = &mut run.real {
                            real.rgba = rgba;
                        }
                    }
                    Err(e) => run.error = Some(e),
                }
            }
            Reply::Video { camera, result } => {
                video_frame_back(panel, doc, images, camera, result, now);
            }
            Reply::Frame {
                camera,
                result,
                compare,
            } => take_result(panel, doc, camera, result, compare, now),
            Reply::Privacy { camera, result } => {
                privacy_back(panel, images, textures, camera, result)
            }
        }
    }
}

/// The kept (blurred) picture of the privacy view: it replaces the previous one.
fn privacy_back(
    panel: &mut InferencePanel,
    images: &mut Assets<Image>,
    textures: &mut EguiUserTextures,
    camera: CameraId,
    result: Result<(image::RgbaImage, usize), String>,
) {
    let Some(view) = panel.privacy.as_mut().filter(|p| p.camera == camera) else {
        return;
    };
    match result {
        Ok((picture, blurred)) => {
            let size = UVec2::new(picture.width(), picture.height());
            let handle = images.add(crate::render::models::srgba_image(
                picture,
                RenderAssetUsages::default(),
            ));
            textures.add_image(EguiTextureHandle::Strong(handle.clone()));
            if let Some((old, _)) = view.kept.replace((handle, size)) {
                textures.remove_image(&old);
                images.remove(&old);
            }
            view.blurred = blurred;
            view.error = None;
        }
        Err(e) => view.error = Some(e),
    }
}

/// A card opened (it joins the list, replacing an older entry and its problems), or why it
/// could not be.
fn model_opened(panel: &mut InferencePanel, card: PathBuf, result: Result<ModelEntry, String>) {
    match result {
        Ok(mut entry) => {
            entry.origin = if twincity_infer::bundled_dir().is_some_and(|d| card.starts_with(d)) {
                Origin::Bundled
            } else if panel.trained.contains(&card) {
                Origin::Trained
            } else {
                Origin::Added
            };
            panel.models.retain(|m| m.card != card);
            panel.models.push(entry);
            panel
                .problems
                .retain(|p| !p.starts_with(&card.display().to_string()));
        }
        Err(e) => {
            let text = if e.starts_with(&card.display().to_string()) {
                e
            } else {
                format!("{}: {e}", card.display())
            };
            panel.problems.push(text);
        }
    }
}

/// A video frame back from the worker, blurred: shown in its camera's view (if that view
/// still plays a video of its size), with the model's result on it.
fn video_frame_back(
    panel: &mut InferencePanel,
    doc: &Document,
    images: &mut ResMut<Assets<Image>>,
    camera: CameraId,
    result: Result<BlurredFrame, String>,
    now: f64,
) {
    let Some(run) = panel.cameras.get_mut(&camera) else {
        return;
    };
    let frame = match result {
        Ok(f) => f,
        Err(e) => {
            run.error = Some(e);
            return;
        }
    };
    // Only a video still playing in that view takes the frame.
    let Some(real) = run
        .real
        .as_mut()
        .filter(|r| r.video.is_some() && (r.width, r.height) == frame.picture.dimensions())
    else {
        return;
    };
    if let Some(mut img) = images.get_mut(&real.texture) {
        *img = crate::render::models::srgba_image(frame.picture, RenderAssetUsages::default());
    }
    real.faces_blurred = frame.faces;
    real.frames_shown += 1;
    real.frame_time_s = frame.time_s;
    if let Some(result) = frame.shown {
        take_result(panel, doc, camera, result, frame.compare, now);
    }
}

/// The next frame, when the worker is free: cameras in turn. While it is busy, read-backs
/// that arrived meanwhile are stale and dropped.
fn send_next_frame(
    panel: &mut InferencePanel,
    doc: &Document,
    player: &ScenarioPlayer,
    preview_images: &HashMap<CameraId, (Handle<Image>, UVec2)>,
) {
    if panel.worker.busy.load(Ordering::Acquire) {
        // Frames that arrived meanwhile are stale: drop them.
        if let Ok(mut f) = panel.frames.lock() {
            for (id, _) in f.drain() {
                if let Some(run) = panel.cameras.get_mut(&id) {
                    run.dropped += 1;
                }
            }
        }
        return;
    }
    // Cameras running a model, and cameras playing a video (its frames must be blurred before
    // they are shown, model or not).
    let privacy = panel.privacy.as_ref().map(|p| p.camera);
    let mut order: Vec<CameraId> = panel
        .cameras
        .iter()
        .filter(|(id, r)| {
            (r.enabled && r.model.is_some())
                || r.real.as_ref().is_some_and(|x| x.video.is_some())
                || privacy == Some(**id)
        })
        .map(|(id, _)| *id)
        .collect();
    order.sort();
    if order.is_empty() {
        return;
    }
    let start = panel.next_camera % order.len();
    order.rotate_left(start);
    let ground = player
        .compiled
        .as_ref()
        .map_or(0.0, |c| c.pavement_height());
    for id in order {
        let Some(cam) = doc.project.cameras.iter().find(|c| c.id == id) else {
            continue;
        };
        let Some(job) = next_job(panel, cam, ground, player, preview_images) else {
            continue;
        };
        panel.worker.busy.store(true, Ordering::Release);
        match panel.worker.frames.try_send(job) {
            Ok(()) => {
                panel.next_camera += 1;
                break;
            }
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                panel.worker.busy.store(false, Ordering::Release);
                if let Some(run) = panel.cameras.get_mut(&id) {
                    run.dropped += 1;
                }
                break;
            }
        }
    }
}

/// The worker's job for camera `cam`, if it has one now: its video's next frame, its still
/// image (once a second), or its latest read-back with the ground truth of the same world
/// state.
fn next_job(
    panel: &mut InferencePanel,
    cam: &VirtualCamera,
    ground: f32,
    player: &ScenarioPlayer,
    preview_images: &HashMap<CameraId, (Handle<Image>, UVec2)>,
) -> Option<Job> {
    let id = cam.id;
    let run = panel.cameras.get_mut(&id).expect("listed");
    let (model, compare) = camera_models(run).unzip();
    let compare = compare.flatten();
    let tiling = run.tiles.map(|(columns, rows)| Tiling {
        columns,
        rows,
        overlap: 0.2,
        whole_image: true,
    });
    if let Some(video) = run.real.as_ref().and_then(|r| r.video.as_ref()) {
        let frame = video.take_frame()?;
        return Some(Job::Video {
            camera: id,
            card: model,
            compare,
            tiling,
            frame,
        });
    }
    if let Some(real) = &mut run.real {
        let card = model?;
        // A still image: once a second is plenty.
        if real
            .sent
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
            return None;
        }
        real.sent = Some(Instant::now());
        return Some(Job::Frame(FrameJob {
            camera: id,
            card,
            compare,
            tiling,
            width: real.width,
            height: real.height,
            rgba: real.rgba.clone(),
            bgra: false,
            truth: None,
        }));
    }
    let Some(card) = model else {
        return privacy_job(panel, cam, ground, player, preview_images);
    };
    let (data, size) = latest_readback(panel, id, preview_images)?;
    let truth = player
        .state
        .clone()
        .map(|state| truth_job(panel, state, ground, cam));
    Some(Job::Frame(FrameJob {
        camera: id,
        card,
        compare,
        tiling,
        width: size.x,
        height: size.y,
        rgba: Arc::new(data),
        bgra: true,
        truth,
    }))
}

/// The privacy view's next job: the camera's latest read-back with the world state of the same
/// frame, twice a second.
fn privacy_job(
    panel: &mut InferencePanel,
    cam: &VirtualCamera,
    ground: f32,
    player: &ScenarioPlayer,
    preview_images: &HashMap<CameraId, (Handle<Image>, UVec2)>,
) -> Option<Job> {
    let due = panel.privacy.as_ref().is_some_and(|p| {
        p.camera == cam.id
            && p.sent
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(500))
    });
    if !due {
        return None;
    }
    let state = player.state.clone()?;
    let (bgra, size) = latest_readback(panel, cam.id, preview_images)?;
    let truth = truth_job(panel, state, ground, cam);
    if let Some(view) = &mut panel.privacy {
        view.sent = Some(Instant::now());
    }
    Some(Job::Privacy {
        camera: cam.id,
        width: size.x,
        height: size.y,
        bgra,
        truth,
    })
}

/// The camera's latest read-back and its preview's size, when it fits that size (only such a
/// read-back is sent to the worker).
fn latest_readback(
    panel: &InferencePanel,
    id: CameraId,
    preview_images: &HashMap<CameraId, (Handle<Image>, UVec2)>,
) -> Option<(Vec<u8>, UVec2)> {
    let (_, data) = panel.frames.lock().ok().and_then(|mut f| f.remove(&id))?;
    let (_, size) = preview_images.get(&id)?;
    Frame::bgra_readback(size.x, size.y, &data)?;
    Some((data, *size))
}

/// The ground truth to compute for camera `cam` in the world `state`.
fn truth_job(
    panel: &InferencePanel,
    state: WorldState,
    ground: f32,
    cam: &VirtualCamera,
) -> Box<TruthJob> {
    Box::new(TruthJob {
        state,
        ground,
        camera: cam.clone(),
        project: panel.project.clone().expect("set by follow_document"),
    })
}

/// The models a camera's frames go to now: its own (when it runs one), and the one it is
/// compared with (when one is chosen, other than its own).
fn camera_models(run: &CameraRun) -> Option<(PathBuf, Option<PathBuf>)> {
    let card = run.model.clone().filter(|_| run.enabled)?;
    let compare = run.compare.model.clone().filter(|c| *c != card);
    Some((card, compare))
}

/// Puts real footage (a blurred picture; for a video, its first frame or a dark one) in
/// place of a camera's view, freeing the texture of what was there.
fn show_real(
    run: &mut CameraRun,
    images: &mut Assets<Image>,
    textures: &mut EguiUserTextures,
    name: String,
    picture: image::RgbaImage,
    faces: usize,
    video: Option<crate::editor::real_video::Video>,
) {
    let (width, height) = picture.dimensions();
    let handle = images.add(crate::render::models::srgba_image(
        picture,
        RenderAssetUsages::default(),
    ));
    textures.add_image(EguiTextureHandle::Strong(handle.clone()));
    if let Some(old) = run.real.take() {
        textures.remove_image(&old.texture);
    }
    run.real = Some(RealImage {
        name,
        width,
        height,
        rgba: Arc::default(),
        texture: handle,
        faces_blurred: faces,
        video,
        frames_shown: 0,
        frame_time_s: 0.0,
        sent: None,
    });
    run.shown = None;
    run.error = None;
}

/// A file's name for the window (the whole path when it has none).
fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A model's result on a camera's frame: latency, rate, the count plot, the alert rules (on
/// the camera's own model); and the result of the model it is compared with, on the same
/// frame.
fn take_result(
    panel: &mut InferencePanel,
    doc: &Document,
    camera: CameraId,
    result: Result<Shown, String>,
    compare: Option<Compared>,
    now: f64,
) {
    let Some(name) = doc
        .project
        .cameras
        .iter()
        .find(|c| c.id == camera)
        .map(|c| c.name.clone())
    else {
        return;
    };
    let mut raise = Vec::new();
    let rules = panel.rules.clone();
    let model = panel
        .cameras
        .get(&camera)
        .and_then(|r| r.model.clone())
        .and_then(|m| panel.model(&m).cloned());
    let Some(run) = panel.cameras.get_mut(&camera) else {
        return;
    };
    run.compare.take(compare);
    let compared = run
        .compare
        .shown
        .as_ref()
        .map_or(f64::NAN, |s| s.inference.count as f64);
    match result {
        Ok(shown) => {
            run.model_ms = Some(shown.inference.timing.total().as_secs_f64() * 1000.0);
            run.results.push_back(Instant::now());
            while run.results.len() > 64 {
                run.results.pop_front();
            }
            run.history.push_back([
                now,
                shown.inference.count as f64,
                shown.true_count.map_or(f64::NAN, |c| c as f64),
                compared,
            ]);
            while run.history.front().is_some_and(|h| now - h[0] > 120.0) {
                run.history.pop_front();
            }
            for (key, holds, what) in rule_conditions(&rules, &shown, model.as_ref()) {
                let entry = run.conditions.entry(key);
                if holds {
                    let (since, raised) = entry.or_insert((now, false));
                    let needed = what.1 as f64;
                    if !*raised && now - *since >= needed {
                        *raised = true;
                        raise.push(what.0);
                    }
                } else {
                    run.conditions.remove(key);
                }
            }
            run.shown = Some(shown);
            run.error = None;
        }
        Err(e) => run.error = Some(e),
    }
    for what in raise {
        panel.raise(camera, &name, what);
    }
}

/// Each rule's condition on one result: key, holds, (alert text, seconds needed).
fn rule_conditions(
    rules: &Rules,
    shown: &Shown,
    model: Option<&ModelEntry>,
) -> Vec<(&'static str, bool, (AlertText, f32))> {
    let mut out = Vec::new();
    let is_person = |class: usize| {
        model.is_some_and(|m| {
            m.task == Task::Detection
                && m.classes
                    .get(class)
                    .is_some_and(|c| c.starts_with("person"))
        })
    };
    if let Some(s) = rules.lying {
        let lying = shown
            .inference
            .detections
            .iter()
            .filter(|d| is_person(d.class) && d.bbox[2] > 1.2 * d.bbox[3])
            .count();
        out.push((
            "lying",
            lying > 0,
            (
                AlertText::new(|lang| {
                    tr_args_in(
                        lang,
                        "infer-alert-lying",
                        &[("seconds", number_in(lang, s as f64, 0).into())],
                    )
                }),
                s,
            ),
        ));
    }
    if let Some((n, s)) = rules.crowd {
        out.push((
            "crowd",
            shown.inference.count >= n as f32,
            (
                AlertText::new(|lang| {
                    tr_args_in(
                        lang,
                        "infer-alert-crowd",
                        &[
                            ("n", Arg::Count(n as i64)),
                            ("shown", number_in(lang, n as f64, 0).into()),
                            ("seconds", number_in(lang, s as f64, 0).into()),
                        ],
                    )
                }),
                s,
            ),
        ));
    }
    if let Some((class, [zx, zy, zw, zh], s)) = &rules.zone {
        let (w, h) = (shown.width as f32, shown.height as f32);
        let index = model.and_then(|m| m.classes.iter().position(|c| c == class));
        let in_zone = shown.inference.detections.iter().any(|d| {
            Some(d.class) == index && {
                let cx = (d.bbox[0] + d.bbox[2] / 2.0) / w;
                let cy = (d.bbox[1] + d.bbox[3] / 2.0) / h;
                cx >= *zx && cx <= zx + zw && cy >= *zy && cy <= zy + zh
            }
        });
        let scored = index
            .and_then(|i| shown.inference.class_scores.get(i))
            .is_some_and(|v| *v >= 0.5);
        out.push((
            "zone",
            in_zone || scored,
            (
                AlertText::new(|lang| {
                    tr_args_in(
                        lang,
                        "infer-alert-zone",
                        &[
                            ("class", class.as_str().into()),
                            ("seconds", number_in(lang, *s as f64, 0).into()),
                        ],
                    )
                }),
                *s,
            ),
        ));
    }
    out
}

fn class_colour(class: usize) -> egui::Color32 {
    const C: [egui::Color32; 6] = [
        egui::Color32::from_rgb(60, 160, 255),
        egui::Color32::from_rgb(255, 200, 40),
        egui::Color32::from_rgb(200, 90, 255),
        egui::Color32::from_rgb(40, 220, 220),
        egui::Color32::from_rgb(255, 120, 180),
        egui::Color32::from_rgb(160, 220, 60),
    ];
    C[class % C.len()]
}

const MATCHED: egui::Color32 = egui::Color32::from_rgb(60, 220, 90);
const FALSE_POSITIVE: egui::Color32 = egui::Color32::from_rgb(255, 60, 60);
const MISSED: egui::Color32 = egui::Color32::from_rgb(255, 150, 30);

/// The shapes drawn over a camera image shown in `rect`: ground truth dashed (white when
/// found, orange when missed), predictions solid in their class's colour with an inner line
/// green when matched, red for a false positive; and the predictions' labels (class, score,
/// `match` or `FP`) with where they go.
pub fn overlay_shapes(
    rect: egui::Rect,
    s: &Shown,
    classes: &[String],
) -> (Vec<egui::Shape>, Vec<(egui::Pos2, String, egui::Color32)>) {
    let k = rect.width() / s.width.max(1) as f32;
    let to = |b: [f32; 4]| {
        egui::Rect::from_min_size(
            rect.min + egui::vec2(b[0] * k, b[1] * k),
            egui::vec2(b[2] * k, b[3] * k),
        )
    };
    let mut shapes = Vec::new();
    let mut labels = Vec::new();
    if let Some(truth) = &s.truth {
        for t in truth {
            let r = to(t.bbox);
            let colour = if t.matched {
                egui::Color32::from_white_alpha(160)
            } else {
                MISSED
            };
            let pts = [
                r.left_top(),
                r.right_top(),
                r.right_bottom(),
                r.left_bottom(),
                r.left_top(),
            ];
            shapes.extend(egui::Shape::dashed_line(
                &pts,
                egui::Stroke::new(1.5, colour),
                4.0,
                3.0,
            ));
        }
    }
    for (d, m) in s.inference.detections.iter().zip(&s.matched) {
        // The box in its class's colour; a thin inner line and a mark say whether it matched.
        let colour = class_colour(d.class);
        let r = to(d.bbox);
        shapes.push(egui::Shape::rect_stroke(
            r,
            0.0,
            egui::Stroke::new(2.0, colour),
            egui::StrokeKind::Outside,
        ));
        let mark = match m {
            Some(true) => Some((MATCHED, format!(" {}", tr("infer-box-match")))),
            Some(false) => Some((FALSE_POSITIVE, " FP".to_string())),
            None => None,
        };
        if let Some((c, _)) = &mark {
            shapes.push(egui::Shape::rect_stroke(
                r,
                0.0,
                egui::Stroke::new(1.5, *c),
                egui::StrokeKind::Inside,
            ));
        }
        let name = classes.get(d.class).map_or("?", |c| c.as_str());
        labels.push((
            r.left_top() + egui::vec2(0.0, -1.0),
            format!(
                "{name} {}{}",
                twincity_i18n::number(d.score as f64, 2),
                mark.as_ref().map_or("", |m| m.1.as_str())
            ),
            mark.as_ref().map_or(colour, |m| m.0),
        ));
    }
    (shapes, labels)
}

/// The camera's image with boxes drawn over it.
fn overlay(
    ui: &mut egui::Ui,
    texture: egui::TextureId,
    shown: Option<&Shown>,
    size: (u32, u32),
    classes: &[String],
) {
    let w = ui.available_width().clamp(200.0, 960.0);
    let h = w * size.1 as f32 / size.0.max(1) as f32;
    let r = ui.add(egui::Image::new((texture, egui::vec2(w, h))));
    if let Some(s) = shown {
        paint_boxes(&ui.painter_at(r.rect), r.rect, s, classes, 11.0);
    }
}

/// Paints [`overlay_shapes`] over an image shown in `rect`, labels in `font_size` points.
pub fn paint_boxes(
    painter: &egui::Painter,
    rect: egui::Rect,
    s: &Shown,
    classes: &[String],
    font_size: f32,
) {
    let (shapes, labels) = overlay_shapes(rect, s, classes);
    painter.extend(shapes);
    for (at, text, colour) in labels {
        painter.text(
            at,
            egui::Align2::LEFT_BOTTOM,
            text,
            egui::FontId::proportional(font_size),
            colour,
        );
    }
}

fn inference_window(
    mut contexts: EguiContexts,
    mut panel: ResMut<InferencePanel>,
    mut overlays: ResMut<crate::editor::cameras::OverlaySettings>,
    doc: Res<Document>,
    previews: Res<CameraPreviews>,
) -> Result {
    if !overlays.inference {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let panel = &mut *panel;
    panel.list_bundled();
    // Textures of real footage put away in this frame (freed after the window).
    let mut textures_to_drop: Vec<Handle<Image>> = Vec::new();
    let textures = ViewTextures::new(&contexts, &previews, panel);
    // A file picked in a dialog (a card to add, or a real image for a camera).
    let picked = panel
        .picked
        .lock()
        .ok()
        .and_then(|r| r.as_ref().and_then(|r| r.try_recv().ok()));
    match picked {
        Some((None, card)) => panel.open_card(card),
        Some((Some(cam), footage)) => panel.load_real_footage(cam, footage),
        None => {}
    }
    let mut open = true;
    egui::Window::new(tr("menu-inference"))
        .id(egui::Id::new("inference_window"))
        .open(&mut open)
        .default_pos(egui::pos2(640.0, 60.0))
        .default_width(560.0)
        .default_height(720.0)
        .vscroll(true)
        .show(&ctx, |ui| {
            if !runtime_line(ui) {
                return;
            }
            models_section(ui, panel);
            ui.separator();
            if doc.project.cameras.is_empty() {
                ui.weak(tr("previews-no-cameras"));
            }
            let models = panel.models.clone();
            for cam in &doc.project.cameras {
                camera_row(ui, panel, cam, &models);
            }
            let Some(id) = panel
                .selected
                .filter(|id| doc.project.cameras.iter().any(|c| c.id == *id))
            else {
                ui.weak(tr("infer-click-show"));
                return;
            };
            ui.separator();
            let view = ShownCamera {
                id,
                name: doc
                    .project
                    .cameras
                    .iter()
                    .find(|c| c.id == id)
                    .map_or("", |c| c.name.as_str()),
                models: &models,
                textures: &textures,
            };
            camera_view(ui, panel, &view, &mut textures_to_drop);
            ui.separator();
            alerts_ui(ui, panel);
        });
    for t in textures_to_drop {
        contexts.remove_image(&t);
    }
    if !open {
        overlays.inference = false;
    }
    Ok(())
}

/// egui's ids of the camera previews (with their sizes) and of the real footage shown.
struct ViewTextures {
    previews: HashMap<CameraId, (Option<egui::TextureId>, UVec2)>,
    real: HashMap<CameraId, Option<egui::TextureId>>,
}

impl ViewTextures {
    fn new(contexts: &EguiContexts, previews: &CameraPreviews, panel: &InferencePanel) -> Self {
        Self {
            previews: previews
                .images()
                .map(|(id, h, s)| (id, (contexts.image_id(h.id()), s)))
                .collect(),
            real: panel
                .cameras
                .iter()
                .filter_map(|(id, r)| {
                    r.real
                        .as_ref()
                        .map(|real| (*id, contexts.image_id(real.texture.id())))
                })
                .collect(),
        }
    }
}

/// Where ONNX Runtime was found; or, when it cannot be loaded, why (and `false`: nothing
/// else of the window is shown).
fn runtime_line(ui: &mut egui::Ui) -> bool {
    // Loaded once, on first use (not at the editor's start).
    let runtime = twincity_infer::runtime()
        .map(|r| r.library.clone())
        .map_err(|e| e.to_string());
    match &runtime {
        Ok(lib) => {
            // Relative to the working folder when inside it (shorter, and says where).
            let shown = std::env::current_dir()
                .ok()
                .and_then(|d| lib.strip_prefix(d).ok().map(Path::to_path_buf))
                .unwrap_or_else(|| lib.clone());
            ui.weak(tr_args(
                "infer-runtime",
                &[("path", shown.display().to_string().into())],
            ))
            .on_hover_text(lib.display().to_string());
            true
        }
        Err(e) => {
            ui.colored_label(
                egui::Color32::from_rgb(255, 140, 60),
                tr("infer-cannot-run"),
            );
            ui.label(e);
            ui.weak(tr("infer-rest-works"));
            false
        }
    }
}

/// Opens a file dialog on a thread of its own; what it gives goes to `picked`, read at the
/// next frame.
fn pick_in_background(
    picked: &Mutex<Option<Receiver<Picked>>>,
    dialog: impl FnOnce() -> Option<Picked> + Send + 'static,
) {
    let (tx, rx) = channel();
    if let Ok(mut p) = picked.lock() {
        *p = Some(rx);
    }
    std::thread::spawn(move || {
        if let Some(p) = dialog() {
            let _ = tx.send(p);
        }
    });
}

/// The models open (and Add model...), and the cards that could not be opened.
fn models_section(ui: &mut egui::Ui, panel: &InferencePanel) {
    ui.horizontal(|ui| {
        ui.strong(tr("infer-models"));
        if ui
            .button(tr("infer-add-model"))
            .on_hover_text(tr("infer-add-model-tip"))
            .clicked()
        {
            let filter = tr("infer-model-card");
            pick_in_background(&panel.picked, move || {
                rfd::FileDialog::new()
                    .add_filter(filter, &["ron"])
                    .pick_file()
                    .map(|p| (None, p))
            });
        }
    });
    for m in &panel.models {
        let origin = m.origin.text().map_or(String::new(), |o| format!(", {o}"));
        ui.label(format!("• {} ({:?}{origin})", m.name, m.task))
            .on_hover_text(m.card.display().to_string());
    }
    for p in &panel.problems {
        ui.colored_label(FALSE_POSITIVE, p);
    }
}

/// One camera: on or off, its model, tiles, Show; its latency, rate and error.
fn camera_row(
    ui: &mut egui::Ui,
    panel: &mut InferencePanel,
    cam: &VirtualCamera,
    models: &[ModelEntry],
) {
    let run = panel.cameras.entry(cam.id).or_default();
    ui.horizontal(|ui| {
        ui.checkbox(&mut run.enabled, egui::RichText::new(&cam.name).strong());
        let current = run
            .model
            .as_ref()
            .and_then(|c| models.iter().find(|m| &m.card == c))
            .map_or_else(|| tr("infer-choose-model"), |m| m.name.clone());
        egui::ComboBox::from_id_salt(("model", cam.id.0))
            .selected_text(current)
            .show_ui(ui, |ui| {
                for m in models {
                    ui.selectable_value(&mut run.model, Some(m.card.clone()), &m.name);
                }
            });
        let mut tiled = run.tiles.is_some();
        if ui
            .checkbox(&mut tiled, tr("infer-tiles"))
            .on_hover_text(tr("infer-tiles-tip"))
            .changed()
        {
            run.tiles = tiled.then_some((3, 2));
        }
        if ui
            .selectable_label(panel.selected == Some(cam.id), tr("infer-show"))
            .clicked()
        {
            panel.selected = Some(cam.id);
        }
    });
    if run.enabled && run.model.is_none() && models.len() == 1 {
        run.model = Some(models[0].card.clone());
    }
    if run.enabled {
        compare_row(ui, run, cam.id, models);
        let ms = |m: Option<f64>| {
            m.map_or("–".into(), |m| {
                format!("{} ms", twincity_i18n::number(m, 0))
            })
        };
        let compared = if run.compare.model.is_some() {
            format!(" + {}", ms(run.compare.model_ms))
        } else {
            String::new()
        };
        ui.horizontal(|ui| {
            ui.weak(tr_args(
                "infer-rates",
                &[
                    ("model", ms(run.model_ms).into()),
                    ("compared", compared.into()),
                    ("rate", twincity_i18n::number(run.effective_fps(), 1).into()),
                    ("n", Arg::Count(run.dropped as i64)),
                    ("dropped", twincity_i18n::integer(run.dropped as i64).into()),
                ],
            ));
        });
    }
    if let Some(e) = &run.error {
        ui.colored_label(FALSE_POSITIVE, e);
    }
    if let Some(e) = run
        .compare
        .error
        .as_ref()
        .filter(|_| run.compare.model.is_some())
    {
        ui.colored_label(
            FALSE_POSITIVE,
            tr_args("infer-compared-error", &[("error", e.as_str().into())]),
        );
    }
}

/// "Compare with": a second model for the camera's frames (none, or any model but its own).
fn compare_row(ui: &mut egui::Ui, run: &mut CameraRun, id: CameraId, models: &[ModelEntry]) {
    ui.horizontal(|ui| {
        ui.label(format!("    {}", tr("infer-compare-with")));
        let before = run.compare.model.clone();
        let current = run
            .compare
            .model
            .as_ref()
            .and_then(|c| models.iter().find(|m| &m.card == c))
            .map_or_else(|| tr("infer-compare-none"), |m| m.name.clone());
        egui::ComboBox::from_id_salt(("compare", id.0))
            .selected_text(current)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut run.compare.model, None, tr("infer-compare-none"));
                for m in models
                    .iter()
                    .filter(|m| Some(&m.card) != run.model.as_ref())
                {
                    ui.selectable_value(&mut run.compare.model, Some(m.card.clone()), &m.name);
                }
            })
            .response
            .on_hover_text(tr("infer-compare-tip"));
        if run.compare.model != before {
            run.compare = Comparison {
                model: run.compare.model.take(),
                ..Comparison::default()
            };
        }
    });
}

/// The camera shown large, and what it is shown with.
struct ShownCamera<'a> {
    id: CameraId,
    name: &'a str,
    models: &'a [ModelEntry],
    textures: &'a ViewTextures,
}

/// The camera shown large: its footage buttons, what real footage it shows, the counts, its
/// image with the boxes, the legend and the plot of the counts.
fn camera_view(
    ui: &mut egui::Ui,
    panel: &mut InferencePanel,
    view: &ShownCamera,
    textures_to_drop: &mut Vec<Handle<Image>>,
) {
    let id = view.id;
    let run = panel.cameras.entry(id).or_default();
    ui.horizontal(|ui| {
        ui.strong(view.name);
        if ui
            .button(tr("infer-load-footage"))
            .on_hover_text(tr("infer-load-footage-tip"))
            .clicked()
        {
            let (either, video) = (tr("infer-image-or-video"), tr("infer-video"));
            pick_in_background(&panel.picked, move || {
                let mut all = IMAGE_EXTENSIONS.to_vec();
                all.extend(crate::editor::real_video::EXTENSIONS);
                rfd::FileDialog::new()
                    .add_filter(either, &all)
                    // The same word in French and English.
                    .add_filter("Image", IMAGE_EXTENSIONS)
                    .add_filter(video, crate::editor::real_video::EXTENSIONS)
                    .pick_file()
                    .map(|p| (Some(id), p))
            });
        }
        if run.real.is_some() && ui.button(tr("infer-back-to-render")).clicked() {
            if let Some(old) = run.real.take() {
                textures_to_drop.push(old.texture.clone());
            }
            run.shown = None;
            run.compare.shown = None;
            run.history.clear();
        }
    });
    let (texture, size) = match &run.real {
        Some(real) => {
            real_footage_lines(ui, real);
            (
                view.textures.real.get(&id).copied().flatten(),
                (real.width, real.height),
            )
        }
        None => match view.textures.previews.get(&id) {
            Some((t, s)) => (*t, (s.x, s.y)),
            None => (None, (16, 9)),
        },
    };
    let entry =
        |card: Option<&PathBuf>| card.and_then(|c| view.models.iter().find(|m| &m.card == c));
    let models = camera_models(run);
    let main = entry(run.model.as_ref());
    let compared = models.as_ref().and_then(|m| m.1.as_ref());
    let sides = match compared {
        None => vec![Side::new(main, run.shown.as_ref(), None)],
        Some(card) => vec![
            Side::new(main, run.shown.as_ref(), None),
            Side {
                name: entry(Some(card)).map_or_else(|| file_label(card), |m| m.name.clone()),
                ..Side::new(
                    entry(Some(card)),
                    run.compare.shown.as_ref(),
                    run.compare.error.as_deref(),
                )
            },
        ],
    };
    results_view(ui, texture, size, &sides);
    ui.horizontal_wrapped(|ui| {
        ui.label(tr("infer-legend-predicted"));
        ui.colored_label(MATCHED, tr("infer-legend-matched"));
        ui.colored_label(FALSE_POSITIVE, tr("infer-legend-false-positive"));
        ui.label(tr("infer-legend-truth"));
        ui.colored_label(MISSED, tr("infer-legend-missed"));
        ui.colored_label(
            egui::Color32::from_white_alpha(160),
            tr("infer-legend-found"),
        );
    });
    let names = sides.iter().map(|s| s.name.as_str()).collect::<Vec<_>>();
    counts_plot(ui, id, &run.history, &names);
}

/// One model's result over the camera's image.
struct Side<'a> {
    name: String,
    classes: &'a [String],
    shown: Option<&'a Shown>,
    error: Option<&'a str>,
}

impl<'a> Side<'a> {
    fn new(
        model: Option<&'a ModelEntry>,
        shown: Option<&'a Shown>,
        error: Option<&'a str>,
    ) -> Self {
        Side {
            name: model.map_or_else(String::new, |m| m.name.clone()),
            classes: model.map_or(&[], |m| m.classes.as_slice()),
            shown,
            error,
        }
    }
}

/// The counts of one result and how its boxes compare with the ground truth.
fn counts_line(s: &Shown) -> String {
    let truth = s
        .true_count
        .map_or("–".into(), |c| twincity_i18n::integer(c as i64));
    let matched = s.matched.iter().filter(|m| **m == Some(true)).count();
    let fp = s.matched.iter().filter(|m| **m == Some(false)).count();
    let missed = s
        .truth
        .as_ref()
        .map_or(0, |t| t.iter().filter(|b| !b.matched).count());
    tr_args(
        "infer-counts",
        &[
            (
                "predicted",
                twincity_i18n::number(s.inference.count as f64, 0).into(),
            ),
            ("truth", truth.into()),
            ("matched", Arg::Count(matched as i64)),
            ("fp", Arg::Count(fp as i64)),
            ("missed", Arg::Count(missed as i64)),
        ],
    )
}

/// The camera's image with one model's boxes; with two (a comparison), the two images side by
/// side, each under its model's name and counts.
fn results_view(
    ui: &mut egui::Ui,
    texture: Option<egui::TextureId>,
    size: (u32, u32),
    sides: &[Side],
) {
    let one = |ui: &mut egui::Ui, side: &Side| {
        if let Some(s) = side.shown {
            ui.label(counts_line(s));
        }
        match texture {
            Some(t) => overlay(ui, t, side.shown, size, side.classes),
            None => {
                ui.weak(tr("infer-previews-off"));
            }
        }
    };
    if let [side] = sides {
        one(ui, side);
        return;
    }
    ui.columns(sides.len(), |columns| {
        for (ui, side) in columns.iter_mut().zip(sides) {
            ui.strong(&side.name);
            if let Some(e) = side.error {
                ui.colored_label(FALSE_POSITIVE, e);
            } else if side.shown.is_none() {
                ui.weak(tr("infer-waiting"));
            }
            one(ui, side);
        }
    });
}

/// "N face(s) blurred".
fn faces_blurred(n: usize) -> String {
    tr_args("present-privacy-faces", &[("n", Arg::Count(n as i64))])
}

/// What real footage the camera shows: a still image, or a video with its progress and
/// controls.
fn real_footage_lines(ui: &mut egui::Ui, real: &RealImage) {
    let Some(video) = &real.video else {
        ui.weak(tr_args(
            "infer-real-image",
            &[
                ("name", real.name.as_str().into()),
                ("faces", faces_blurred(real.faces_blurred).into()),
            ],
        ));
        return;
    };
    let p = video.progress();
    let total = video.info.duration_s.map_or(String::new(), |d| {
        format!(" / {} s", twincity_i18n::number(d, 1))
    });
    ui.weak(tr_args(
        "infer-real-video",
        &[
            ("name", real.name.as_str().into()),
            ("width", video.info.size.0.to_string().into()),
            ("height", video.info.size.1.to_string().into()),
            ("fps", twincity_i18n::number(video.info.fps, 1).into()),
            ("time", twincity_i18n::number(real.frame_time_s, 1).into()),
            ("total", total.into()),
            ("faces", faces_blurred(real.faces_blurred).into()),
            ("nshown", Arg::Count(real.frames_shown as i64)),
            (
                "shown",
                twincity_i18n::integer(real.frames_shown as i64).into(),
            ),
            ("ndropped", Arg::Count(p.dropped as i64)),
            ("dropped", twincity_i18n::integer(p.dropped as i64).into()),
        ],
    ));
    ui.horizontal(|ui| {
        let paused = video.paused();
        let play = tr(if paused { "infer-play" } else { "infer-pause" });
        if ui.button(play).clicked() {
            video.set_paused(!paused);
        }
        let mut looping = video.looping();
        if ui.checkbox(&mut looping, tr("infer-loop")).changed() {
            video.set_looping(looping);
        }
        let mut every = video.pace() == crate::editor::real_video::Pace::EveryFrame;
        if ui
            .checkbox(&mut every, tr("infer-every-frame"))
            .on_hover_text(tr("infer-every-frame-tip"))
            .changed()
        {
            video.set_pace(if every {
                crate::editor::real_video::Pace::EveryFrame
            } else {
                crate::editor::real_video::Pace::RealTime
            });
        }
        if p.ended {
            ui.weak(tr("infer-ended"));
        }
    });
    if let Some(e) = &p.error {
        ui.colored_label(FALSE_POSITIVE, e);
    }
}

/// The predicted and true counts of camera `id` over the last two minutes; with two model
/// names (a comparison), both models' counts.
fn counts_plot(ui: &mut egui::Ui, id: CameraId, history: &VecDeque<[f64; 4]>, names: &[&str]) {
    let column = |i: usize| -> egui_plot::PlotPoints {
        history
            .iter()
            .filter(|h| h[i].is_finite())
            .map(|h| [h[0], h[i]])
            .collect()
    };
    let predicted = column(1);
    let truth = column(2);
    let compared = (names.len() > 1).then(|| column(3));
    let label = |i: usize| {
        if names.len() > 1 {
            tr_args("infer-plot-predicted-by", &[("model", names[i].into())])
        } else {
            tr("infer-plot-predicted")
        }
    };
    egui_plot::Plot::new(("counts", id.0))
        .height(140.0)
        .legend(egui_plot::Legend::default())
        .x_axis_label(tr("infer-plot-seconds"))
        .y_axis_label(tr("infer-plot-people"))
        .show(ui, |plot| {
            plot.line(egui_plot::Line::new(label(0), predicted));
            if let Some(c) = compared {
                plot.line(egui_plot::Line::new(label(1), c));
            }
            plot.line(egui_plot::Line::new(tr("infer-plot-true"), truth));
        });
}

fn alerts_ui(ui: &mut egui::Ui, panel: &mut InferencePanel) {
    ui.strong(tr("infer-alert-rules"));
    let mut lying = panel.rules.lying.is_some();
    ui.horizontal(|ui| {
        ui.checkbox(&mut lying, tr("infer-rule-lying"));
        let mut s = panel.rules.lying.unwrap_or(5.0);
        ui.add(
            crate::editor::widgets::drag(&mut s)
                .range(1.0..=600.0)
                .suffix(" s"),
        );
        panel.rules.lying = lying.then_some(s);
    });
    let mut crowd = panel.rules.crowd.is_some();
    ui.horizontal(|ui| {
        let (mut n, mut s) = panel.rules.crowd.unwrap_or((20, 10.0));
        ui.checkbox(&mut crowd, tr("infer-rule-crowd"));
        ui.add(crate::editor::widgets::drag(&mut n).range(1..=10_000));
        ui.label(tr("infer-rule-or-more-for"));
        ui.add(
            crate::editor::widgets::drag(&mut s)
                .range(1.0..=600.0)
                .suffix(" s"),
        );
        panel.rules.crowd = crowd.then_some((n, s));
    });
    let mut zone = panel.rules.zone.is_some();
    ui.horizontal(|ui| {
        let (mut class, mut z, mut s) =
            panel
                .rules
                .zone
                .clone()
                .unwrap_or(("person".into(), [0.25, 0.5, 0.5, 0.5], 30.0));
        ui.checkbox(&mut zone, tr("infer-rule-class"));
        ui.add(egui::TextEdit::singleline(&mut class).desired_width(80.0));
        ui.label(tr("infer-rule-in-zone"));
        for v in &mut z {
            ui.add(crate::editor::widgets::drag(v).range(0.0..=1.0).speed(0.01));
        }
        ui.label(tr("infer-rule-for"));
        ui.add(
            crate::editor::widgets::drag(&mut s)
                .range(1.0..=3600.0)
                .suffix(" s"),
        );
        panel.rules.zone = zone.then_some((class, z, s));
    });
    ui.weak(tr_args(
        "infer-alerts-inform",
        &[("file", panel.log.display().to_string().into())],
    ));
    alert_list(ui, panel);
}

/// The alerts, newest first, each with Confirm and Dismiss while pending (decisions logged);
/// also shown by the Plate check window.
pub fn alert_list(ui: &mut egui::Ui, panel: &mut InferencePanel) {
    let pending = panel
        .alerts
        .iter()
        .filter(|a| a.decision == Decision::Pending)
        .count();
    ui.strong(tr_args(
        "infer-alerts",
        &[
            ("n", Arg::Count(pending as i64)),
            ("pending", twincity_i18n::integer(pending as i64).into()),
        ],
    ));
    let mut decided = Vec::new();
    for a in panel.alerts.iter().rev().take(50) {
        ui.horizontal(|ui| {
            ui.label(tr_args(
                "infer-alert-line",
                &[
                    ("id", a.id.to_string().into()),
                    ("camera", a.camera_name.as_str().into()),
                    ("what", a.shown.as_str().into()),
                ],
            ));
            match a.decision {
                Decision::Pending => {
                    if ui.button(tr("present-confirm")).clicked() {
                        decided.push((a.id, Decision::Confirmed));
                    }
                    if ui.button(tr("present-dismiss")).clicked() {
                        decided.push((a.id, Decision::Dismissed));
                    }
                }
                Decision::Confirmed => {
                    ui.colored_label(MATCHED, tr("infer-confirmed"));
                }
                Decision::Dismissed => {
                    ui.weak(tr("infer-dismissed"));
                }
            }
        });
    }
    for (id, d) in decided {
        panel.decide(id, d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twincity_infer::Detection;

    fn shown(dets: Vec<Detection>, count: f32) -> Shown {
        let inference = Inference {
            detections: dets,
            count,
            ..Default::default()
        };
        Shown::predicted(100, 100, inference)
    }

    fn person_model() -> ModelEntry {
        ModelEntry {
            card: PathBuf::from("p.ron"),
            name: "p".into(),
            task: Task::Detection,
            classes: vec!["person".into(), "bag".into()],
            origin: Origin::Bundled,
        }
    }

    #[test]
    fn rules_see_lying_people_crowds_and_zones() {
        let rules = Rules {
            lying: Some(3.0),
            crowd: Some((2, 5.0)),
            zone: Some(("bag".into(), [0.5, 0.5, 0.5, 0.5], 10.0)),
        };
        let m = person_model();
        let standing = Detection {
            class: 0,
            score: 0.9,
            bbox: [10.0, 10.0, 10.0, 30.0],
        };
        let lying = Detection {
            class: 0,
            score: 0.9,
            bbox: [10.0, 10.0, 30.0, 10.0],
        };
        let bag = Detection {
            class: 1,
            score: 0.9,
            bbox: [70.0, 70.0, 5.0, 5.0],
        };
        let c = rule_conditions(&rules, &shown(vec![standing, lying, bag], 2.0), Some(&m));
        assert_eq!(
            c.iter().map(|c| (c.0, c.1)).collect::<Vec<_>>(),
            vec![("lying", true), ("crowd", true), ("zone", true)]
        );
        let c = rule_conditions(&rules, &shown(vec![standing], 1.0), Some(&m));
        assert!(c.iter().all(|c| !c.1));
        // A bag outside the zone does not count.
        let far = Detection {
            bbox: [5.0, 5.0, 5.0, 5.0],
            ..bag
        };
        assert!(!rule_conditions(&rules, &shown(vec![far], 0.0), Some(&m))[2].1);
    }

    #[test]
    fn real_images_have_their_faces_blurred_before_anything_sees_them() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/astronaut.jpg");
        let original = image::open(&path).unwrap().to_rgba8();
        let mut models = HashMap::new();
        let (name, blurred, faces) = blurred_real_image(&mut models, &path).unwrap();
        assert_eq!(
            (name.as_str(), blurred.dimensions(), faces),
            ("astronaut.jpg", (512, 512), 1)
        );
        // The face marked by hand (tests/data/README.md): its detail is gone; the lower half of
        // the image (below the person detector's head region) is untouched.
        let face = [190, 80, 70, 90];
        let before = twincity_dataset::privacy::detail_energy(&original, face);
        let after = twincity_dataset::privacy::detail_energy(&blurred, face);
        assert!(after < 0.1 * before, "face detail {before} → {after}");
        for lower in [[0, 300, 200, 200], [300, 300, 200, 200]] {
            let e = twincity_dataset::privacy::detail_energy(&original, lower);
            assert!(e > 0.0);
            assert_eq!(e, twincity_dataset::privacy::detail_energy(&blurred, lower));
        }
        // The second safeguard alone (as if the face detector had missed the face): the
        // person detector's head region covers the face.
        let heads = head_boxes(&mut models, &original).unwrap();
        assert!(!heads.is_empty(), "the person detector finds the astronaut");
        let mut heads_only = original.clone();
        twincity_dataset::privacy::blur_boxes(&mut heads_only, &heads);
        let after = twincity_dataset::privacy::detail_energy(&heads_only, face);
        assert!(
            after < 0.1 * before,
            "head region: face detail {before} → {after}"
        );
        // Smaller and mirrored: both safeguards together still leave no face detail.
        for (size, mirrored) in [(256u32, false), (160, false), (512, true), (256, true)] {
            let mut img = image::imageops::resize(
                &original,
                size,
                size,
                image::imageops::FilterType::Triangle,
            );
            if mirrored {
                image::imageops::flip_horizontal_in_place(&mut img);
            }
            let k = size as f32 / 512.0;
            let x = if mirrored { 512 - 190 - 70 } else { 190 };
            let face = [x, 80, 70, 90].map(|v| (v as f32 * k) as u32);
            let before = twincity_dataset::privacy::detail_energy(&img, face);
            blur_faces(&mut models, &mut img).unwrap();
            let after = twincity_dataset::privacy::detail_energy(&img, face);
            assert!(
                after < 0.1 * before,
                "{size} px, mirrored {mirrored}: face detail {before} → {after}"
            );
        }
        // An unreadable file is an error naming it, not a panic.
        let e = blurred_real_image(&mut models, Path::new("no/such.png")).unwrap_err();
        assert!(e.contains("no/such.png"), "{e}");
    }

    /// Two more real photographs (tests/data/README.md), other faces, light and poses — a
    /// frontal smile, a lowered head in a full-length shot — at full size, half, a quarter
    /// (faces about 25 px wide) and mirrored: each safeguard alone takes the face's detail away
    /// (the face detector where the face is large enough for it, the person detector's head
    /// region at every size), and both together always do.
    #[test]
    fn faces_of_other_photos_at_several_sizes_are_blurred_by_either_safeguard() {
        use twincity_dataset::privacy::{blur_boxes, detail_energy};
        let mut models = HashMap::new();
        for (file, face) in [
            ("obama_portrait.jpg", [205u32, 90, 105, 115]),
            ("biden_portrait.jpg", [185, 110, 95, 95]),
        ] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data")
                .join(file);
            let original = image::open(&path).unwrap().to_rgba8();
            let (w, h) = original.dimensions();
            for (scale, mirrored) in [(1.0f32, false), (1.0, true), (0.5, false), (0.25, false)] {
                let (sw, sh) = ((w as f32 * scale) as u32, (h as f32 * scale) as u32);
                let mut img = image::imageops::resize(
                    &original,
                    sw,
                    sh,
                    image::imageops::FilterType::Triangle,
                );
                let mut face = face.map(|v| (v as f32 * scale) as u32);
                if mirrored {
                    image::imageops::flip_horizontal_in_place(&mut img);
                    face[0] = sw - face[0] - face[2];
                }
                let case = format!("{file} at {scale}, mirrored {mirrored}");
                let before = detail_energy(&img, face);
                assert!(before > 0.0, "{case}");
                let cut = |boxes: &[[u32; 4]]| {
                    let mut copy = img.clone();
                    blur_boxes(&mut copy, boxes);
                    detail_energy(&copy, face)
                };
                let heads = head_boxes(&mut models, &img).unwrap();
                let after = cut(&heads);
                assert!(
                    after < 0.1 * before,
                    "{case}: head region alone {before} → {after}"
                );
                if scale >= 0.5 {
                    let faces = face_boxes(&mut models, &img).unwrap();
                    let after = cut(&faces);
                    assert!(
                        after < 0.1 * before,
                        "{case}: face detector alone {before} → {after}"
                    );
                }
                blur_faces(&mut models, &mut img).unwrap();
                let after = detail_energy(&img, face);
                assert!(after < 0.1 * before, "{case}: both {before} → {after}");
            }
        }
    }

    /// Every frame of a real video has its faces blurred before anything sees it, and the
    /// model then runs on the blurred frame.
    #[test]
    fn real_video_frames_are_blurred_one_by_one() {
        use crate::editor::real_video::{Pace, Tools, Video};
        let dir = tempfile::tempdir().unwrap();
        let path = crate::editor::real_video::tests::clip(dir.path());
        let video = Video::open(&path, &Tools::default(), Pace::EveryFrame).unwrap();
        video.set_looping(false);
        let card = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/models/ssdlite_person.ron");
        let mut models = HashMap::new();
        let face = [190, 80, 70, 90];
        let start = Instant::now();
        let mut seen = 0;
        while !(video.progress().ended && seen == 10) {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "{:?}",
                video.progress()
            );
            let Some(frame) = video.take_frame() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            let raw = image::RgbaImage::from_raw(512, 512, frame.rgba.clone()).unwrap();
            let with_model = (frame.index % 3 == 0).then_some(card.as_path());
            assert_eq!((frame.width, frame.height), (512, 512));
            let out = blurred_video_frame(&mut models, with_model, None, None, frame).unwrap();
            assert_eq!(out.faces, 1);
            let blurred = out.picture;
            let before = twincity_dataset::privacy::detail_energy(&raw, face);
            let after = twincity_dataset::privacy::detail_energy(&blurred, face);
            assert!(
                after < 0.1 * before,
                "frame {seen}: face detail {before} → {after}"
            );
            match out.shown {
                Some(Ok(shown)) => assert_eq!((shown.width, shown.height), (512, 512)),
                Some(Err(e)) => panic!("{e}"),
                None => assert!(with_model.is_none()),
            }
            seen += 1;
        }
        assert_eq!(video.progress().decoded, 10);
    }

    /// A camera compared with a second model: both models' boxes on the same frame are
    /// matched with the same ground truth, each over its own card's categories, and both
    /// results are kept (a stale one from a model no longer compared with is not).
    #[test]
    fn a_camera_compares_two_models_on_the_same_frame() {
        let (a, b) = (PathBuf::from("a.ron"), PathBuf::from("b.ron"));
        let mut run = CameraRun {
            model: Some(a.clone()),
            ..Default::default()
        };
        run.compare.model = Some(b.clone());
        assert_eq!(
            camera_models(&run),
            None,
            "a camera turned off runs nothing"
        );
        run.enabled = true;
        assert_eq!(camera_models(&run), Some((a.clone(), Some(b.clone()))));
        run.compare.model = Some(a.clone());
        assert_eq!(
            camera_models(&run),
            Some((a.clone(), None)),
            "a model is not compared with itself"
        );
        run.model = None;
        assert_eq!(camera_models(&run), None);

        // One ground truth: two people, and a bag neither card maps a class to.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/models");
        let (yolox, _) = twincity_infer::ModelCard::read(&dir.join("yolox_nano.ron")).unwrap();
        let (ssd, _) = twincity_infer::ModelCard::read(&dir.join("ssdlite_person.ron")).unwrap();
        let person = twincity_dataset::category_id("person").unwrap();
        let bag = twincity_dataset::category_id("bag").unwrap();
        let truth = FrameTruth {
            objects: vec![
                (person, "person".into(), [10, 10, 20, 40]),
                (bag, "bag".into(), [40, 40, 5, 5]),
                (person, "person".into(), [60, 10, 20, 40]),
            ],
            visible_heads: 2,
        };
        let det = |class, bbox| Detection {
            class,
            score: 0.9,
            bbox,
        };
        // YOLOX: one person found, one false positive, and a car (class 2: not compared).
        let mut first = shown(
            vec![
                det(0, [10.0, 10.0, 20.0, 40.0]),
                det(0, [30.0, 60.0, 10.0, 20.0]),
                det(2, [0.0, 0.0, 5.0, 5.0]),
            ],
            2.0,
        );
        match_truth(&mut first, &yolox, &truth);
        assert_eq!(first.matched, vec![Some(true), Some(false), None]);
        assert_eq!(
            first
                .truth
                .as_ref()
                .unwrap()
                .iter()
                .map(|t| t.matched)
                .collect::<Vec<_>>(),
            vec![true, false],
            "the bag is not compared"
        );
        assert_eq!(
            counts_line(&first),
            "Count: predicted 2, true 2. Boxes: 1 matched, 1 false positives, 1 missed."
        );
        // SSDLite: both people, and a false positive.
        let mut second = shown(
            vec![
                det(0, [11.0, 10.0, 20.0, 40.0]),
                det(0, [60.0, 12.0, 20.0, 40.0]),
                det(0, [30.0, 60.0, 10.0, 10.0]),
            ],
            3.0,
        );
        match_truth(&mut second, &ssd, &truth);
        assert_eq!(
            counts_line(&second),
            "Count: predicted 3, true 2. Boxes: 2 matched, 1 false positives, 0 missed."
        );

        // Both results of a frame reach the camera; the plot gets both counts.
        let doc = Document::new(Project::demo().unwrap(), None);
        let cam = doc.project.cameras[0].id;
        let log = tempfile::tempdir().unwrap();
        let mut panel = InferencePanel {
            log: log.path().join("alerts.jsonl"),
            ..InferencePanel::default()
        };
        let run = panel.cameras.entry(cam).or_default();
        run.enabled = true;
        run.model = Some(a.clone());
        run.compare.model = Some(b.clone());
        let both = |panel: &mut InferencePanel, compare: Option<Compared>, now: f64| {
            take_result(panel, &doc, cam, Ok(first.clone()), compare, now);
        };
        both(&mut panel, Some((b.clone(), Ok(second.clone()))), 1.0);
        let run = &panel.cameras[&cam];
        assert_eq!(
            run.shown.as_ref().map(counts_line),
            Some(counts_line(&first))
        );
        assert_eq!(
            run.compare.shown.as_ref().map(counts_line),
            Some(counts_line(&second))
        );
        assert_eq!(run.history.back(), Some(&[1.0, 2.0, 2.0, 3.0]));
        // From a model no longer compared with: stale, left out.
        both(
            &mut panel,
            Some((PathBuf::from("c.ron"), Ok(first.clone()))),
            2.0,
        );
        let run = &panel.cameras[&cam];
        assert_eq!(
            run.compare.shown.as_ref().map(counts_line),
            Some(counts_line(&second))
        );
        // The compared model's error is its own; the camera's model still shows.
        both(&mut panel, Some((b.clone(), Err("b failed".into()))), 3.0);
        let run = &panel.cameras[&cam];
        assert_eq!(
            (run.error.as_deref(), run.compare.error.as_deref()),
            (None, Some("b failed"))
        );
        assert!(run.shown.is_some());
        // Comparison turned off: a frame for one model clears the second result.
        panel.cameras.get_mut(&cam).unwrap().compare.model = None;
        both(&mut panel, None, 4.0);
        let run = &panel.cameras[&cam];
        assert!(run.compare.shown.is_none());
        assert!(run.history.back().unwrap()[3].is_nan());
        assert_eq!(run.history.len(), 4);
    }

    #[test]
    fn models_are_listed_by_where_they_come_from() {
        assert_eq!(Origin::Bundled.label(), Some("bundled"));
        assert_eq!(Origin::Trained.label(), Some("trained"));
        assert_eq!(Origin::Added.label(), None);
        // A card written by `twincity train` and opened is listed as trained.
        let mut panel = InferencePanel::default();
        let card = PathBuf::from("run-model/yolox_twin.ron");
        panel.open_trained_card(card.clone());
        let entry = ModelEntry {
            origin: Origin::Added,
            ..person_model()
        };
        model_opened(&mut panel, card.clone(), Ok(entry.clone()));
        assert_eq!(panel.models[0].origin, Origin::Trained);
        model_opened(&mut panel, PathBuf::from("other.ron"), Ok(entry));
        assert_eq!(panel.models[1].origin, Origin::Added);
    }

    #[test]
    fn decisions_are_logged() {
        let dir = tempfile::tempdir().unwrap();
        let mut panel = InferencePanel {
            log: dir.path().join("alerts.jsonl"),
            ..InferencePanel::default()
        };
        panel.raise(
            CameraId(3),
            "Mairie",
            AlertText::new(|lang| {
                tr_args_in(lang, "infer-alert-lying", &[("seconds", "5".into())])
            }),
        );
        panel.decide(1, Decision::Confirmed);
        let text = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["event"], "raised");
        assert_eq!(lines[1]["event"], "confirmed");
        assert_eq!(lines[1]["camera"], "Mairie");
        // The log is in English whatever the interface speaks.
        assert_eq!(
            lines[1]["what"],
            "a person lying on the ground for 5 s or more"
        );
        let french = AlertText::new(|lang| {
            tr_args_in(lang, "infer-alert-lying", &[("seconds", "5".into())])
        });
        assert_eq!(french.logged, lines[1]["what"]);
        assert_eq!(
            tr_args_in(Lang::Fr, "infer-alert-lying", &[("seconds", "5".into())]),
            "une personne allongée au sol depuis 5 s ou plus"
        );
        assert_eq!(panel.alerts[0].decision, Decision::Confirmed);
    }
}
