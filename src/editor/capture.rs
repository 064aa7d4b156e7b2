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
                // The screenshot waits for the inference results of this frame, and for the
                // Plate check's passages.
                .after(crate::editor::inference::InferenceSet::Exchange)
                .after(crate::editor::plate_check::PlateCheckSet)
                .in_set(CaptureSet::Watch),
        );
    }
}

/// Whether the window shows a complete frame: the scene loaded, no pipeline compiling for a
/// few frames, coverage computed, the models' results and the Plate check's passages in.
#[derive(bevy::ecs::system::SystemParam)]
pub struct FrameComplete<'w, 's> {
    readiness: Res<'w, Readiness>,
    spec: Res<'w, CitySpec>,
    status: Res<'w, CityStatus>,
    roots: Query<'w, 's, (), With<DemoCityRoot>>,
    coverage: Option<Res<'w, crate::editor::coverage::CoverageView>>,
    inference: Option<Res<'w, crate::editor::inference::InferencePanel>>,
    plate_check: Option<Res<'w, crate::editor::plate_check::PlateCheckPanel>>,
}

impl FrameComplete<'_, '_> {
    pub fn ready(&self) -> bool {
        scene_loaded(&self.spec, &self.status, self.roots.iter().count())
            && self.readiness.stable_frames >= STABLE_FRAMES
            && self.coverage.as_ref().is_none_or(|c| c.settled())
            && self.inference.as_ref().is_none_or(|i| i.settled())
            && self.plate_check.as_ref().is_none_or(|p| !p.waiting)
    }

    /// Pipelines still compiling (for the error when a frame never completes).
    pub fn pending_pipelines(&self) -> usize {
        self.readiness.pending_pipelines
    }
}

fn drive_screenshot(
    mut commands: Commands,
    mut job: ResMut<ScreenshotJob>,
    complete: FrameComplete,
    time: Res<Time<Real>>,
    mut exit: MessageWriter<AppExit>,
    diagnostics: Option<Res<DiagnosticsStore>>,
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
