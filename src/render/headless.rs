//! Rendering without a window: a view of the city rendered offscreen and read back to the CPU.
//! Works on a software Vulkan driver (lavapipe), so it runs in CI and on batch machines.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bevy::app::PluginsState;
use bevy::camera::RenderTarget;
use bevy::log::LogPlugin;
use bevy::prelude::*;
use bevy::render::gpu_readback::{Readback, ReadbackComplete};
use bevy::render::render_resource::{TextureFormat, TextureUsages};
use bevy::window::ExitCondition;
use bevy::winit::WinitPlugin;
use twincity_dataset::annotate::IdImage;
use twincity_model::VirtualCamera;

use crate::render::city::{CityPlugin, CitySpec, CityStatus, DemoCityRoot};
use crate::render::crowd::{CrowdCommand, CrowdPlayer, CrowdPlugin};
use crate::render::readiness::{Readiness, ReadinessPlugin, STABLE_FRAMES, scene_loaded};

/// Settings of an [`OffscreenRenderer`].
#[derive(Clone, Debug)]
pub struct OffscreenOptions {
    /// Directional shadows (slower on a software renderer).
    pub shadows: bool,
    /// Give up when no complete frame arrived within this time.
    pub timeout: Duration,
    /// A crowd scenario to show, simulated up to the given time (seconds).
    pub crowd: Option<(std::path::PathBuf, f64)>,
    /// Zones blacked out in every camera's render (the project's `coverage.privacy_masks`).
    pub privacy_masks: Vec<twincity_model::coverage_setup::PrivacyMask>,
    /// A scenario to show (its people, objects, vehicles, light), played to the given time.
    pub scenario: Option<(std::path::PathBuf, f64)>,
    /// The project shown (the scenario's sun stands at its latitude).
    pub project: Option<twincity_model::Project>,
}

impl Default for OffscreenOptions {
    fn default() -> Self {
        Self {
            shadows: false,
            timeout: Duration::from_secs(120),
            crowd: None,
            privacy_masks: Vec::new(),
            scenario: None,
            project: None,
        }
    }
}

#[derive(Component)]
struct OffscreenCamera;

type Slot = Arc<Mutex<Option<Vec<u8>>>>;

/// A headless Bevy app holding the city, rendering views of it on request.
pub struct OffscreenRenderer {
    app: App,
    options: OffscreenOptions,
    target: Option<(Handle<Image>, UVec2, Entity)>,
    slot: Slot,
    /// The id pass's target, size and camera, when the last render asked for one.
    id_target: Option<(Handle<Image>, UVec2, Entity)>,
    id_slot: Slot,
}

/// Bevy's default plugins without a window, winit or logging, with files outside the asset
/// folder loadable when asked explicitly (as in the editor): for offscreen apps.
pub fn windowless_plugins() -> bevy::app::PluginGroupBuilder {
    DefaultPlugins
        .set(WindowPlugin {
            primary_window: None,
            exit_condition: ExitCondition::DontExit,
            ..default()
        })
        .set(AssetPlugin {
            unapproved_path_mode: bevy::asset::UnapprovedPathMode::Deny,
            file_path: asset_folder(),
            ..default()
        })
        .disable::<WinitPlugin>()
        .disable::<LogPlugin>()
}

/// The asset folder Bevy loads bundled files (the people) from: TwinCity's `assets` folder
/// wherever the executable runs from (`twincity_scenario::people::assets_dir`), else Bevy's
/// default (`assets` beside the executable).
pub fn asset_folder() -> String {
    twincity_scenario::people::assets_dir()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_else(|| "assets".into())
}

/// Finishes adding `app`'s plugins (the renderer starts asynchronously).
pub fn finish_plugins(app: &mut App, timeout: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    while app.plugins_state() == PluginsState::Adding {
        bevy::tasks::tick_global_task_pools_on_main_thread();
        if started.elapsed() > timeout {
            bail!("the renderer did not start within {timeout:?}");
        }
    }
    app.finish();
    app.cleanup();
    Ok(())
}

impl OffscreenRenderer {
    /// Builds the app and starts loading the city described by `spec`.
    pub fn new(spec: CitySpec, options: OffscreenOptions) -> anyhow::Result<Self> {
        let mut app = App::new();
        app.add_plugins(windowless_plugins())
            .add_plugins((
                CityPlugin {
                    shadows: options.shadows,
                },
                ReadinessPlugin,
                crate::render::id_pass::IdPassPlugin,
            ))
            .insert_resource(spec)
            // Full meshes for everyone: with levels of detail, a person near a level's
            // boundary could differ by a pixel between two runs of the same render on a
            // loaded machine, and datasets must be byte-identical run to run.
            .insert_resource(crate::render::people::PeopleSettings {
                levels_of_detail: false,
            })
            // Editor overlays (crowd outlines) stay out of camera renders.
            .add_systems(Startup, crate::render::overlay::gizmos_on_overlay_layer);
        if let Some((path, at)) = options.crowd.clone() {
            app.add_plugins(CrowdPlugin);
            app.world_mut().write_message(CrowdCommand::Load(path));
            app.world_mut().write_message(CrowdCommand::RunUntil(at));
        }
        if let Some(project) = options.project.clone() {
            app.insert_resource(crate::render::document::Document::new(project, None));
        }
        if let Some((path, at)) = options.scenario.clone() {
            use crate::render::scenario::{ScenarioCommand, ScenarioPlugin};
            app.add_plugins(ScenarioPlugin);
            app.world_mut().write_message(ScenarioCommand::Load(path));
            app.world_mut().write_message(ScenarioCommand::Seek(at));
        }
        finish_plugins(&mut app, options.timeout)?;
        Ok(Self {
            app,
            options,
            target: None,
            slot: Arc::default(),
            id_target: None,
            id_slot: Arc::default(),
        })
    }

