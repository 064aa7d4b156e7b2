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
    /// Every person drawn with the full meshes, near or far (no levels of detail).
    pub full_meshes: bool,
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
            full_meshes: false,
        }
    }
}

#[derive(Component)]
struct OffscreenCamera;

type Slot = Arc<Mutex<Option<Vec<u8>>>>;

/// A view rendered: the colour image (RGBA, sRGB) and, when asked, its id pass.
pub type RenderedView = (image::RgbaImage, Option<IdImage>);

/// A render target, its size and the camera drawing into it.
type Target = (Handle<Image>, UVec2, Entity);

/// One view of a render request: its colour target and, when asked, its id pass's, each with
/// the slot its read-back lands in.
#[derive(Default)]
struct View {
    target: Option<Target>,
    slot: Slot,
    id_target: Option<Target>,
    id_slot: Slot,
}

impl View {
    /// The view's targets (colour, then the id pass's when asked), each with its camera.
    fn targets(&self) -> impl Iterator<Item = &Target> {
        self.target.iter().chain(self.id_target.iter())
    }
}

/// A headless Bevy app holding the city, rendering views of it on request.
pub struct OffscreenRenderer {
    app: App,
    options: OffscreenOptions,
    /// One per view of the last request (targets are reused while their size holds).
    views: Vec<View>,
    /// App frames in which the offscreen cameras drew, since the renderer was made.
    frames_drawn: u64,
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
            // Levels of detail chosen per camera, as in the editor, unless asked for full
            // meshes (docs/people.md).
            .insert_resource(crate::render::people::PeopleSettings {
                levels_of_detail: !options.full_meshes,
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
            views: Vec::new(),
            frames_drawn: 0,
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

    /// App frames in which the offscreen cameras drew, since the renderer was made: once
    /// every pipeline has been compiled, one per [`Self::render`] or [`Self::render_many`]
    /// call.
    pub fn frames_drawn(&self) -> u64 {
        self.frames_drawn
    }

    /// Renders `camera`'s view at its resolution and returns the RGBA pixels (sRGB).
    ///
    /// Every call spawns a new camera entity (reusing the target image): GPU readbacks arrive
    /// a frame or more late, and are delivered to the entity that asked, so one that arrives
    /// here was rendered from this pose and scene, never from the previous request's.
    pub fn render(&mut self, camera: &VirtualCamera) -> anyhow::Result<image::RgbaImage> {
        let mut views = self.render_views(std::slice::from_ref(camera), false)?;
        Ok(views.remove(0).0)
    }

    /// Renders `camera`'s view and, in the same frame, its id pass ([`crate::render::id_pass`]): the
    /// colour image and, per pixel, the instance id and depth of the surface drawn there.
    pub fn render_with_ids(
        &mut self,
        camera: &VirtualCamera,
    ) -> anyhow::Result<(image::RgbaImage, IdImage)> {
        let (img, ids) = self
            .render_views(std::slice::from_ref(camera), true)?
            .remove(0);
        Ok((img, ids.context("the id pass read back nothing")?))
    }

    /// Renders every camera of `cameras` in the same app frame (and, with `with_ids`, each
    /// one's id pass beside it), then reads them all back: one frame of the scene's upkeep
    /// (animation, extraction) for all of them, and their read-backs in flight together. The
    /// images, in the order of `cameras`, are those [`Self::render`] would give one by one,
    /// but for people's levels of detail: chosen for the longest lens among `cameras`, a
    /// camera drawn beside a longer one may get more detail than alone.
    pub fn render_many(
        &mut self,
        cameras: &[VirtualCamera],
        with_ids: bool,
    ) -> anyhow::Result<Vec<RenderedView>> {
        let views = self.render_views(cameras, with_ids)?;
        if with_ids && views.iter().any(|(_, ids)| ids.is_none()) {
            bail!("the id pass read back nothing");
        }
        Ok(views)
    }

    fn render_views(
        &mut self,
        cameras: &[VirtualCamera],
        with_ids: bool,
    ) -> anyhow::Result<Vec<RenderedView>> {
        self.focus_levels_of_detail(cameras);
        self.fresh_cameras(cameras, with_ids);
        self.clear_slots();
        let started = Instant::now();
        // The cameras draw only the frame that counts: while the scene settles (people
        // and vehicles being spawned, pipelines compiling) and while the read-backs arrive
        // (a frame or more later) they are off, so the scene is drawn once per request.
        // `drawn`: that frame was drawn.
        let mut drawn = false;
        let mut first = true;
        // Render frames reported done when that frame was drawn: the check that covers it
        // needs two more (one with pipelined rendering, where the render world runs a frame
        // behind the main world).
        let mut drawn_after = 0;
        loop {
            if started.elapsed() > self.options.timeout {
                bail!(
                    "no complete frame within {:?}; check that a Vulkan driver is installed \
                     (on machines without a GPU: `scripts/setup.sh` installs Mesa's lavapipe)",
                    self.options.timeout
                );
            }
            let whole = !drawn && !first && self.scene_ready()?;
            first = false;
            self.set_cameras_active(whole);
            // Only that frame is read back: a read-back can arrive several frames late, and
            // one of another frame must never be taken for the image.
            self.request_readbacks(whole);
            self.app.update();
            self.request_readbacks(false);
            self.frames_drawn += u64::from(whole);
            let ready = self.scene_ready()?;
            if (drawn || whole) && !ready {
                // The frame needed a pipeline not yet compiled (the check after the next
                // update tells): it showed an incomplete scene. New cameras, so that its
                // read-backs, still in flight, go nowhere; it is drawn again once settled.
                self.fresh_cameras(cameras, with_ids);
                self.clear_slots();
                drawn = false;
                continue;
            }
            let rendered = self.app.world().resource::<Readiness>().rendered_frames;
            if !drawn {
                drawn = whole;
                drawn_after = rendered;
                continue;
            }
            if rendered < drawn_after + 2 {
                continue;
            }
            if let Some(views) = self.take_views(cameras, with_ids)? {
                return Ok(views);
            }
        }
    }

    /// Whether the city is loaded and no pipeline has been pending for a while (the frame
    /// drawn before this check was complete); fails when the people could not be loaded.
    fn scene_ready(&mut self) -> anyhow::Result<bool> {
        let world = self.app.world_mut();
        if let Some(e) = world
            .get_resource::<crate::render::people::PeopleStatus>()
            .and_then(|s| s.failed.clone())
        {
            bail!("{e}");
        }
        let roots = world
            .query_filtered::<(), With<DemoCityRoot>>()
            .iter(world)
            .count();
        Ok(scene_loaded(
            world.resource::<CitySpec>(),
            world.resource::<CityStatus>(),
            roots,
        ) && world.resource::<Readiness>().stable_frames >= STABLE_FRAMES)
    }

    fn clear_slots(&self) {
        for view in &self.views {
            for slot in [&view.slot, &view.id_slot] {
                if let Ok(mut slot) = slot.lock() {
                    *slot = None;
                }
            }
        }
    }

    /// Asks for (or stops asking for) every view's targets to be read back after the next
    /// frame.
    fn request_readbacks(&mut self, on: bool) {
        let targets: Vec<(Entity, Handle<Image>)> = self
            .views
            .iter()
            .flat_map(View::targets)
            .map(|(handle, _, cam)| (*cam, handle.clone()))
            .collect();
        for (cam, handle) in targets {
            let Ok(mut entity) = self.app.world_mut().get_entity_mut(cam) else {
                continue;
            };
            match (on, entity.contains::<Readback>()) {
                (true, false) => {
                    entity.insert(Readback::texture(handle));
                }
                (false, true) => {
                    entity.remove::<Readback>();
                }
                _ => {}
            }
        }
    }

    /// Turns the request's cameras on or off.
    fn set_cameras_active(&mut self, active: bool) {
        let cams: Vec<Entity> = self
            .views
            .iter()
            .flat_map(|v| v.targets().map(|t| t.2))
            .collect();
        for cam in cams {
            if let Some(mut camera) = self.app.world_mut().get_mut::<Camera>(cam)
                && camera.is_active != active
            {
                camera.is_active = active;
            }
        }
    }

    /// Every view's images once all their read-backs have arrived (None before).
    fn take_views(
        &self,
        cameras: &[VirtualCamera],
        with_ids: bool,
    ) -> anyhow::Result<Option<Vec<RenderedView>>> {
        let poisoned = |_| anyhow::anyhow!("readback lock poisoned");
        for view in &self.views {
            let has = view.slot.lock().map_err(poisoned)?.is_some();
            let has_ids = !with_ids || view.id_slot.lock().map_err(poisoned)?.is_some();
            if !(has && has_ids) {
                return Ok(None);
            }
        }
        let mut out = Vec::with_capacity(cameras.len());
        for (view, camera) in self.views.iter().zip(cameras) {
            let size = UVec2::new(camera.resolution.0, camera.resolution.1);
            let ids = match view.id_slot.lock().map_err(poisoned)?.take() {
                Some(data) if with_ids => {
                    Some(crate::render::id_pass::decode(&data, size.x, size.y)?)
                }
                _ => None,
            };
            let data = view
                .slot
                .lock()
                .map_err(poisoned)?
                .take()
                .unwrap_or_default();
            let mut img = unpad_rows(&data, size)?;
            let (w, h) = img.dimensions();
            twincity_scene::coverage::black_out_masks(
                &mut img,
                w,
                h,
                camera,
                &self.options.privacy_masks,
            );
            out.push((img, ids));
        }
        Ok(Some(out))
    }

    /// People's levels of detail chosen for the most zoomed-in of `cameras`.
    fn focus_levels_of_detail(&mut self, cameras: &[VirtualCamera]) {
        let focal = cameras
            .iter()
            // Pixels per metre at 1 m: the focal length in pixels.
            .map(|c| c.lens.pixels_per_metre(c.resolution.0, 1.0))
            .fold(0.0f32, f32::max);
        if focal > 0.0
            && let Some(mut f) = self
                .app
                .world_mut()
                .get_resource_mut::<crate::render::people::LodFocalLength>()
        {
            f.set_if_neq(crate::render::people::LodFocalLength(focal));
        }
    }

    /// A new colour camera (and id camera) per view, drawing into the view's targets, reused
    /// when their size holds; the previous request's cameras are despawned.
    fn fresh_cameras(&mut self, cameras: &[VirtualCamera], with_ids: bool) {
        let mut old = std::mem::take(&mut self.views);
        for view in &old {
            for (_, _, cam) in view.targets() {
                self.app.world_mut().despawn(*cam);
            }
        }
        for (i, camera) in cameras.iter().enumerate() {
            let size = UVec2::new(camera.resolution.0, camera.resolution.1);
            let reuse =
                |t: Option<Target>| t.and_then(|(handle, s, _)| (s == size).then_some(handle));
            let (colour, ids) = match old.get_mut(i) {
                Some(v) => (reuse(v.target.take()), reuse(v.id_target.take())),
                None => (None, None),
            };
            let view = self.spawn_view(camera, colour, ids, with_ids);
            self.views.push(view);
        }
    }

    fn spawn_view(
        &mut self,
        camera: &VirtualCamera,
        colour: Option<Handle<Image>>,
        ids: Option<Handle<Image>>,
        with_ids: bool,
    ) -> View {
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
        let world = self.app.world_mut();
        let target = |world: &mut World, format: TextureFormat| {
            let mut target = Image::new_target_texture(size.x, size.y, format, None);
            target.texture_descriptor.usage |= TextureUsages::COPY_SRC;
            world.resource_mut::<Assets<Image>>().add(target)
        };
        let mut view = View::default();
        let handle = colour.unwrap_or_else(|| target(world, TextureFormat::Rgba8UnormSrgb));
        let slot = view.slot.clone();
        let cam = world
            .spawn((
                OffscreenCamera,
                Camera3d::default(),
                RenderTarget::Image(handle.clone().into()),
                projection.clone(),
                transform,
            ))
            .observe(move |event: On<ReadbackComplete>| {
                if let Ok(mut s) = slot.lock() {
                    *s = Some(event.data.clone());
                }
            })
            .id();
        view.target = Some((handle, size, cam));
        if !with_ids {
            return view;
        }
        // Half floats, written as they are: no tone mapping, dithering or multisampling.
        let handle = ids.unwrap_or_else(|| target(world, TextureFormat::Rgba16Float));
        let slot = view.id_slot.clone();
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
                projection,
                transform,
            ))
            .observe(move |event: On<ReadbackComplete>| {
                if let Ok(mut s) = slot.lock() {
                    *s = Some(event.data.clone());
                }
            })
            .id();
        view.id_target = Some((handle, size, cam));
        view
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
