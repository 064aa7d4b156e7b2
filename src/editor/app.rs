//! Assembles the editor app from its plugins.

use std::path::PathBuf;

use bevy::camera::visibility::RenderLayers;
use bevy::camera::{CameraOutputMode, ClearColorConfig};
use bevy::diagnostic::FrameTimeDiagnosticsPlugin;
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy::window::WindowResolution;
use bevy_egui::{EguiGlobalSettings, EguiPlugin, PrimaryEguiContext};

use crate::editor::cameras::CameraOverlayPlugin;
use crate::editor::capture::WindowScreenshotPlugin;
use crate::editor::panels::UiPlugin;
use crate::editor::viewport::ViewportPlugin;
use crate::render::city::CityPlugin;
use crate::render::crowd::{CrowdCommand, CrowdPlayer, CrowdPlugin};
use crate::render::document::FrameWhenLoaded;
use crate::render::document::{Document, DocumentPlugin};
use crate::render::readiness::ReadinessPlugin;

/// How the editor starts.
pub struct EditorOptions {
    pub document: Document,
    /// Save a window screenshot once the scene is fully drawn, then exit.
    pub screenshot: Option<PathBuf>,
    /// Before the screenshot, turn the view this many frames and log the frame rate.
    pub measure_frames: u32,
    /// Window size in physical pixels.
    pub window_size: (u32, u32),
    /// Fit the view to the scene once every import has loaded (`edit --import`).
    pub frame_imports: bool,
    /// A crowd scenario to load, and the simulated time to run it to before showing it.
    pub crowd: Option<(PathBuf, f64)>,
    /// Start with the crowd density heatmap shown.
    pub crowd_heatmap: bool,
    /// Start with the DORI coverage overlay shown.
    pub coverage: bool,
    /// A scenario to load, and the time to play it to before showing it.
    pub scenario: Option<(PathBuf, f64)>,
    /// A model card every camera runs, with the Model inference window open.
    pub infer: Option<PathBuf>,
    /// Real footage (image or video) shown in the first camera's view, faces blurred.
    pub footage: Option<PathBuf>,
    /// A make/model classifier card for the Plate check window (opened), and the name of the
    /// camera watching the speed camera (else the first camera).
    pub plate_check: Option<(PathBuf, Option<String>)>,
    /// A tour to present at once (`twincity present`), and where to save one screenshot per
    /// step (then exit).
    pub present: Option<Present>,
}

/// Presenting a tour from the start (`twincity present TOUR`).
pub struct Present {
    pub tour: twincity_model::tour::Tour,
    pub path: PathBuf,
    /// Keep the window as it is (not full screen).
    pub windowed: bool,
    /// Save one screenshot per step in this folder, then exit.
    pub screenshots: Option<PathBuf>,
    /// The step shown first (0 is the first).
    pub first_step: usize,
}