    /// The crowd being shown, if any (after a render has run).
    pub fn crowd(&self) -> Option<&CrowdPlayer> {
        self.app.world().get_resource::<CrowdPlayer>()
    }

    /// The scenario being shown, if any.
    pub fn scenario(&self) -> Option<&crate::render::scenario::ScenarioPlayer> {
        self.app
            .world()
            .get_resource::<crate::render::scenario::ScenarioPlayer>()
    }

    /// Sends a command to the scenario player and lets the app apply it (one update).
    pub fn scenario_command(&mut self, command: crate::render::scenario::ScenarioCommand) {
        self.app.world_mut().write_message(command);
        self.app.update();
    }

    /// Runs one frame of the app (edits pause, figures follow).
    pub fn update(&mut self) {
        self.app.update();
    }

    /// The app itself, for inspecting or adjusting its world between renders.
    pub fn world_mut(&mut self) -> &mut World {
        self.app.world_mut()
    }

    /// Sends a command to the crowd and lets the app apply it (one update).
    pub fn crowd_command(&mut self, command: CrowdCommand) {
        self.app.world_mut().write_message(command);
        self.app.update();
    }

    /// Loading state of the city files (filled once a render has run).
    pub fn city_status(&self) -> CityStatus {
        self.app.world().resource::<CityStatus>().clone()
    }

    /// Renders `camera`'s view at its resolution and returns the RGBA pixels (sRGB).
    ///
    /// Every call spawns a new camera entity (reusing the target image): GPU readbacks arrive
    /// a frame or more late, and are delivered to the entity that asked, so one that arrives
    /// here was rendered from this pose and scene, never from the previous request's.
    pub fn render(&mut self, camera: &VirtualCamera) -> anyhow::Result<image::RgbaImage> {
        Ok(self.render_views(camera, false)?.0)
    }

    /// Renders `camera`'s view and, in the same frame, its id pass ([`crate::render::id_pass`]): the
    /// colour image and, per pixel, the instance id and depth of the surface drawn there.
    pub fn render_with_ids(
        &mut self,
        camera: &VirtualCamera,
    ) -> anyhow::Result<(image::RgbaImage, IdImage)> {
        let (img, ids) = self.render_views(camera, true)?;
        Ok((img, ids.context("the id pass read back nothing")?))
    }

    fn render_views(
        &mut self,
        camera: &VirtualCamera,
        with_ids: bool,
    ) -> anyhow::Result<(image::RgbaImage, Option<IdImage>)> {
        let size = UVec2::new(camera.resolution.0, camera.resolution.1);
        let projection = Projection::Perspective(PerspectiveProjection {
            fov: camera.render_vertical_fov(),
            aspect_ratio: camera.aspect(),
            near: 0.1,
            far: 5_000.0,
            ..default()
        });
        let transform = Transform::from_translation(camera.position)
            .with_rotation(camera.world_from_camera_rotation());
        self.fresh_camera(size, projection, transform, with_ids);
        for slot in [&self.slot, &self.id_slot] {
            if let Ok(mut slot) = slot.lock() {
                *slot = None;
            }
        }

        let started = Instant::now();
        let mut ready_seen = false;
        loop {
            if started.elapsed() > self.options.timeout {
                bail!(
                    "no complete frame within {:?}; check that a Vulkan driver is installed \
                     (on machines without a GPU: `scripts/setup.sh` installs Mesa's lavapipe)",
                    self.options.timeout
                );
            }
            self.app.update();
            let world = self.app.world_mut();
            if let Some(e) = world
                .get_resource::<crate::render::people::PeopleStatus>()
                .and_then(|s| s.failed.clone())
            {
                bail!("{e}");
            }
            let loaded = {
                let roots = world
                    .query_filtered::<(), With<DemoCityRoot>>()
                    .iter(world)
                    .count();
                scene_loaded(
                    world.resource::<CitySpec>(),
                    world.resource::<CityStatus>(),
                    roots,
                )
            };
            let stable = world.resource::<Readiness>().stable_frames >= STABLE_FRAMES;
            let poisoned = |_| anyhow::anyhow!("readback lock poisoned");
            let mut slot = self.slot.lock().map_err(poisoned)?;
            let mut id_slot = self.id_slot.lock().map_err(poisoned)?;
            if !(loaded && stable && ready_seen) {
                // Discard anything read back before the scene was complete.
                ready_seen = loaded && stable;
                *slot = None;
                *id_slot = None;
                continue;
            }
            // Both views are drawn in the same frames, of a scene that no longer changes.
            if slot.is_some() && (!with_ids || id_slot.is_some()) {
                let ids = match id_slot.take() {
                    Some(data) if with_ids => {
                        Some(crate::render::id_pass::decode(&data, size.x, size.y)?)
                    }
                    _ => None,
                };
                let data = slot.take().unwrap_or_default();
                let mut img = unpad_rows(&data, size)?;
                let (w, h) = img.dimensions();
                twincity_scene::coverage::black_out_masks(
                    &mut img,
                    w,
                    h,
                    camera,
                    &self.options.privacy_masks,
                );
                return Ok((img, ids));
            }
        }
    }

