//! Taking the editor's window screenshot (`twincity edit --screenshot OUT.png`) once the
//! frame is complete ([`crate::render::readiness`]) and the panels have settled.

use std::path::PathBuf;
use std::time::Duration;

use bevy::diagnostic::{DiagnosticsStore, FrameTimeDiagnosticsPlugin};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use crate::render::city::{CitySpec, CityStatus, DemoCityRoot};
use crate::render::readiness::{
    CaptureSet, Readiness, STABLE_FRAMES, scene_loaded, update_readiness,
};

/// Takes one window screenshot once the scene is complete, then exits.
pub struct WindowScreenshotPlugin {
    pub path: PathBuf,
    /// Give up (exit code 1) after this long.
    pub timeout: Duration,
    /// Before the screenshot, turn the view this many frames (one degree each, as a drag
    /// does), twice: once at full quality throughout, once with the view's smooth moves
    /// ([`crate::editor::view_quality`]) as the editor runs; log both frame rates and their
    /// ratio (`twincity edit --measure-frames N`).
    pub measure_frames: u32,
}

impl WindowScreenshotPlugin {
    /// A screenshot to `path`, given up after four minutes, after `measure_frames` frames
    /// measured (0: none).
    pub fn new(path: PathBuf, measure_frames: u32) -> Self {
        Self {
            path,
            timeout: Duration::from_secs(240),
            measure_frames,
        }
    }
}

#[derive(Resource)]
struct ScreenshotJob {
    path: PathBuf,
    timeout: Duration,
    state: JobState,
    /// Frames to let the UI settle after the scene is ready (egui lays out over two frames).
    settle: u32,
    /// Frames to measure with the view turning before the screenshot.
    measure_frames: u32,
}

#[derive(Clone, Debug, PartialEq)]
enum JobState {
    Waiting,
    /// Turning the view: frames still to go, when the first one started, and the frame rate
    /// of the first round (full quality throughout), once measured.
    Measuring {
        left: u32,
        since: Duration,
        baseline: Option<f64>,
        /// Frames of the second round drawn at lowered quality.
        lowered: u32,
    },
    Capturing,
    Done(Result<(), String>),
}

impl Plugin for WindowScreenshotPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(ScreenshotJob {
            path: self.path.clone(),
            timeout: self.timeout,
            state: JobState::Waiting,
            settle: 0,
            measure_frames: self.measure_frames,
        })
        .add_systems(
            Update,
            drive_screenshot
                .after(update_readiness)
                // The screenshot waits for the inference results of this frame, and for the
                // Plate check's passages.
                .after(crate::editor::inference::InferenceSet::Exchange)
                .after(crate::editor::plate_check::PlateCheckSet)
                .in_set(CaptureSet::Watch),
        );
    }
}

/// Whether the window shows a complete frame: the scene loaded, no pipeline compiling for a
/// few frames, coverage computed, the models' results and the Plate check's passages in, the
/// view at full quality.
#[derive(bevy::ecs::system::SystemParam)]
pub struct FrameComplete<'w, 's> {
    readiness: Res<'w, Readiness>,
    spec: Res<'w, CitySpec>,
    status: Res<'w, CityStatus>,
    roots: Query<'w, 's, (), With<DemoCityRoot>>,
    coverage: Option<Res<'w, crate::editor::coverage::CoverageView>>,
    inference: Option<Res<'w, crate::editor::inference::InferencePanel>>,
    plate_check: Option<Res<'w, crate::editor::plate_check::PlateCheckPanel>>,
    quality: Option<Res<'w, crate::editor::view_quality::ViewQuality>>,
}

impl FrameComplete<'_, '_> {
    pub fn ready(&self) -> bool {
        scene_loaded(&self.spec, &self.status, self.roots.iter().count())
            && self.readiness.stable_frames >= STABLE_FRAMES
            && self.coverage.as_ref().is_none_or(|c| c.settled())
            && self.inference.as_ref().is_none_or(|i| i.settled())
            && self.plate_check.as_ref().is_none_or(|p| !p.waiting)
            && !self.view_lowered()
    }

    /// Whether the view is drawn at lowered quality ([`crate::editor::view_quality`]).
    pub fn view_lowered(&self) -> bool {
        self.quality.as_ref().is_some_and(|q| q.reduced())
    }

    /// Pipelines still compiling (for the error when a frame never completes).
    pub fn pending_pipelines(&self) -> usize {
        self.readiness.pending_pipelines
    }
}

