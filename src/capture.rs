//! Knowing when a frame is "real" (every render pipeline compiled, every asset loaded) and
//! taking the editor's window screenshot (`twincity edit --screenshot OUT.png`).
//!
//! Pipelines compile asynchronously: the first frames of a Bevy app show an empty or partial
//! scene. [`ReadinessPlugin`] counts, in the render world, pipelines still queued or being
//! created, and the main world waits until none has been pending for several frames.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use bevy::prelude::*;
use bevy::render::render_resource::{CachedPipelineState, PipelineCache};
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::render::{Render, RenderApp, RenderSystems};

use crate::city::{CitySpec, CityStatus, DemoCityRoot};

/// System sets of the capture plugins.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaptureSet {
    /// Updates readiness and drives the screenshot state machine.
    Watch,
}

#[derive(Resource, Clone, Default)]
struct RenderCounters {
    pending_pipelines: Arc<AtomicUsize>,
    rendered_frames: Arc<AtomicU64>,
}

/// Main-world view of the renderer's progress.
#[derive(Resource, Clone, Debug, Default)]
pub struct Readiness {
    /// Consecutive main-world frames with no pipeline pending and a new frame rendered.
    pub stable_frames: u32,
    pub rendered_frames: u64,
    pub pending_pipelines: usize,
}

/// Tracks pipeline compilation so callers can wait for a complete frame.
pub struct ReadinessPlugin;

impl Plugin for ReadinessPlugin {
    fn build(&self, app: &mut App) {
        let counters = RenderCounters::default();
        app.insert_resource(counters.clone())
            .init_resource::<Readiness>()
            .add_systems(Update, update_readiness.in_set(CaptureSet::Watch));
        if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
            render_app.insert_resource(counters).add_systems(
                Render,
                count_pending_pipelines.in_set(RenderSystems::Cleanup),
            );
        }
    }
}

fn count_pending_pipelines(cache: Res<PipelineCache>, counters: Res<RenderCounters>) {
    let pending = cache
        .pipelines()
        .filter(|p| {
            matches!(
                p.state,
                CachedPipelineState::Queued | CachedPipelineState::Creating(_)
            )
        })
        .count()
        + cache.waiting_pipelines().count();
    counters.pending_pipelines.store(pending, Ordering::Release);
    counters.rendered_frames.fetch_add(1, Ordering::AcqRel);
}

fn update_readiness(counters: Res<RenderCounters>, mut readiness: ResMut<Readiness>) {
    let pending = counters.pending_pipelines.load(Ordering::Acquire);
    let frames = counters.rendered_frames.load(Ordering::Acquire);
    let progressed = frames > readiness.rendered_frames;
    if pending == 0 && progressed {
        readiness.stable_frames += 1;
    } else if pending > 0 {
        readiness.stable_frames = 0;
    }
    readiness.pending_pipelines = pending;
    readiness.rendered_frames = frames;
}

/// True when the city asked for is in the world and every import has finished loading.
pub fn scene_loaded(spec: &CitySpec, status: &CityStatus, demo_roots: usize) -> bool {
    (!spec.demo_city || demo_roots > 0)
        && status.settled()
        && status.imports.len() == spec.imports.len()
}

/// Frames with nothing pending before a frame counts as complete.
pub const STABLE_FRAMES: u32 = 8;

/// Takes one window screenshot once the scene is complete, then exits.
pub struct WindowScreenshotPlugin {
    pub path: PathBuf,
    /// Give up (exit code 1) after this long.
    pub timeout: Duration,
}

#[derive(Resource)]
struct ScreenshotJob {
    path: PathBuf,
    timeout: Duration,
    state: JobState,
    /// Frames to let the UI settle after the scene is ready (egui lays out over two frames).
    settle: u32,
}

#[derive(Clone, Debug, PartialEq)]
enum JobState {
    Waiting,
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
        })
        .add_systems(
            Update,
            drive_screenshot
                .after(update_readiness)
                .in_set(CaptureSet::Watch),
        );
    }
}

fn drive_screenshot(
    mut commands: Commands,
    mut job: ResMut<ScreenshotJob>,
    readiness: Res<Readiness>,
    spec: Res<CitySpec>,
    status: Res<CityStatus>,
    roots: Query<(), With<DemoCityRoot>>,
    time: Res<Time<Real>>,
    mut exit: MessageWriter<AppExit>,
    coverage: Option<Res<crate::coverage_view::CoverageView>>,
    inference: Option<Res<crate::inference::InferencePanel>>,
) {
    match job.state.clone() {
        JobState::Waiting => {
            if time.elapsed() > job.timeout {
                let msg = format!(
                    "no complete frame after {:?} ({} pipelines still compiling)",
                    job.timeout, readiness.pending_pipelines
                );
                job.state = JobState::Done(Err(msg));
                return;
            }
            let ready = scene_loaded(&spec, &status, roots.iter().count())
                && readiness.stable_frames >= STABLE_FRAMES
                && coverage.is_none_or(|c| c.settled())
                && inference.is_none_or(|i| i.settled());
            if !ready {
                job.settle = 0;
                return;
            }
            job.settle += 1;
            if job.settle < 4 {
                return;
            }
            let path = job.path.clone();
            commands.spawn(Screenshot::primary_window()).observe(
                move |captured: On<ScreenshotCaptured>, mut job: ResMut<ScreenshotJob>| {
                    job.state = JobState::Done(save_png(&captured.image, &path));
                },
            );
            job.state = JobState::Capturing;
        }
        JobState::Capturing => {}
        JobState::Done(Ok(())) => {
            info!("Screenshot saved to {}", job.path.display());
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