    fn fresh_camera(
        &mut self,
        size: UVec2,
        projection: Projection,
        transform: Transform,
        with_ids: bool,
    ) {
        let world = self.app.world_mut();
        for (_, _, cam) in self.target.iter().chain(self.id_target.iter()) {
            world.despawn(*cam);
        }
        let reuse = |t: Option<(Handle<Image>, UVec2, Entity)>| {
            t.and_then(|(handle, s, _)| (s == size).then_some(handle))
        };
        let colour = reuse(self.target.take());
        let ids = reuse(self.id_target.take());
        let target = |world: &mut World, format: TextureFormat| {
            let mut target = Image::new_target_texture(size.x, size.y, format, None);
            target.texture_descriptor.usage |= TextureUsages::COPY_SRC;
            world.resource_mut::<Assets<Image>>().add(target)
        };
        let handle = colour.unwrap_or_else(|| target(world, TextureFormat::Rgba8UnormSrgb));
        let slot = self.slot.clone();
        let cam = world
            .spawn((
                OffscreenCamera,
                Camera3d::default(),
                RenderTarget::Image(handle.clone().into()),
                Readback::texture(handle.clone()),
                projection.clone(),
                transform,
            ))
            .observe(move |event: On<ReadbackComplete>| {
                if let Ok(mut s) = slot.lock() {
                    *s = Some(event.data.clone());
                }
            })
            .id();
        self.target = Some((handle, size, cam));
        if !with_ids {
            return;
        }
        // Half floats, written as they are: no tone mapping, dithering or multisampling.
        let handle = ids.unwrap_or_else(|| target(world, TextureFormat::Rgba16Float));
        let slot = self.id_slot.clone();
        let cam = world
            .spawn((
                OffscreenCamera,
                crate::render::id_pass::IdCamera,
                Camera3d::default(),
                Camera {
                    order: 1,
                    clear_color: ClearColorConfig::Custom(Color::NONE),
                    ..default()
                },
                bevy::camera::Hdr,
                bevy::core_pipeline::tonemapping::Tonemapping::None,
                bevy::core_pipeline::tonemapping::DebandDither::Disabled,
                Msaa::Off,
                bevy::camera::visibility::RenderLayers::layer(crate::render::id_pass::ID_LAYER),
                RenderTarget::Image(handle.clone().into()),
                Readback::texture(handle.clone()),
                projection,
                transform,
            ))
            .observe(move |event: On<ReadbackComplete>| {
                if let Ok(mut s) = slot.lock() {
                    *s = Some(event.data.clone());
                }
            })
            .id();
        self.id_target = Some((handle, size, cam));
    }
}

/// Removes the row padding GPU copies add (rows are aligned to 256 bytes).
fn unpad_rows(data: &[u8], size: UVec2) -> anyhow::Result<image::RgbaImage> {
    let row = size.x as usize * 4;
    let h = size.y as usize;
    let Some(stride) = crate::render::readback::readback_stride(data.len(), row, h) else {
        bail!(
            "read back {} bytes for a {}x{} image (expected {} or {})",
            data.len(),
            size.x,
            size.y,
            row * h,
            row.div_ceil(256) * 256 * h
        );
    };
    let pixels = data
        .chunks(stride)
        .take(h)
        .flat_map(|r| &r[..row])
        .copied()
        .collect();
    image::RgbaImage::from_raw(size.x, size.y, pixels).context("readback size mismatch")
}

/// Renders one view of a city: a convenience over [`OffscreenRenderer`].
pub fn render_view(
    spec: CitySpec,
    camera: &VirtualCamera,
    options: OffscreenOptions,
) -> anyhow::Result<image::RgbaImage> {
    OffscreenRenderer::new(spec, options)?.render(camera)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpadding_strips_row_alignment() {
        // 3 px wide -> 12 bytes per row, padded to 256.
        let size = UVec2::new(3, 2);
        let mut data = vec![0u8; 256 * 2];
        data[..12].copy_from_slice(&[1; 12]);
        data[256..268].copy_from_slice(&[2; 12]);
        let img = unpad_rows(&data, size).unwrap();
        assert_eq!(img.get_pixel(2, 0).0, [1; 4]);
        assert_eq!(img.get_pixel(0, 1).0, [2; 4]);
        assert!(unpad_rows(&data[..100], size).is_err());
    }
}
