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
    pub bundled: bool,
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

/// Live inference state of one camera.
#[derive(Default)]
pub struct CameraRun {
    pub enabled: bool,
    pub model: Option<PathBuf>,
    /// Tiles (columns, rows) for small, distant people.
    pub tiles: Option<(u32, u32)>,
    pub shown: Option<Shown>,
    /// `[seconds since the window started, predicted, true]`, the last two minutes.
    pub history: VecDeque<[f64; 3]>,
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
    pub what: String,
    pub raised: SystemTime,
    pub decision: Decision,
}

enum Job {
    Frame {
        camera: CameraId,
        card: PathBuf,
        tiling: Option<Tiling>,
        width: u32,
        height: u32,
        /// RGBA, or a BGRA preview read-back as it comes (rows padded).
        rgba: Arc<Vec<u8>>,
        bgra: bool,
        truth: Option<Box<TruthJob>>,
    },
    /// Load a real image and blur its faces.
    Real { camera: CameraId, path: PathBuf },
    /// A real video frame: blur its faces, then run the model (if any) on the blurred frame.
    Video {
        camera: CameraId,
        card: Option<PathBuf>,
        tiling: Option<Tiling>,
        frame: crate::editor::real_video::VideoFrame,
    },
    /// Open a card (checks it against its model).
    Open { card: PathBuf },
}

struct TruthJob {
    state: WorldState,
    ground: f32,
    camera: VirtualCamera,
    /// The scene's occluders are rebuilt when this changes.
    project: Arc<Project>,
}

/// A video frame after the worker: faces blurred, and the model's result on it.
struct BlurredFrame {
    picture: image::RgbaImage,
    faces: usize,
    time_s: f64,
    shown: Option<Result<Shown, String>>,
}

enum Reply {
    Frame {
        camera: CameraId,
        result: Result<Shown, String>,
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
    /// The bundled cards were sent to be opened (on first showing the window, not at start).
    listed: bool,
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
        }
    }
}

impl InferencePanel {
    /// Opens the bundled models, once (they load in the worker, in the background).
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

