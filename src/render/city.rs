//! The city in the 3D scene: the bundled demo district (procedural meshes built from
//! [`twincity_scene::demo_city`]) and glTF/GLB files imported by the user, plus the sun and sky.
//!
//! Input: the [`CitySpec`] resource (which the document plugin keeps equal to the project).
//! Output: entities tagged [`CityPart`], and [`CityStatus`] telling what is loaded.

use std::path::PathBuf;

use bevy::asset::{LoadState, RenderAssetUsages};
use bevy::gltf::{GltfAssetLabel, GltfLoaderSettings};
use bevy::image::{ImageAddressMode, ImageLoaderSettings, ImageSampler, ImageSamplerDescriptor};
use bevy::light::CascadeShadowConfigBuilder;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use bevy::render::render_resource::TextureFormat;
use bevy::world_serialization::{WorldAsset, WorldAssetRoot};
use twincity_model::geometry::world_from_plan;
use twincity_model::project::CityImport;
use twincity_scene::demo_city::{self, CityLayout, FurnitureKind, SurfaceKind};
use twincity_scene::demo_mesh::{MeshData, building_windows};
use twincity_scene::demo_textures::{self, TextureMap};

use crate::render::frame::{FrameSet, add_frame_sets};

/// System sets of the city plugin.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CitySet {
    /// Spawns and despawns city entities to match [`CitySpec`]; tracks import loading.
    Sync,
}

/// What city content the scene must show.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct CitySpec {
    pub demo_city: bool,
    pub imports: Vec<CityImport>,
    /// The project's origin: imported files are moved by minus it (and turned to local
    /// east/up/south for an Earth-centred one), so that they sit near zero.
    pub origin: Option<twincity_model::project::GeoOrigin>,
}

/// Loading state of one imported file.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportState {
    Loading,
    Loaded,
    Failed(String),
}

/// What the scene holds now.
#[derive(Resource, Clone, Debug, Default)]
pub struct CityStatus {
    pub imports: Vec<(PathBuf, ImportState)>,
    /// Demo district maps still loading or waiting for their mipmaps ([`DemoTextures`]).
    pub textures_pending: usize,
}

impl CityStatus {
    /// True when no import is still loading.
    pub fn settled(&self) -> bool {
        self.imports.iter().all(|(_, s)| *s != ImportState::Loading)
    }
}

/// The layout of the demo district (for picking and the scene list).
#[derive(Resource, Clone, Debug)]
pub struct DemoLayout(pub CityLayout);

/// What a city entity is.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub enum CityPart {
    Building(u32),
    Surface(SurfaceKind),
    Furniture(FurnitureKind),
    Ground,
}

#[derive(Component)]
pub struct DemoCityRoot;

#[derive(Component)]
pub struct ImportedCity {
    pub import: CityImport,
    pub handle: Handle<WorldAsset>,
}

/// Spawns the city, the sun and the sky.
pub struct CityPlugin {
    /// Directional shadows (off for fast tests and batch renders).
    pub shadows: bool,
}

impl Default for CityPlugin {
    fn default() -> Self {
        Self { shadows: true }
    }
}

#[derive(Resource)]
struct ShadowSetting(bool);

impl Plugin for CityPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        app.insert_resource(ShadowSetting(self.shadows))
            .insert_resource(ClearColor(SKY))
            .insert_resource(GlobalAmbientLight {
                color: Color::srgb(0.85, 0.9, 1.0),
                brightness: 900.0,
                ..default()
            })
            .insert_resource(DemoLayout(demo_city::demo_district()))
            .init_resource::<CitySpec>()
            .init_resource::<CityStatus>()
            .init_resource::<DemoTextures>()
            .configure_sets(Update, CitySet::Sync.in_set(FrameSet::Scene))
            .add_systems(Startup, spawn_sun_and_ground)
            .add_systems(
                Update,
                (
                    sync_demo_city.run_if(resource_changed::<CitySpec>),
                    prepare_demo_textures,
                    sync_imports.run_if(resource_changed::<CitySpec>),
                    track_import_loading,
                )
                    .chain()
                    .in_set(CitySet::Sync),
            );
    }
}

