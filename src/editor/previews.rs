//! Live previews of every virtual camera: each renders the city into a texture of its own
//! (its pose, field of view and aspect), shown as thumbnails in the Camera previews window;
//! one can be enlarged, and the main view can look through a camera.

use std::collections::HashMap;

use bevy::camera::RenderTarget;
use bevy::camera::visibility::RenderLayers;
use bevy::prelude::*;
use bevy::render::render_resource::{
    Extent3d, TextureDescriptor, TextureDimension, TextureFormat, TextureUsages,
};
use bevy_egui::{EguiTextureHandle, EguiUserTextures, egui};
use twincity_i18n::{tr, tr_args};
use twincity_model::{CameraId, VirtualCamera};

use crate::render::document::Document;
use crate::render::frame::{FrameSet, add_frame_sets};
use crate::render::overlay::{camera_pose, gizmos_on_overlay_layer};

/// System sets of the previews.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PreviewSet {
    /// Preview cameras follow the project's cameras.
    Sync,
}

/// Width of a thumbnail, and of the enlarged preview, in pixels.
const THUMB_WIDTH: u32 = 320;
const LARGE_WIDTH: u32 = 960;

struct Preview {
    entity: Entity,
    image: Handle<Image>,
    size: UVec2,
}

/// The previews, driven by the Camera previews window.
#[derive(Resource)]
pub struct CameraPreviews {
    /// Render previews at all (each costs a render of the scene when it refreshes).
    pub live: bool,
    /// Shown large in its own window.
    pub enlarged: Option<CameraId>,
    /// The main view looks through this camera.
    pub look_through: Option<CameraId>,
    /// Also rendered at the enlarged size (cameras running a model).
    pub wide: Vec<CameraId>,
    /// A window shows the thumbnails (the Camera previews, Model inference or Plate check
    /// window: the editor's UI sets it every frame). While none does, only the previews in
    /// `wide` render; the others stop, keeping their last image.
    pub shown: bool,
    previews: HashMap<CameraId, Preview>,
    /// Frames counted, for the thumbnails' turns.
    tick: u64,
}

impl Default for CameraPreviews {
    fn default() -> Self {
        Self {
            live: true,
            enlarged: None,
            look_through: None,
            wide: Vec::new(),
            shown: true,
            previews: HashMap::new(),
            tick: 0,
        }
    }
}

impl CameraPreviews {
    /// Each preview's image and size in pixels.
    pub fn images(&self) -> impl Iterator<Item = (CameraId, &Handle<Image>, UVec2)> {
        self.previews.iter().map(|(id, p)| (*id, &p.image, p.size))
    }
}

pub struct PreviewPlugin;

impl Plugin for PreviewPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        app.init_resource::<CameraPreviews>()
            .configure_sets(Update, PreviewSet::Sync.in_set(FrameSet::Scene))
            .add_systems(Startup, gizmos_on_overlay_layer)
            .add_systems(Update, sync_previews.in_set(PreviewSet::Sync));
    }
}

/// A texture that cameras render into and egui samples.
fn target_image(size: UVec2) -> Image {
    let extent = Extent3d {
        width: size.x,
        height: size.y,
        depth_or_array_layers: 1,
    };
    let mut image = Image {
        texture_descriptor: TextureDescriptor {
            label: Some("camera preview"),
            size: extent,
            dimension: TextureDimension::D2,
            format: TextureFormat::Bgra8UnormSrgb,
            mip_level_count: 1,
            sample_count: 1,
            // COPY_SRC: live inference reads previews back.
            usage: TextureUsages::TEXTURE_BINDING
                | TextureUsages::COPY_DST
                | TextureUsages::COPY_SRC
                | TextureUsages::RENDER_ATTACHMENT,
            view_formats: &[],
        },
        ..default()
    };
    image.resize(extent);
    image
}