    /// Every camera running a model has shown a result or an error (for screenshots).
    pub fn settled(&self) -> bool {
        let footage_shown = |r: &CameraRun| {
            !r.loading
                && r.pending_video.is_none()
                && r.real
                    .as_ref()
                    .is_none_or(|real| real.video.is_none() || real.frames_shown > 0)
        };
        self.cameras.values().all(|r| {
            r.error.is_some()
                || (footage_shown(r) && (!(r.enabled && r.model.is_some()) || r.shown.is_some()))
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
        let unix = |t: SystemTime| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64())
        };
        let line = serde_json::json!({
            "event": event,
            "at_unix_s": unix(SystemTime::now()),
            "alert": alert.id,
            "raised_unix_s": unix(alert.raised),
            "camera": alert.camera_name,
            "what": alert.what,
        });
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

    fn raise(&mut self, camera: CameraId, camera_name: &str, what: String) {
        let alert = Alert {
            id: self.alerts.len() as u64 + 1,
            camera,
            camera_name: camera_name.to_string(),
            what,
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
            let mut city: Option<(Arc<Project>, Arc<twincity_scene::coverage::Occluders>)> = None;
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
                if matches!(reply, Reply::Frame { .. } | Reply::Video { .. }) {
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

fn run_job(
    job: Job,
    models: &mut HashMap<PathBuf, Model>,
    city: &mut Option<(Arc<Project>, Arc<twincity_scene::coverage::Occluders>)>,
) -> Reply {
    match job {
        Job::Open { card } => {
            let result = model_for(models, &card).map(|m| ModelEntry {
                card: card.clone(),
                name: m.card.name.clone(),
                task: m.card.task,
                classes: m.card.classes.clone(),
                bundled: false,
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
            tiling,
            frame,
        } => Reply::Video {
            camera,
            result: blurred_video_frame(models, card.as_deref(), tiling, frame),
        },
        Job::Frame {
            camera,
            card,
            tiling,
            width,
            height,
            rgba,
            bgra,
            truth,
        } => {
            let result = (|| {
                let model = model_for(models, &card)?;
                let frame = if bgra {
                    Frame::bgra_readback(width, height, &rgba)
                        .ok_or("the read-back does not fit the preview's size")?
                } else {
                    Frame::rgba(width, height, &rgba)
                };
                let inference = model.infer(&frame, tiling).map_err(|e| e.to_string())?;
                let mut shown = Shown::predicted(width, height, inference);
                if let Some(t) = truth {
                    compare_with_truth(&mut shown, model, *t, city)?;
                }
                Ok(shown)
            })();
            Reply::Frame { camera, result }
        }
    }
}

/// The frame's ground truth from the annotation pass, matched with the predictions.
fn compare_with_truth(
    shown: &mut Shown,
    model: &Model,
    t: TruthJob,
    city: &mut Option<(Arc<Project>, Arc<twincity_scene::coverage::Occluders>)>,
) -> Result<(), String> {
    use twincity_dataset::metrics::{Dt, Gt, evaluate_boxes};
    use twincity_dataset::{Privacy, category_id, image_objects};
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
    cam.resolution = (shown.width, shown.height);
    let cast = twincity_scenario::people::Cast::bundled()?;
    let figures = twincity_scenario::figures::figures(&t.state, t.ground, cast);
    let scene = twincity_dataset::annotate::IdScene::new(&occluders, &figures);
    let annotations = scene.annotate(&cam);
    let (objects, heads, _) = image_objects(
        &t.state,
        &annotations,
        (shown.width, shown.height),
        &Privacy::blurred(),
    );
    let categories: Vec<u32> = (0..model.card.classes.len())
        .filter_map(|c| model.card.category(c).and_then(category_id))
        .collect();
    let gts: Vec<Gt> = objects
        .iter()
        .filter(|o| categories.contains(&o.category_id))
        .map(|o| Gt {
            image: 1,
            category: o.category_id,
            bbox: o.bbox.map(f64::from),
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
            let cat = model.card.category(d.class).and_then(category_id)?;
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
    let mut gi = 0;
    let mut truth = Vec::new();
    for o in &objects {
        if categories.contains(&o.category_id) {
            truth.push(TruthBox {
                bbox: o.bbox.map(|v| v as f32),
                category: o.category.clone(),
                matched: e.gt_matched50[gi],
            });
            gi += 1;
        }
    }
    shown.truth = Some(truth);
    shown.true_count = Some(heads.iter().filter(|h| h.visible).count());
    Ok(())
}

/// Loads an image file and blurs every face the bundled face detector finds (CenterFace, at a
/// low threshold: a missed face is worse than a blurred patch). Fails, showing nothing, when
/// the detector cannot run.
fn blurred_real_image(
    models: &mut HashMap<PathBuf, Model>,
    path: &Path,
) -> Result<(String, image::RgbaImage, usize), String> {
    let mut img = image::open(path)
        .map_err(|e| format!("{}: cannot read the image: {e}", path.display()))?
        .to_rgba8();
    let faces = blur_faces(models, &mut img)?;
    Ok((file_label(path), img, faces))
}

/// A real video frame: its faces blurred, then the model (if any) run on the blurred frame.
fn blurred_video_frame(
    models: &mut HashMap<PathBuf, Model>,
    card: Option<&Path>,
    tiling: Option<Tiling>,
    frame: crate::editor::real_video::VideoFrame,
) -> Result<BlurredFrame, String> {
    let (width, height) = (frame.width, frame.height);
    let mut img = image::RgbaImage::from_raw(width, height, frame.rgba)
        .ok_or("the decoded video frame does not have the video's size")?;
    let faces = blur_faces(models, &mut img)?;
    let shown = card.map(|card| {
        let model = model_for(models, card)?;
        let inference = model
            .infer(&Frame::rgba(width, height, img.as_raw()), tiling)
            .map_err(|e| e.to_string())?;
        Ok(Shown::predicted(width, height, inference))
    });
    Ok(BlurredFrame {
        picture: img,
        faces,
        time_s: frame.time_s,
        shown,
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
        .ok_or(format!(
            "the {role} (assets/models/{card}) is missing, so real footage cannot be shown: \
             faces in real images are always blurred"
        ))?;
    let model = model_for(models, &path).map_err(|e| {
        format!(
            "the {role} cannot run ({e}), so real footage is not shown: faces in real images \
             are always blurred"
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
    let (_, faces) = privacy_detections(models, "centerface.ron", "face detector", img)?;
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
    let (model, found) = privacy_detections(models, "yolox_nano.ron", "person detector", img)?;
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
    previews.wide = panel
        .cameras
        .iter()
        .filter(|(_, r)| r.enabled && r.real.is_none())
        .map(|(id, _)| *id)
        .collect();
    let preview_images: HashMap<CameraId, (Handle<Image>, UVec2)> = previews
        .images()
        .map(|(id, h, s)| (id, (h.clone(), s)))
        .collect();
    for (id, run) in panel.cameras.iter_mut() {
        let wanted = (run.enabled && run.real.is_none())
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
            Reply::Frame { camera, result } => take_result(panel, doc, camera, result, now),
        }
    }
}

/// A card opened (it joins the list, replacing an older entry and its problems), or why it
/// could not be.
fn model_opened(panel: &mut InferencePanel, card: PathBuf, result: Result<ModelEntry, String>) {
    match result {
        Ok(mut entry) => {
            entry.bundled = twincity_infer::bundled_dir().is_some_and(|d| card.starts_with(d));
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
        *img = crate::render::scenario::srgba_image(frame.picture, RenderAssetUsages::default());
    }
    real.faces_blurred = frame.faces;
    real.frames_shown += 1;
    real.frame_time_s = frame.time_s;
    if let Some(result) = frame.shown {
        take_result(panel, doc, camera, result, now);
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
    let mut order: Vec<CameraId> = panel
        .cameras
        .iter()
        .filter(|(_, r)| {
            (r.enabled && r.model.is_some()) || r.real.as_ref().is_some_and(|x| x.video.is_some())
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
    let model = if run.enabled { run.model.clone() } else { None };
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
        return Some(Job::Frame {
            camera: id,
            card,
            tiling,
            width: real.width,
            height: real.height,
            rgba: real.rgba.clone(),
            bgra: false,
            truth: None,
        });
    }
    let card = model?;
    let (_, data) = panel.frames.lock().ok().and_then(|mut f| f.remove(&id))?;
    let (_, size) = preview_images.get(&id)?;
    // Only a read-back that fits the preview's size is sent.
    Frame::bgra_readback(size.x, size.y, &data)?;
    let truth = player.state.clone().map(|state| {
        Box::new(TruthJob {
            state,
            ground,
            camera: cam.clone(),
            project: panel.project.clone().expect("set above"),
        })
    });
    Some(Job::Frame {
        camera: id,
        card,
        tiling,
        width: size.x,
        height: size.y,
        rgba: Arc::new(data),
        bgra: true,
        truth,
    })
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
    let handle = images.add(crate::render::scenario::srgba_image(
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

/// A model's result on a camera's frame: latency, rate, the count plot, the alert rules.
fn take_result(
    panel: &mut InferencePanel,
    doc: &Document,
    camera: CameraId,
    result: Result<Shown, String>,
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
) -> Vec<(&'static str, bool, (String, f32))> {
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
                format!("a person lying on the ground for {s:.0} s or more"),
                s,
            ),
        ));
    }
    if let Some((n, s)) = rules.crowd {
        out.push((
            "crowd",
            shown.inference.count >= n as f32,
            (format!("{n} people or more for {s:.0} s"), s),
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
            (format!("`{class}` in the zone for {s:.0} s or more"), *s),
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
            Some(true) => Some((MATCHED, " match")),
            Some(false) => Some((FALSE_POSITIVE, " FP")),
            None => None,
        };
        if let Some((c, _)) = mark {
            shapes.push(egui::Shape::rect_stroke(
                r,
                0.0,
                egui::Stroke::new(1.5, c),
                egui::StrokeKind::Inside,
            ));
        }
        let name = classes.get(d.class).map_or("?", |c| c.as_str());
        labels.push((
            r.left_top() + egui::vec2(0.0, -1.0),
            format!("{name} {:.2}{}", d.score, mark.map_or("", |m| m.1)),
            mark.map_or(colour, |m| m.0),
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
    let Some(s) = shown else {
        return;
    };
    let painter = ui.painter_at(r.rect);
    let (shapes, labels) = overlay_shapes(r.rect, s, classes);
    painter.extend(shapes);
    for (at, text, colour) in labels {
        painter.text(
            at,
            egui::Align2::LEFT_BOTTOM,
            text,
            egui::FontId::proportional(11.0),
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
    egui::Window::new("Model inference")
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
                ui.weak("No cameras yet: Edit > Add camera.");
            }
            let models = panel.models.clone();
            for cam in &doc.project.cameras {
                camera_row(ui, panel, cam, &models);
            }
            let Some(id) = panel
                .selected
                .filter(|id| doc.project.cameras.iter().any(|c| c.id == *id))
            else {
                ui.weak("Click Show on a camera to see its view with the model's boxes.");
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
            ui.weak(format!("ONNX Runtime: {}", shown.display()))
                .on_hover_text(lib.display().to_string());
            true
        }
        Err(e) => {
            ui.colored_label(
                egui::Color32::from_rgb(255, 140, 60),
                "Models cannot run here.",
            );
            ui.label(e);
            ui.weak("The rest of the editor works as usual.");
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
        ui.strong("Models");
        if ui
            .button("Add model...")
            .on_hover_text("A model card (.ron) beside its .onnx; see docs/models.md")
            .clicked()
        {
            pick_in_background(&panel.picked, || {
                rfd::FileDialog::new()
                    .add_filter("Model card", &["ron"])
                    .pick_file()
                    .map(|p| (None, p))
            });
        }
    });
    for m in &panel.models {
        ui.label(format!(
            "• {} ({:?}{})",
            m.name,
            m.task,
            if m.bundled { ", bundled" } else { "" }
        ));
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
            .map_or("choose a model", |m| m.name.as_str());
        egui::ComboBox::from_id_salt(("model", cam.id.0))
            .selected_text(current)
            .show_ui(ui, |ui| {
                for m in models {
                    ui.selectable_value(&mut run.model, Some(m.card.clone()), &m.name);
                }
            });
        let mut tiled = run.tiles.is_some();
        if ui
            .checkbox(&mut tiled, "Tiles")
            .on_hover_text(
                "Run on 3 × 2 overlapping tiles too: finds smaller, more distant people, slower",
            )
            .changed()
        {
            run.tiles = tiled.then_some((3, 2));
        }
        if ui
            .selectable_label(panel.selected == Some(cam.id), "Show")
            .clicked()
        {
            panel.selected = Some(cam.id);
        }
    });
    if run.enabled && run.model.is_none() && models.len() == 1 {
        run.model = Some(models[0].card.clone());
    }
    if run.enabled {
        ui.horizontal(|ui| {
            ui.weak(format!(
                "model {} · {:.1} results/s · {} stale frames dropped",
                run.model_ms.map_or("–".into(), |m| format!("{m:.0} ms")),
                run.effective_fps(),
                run.dropped
            ));
        });
    }
    if let Some(e) = &run.error {
        ui.colored_label(FALSE_POSITIVE, e);
    }
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
    let classes = panel
        .cameras
        .get(&id)
        .and_then(|r| r.model.as_ref())
        .and_then(|m| view.models.iter().find(|e| &e.card == m))
        .map(|m| m.classes.clone())
        .unwrap_or_default();
    let run = panel.cameras.entry(id).or_default();
    ui.horizontal(|ui| {
        ui.strong(view.name);
        if ui.button("Load real footage...").on_hover_text("Compare the model on a real photo (PNG, JPEG) or video (MP4, MKV, AVI, WebM... through FFmpeg); faces are blurred in every image and frame before it is shown").clicked() {
            pick_in_background(&panel.picked, move || {
                let mut all = IMAGE_EXTENSIONS.to_vec();
                all.extend(crate::editor::real_video::EXTENSIONS);
                rfd::FileDialog::new()
                    .add_filter("Image or video", &all)
                    .add_filter("Image", IMAGE_EXTENSIONS)
                    .add_filter("Video", crate::editor::real_video::EXTENSIONS)
                    .pick_file()
                    .map(|p| (Some(id), p))
            });
        }
        if run.real.is_some() && ui.button("Back to the rendered view").clicked() {
            if let Some(old) = run.real.take() {
                textures_to_drop.push(old.texture.clone());
            }
            run.shown = None;
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
    if let Some(s) = &run.shown {
        let truth = s.true_count.map_or("–".into(), |c| c.to_string());
        let matched = s.matched.iter().filter(|m| **m == Some(true)).count();
        let fp = s.matched.iter().filter(|m| **m == Some(false)).count();
        let missed = s
            .truth
            .as_ref()
            .map_or(0, |t| t.iter().filter(|b| !b.matched).count());
        ui.label(format!(
            "Count: predicted {:.0}, true {truth}. Boxes: {matched} matched, {fp} false positives, {missed} missed.",
            s.inference.count
        ));
    }
    match texture {
        Some(t) => overlay(ui, t, run.shown.as_ref(), size, &classes),
        None => {
            ui.weak("Turn on Live previews to see this camera.");
        }
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Predicted boxes in their class's colour, with score;");
        ui.colored_label(MATCHED, "green line: matched;");
        ui.colored_label(FALSE_POSITIVE, "red line: false positive (FP);");
        ui.label("ground truth dashed:");
        ui.colored_label(MISSED, "orange missed,");
        ui.colored_label(egui::Color32::from_white_alpha(160), "white found.");
    });
    counts_plot(ui, id, &run.history);
}

/// "N face(s) blurred".
fn faces_blurred(n: usize) -> String {
    format!("{n} face{} blurred", if n == 1 { "" } else { "s" })
}

/// What real footage the camera shows: a still image, or a video with its progress and
/// controls.
fn real_footage_lines(ui: &mut egui::Ui, real: &RealImage) {
    let Some(video) = &real.video else {
        ui.weak(format!(
            "Real image {} ({}); no ground truth.",
            real.name,
            faces_blurred(real.faces_blurred)
        ));
        return;
    };
    let p = video.progress();
    let total = video
        .info
        .duration_s
        .map_or(String::new(), |d| format!(" / {d:.1} s"));
    ui.weak(format!(
        "Real video {} ({} × {} at {:.1} fps): {:.1} s{total}, {} in this frame; {} frames shown, {} dropped; no ground truth.",
        real.name,
        video.info.size.0,
        video.info.size.1,
        video.info.fps,
        real.frame_time_s,
        faces_blurred(real.faces_blurred),
        real.frames_shown,
        p.dropped,
    ));
    ui.horizontal(|ui| {
        let paused = video.paused();
        if ui.button(if paused { "Play" } else { "Pause" }).clicked() {
            video.set_paused(!paused);
        }
        let mut looping = video.looping();
        if ui.checkbox(&mut looping, "Loop").changed() {
            video.set_looping(looping);
        }
        let mut every = video.pace() == crate::editor::real_video::Pace::EveryFrame;
        if ui
            .checkbox(&mut every, "Every frame")
            .on_hover_text("Wait for each frame to be blurred (and run through the model) instead of playing in real time and dropping the frames that come while the model is busy")
            .changed()
        {
            video.set_pace(if every {
                crate::editor::real_video::Pace::EveryFrame
            } else {
                crate::editor::real_video::Pace::RealTime
            });
        }
        if p.ended {
            ui.weak("ended");
        }
    });
    if let Some(e) = &p.error {
        ui.colored_label(FALSE_POSITIVE, e);
    }
}

/// The predicted and true counts of camera `id` over the last two minutes.
fn counts_plot(ui: &mut egui::Ui, id: CameraId, history: &VecDeque<[f64; 3]>) {
    let predicted: egui_plot::PlotPoints = history.iter().map(|h| [h[0], h[1]]).collect();
    let truth: egui_plot::PlotPoints = history
        .iter()
        .filter(|h| h[2].is_finite())
        .map(|h| [h[0], h[2]])
        .collect();
    egui_plot::Plot::new(("counts", id.0))
        .height(140.0)
        .legend(egui_plot::Legend::default())
        .x_axis_label("seconds")
        .y_axis_label("people")
        .show(ui, |plot| {
            plot.line(egui_plot::Line::new("predicted", predicted));
            plot.line(egui_plot::Line::new("true", truth));
        });
}

fn alerts_ui(ui: &mut egui::Ui, panel: &mut InferencePanel) {
    ui.strong("Alert rules");
    let mut lying = panel.rules.lying.is_some();
    ui.horizontal(|ui| {
        ui.checkbox(&mut lying, "Person lying down for");
        let mut s = panel.rules.lying.unwrap_or(5.0);
        ui.add(egui::DragValue::new(&mut s).range(1.0..=600.0).suffix(" s"));
        panel.rules.lying = lying.then_some(s);
    });
    let mut crowd = panel.rules.crowd.is_some();
    ui.horizontal(|ui| {
        let (mut n, mut s) = panel.rules.crowd.unwrap_or((20, 10.0));
        ui.checkbox(&mut crowd, "Crowd of");
        ui.add(egui::DragValue::new(&mut n).range(1..=10_000));
        ui.label("or more for");
        ui.add(egui::DragValue::new(&mut s).range(1.0..=600.0).suffix(" s"));
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
        ui.checkbox(&mut zone, "Class");
        ui.add(egui::TextEdit::singleline(&mut class).desired_width(80.0));
        ui.label("in zone x, y, w, h");
        for v in &mut z {
            ui.add(egui::DragValue::new(v).range(0.0..=1.0).speed(0.01));
        }
        ui.label("for");
        ui.add(
            egui::DragValue::new(&mut s)
                .range(1.0..=3600.0)
                .suffix(" s"),
        );
        panel.rules.zone = zone.then_some((class, z, s));
    });
    ui.weak(format!(
        "Alerts only inform: a person decides. Every alert and decision is logged to {}.",
        panel.log.display()
    ));
    let pending = panel
        .alerts
        .iter()
        .filter(|a| a.decision == Decision::Pending)
        .count();
    ui.strong(format!("Alerts ({pending} to decide)"));
    let mut decided = Vec::new();
    for a in panel.alerts.iter().rev().take(50) {
        ui.horizontal(|ui| {
            ui.label(format!("#{} {}: {}", a.id, a.camera_name, a.what));
            match a.decision {
                Decision::Pending => {
                    if ui.button("Confirm").clicked() {
                        decided.push((a.id, Decision::Confirmed));
                    }
                    if ui.button("Dismiss").clicked() {
                        decided.push((a.id, Decision::Dismissed));
                    }
                }
                Decision::Confirmed => {
                    ui.colored_label(MATCHED, "confirmed");
                }
                Decision::Dismissed => {
                    ui.weak("dismissed");
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
            bundled: true,
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
            let out = blurred_video_frame(&mut models, with_model, None, frame).unwrap();
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
            "a person lying on the ground for 5 s or more".into(),
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
        assert_eq!(panel.alerts[0].decision, Decision::Confirmed);
    }
}