/// Sky colour behind the city (sRGB).
pub const SKY: Color = Color::srgb(0.55, 0.72, 0.92);

fn spawn_sun_and_ground(
    mut commands: Commands,
    shadows: Res<ShadowSetting>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    commands.spawn((
        Name::new("Sun"),
        DirectionalLight {
            illuminance: 9_000.0,
            shadow_maps_enabled: shadows.0,
            ..default()
        },
        CascadeShadowConfigBuilder {
            num_cascades: 2,
            maximum_distance: 400.0,
            first_cascade_far_bound: 80.0,
            ..default()
        }
        .build(),
        // Afternoon sun from the south-west, 50 degrees high.
        Transform::from_xyz(-120.0, 200.0, 140.0).looking_at(Vec3::ZERO, Vec3::Y),
    ));
    commands.spawn((
        Name::new("Surrounding ground"),
        CityPart::Ground,
        Mesh3d(meshes.add(Plane3d::default().mesh().size(1600.0, 1600.0))),
        MeshMaterial3d(materials.add(StandardMaterial {
            base_color: Color::srgb(0.40, 0.47, 0.34),
            perceptual_roughness: 1.0,
            ..default()
        })),
        Transform::from_xyz(0.0, -0.21, 0.0),
    ));
}

fn surface_colour(kind: SurfaceKind) -> Color {
    match kind {
        SurfaceKind::Road => Color::srgb(0.24, 0.24, 0.26),
        SurfaceKind::Sidewalk => Color::srgb(0.64, 0.63, 0.60),
        SurfaceKind::Square => Color::srgb(0.80, 0.73, 0.62),
        SurfaceKind::Courtyard => Color::srgb(0.42, 0.56, 0.33),
        SurfaceKind::Crossing | SurfaceKind::LaneMarking => Color::srgb(0.93, 0.93, 0.90),
    }
}

fn sync_demo_city(
    mut commands: Commands,
    spec: Res<CitySpec>,
    layout: Res<DemoLayout>,
    existing: Query<Entity, With<DemoCityRoot>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut textures: ResMut<DemoTextures>,
    server: Res<AssetServer>,
) {
    match (spec.demo_city, existing.iter().next()) {
        (true, None) => spawn_demo_city(
            &mut commands,
            &layout.0,
            &mut meshes,
            &mut materials,
            &mut TextureLoader {
                textures: &mut textures,
                server: &server,
            },
        ),
        (false, Some(root)) => commands.entity(root).despawn(),
        _ => {}
    }
}

/// Spawns the demo district under one root entity: ground surfaces, buildings with their
/// windows and roofs, street furniture. Roads, sidewalks, the square and facades carry the
/// photographed maps of [`twincity_scene::demo_textures`] (flat colours where a map is
/// missing), tiled at their real size by the meshes' texture coordinates.
pub fn spawn_demo_city(
    commands: &mut Commands,
    layout: &CityLayout,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<StandardMaterial>,
    textures: &mut TextureLoader,
) {
    let root = commands
        .spawn((
            Name::new(layout.name.clone()),
            DemoCityRoot,
            Transform::default(),
            Visibility::default(),
        ))
        .id();
    spawn_surfaces(commands, root, layout, meshes, materials, textures);
    spawn_buildings(commands, root, layout, meshes, materials, textures);

    // Street furniture: shared meshes and materials per part.
    let parts = FurnitureParts::new(meshes, materials);
    commands.insert_resource(StreetLamps(parts.lamp.clone()));
    for f in &layout.furniture {
        let base = f.world_base();
        let rotation = Quat::from_rotation_y(-f.heading_deg.to_radians());
        let piece = commands
            .spawn((
                Name::new(format!("{:?}", f.kind)),
                CityPart::Furniture(f.kind),
                Transform::from_translation(base).with_rotation(rotation),
                Visibility::default(),
                ChildOf(root),
            ))
            .id();
        for (mesh, material, offset) in parts.of(f.kind) {
            commands.spawn((
                Mesh3d(mesh.clone()),
                MeshMaterial3d(material.clone()),
                Transform::from_translation(*offset),
                ChildOf(piece),
            ));
        }
    }
}