fn sync_previews(
    mut commands: Commands,
    mut previews: ResMut<CameraPreviews>,
    doc: Res<Document>,
    mut images: ResMut<Assets<Image>>,
    mut textures: ResMut<EguiUserTextures>,
    mut cams: Query<(&mut Transform, &mut Projection, &mut Camera)>,
) {
    let previews = &mut *previews;
    let wanted: Vec<&VirtualCamera> = if previews.live {
        doc.project.cameras.iter().collect()
    } else {
        Vec::new()
    };
    // Gone cameras (or previews turned off): drop their render cameras and textures.
    let gone: Vec<CameraId> = previews
        .previews
        .keys()
        .filter(|id| !wanted.iter().any(|c| c.id == **id))
        .copied()
        .collect();
    for id in gone {
        if let Some(p) = previews.previews.remove(&id) {
            commands.entity(p.entity).despawn();
            textures.remove_image(&p.image);
        }
    }
    if previews
        .enlarged
        .is_some_and(|id| !doc.project.cameras.iter().any(|c| c.id == id))
    {
        previews.enlarged = None;
    }
    if previews
        .look_through
        .is_some_and(|id| !doc.project.cameras.iter().any(|c| c.id == id))
    {
        previews.look_through = None;
    }
    // Thumbnails render in turn, one per frame (the enlarged preview and those a model reads
    // render every frame): with N cameras a frame costs one preview instead of N, and each
    // thumbnail refreshes at 1/N of the frame rate.
    previews.tick = previews.tick.wrapping_add(1);
    let thumbnails: Vec<CameraId> = wanted
        .iter()
        .map(|c| c.id)
        .filter(|id| previews.enlarged != Some(*id) && !previews.wide.contains(id))
        .collect();
    let turn = (!thumbnails.is_empty())
        .then(|| thumbnails[(previews.tick % thumbnails.len() as u64) as usize]);
    for cam in wanted {
        let width = if previews.enlarged == Some(cam.id) || previews.wide.contains(&cam.id) {
            LARGE_WIDTH
        } else {
            THUMB_WIDTH
        };
        let size = UVec2::new(width, ((width as f32 / cam.aspect()).round() as u32).max(8));
        let (transform, projection) = camera_pose(cam);
        // While no window shows thumbnails, a preview renders only for a model or the Plate
        // check; the others keep their last image.
        let active = previews.wide.contains(&cam.id)
            || (previews.shown && (previews.enlarged == Some(cam.id) || turn == Some(cam.id)));
        let rebuild = previews
            .previews
            .get(&cam.id)
            .is_none_or(|p| p.size != size);
        if rebuild {
            if let Some(p) = previews.previews.remove(&cam.id) {
                commands.entity(p.entity).despawn();
                textures.remove_image(&p.image);
            }
            let image = images.add(target_image(size));
            textures.add_image(EguiTextureHandle::Strong(image.clone()));
            let entity = commands
                .spawn((
                    Name::new(format!("Preview of {}", cam.name)),
                    Camera3d::default(),
                    Camera {
                        // Before the editor's view and the UI.
                        order: -10 - cam.id.0 as isize,
                        is_active: active,
                        ..default()
                    },
                    RenderTarget::Image(image.clone().into()),
                    RenderLayers::layer(0),
                    transform,
                    projection,
                ))
                .id();
            previews.previews.insert(
                cam.id,
                Preview {
                    entity,
                    image,
                    size,
                },
            );
        } else if let Some(p) = previews.previews.get(&cam.id)
            && let Ok((mut t, mut proj, mut camera)) = cams.get_mut(p.entity)
        {
            if camera.is_active != active {
                camera.is_active = active;
            }
            if *t != transform {
                *t = transform;
            }
            if let (Projection::Perspective(a), Projection::Perspective(b)) = (&*proj, &projection)
                && (a.fov != b.fov || a.aspect_ratio != b.aspect_ratio)
            {
                *proj = projection;
            }
        }
    }
}

/// The Camera previews window: a thumbnail per camera (click to enlarge), and buttons to look
/// through one in the main view.
pub fn previews_window(
    ctx: &egui::Context,
    previews: &mut CameraPreviews,
    textures: &HashMap<CameraId, (egui::TextureId, UVec2)>,
    cameras: &[VirtualCamera],
    open: &mut bool,
) {
    egui::Window::new(tr("previews-title"))
        .id(egui::Id::new("camera_previews"))
        .open(open)
        .default_pos(egui::pos2(270.0, 40.0))
        .default_height(560.0)
        .default_width(360.0)
        .resizable(true)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.checkbox(&mut previews.live, tr("previews-live"))
                    .on_hover_text(tr("previews-live-tip"));
                if let Some(id) = previews.look_through {
                    let name = cameras.iter().find(|c| c.id == id).map_or("", |c| &c.name);
                    if ui
                        .button(tr_args(
                            "previews-stop-looking",
                            &[("camera", name.to_string().into())],
                        ))
                        .clicked()
                        || ui.input(|i| i.key_pressed(egui::Key::Escape))
                    {
                        previews.look_through = None;
                    }
                }
            });
            if cameras.is_empty() {
                ui.weak(tr("previews-no-cameras"));
            }
            egui::ScrollArea::vertical().show(ui, |ui| {
                for cam in cameras {
                    ui.horizontal(|ui| {
                        ui.strong(&cam.name);
                        ui.weak(tr_args(
                            "previews-camera-size",
                            &[
                                ("width", cam.resolution.0.to_string().into()),
                                ("height", cam.resolution.1.to_string().into()),
                                (
                                    "fov",
                                    twincity_i18n::number(
                                        f64::from(cam.lens.horizontal_fov().to_degrees()),
                                        0,
                                    )
                                    .into(),
                                ),
                            ],
                        ));
                        let looking = previews.look_through == Some(cam.id);
                        if ui
                            .selectable_label(looking, tr("previews-look-through"))
                            .clicked()
                        {
                            previews.look_through = (!looking).then_some(cam.id);
                        }
                    });
                    match textures.get(&cam.id).copied() {
                        Some((tex, size)) if previews.enlarged != Some(cam.id) => {
                            let w = ui.available_width().min(THUMB_WIDTH as f32);
                            let h = w * size.y as f32 / size.x as f32;
                            let r = ui.add(
                                egui::Image::new((tex, egui::vec2(w, h)))
                                    .sense(egui::Sense::click()),
                            );
                            if r.on_hover_text(tr("previews-enlarge")).clicked() {
                                previews.enlarged = Some(cam.id);
                            }
                        }
                        Some(_) => {
                            ui.weak(tr("previews-enlarged"));
                        }
                        None if previews.live => {
                            ui.weak(tr("previews-starting"));
                        }
                        None => {
                            ui.weak(tr("previews-off"));
                        }
                    }
                    ui.separator();
                }
            });
        });
    let Some(id) = previews.enlarged else {
        return;
    };
    let Some(cam) = cameras.iter().find(|c| c.id == id) else {
        return;
    };
    let mut keep = true;
    egui::Window::new(tr_args(
        "previews-window",
        &[("camera", cam.name.clone().into())],
    ))
    .id(egui::Id::new(("camera_preview", id.0)))
    .open(&mut keep)
    .default_width(LARGE_WIDTH as f32 * 0.75)
    .resizable(true)
    .show(ctx, |ui| {
        if let Some((tex, size)) = textures.get(&id).copied() {
            let w = ui.available_width();
            let h = w * size.y as f32 / size.x as f32;
            ui.add(egui::Image::new((tex, egui::vec2(w, h))));
        }
    });
    if !keep {
        previews.enlarged = None;
    }
}