/// Switches the view's smooth moves (through a command: [`FrameComplete`] reads them).
fn set_smooth_moves(commands: &mut Commands, on: bool) {
    commands.queue(move |world: &mut World| {
        if let Some(mut q) = world.get_resource_mut::<crate::editor::view_quality::ViewQuality>() {
            q.enabled = on;
        }
    });
}

fn capture(commands: &mut Commands, job: &mut ScreenshotJob) {
    let path = job.path.clone();
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut job: ResMut<ScreenshotJob>| {
            job.state = JobState::Done(save_png(&captured.image, &path));
        },
    );
    job.state = JobState::Capturing;
}

#[allow(clippy::too_many_arguments)]
fn drive_screenshot(
    mut commands: Commands,
    mut job: ResMut<ScreenshotJob>,
    complete: FrameComplete,
    time: Res<Time<Real>>,
    mut exit: MessageWriter<AppExit>,
    diagnostics: Option<Res<DiagnosticsStore>>,
    mut view: ResMut<crate::editor::viewport::ViewState>,
) {
    match job.state.clone() {
        JobState::Waiting => {
            if time.elapsed() > job.timeout {
                let msg = format!(
                    "no complete frame after {:?} ({} pipelines still compiling)",
                    job.timeout,
                    complete.pending_pipelines()
                );
                job.state = JobState::Done(Err(msg));
                return;
            }
            if !complete.ready() {
                job.settle = 0;
                return;
            }
            job.settle += 1;
            if job.settle < 4 {
                return;
            }
            if job.measure_frames > 0 {
                // First round at full quality throughout, the second as the editor runs.
                set_smooth_moves(&mut commands, false);
                job.state = JobState::Measuring {
                    left: job.measure_frames,
                    since: time.elapsed(),
                    baseline: None,
                    lowered: 0,
                };
                return;
            }
            capture(&mut commands, &mut job);
        }
        JobState::Measuring {
            left,
            since,
            baseline,
            lowered,
        } => {
            if left > 0 {
                view.view.yaw_deg = (view.view.yaw_deg + 1.0).rem_euclid(360.0);
                job.state = JobState::Measuring {
                    left: left - 1,
                    since,
                    baseline,
                    lowered: lowered + u32::from(complete.view_lowered()),
                };
                return;
            }
            let n = job.measure_frames;
            let fps = f64::from(n) / (time.elapsed() - since).as_secs_f64().max(1e-9);
            match baseline {
                None => {
                    info!("{n} frames with the view turning, full quality: {fps:.2} FPS");
                    set_smooth_moves(&mut commands, true);
                    job.state = JobState::Measuring {
                        left: n,
                        since: time.elapsed(),
                        baseline: Some(fps),
                        lowered: 0,
                    };
                }
                Some(full) => {
                    info!(
                        "{n} frames with the view turning, smooth moves on: {fps:.2} FPS \
                         ({:.2}x full quality; {lowered} frames lowered)",
                        fps / full.max(1e-9)
                    );
                    // The screenshot waits for the still view's full quality.
                    job.measure_frames = 0;
                    job.settle = 0;
                    job.state = JobState::Waiting;
                }
            }
        }
        JobState::Capturing => {}
        JobState::Done(Ok(())) => {
            // The frame rate the status bar showed, for measurements from the command line.
            let fps = diagnostics
                .as_ref()
                .and_then(|d| d.get(&FrameTimeDiagnosticsPlugin::FPS))
                .and_then(|d| d.smoothed());
            match fps {
                Some(fps) => info!("Screenshot saved to {} ({fps:.2} FPS)", job.path.display()),
                None => info!("Screenshot saved to {}", job.path.display()),
            }
            exit.write(AppExit::Success);
        }
        JobState::Done(Err(e)) => {
            error!("Screenshot {} failed: {e}", job.path.display());
            exit.write(AppExit::error());
        }
    }
}

/// Writes a captured image as an RGB PNG, atomically.
pub fn save_png(image: &Image, path: &std::path::Path) -> Result<(), String> {
    let rgb = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| format!("unexpected screenshot format: {e}"))?
        .to_rgb8();
    let mut bytes = Vec::new();
    rgb.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .map_err(|e| format!("PNG encoding failed: {e}"))?;
    twincity_model::ronfile::write_atomic(path, &bytes).map_err(|e| e.to_string())
}