/// Ground surfaces: one merged mesh per kind. Lane markings and crossings keep their flat
/// paint colour and stay 1 cm above the asphalt, so they are drawn crisp on top of it.
fn spawn_surfaces(
    commands: &mut Commands,
    root: Entity,
    layout: &CityLayout,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<StandardMaterial>,
    textures: &mut TextureLoader,
) {
    let kinds = [
        SurfaceKind::Road,
        SurfaceKind::Sidewalk,
        SurfaceKind::Square,
        SurfaceKind::Courtyard,
        SurfaceKind::Crossing,
        SurfaceKind::LaneMarking,
    ];
    for kind in kinds {
        let map = demo_textures::surface_map(kind);
        let tile = map.map_or([4.0, 4.0], |m| m.tile);
        let mut mesh = MeshData::default();
        for s in layout.surfaces.iter().filter(|s| s.kind == kind) {
            let a = world_from_plan(s.rect.min, s.base);
            let b = world_from_plan(s.rect.max, s.top);
            mesh.add_box(a.min(b), a.max(b), tile, true);
        }
        if mesh.is_empty() {
            continue;
        }
        let flat = StandardMaterial {
            base_color: surface_colour(kind),
            perceptual_roughness: 0.95,
            ..default()
        };
        let material = match map {
            Some(map) => textures.textured(materials, map, flat, Color::WHITE),
            None => materials.add(flat),
        };
        commands.spawn((
            Name::new(format!("{kind:?}")),
            CityPart::Surface(kind),
            Mesh3d(meshes.add(to_mesh(mesh))),
            MeshMaterial3d(material),
            Transform::default(),
            ChildOf(root),
        ));
    }
}

/// Buildings: brick or plaster walls (see [`demo_textures::facade_finish`]), glass panes
/// just in front of them (one window per 3 m bay and storey), flat roofs.
fn spawn_buildings(
    commands: &mut Commands,
    root: Entity,
    layout: &CityLayout,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<StandardMaterial>,
    textures: &mut TextureLoader,
) {
    let glass = materials.add(StandardMaterial {
        base_color: Color::srgb(0.24, 0.30, 0.38),
        perceptual_roughness: 0.2,
        ..default()
    });
    for b in &layout.buildings {
        let aabb = b.aabb();
        let finish = demo_textures::facade_finish(b);
        let mut walls = MeshData::default();
        walls.add_box(aabb.min, aabb.max, finish.map.tile, false);
        let mut roof = MeshData::default();
        roof.add_box(
            Vec3::new(aabb.min.x, aabb.max.y, aabb.min.z),
            Vec3::new(aabb.max.x, aabb.max.y + 0.4, aabb.max.z),
            [4.0, 4.0],
            true,
        );
        let [r, g, bl] = b.facade;
        let flat = StandardMaterial {
            base_color: Color::srgb(r, g, bl),
            perceptual_roughness: 0.8,
            ..default()
        };
        let [tr, tg, tb] = finish.tint;
        let wall_material =
            textures.textured(materials, finish.map, flat, Color::linear_rgb(tr, tg, tb));
        commands
            .spawn((
                Name::new(b.name.clone()),
                CityPart::Building(b.id),
                Mesh3d(meshes.add(to_mesh(walls))),
                MeshMaterial3d(wall_material),
                Transform::default(),
                ChildOf(root),
            ))
            .with_children(|building| {
                building.spawn((
                    Name::new(format!("{} windows", b.name)),
                    CityPart::Building(b.id),
                    Mesh3d(meshes.add(to_mesh(building_windows(aabb.min, aabb.max)))),
                    MeshMaterial3d(glass.clone()),
                    Transform::default(),
                ));
                building.spawn((
                    Name::new(format!("{} roof", b.name)),
                    CityPart::Building(b.id),
                    Mesh3d(meshes.add(to_mesh(roof))),
                    MeshMaterial3d(materials.add(StandardMaterial {
                        base_color: Color::srgb(r * 0.45, g * 0.45, bl * 0.45),
                        perceptual_roughness: 0.9,
                        ..default()
                    })),
                    Transform::default(),
                ));
            });
    }
}