/// Builds the editor app, ready to `run()`.
pub fn build_editor(options: EditorOptions) -> App {
    let mut app = App::new();
    let title = options.document.title();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title,
                    resolution: WindowResolution::new(options.window_size.0, options.window_size.1)
                        .with_scale_factor_override(1.0),
                    ..default()
                }),
                // Closing asks about unsaved changes first (see ui::window_events).
                close_when_requested: false,
                ..default()
            })
            .set(AssetPlugin {
                // Imported city files live anywhere on disk; they are loaded with an explicit
                // override, everything else stays inside the asset folder.
                unapproved_path_mode: bevy::asset::UnapprovedPathMode::Deny,
                file_path: crate::render::headless::asset_folder(),
                ..default()
            }),
    )
    .add_plugins((
        EguiPlugin::default(),
        FrameTimeDiagnosticsPlugin::default(),
        DocumentPlugin {
            initial: options.document,
        },
        CityPlugin::default(),
        ViewportPlugin,
        CameraOverlayPlugin,
        UiPlugin,
        ReadinessPlugin,
        CrowdPlugin,
        crate::editor::coverage::CoveragePlugin,
        crate::editor::previews::PreviewPlugin,
        crate::render::scenario::ScenarioPlugin,
        crate::editor::export::ExportPlugin,
        crate::editor::inference::InferencePlugin,
        crate::editor::plate_check::PlateCheckPlugin,
    ))
    .add_plugins((
        crate::editor::crowd_tool::CrowdToolPlugin,
        crate::editor::scenario_place::ScenarioPlacePlugin,
        crate::editor::present::PresentPlugin,
        crate::editor::tour_editor::TourEditorPlugin,
        crate::editor::view_quality::ViewQualityPlugin,
    ))
    .add_systems(Startup, spawn_ui_camera);
    app.world_mut().resource_mut::<CrowdPlayer>().heatmap = options.crowd_heatmap;
    app.world_mut()
        .resource_mut::<crate::editor::coverage::CoverageView>()
        .show = options.coverage;
    if let Some((path, at)) = options.crowd {
        app.world_mut().write_message(CrowdCommand::Load(path));
        if at > 0.0 {
            app.world_mut().write_message(CrowdCommand::RunUntil(at));
        }
    }
    if let Some((path, at)) = options.scenario {
        use crate::render::scenario::ScenarioCommand;
        app.world_mut().write_message(ScenarioCommand::Load(path));
        if at > 0.0 {
            app.world_mut().write_message(ScenarioCommand::Seek(at));
        }
    }
    if let Some(card) = options.infer {
        let cameras: Vec<_> = app
            .world()
            .resource::<Document>()
            .project
            .cameras
            .iter()
            .map(|c| c.id)
            .collect();
        app.world_mut()
            .resource_mut::<crate::editor::cameras::OverlaySettings>()
            .inference = true;
        app.world_mut()
            .resource_mut::<crate::editor::inference::InferencePanel>()
            .run_everywhere(card, &cameras);
    }
    if let Some(footage) = options.footage {
        let first = app
            .world()
            .resource::<Document>()
            .project
            .cameras
            .first()
            .map(|c| c.id);
        match first {
            Some(camera) => {
                app.world_mut()
                    .resource_mut::<crate::editor::cameras::OverlaySettings>()
                    .inference = true;
                let mut panel = app
                    .world_mut()
                    .resource_mut::<crate::editor::inference::InferencePanel>();
                panel.selected = Some(camera);
                panel.load_real_footage(camera, footage);
            }
            None => warn!(
                "--footage {}: the project has no camera to show it in",
                footage.display()
            ),
        }
    }
    if let Some((card, camera)) = options.plate_check {
        let cameras = &app.world().resource::<Document>().project.cameras;
        let chosen = match &camera {
            Some(name) => cameras.iter().find(|c| c.name == *name),
            None => cameras.first(),
        }
        .map(|c| c.id);
        app.world_mut()
            .resource_mut::<crate::editor::cameras::OverlaySettings>()
            .plate_check = true;
        let mut panel = app
            .world_mut()
            .resource_mut::<crate::editor::plate_check::PlateCheckPanel>();
        panel.card = Some(card);
        panel.camera = chosen;
    }
    if let Some(present) = options.present {
        let mut p = app
            .world_mut()
            .resource_mut::<crate::editor::present::Presentation>();
        p.windowed = present.windowed || present.screenshots.is_some();
        p.start(present.tour);
        p.start_at(present.first_step);
        app.world_mut()
            .resource_mut::<crate::editor::tour_editor::TourEditor>()
            .file = present.path.display().to_string();
        if let Some(dir) = present.screenshots {
            app.insert_resource(crate::editor::present::StepScreenshots::new(dir));
        }
    }
    if options.frame_imports {
        app.insert_resource(FrameWhenLoaded::armed());
    }
    if let Some(path) = options.screenshot {
        app.add_plugins(WindowScreenshotPlugin::new(path, options.measure_frames));
    }
    app
}

/// egui gets a camera of its own, drawn over the 3D view, so the 3D camera's viewport can be
/// limited to the area between the panels.
fn spawn_ui_camera(mut commands: Commands, mut settings: ResMut<EguiGlobalSettings>) {
    settings.auto_create_primary_context = false;
    commands.spawn((
        Name::new("UI camera"),
        PrimaryEguiContext,
        Camera2d,
        RenderLayers::none(),
        Camera {
            order: 1,
            output_mode: CameraOutputMode::Write {
                blend_state: Some(BlendState::ALPHA_BLENDING),
                clear_color: ClearColorConfig::None,
            },
            clear_color: ClearColorConfig::Custom(Color::NONE),
            ..default()
        },
    ));
}