/// Which map slot of a material a texture fills.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    Albedo,
    Roughness,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum TextureState {
    Loading,
    Ready,
    Failed,
}

struct TextureEntry {
    path: &'static str,
    image: Handle<Image>,
    state: TextureState,
    /// Materials waiting on it, with the flat colour they fall back to if it fails.
    users: Vec<(AssetId<StandardMaterial>, Slot, Color)>,
}

/// The demo district's photographed maps, loaded once (repeating, anisotropic sampler), given
/// mipmaps when they arrive ([`prepare_demo_textures`]); "frame complete" waits for them
/// through [`CityStatus::textures_pending`].
#[derive(Resource, Default)]
pub struct DemoTextures {
    entries: Vec<TextureEntry>,
}

/// Loads the demo district's maps while it is spawned.
pub struct TextureLoader<'a> {
    pub textures: &'a mut DemoTextures,
    pub server: &'a AssetServer,
}

impl TextureLoader<'_> {
    /// The image of a bundled map file (sRGB colour or linear data), started loading on first
    /// use; `None` when the file is not in the bundled `assets` folder.
    fn image(&mut self, path: &'static str, srgb: bool) -> Option<usize> {
        if let Some(i) = self.textures.entries.iter().position(|e| e.path == path) {
            return (self.textures.entries[i].state != TextureState::Failed).then_some(i);
        }
        let relative = path.strip_prefix("textures/").unwrap_or(path);
        let folder = twincity_model::assets::bundled_assets("textures");
        if !folder.is_some_and(|f| f.join(relative).is_file()) {
            warn!("{path} is not in the assets folder: the demo district is drawn without it");
            return None;
        }
        let sampler = ImageSampler::Descriptor(repeat_sampler());
        let image: Handle<Image> = self
            .server
            .load_builder()
            .with_settings(move |s: &mut ImageLoaderSettings| {
                s.is_srgb = srgb;
                s.sampler = sampler.clone();
            })
            .load(path);
        self.textures.entries.push(TextureEntry {
            path,
            image,
            state: TextureState::Loading,
            users: Vec::new(),
        });
        Some(self.textures.entries.len() - 1)
    }

    /// A material showing `map` multiplied by `tint`, or `flat` when the map's file is missing
    /// (or, later, fails to load).
    fn textured(
        &mut self,
        materials: &mut Assets<StandardMaterial>,
        map: TextureMap,
        flat: StandardMaterial,
        tint: Color,
    ) -> Handle<StandardMaterial> {
        let Some(albedo) = self.image(map.albedo, true) else {
            return materials.add(flat);
        };
        let roughness = map.roughness.and_then(|path| self.image(path, false));
        let fallback = flat.base_color;
        let entries = &self.textures.entries;
        let handle = materials.add(StandardMaterial {
            base_color: tint,
            base_color_texture: Some(entries[albedo].image.clone()),
            // Roughness from the map's green channel (grey maps load with equal channels);
            // metallic stays 0 whatever its blue channel holds.
            metallic_roughness_texture: roughness.map(|i| entries[i].image.clone()),
            perceptual_roughness: if roughness.is_some() { 1.0 } else { 0.9 },
            metallic: 0.0,
            ..flat
        });
        let mut wait = |i: usize, slot: Slot| {
            let e = &mut self.textures.entries[i];
            if e.state == TextureState::Loading {
                e.users.push((handle.id(), slot, fallback));
            }
        };
        wait(albedo, Slot::Albedo);
        if let Some(i) = roughness {
            wait(i, Slot::Roughness);
        }
        handle
    }
}

/// Repeating, trilinear and 16× anisotropic (where the GPU offers it; wgpu falls back to
/// none), so far asphalt and brick neither stretch nor shimmer.
fn repeat_sampler() -> ImageSamplerDescriptor {
    let mut sampler = ImageSamplerDescriptor {
        address_mode_u: ImageAddressMode::Repeat,
        address_mode_v: ImageAddressMode::Repeat,
        ..ImageSamplerDescriptor::linear()
    };
    sampler.set_anisotropic_filter(16);
    sampler
}

/// Gives each demo map its mipmaps once it has loaded (the JPEG loader makes none), or, when
/// it failed, puts its materials back to flat colours; counts those still on their way.
fn prepare_demo_textures(
    mut textures: ResMut<DemoTextures>,
    server: Res<AssetServer>,
    mut images: ResMut<Assets<Image>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut status: ResMut<CityStatus>,
) {
    let waiting = |t: &DemoTextures| {
        t.entries
            .iter()
            .filter(|e| e.state == TextureState::Loading)
            .count()
    };
    if waiting(&textures) == 0 && status.textures_pending == 0 {
        return;
    }
    for e in &mut textures.entries {
        if e.state != TextureState::Loading {
            continue;
        }
        if let Some(LoadState::Failed(err)) = server.get_load_state(&e.image) {
            error!("{} could not be loaded ({err}): drawn without it", e.path);
            e.state = TextureState::Failed;
            for (id, slot, fallback) in e.users.drain(..) {
                if let Some(mut m) = materials.get_mut(id) {
                    match slot {
                        Slot::Albedo => {
                            m.base_color_texture = None;
                            m.base_color = fallback;
                        }
                        Slot::Roughness => m.metallic_roughness_texture = None,
                    }
                }
            }
            continue;
        }
        if let Some(mut image) = images.get_mut(&e.image) {
            add_mipmaps(&mut image);
            e.state = TextureState::Ready;
            e.users.clear();
        }
    }
    let pending = waiting(&textures);
    if status.textures_pending != pending {
        status.textures_pending = pending;
    }
}

/// Replaces a loaded RGBA8 image by itself and its full mip chain (averaged in linear light
/// for colour maps), kept on the GPU only.
fn add_mipmaps(image: &mut Image) {
    let desc = &image.texture_descriptor;
    let srgb = match desc.format {
        TextureFormat::Rgba8UnormSrgb => true,
        TextureFormat::Rgba8Unorm => false,
        _ => return,
    };
    let (w, h) = (desc.size.width, desc.size.height);
    if desc.mip_level_count > 1 || desc.size.depth_or_array_layers != 1 {
        return;
    }
    let Some(data) = image.data.as_ref() else {
        return;
    };
    if data.len() != (w * h * 4) as usize {
        return;
    }
    image.data = Some(demo_textures::mip_chain(w, h, data, srgb));
    image.texture_descriptor.mip_level_count = demo_textures::mip_levels(w, h);
    image.asset_usage = RenderAssetUsages::RENDER_WORLD;
}

type Part = (Handle<Mesh>, Handle<StandardMaterial>, Vec3);

struct FurnitureParts {
    light: Vec<Part>,
    tree: Vec<Part>,
    bench: Vec<Part>,
    bin: Vec<Part>,
    bollard: Vec<Part>,
    fountain: Vec<Part>,
    shelter: Vec<Part>,
    lamp: Handle<StandardMaterial>,
}

/// How street lamp heads glow by default (switched on and off by scenarios).
pub const LAMP_GLOW: LinearRgba = LinearRgba::rgb(2.0, 1.8, 1.2);

/// The material of the demo district's street lamp heads.
#[derive(Resource, Clone)]
pub struct StreetLamps(pub Handle<StandardMaterial>);

impl FurnitureParts {
    fn new(meshes: &mut Assets<Mesh>, materials: &mut Assets<StandardMaterial>) -> Self {
        let mut mat = |r: f32, g: f32, b: f32| {
            materials.add(StandardMaterial {
                base_color: Color::srgb(r, g, b),
                perceptual_roughness: 0.7,
                ..default()
            })
        };
        let metal = mat(0.20, 0.22, 0.24);
        let wood = mat(0.45, 0.30, 0.18);
        let leaves = mat(0.23, 0.45, 0.18);
        let stone = mat(0.72, 0.70, 0.66);
        let water = mat(0.25, 0.45, 0.65);
        let glass = mat(0.70, 0.80, 0.85);
        let lamp = materials.add(StandardMaterial {
            base_color: Color::srgb(1.0, 0.95, 0.8),
            emissive: LAMP_GLOW,
            ..default()
        });
        let mut m = |mesh: Mesh| meshes.add(mesh);
        Self {
            lamp: lamp.clone(),
            light: vec![
                (
                    m(Cylinder::new(0.08, 6.0).into()),
                    metal.clone(),
                    Vec3::Y * 3.0,
                ),
                (
                    m(Cuboid::new(0.3, 0.15, 0.8).into()),
                    lamp,
                    Vec3::new(0.0, 6.0, 0.0),
                ),
            ],
            tree: vec![
                (
                    m(Cylinder::new(0.15, 2.6).into()),
                    wood.clone(),
                    Vec3::Y * 1.3,
                ),
                (
                    m(Sphere::new(2.0)
                        .mesh()
                        .ico(2)
                        .unwrap_or_else(|_| Sphere::new(2.0).into())),
                    leaves,
                    Vec3::Y * 4.0,
                ),
            ],
            bench: vec![
                (
                    m(Cuboid::new(1.8, 0.08, 0.5).into()),
                    wood.clone(),
                    Vec3::Y * 0.45,
                ),
                (
                    m(Cuboid::new(1.8, 0.45, 0.06).into()),
                    wood.clone(),
                    Vec3::new(0.0, 0.75, 0.25),
                ),
                (
                    m(Cuboid::new(1.6, 0.45, 0.4).into()),
                    metal.clone(),
                    Vec3::Y * 0.2,
                ),
            ],
            bin: vec![(
                m(Cylinder::new(0.25, 0.9).into()),
                metal.clone(),
                Vec3::Y * 0.45,
            )],
            bollard: vec![(
                m(Cylinder::new(0.1, 0.9).into()),
                metal.clone(),
                Vec3::Y * 0.45,
            )],
            fountain: vec![
                (
                    m(Cylinder::new(4.0, 0.6).into()),
                    stone.clone(),
                    Vec3::Y * 0.3,
                ),
                (m(Cylinder::new(3.6, 0.05).into()), water, Vec3::Y * 0.6),
                (m(Cylinder::new(0.5, 2.2).into()), stone, Vec3::Y * 1.1),
            ],
            shelter: vec![
                (
                    m(Cuboid::new(4.0, 0.1, 1.6).into()),
                    metal.clone(),
                    Vec3::Y * 2.5,
                ),
                (
                    m(Cuboid::new(4.0, 2.3, 0.05).into()),
                    glass,
                    Vec3::new(0.0, 1.3, 0.75),
                ),
                (
                    m(Cylinder::new(0.05, 2.5).into()),
                    metal.clone(),
                    Vec3::new(-1.9, 1.25, 0.7),
                ),
                (
                    m(Cylinder::new(0.05, 2.5).into()),
                    metal,
                    Vec3::new(1.9, 1.25, 0.7),
                ),
            ],
        }
    }

    fn of(&self, kind: FurnitureKind) -> &[Part] {
        match kind {
            FurnitureKind::StreetLight => &self.light,
            FurnitureKind::Tree => &self.tree,
            FurnitureKind::Bench => &self.bench,
            FurnitureKind::Bin => &self.bin,
            FurnitureKind::Bollard => &self.bollard,
            FurnitureKind::Fountain => &self.fountain,
            FurnitureKind::BusShelter => &self.shelter,
        }
    }
}

/// A Bevy mesh from the demo district's plain mesh data.
fn to_mesh(data: MeshData) -> Mesh {
    Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, data.positions)
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, data.normals)
    .with_inserted_attribute(Mesh::ATTRIBUTE_UV_0, data.uvs)
    .with_inserted_indices(Indices::U32(data.indices))
}

/// Where an imported file's root goes: turned for `z_up`, then placed by the project's origin
/// ([`twincity_model::project::GeoOrigin::scene_from_file`], computed in `f64`).
fn import_transform(
    import: &CityImport,
    origin: Option<&twincity_model::project::GeoOrigin>,
) -> Transform {
    use bevy::math::{DAffine3, DQuat};
    let turn = if import.z_up {
        DAffine3::from_quat(DQuat::from_rotation_x(-std::f64::consts::FRAC_PI_2))
    } else {
        DAffine3::IDENTITY
    };
    let place = origin.map_or(DAffine3::IDENTITY, |o| o.scene_from_file());
    let m = place * turn;
    Transform::from_translation(m.translation.as_vec3())
        .with_rotation(DQuat::from_mat3(&m.matrix3).normalize().as_quat())
}

fn sync_imports(
    mut commands: Commands,
    spec: Res<CitySpec>,
    mut existing: Query<(Entity, &ImportedCity, &mut Transform)>,
    asset_server: Res<AssetServer>,
    mut status: ResMut<CityStatus>,
) {
    let mut refused = Vec::new();
    for (entity, imported, mut transform) in &mut existing {
        if !spec.imports.contains(&imported.import) {
            commands.entity(entity).despawn();
        } else {
            // The origin may have changed (first import of a far-away file, undo).
            *transform = import_transform(&imported.import, spec.origin.as_ref());
        }
    }
    for import in &spec.imports {
        if existing.iter().any(|(_, i, _)| i.import == *import) {
            continue;
        }
        // The loader is handed only files that cannot crash it or read outside their folder.
        // Files using extensions the loader lacks are handed over as their plain rewrite.
        let check = match twincity_gltf::inspect::check_import(&import.path, import.z_up) {
            Ok(check) => check,
            Err(e) => {
                refused.push((import.path.clone(), ImportState::Failed(e)));
                continue;
            }
        };
        let handle = load_city_file(&asset_server, check.load_path);
        commands.spawn((
            Name::new(
                import
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| import.path.display().to_string()),
            ),
            ImportedCity {
                import: import.clone(),
                handle: handle.clone(),
            },
            WorldAssetRoot(handle),
            import_transform(import, spec.origin.as_ref()),
        ));
    }
    status.imports = spec
        .imports
        .iter()
        .map(|i| {
            if let Some((_, failed)) = refused.iter().find(|(p, _)| *p == i.path) {
                return (i.path.clone(), failed.clone());
            }
            let previous = status
                .imports
                .iter()
                .find(|(p, _)| *p == i.path)
                .map(|(_, s)| s.clone());
            (i.path.clone(), previous.unwrap_or(ImportState::Loading))
        })
        .collect();
}

/// Starts loading the first scene of a glTF file chosen by the user, anywhere on disk.
/// The file's own cameras and lights are ignored (they would take over the editor's view).
pub fn load_city_file(asset_server: &AssetServer, path: PathBuf) -> Handle<WorldAsset> {
    let path = std::path::absolute(&path).unwrap_or(path);
    asset_server
        .load_builder()
        .with_settings(|s: &mut GltfLoaderSettings| {
            s.load_cameras = false;
            s.load_lights = false;
        })
        .override_unapproved()
        .load(GltfAssetLabel::Scene(0).from_asset(path))
}

fn track_import_loading(
    imports: Query<&ImportedCity>,
    asset_server: Res<AssetServer>,
    mut status: ResMut<CityStatus>,
) {
    if status.settled() {
        return;
    }
    for imported in &imports {
        let state = match asset_server.get_recursive_dependency_load_state(&imported.handle) {
            Some(bevy::asset::RecursiveDependencyLoadState::Loaded) => ImportState::Loaded,
            Some(bevy::asset::RecursiveDependencyLoadState::Failed(e)) => {
                ImportState::Failed(e.to_string())
            }
            _ => match asset_server.get_load_state(&imported.handle) {
                Some(LoadState::Failed(e)) => ImportState::Failed(e.to_string()),
                _ => ImportState::Loading,
            },
        };
        if let Some(entry) = status
            .imports
            .iter_mut()
            .find(|(p, _)| *p == imported.import.path)
            && entry.1 != state
        {
            entry.1 = state;
        }
    }
}
