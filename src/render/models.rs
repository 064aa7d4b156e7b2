//! Vehicles and dumped objects drawn from their 3D models (`assets/vehicles`, `assets/props`;
//! the catalogues are `twincity_scenario::vehicles` and `twincity_scenario::props`).
//!
//! A vehicle is drawn as a root entity (its [`ScenarioFigure`], placed on the road — a bicycle
//! on the pavement — and turned to its heading) holding its body's glTF scene (scaled to its
//! real size), its plates front and rear with their text (none on a bicycle), and, for
//! texture-atlas models, four small lamps. Once the scene
//! is in the world its wheels are found by name and turned by the distance driven, its paint
//! applied (the materials the catalogue names, or a tint of the atlas), and its lights lit at
//! night. A dumped object is a root entity holding its prop's scene (or a soft box), at the
//! height it has fallen to.
//!
//! The scenario view decides what is drawn ([`sync_vehicles`], [`sync_objects`]); the id pass
//! labels every mesh under a figure with the figure's id.

use std::collections::HashMap;

use bevy::gltf::GltfMaterialName;
use bevy::prelude::*;
use bevy::world_serialization::{WorldAsset, WorldAssetRoot, WorldInstanceReady};
use twincity_scenario::figures::{world as plan, yaw as yaw_of};
use twincity_scenario::props::{self, Lay};
use twincity_scenario::vehicles::{BodyModel, CATALOGUE, Paint, wheel_angle};
use twincity_scenario::world::{ObjectState, VehicleState};

use crate::render::figure::ScenarioFigure;
use crate::render::frame::{FrameSet, add_frame_sets};

/// Systems of [`ModelsPlugin`].
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelsSet {
    /// Turns wheels, paints and lights vehicles whose state changed.
    Pose,
    /// Holds back "frame complete" while a model is still loading or spawning.
    Watch,
}

pub struct ModelsPlugin;

impl Plugin for ModelsPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        app.init_resource::<ModelsStatus>()
            .add_systems(Startup, load_models)
            .configure_sets(
                Update,
                (
                    ModelsSet::Pose.in_set(FrameSet::Draw),
                    ModelsSet::Watch
                        .in_set(FrameSet::Report)
                        .after(crate::render::readiness::CaptureSet::Watch),
                ),
            )
            .add_systems(Update, dress_vehicles.in_set(ModelsSet::Pose))
            .add_systems(Update, hold_readiness.in_set(ModelsSet::Watch));
    }
}

/// The first model that failed to load (then drawn without it), for the status line.
#[derive(Resource, Default)]
pub struct ModelsStatus {
    pub failed: Option<String>,
}

/// The loaded models and the materials made from them.
#[derive(Resource)]
pub struct ModelAssets {
    /// By body, in catalogue order.
    bodies: Vec<Handle<WorldAsset>>,
    /// By prop file.
    props: HashMap<&'static str, Handle<WorldAsset>>,
    /// Painted or lit copies of a model's materials, by (original, colour, lit).
    painted: HashMap<(AssetId<StandardMaterial>, [u8; 3], bool), Handle<StandardMaterial>>,
    /// A 1 m × 1 m quad facing +Z (plates and lamps are scaled from it).
    quad: Handle<Mesh>,
    cube: Handle<Mesh>,
    plates: HashMap<String, Handle<StandardMaterial>>,
    /// Headlight and tail-light patches of atlas models: off, on.
    lamps: [[Handle<StandardMaterial>; 2]; 2],
    soft: HashMap<[u8; 3], Handle<StandardMaterial>>,
}

fn load_models(
    mut commands: Commands,
    server: Res<AssetServer>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let bodies = CATALOGUE
        .iter()
        .map(|m| server.load(GltfAssetLabel::Scene(0).from_asset(format!("vehicles/{}", m.file))))
        .collect();
    let mut props_loaded = HashMap::new();
    for kind in twincity_scenario::ObjectKind::ALL {
        for m in props::models(kind) {
            if !m.file.is_empty() {
                props_loaded.insert(
                    m.file,
                    server.load(GltfAssetLabel::Scene(0).from_asset(format!("props/{}", m.file))),
                );
            }
        }
    }
    let mut lamp = |colour: Color, glow: LinearRgba| {
        materials.add(StandardMaterial {
            base_color: colour,
            emissive: glow,
            unlit: false,
            ..default()
        })
    };
    let lamps = [
        [
            lamp(Color::srgb(0.85, 0.85, 0.8), LinearRgba::BLACK),
            lamp(Color::WHITE, LinearRgba::rgb(30.0, 28.0, 24.0)),
        ],
        [
            lamp(Color::srgb(0.45, 0.04, 0.04), LinearRgba::BLACK),
            lamp(
                Color::srgb(0.9, 0.05, 0.05),
                LinearRgba::rgb(3.0, 0.05, 0.03),
            ),
        ],
    ];
    commands.insert_resource(ModelAssets {
        bodies,
        props: props_loaded,
        painted: HashMap::new(),
        quad: meshes.add(Rectangle::new(1.0, 1.0)),
        cube: meshes.add(Cuboid::new(1.0, 1.0, 1.0)),
        plates: HashMap::new(),
        lamps,
        soft: HashMap::new(),
    });
}

/// A vehicle as drawn: its state now and whether its lights are on.
#[derive(Component, Clone, Debug)]
pub struct DrawnVehicle {
    pub state: VehicleState,
    pub lights_on: bool,
}

/// A vehicle body's scene, once spawned: its wheels (entity, rest transform) and its
/// meshes' original materials by name.
#[derive(Component, Default)]
struct BodyParts {
    wheels: Vec<(Entity, Transform)>,
    materials: Vec<(Entity, String, Handle<StandardMaterial>)>,
    /// The paint and lights last applied.
    dressed: Option<(Option<[u8; 3]>, bool)>,
    spawned: bool,
}

/// The atlas lamps of a vehicle: headlights then tail lights.
#[derive(Component)]
struct Lamp {
    tail: bool,
}

/// A prop's scene root (to know when it is spawned).
#[derive(Component, Default)]
struct PropScene {
    spawned: bool,
}

/// The transform that draws a model of `size_scale` in the vehicle's frame (x forward, y up,
/// z to its right): the model's front (+Z) turned to +X, scaled to real size.
fn body_transform(model: &BodyModel) -> Transform {
    let [sx, sy, sz] = model.scale().map(|v| v as f32);
    Transform::from_rotation(Quat::from_rotation_y(std::f32::consts::FRAC_PI_2))
        .with_scale(Vec3::new(sx, sy, sz))
}

/// A plate's transform in the vehicle's frame: the quad (facing +Z) turned to face out of
/// the plate, leaning back as the body's plate area does, and sized as a plate.
fn plate_transform(
    model: &BodyModel,
    place: &twincity_scenario::vehicles::PlatePlace,
) -> Transform {
    let [centre, across, upward, normal] = model
        .plate_frame(place)
        .map(|v| Vec3::from_array(v.to_array()));
    let (w, h) = twincity_scenario::vehicles::PLATE_SIZE_M;
    Transform {
        translation: centre,
        rotation: Quat::from_mat3(&Mat3::from_cols(across, upward, normal)),
        scale: Vec3::new(w as f32, h as f32, 1.0),
    }
}

/// The root transform of a vehicle: on the road at its place (a bicycle on the pavement, at
/// `pavement`), turned to its heading.
fn vehicle_root(v: &VehicleState, pavement: f32) -> Transform {
    let ground = twincity_scenario::figures::vehicle_ground(v, pavement);
    Transform::from_translation(plan(v.position, ground)).with_rotation(yaw_of(v.heading))
}

/// Brings the drawn vehicles in line with the world's: one root per vehicle (kept while the
/// same event's vehicle is on screen, so its scene is spawned once), tagged with its index
/// in `vehicles` this frame. Bicycles stand on the pavement, at height `pavement`.
#[allow(clippy::too_many_arguments)]
pub fn sync_vehicles(
    commands: &mut Commands,
    assets: &mut ModelAssets,
    images: &mut Assets<Image>,
    materials: &mut Assets<StandardMaterial>,
    vehicles: &[VehicleState],
    lights_on: bool,
    pavement: f32,
    drawn: &mut Query<(
        Entity,
        &mut DrawnVehicle,
        &mut ScenarioFigure,
        &mut Transform,
    )>,
) {
    let mut by_event: HashMap<String, Entity> = drawn
        .iter()
        .map(|(e, d, ..)| (d.state.event.clone(), e))
        .collect();
    for (i, v) in vehicles.iter().enumerate() {
        let transform = vehicle_root(v, pavement);
        let wanted = DrawnVehicle {
            state: v.clone(),
            lights_on,
        };
        if let Some(e) = by_event.remove(&v.event)
            && let Ok((_, mut d, mut figure, mut t)) = drawn.get_mut(e)
            && d.state.vehicle == v.vehicle
        {
            if *figure != ScenarioFigure::Vehicle(i) {
                *figure = ScenarioFigure::Vehicle(i);
            }
            if *t != transform {
                *t = transform;
            }
            if d.state != wanted.state || d.lights_on != lights_on {
                *d = wanted;
            }
            continue;
        } else if let Some(e) = drawn
            .iter()
            .find(|(_, d, ..)| d.state.event == v.event)
            .map(|(e, ..)| e)
        {
            // The event's vehicle changed (an edit): drawn anew.
            commands.entity(e).despawn();
        }
        spawn_vehicle(commands, assets, images, materials, i, wanted, transform);
    }
    for e in by_event.into_values() {
        commands.entity(e).despawn();
    }
}

fn spawn_vehicle(
    commands: &mut Commands,
    assets: &mut ModelAssets,
    images: &mut Assets<Image>,
    materials: &mut Assets<StandardMaterial>,
    i: usize,
    drawn: DrawnVehicle,
    transform: Transform,
) {
    let body = drawn.state.vehicle.body();
    let model = body.model();
    // A bicycle has no plate (and no lamps: `lamps` is empty).
    let plate = drawn
        .state
        .vehicle
        .has_plate()
        .then(|| plate_material(assets, images, materials, &drawn.state.vehicle.plate));
    let atlas = matches!(model.paint, Paint::Tint) || model.light_materials[0].is_empty();
    let lamps = model.lamps();
    let quad = assets.quad.clone();
    let scene = assets.bodies[body as usize].clone();
    let lit = drawn.lights_on as usize;
    let lamp_materials = [assets.lamps[0][lit].clone(), assets.lamps[1][lit].clone()];
    commands
        .spawn((
            Name::new(format!("Vehicle {}", drawn.state.event)),
            ScenarioFigure::Vehicle(i),
            drawn,
            transform,
            Visibility::default(),
        ))
        .with_children(|root| {
            root.spawn((
                Name::new(format!("Body {}", body.name())),
                BodyParts::default(),
                WorldAssetRoot(scene),
                body_transform(model),
            ))
            .observe(body_ready);
            if let Some(plate) = &plate {
                for place in model.plates {
                    root.spawn((
                        Name::new("Plate"),
                        Mesh3d(quad.clone()),
                        MeshMaterial3d(plate.clone()),
                        plate_transform(model, place),
                    ));
                }
            }
            if atlas {
                for (k, p) in lamps.iter().enumerate() {
                    let tail = k >= 2;
                    let [f, left, up] = p.map(|x| x as f32);
                    let facing = if tail {
                        Quat::from_rotation_y(-std::f32::consts::FRAC_PI_2)
                    } else {
                        Quat::from_rotation_y(std::f32::consts::FRAC_PI_2)
                    };
                    root.spawn((
                        Name::new(if tail { "Tail light" } else { "Headlight" }),
                        Lamp { tail },
                        Mesh3d(quad.clone()),
                        MeshMaterial3d(lamp_materials[tail as usize].clone()),
                        Transform::from_translation(Vec3::new(f + 0.004 * f.signum(), up, -left))
                            .with_rotation(facing)
                            .with_scale(Vec3::new(0.22, 0.12, 1.0)),
                    ));
                }
            }
        });
}

/// The material of a plate carrying `text` (made once per text).
fn plate_material(
    assets: &mut ModelAssets,
    images: &mut Assets<Image>,
    materials: &mut Assets<StandardMaterial>,
    text: &str,
) -> Handle<StandardMaterial> {
    if let Some(m) = assets.plates.get(text) {
        return m.clone();
    }
    let picture = plate_image(text);
    let image = srgba_image(picture, bevy::asset::RenderAssetUsages::RENDER_WORLD);
    let m = materials.add(StandardMaterial {
        base_color_texture: Some(images.add(image)),
        perceptual_roughness: 0.6,
        ..default()
    });
    assets.plates.insert(text.to_string(), m.clone());
    m
}

/// Once a body's scene is spawned: finds its wheels and remembers its meshes' materials.
fn body_ready(
    ready: On<WorldInstanceReady>,
    mut parts: Query<(&mut BodyParts, &ChildOf)>,
    drawn: Query<&DrawnVehicle>,
    children: Query<&Children>,
    names: Query<&Name>,
    transforms: Query<&Transform>,
    meshes: Query<(&GltfMaterialName, &MeshMaterial3d<StandardMaterial>)>,
) {
    let root = ready.entity;
    let Ok((mut p, parent)) = parts.get_mut(root) else {
        return;
    };
    let Ok(v) = drawn.get(parent.parent()) else {
        return;
    };
    let model = v.state.vehicle.body().model();
    p.wheels.clear();
    p.materials.clear();
    for e in children.iter_descendants(root) {
        if let Ok(name) = names.get(e)
            && model.wheels.contains(&name.as_str())
            && let Ok(t) = transforms.get(e)
        {
            p.wheels.push((e, *t));
        }
        if let Ok((name, material)) = meshes.get(e) {
            p.materials.push((e, name.0.clone(), material.0.clone()));
        }
    }
    p.dressed = None;
    p.spawned = true;
}

/// Turns the wheels by the distance driven; paints the body and lights the lamps when its
/// colour or the lights changed.
fn dress_vehicles(
    mut commands: Commands,
    vehicles: Query<(Ref<DrawnVehicle>, &Children)>,
    mut bodies: Query<&mut BodyParts>,
    mut transforms: Query<&mut Transform>,
    mut lamps: Query<(&Lamp, &mut MeshMaterial3d<StandardMaterial>)>,
    assets: Option<ResMut<ModelAssets>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let Some(mut assets) = assets else {
        return;
    };
    for (v, children) in &vehicles {
        let model = v.state.vehicle.body().model();
        for c in children.iter() {
            if let Ok((lamp, mut m)) = lamps.get_mut(c) {
                let want = &assets.lamps[lamp.tail as usize][v.lights_on as usize];
                if m.0 != *want {
                    m.0 = want.clone();
                }
                continue;
            }
            let Ok(mut parts) = bodies.get_mut(c) else {
                continue;
            };
            if !parts.spawned || !(v.is_changed() || parts.is_changed()) {
                continue;
            }
            let angle = wheel_angle(v.state.distance_m, model.wheel_radius_m()) as f32;
            for (e, rest) in &parts.wheels {
                if let Ok(mut t) = transforms.get_mut(*e) {
                    t.rotation = rest.rotation * Quat::from_rotation_x(angle);
                }
            }
            let paint = v.state.paint.map(|(_, c)| c);
            let dressed = Some((paint, v.lights_on));
            if parts.dressed == dressed {
                continue;
            }
            for (e, name, original) in &parts.materials {
                let want = dressed_material(
                    &mut assets,
                    &mut materials,
                    model,
                    name,
                    original,
                    paint,
                    v.lights_on,
                );
                commands.entity(*e).insert(MeshMaterial3d(want));
            }
            parts.dressed = dressed;
        }
    }
}

/// The material a body mesh of `name` (originally `original`) is drawn with, painted
/// `paint` and lit or not.
fn dressed_material(
    assets: &mut ModelAssets,
    materials: &mut Assets<StandardMaterial>,
    model: &BodyModel,
    name: &str,
    original: &Handle<StandardMaterial>,
    paint: Option<[u8; 3]>,
    lit: bool,
) -> Handle<StandardMaterial> {
    let (colour, darker) = match (model.paint, paint) {
        (Paint::Materials(names), Some(c)) => match names.iter().position(|n| *n == name) {
            Some(k) => (Some(c), k > 0),
            None => (None, false),
        },
        (Paint::Tint, Some(c)) => (Some(c), false),
        _ => (None, false),
    };
    let light = model
        .light_materials
        .iter()
        .position(|n| !n.is_empty() && *n == name);
    let glows = lit && light.is_some();
    if colour.is_none() && !glows {
        return original.clone();
    }
    let key_colour = colour
        .unwrap_or([0, 0, 0])
        .map(|v| if darker { v / 2 } else { v });
    let key = (original.id(), key_colour, glows);
    if let Some(h) = assets.painted.get(&key) {
        return h.clone();
    }
    let Some(mut m) = materials.get(original).cloned() else {
        return original.clone();
    };
    if let Some(c) = colour {
        let k = if darker { 0.8 } else { 1.0 };
        let [r, g, b] = c.map(|v| v as f32 / 255.0 * k);
        m.base_color = match model.paint {
            // The atlas keeps its windows and tyres dark: a multiply.
            Paint::Tint => {
                let base = m.base_color.to_srgba();
                Color::srgba(base.red * r, base.green * g, base.blue * b, base.alpha)
            }
            _ => Color::srgb(r, g, b),
        };
        // Car paint is glossy.
        if matches!(model.paint, Paint::Materials(_)) {
            m.perceptual_roughness = 0.35;
            m.metallic = 0.1;
        }
    }
    if glows {
        m.emissive = if light == Some(0) {
            LinearRgba::rgb(30.0, 28.0, 24.0)
        } else {
            LinearRgba::rgb(3.0, 0.05, 0.03)
        };
    }
    let h = materials.add(m);
    assets.painted.insert(key, h.clone());
    h
}

/// A dumped object as drawn.
#[derive(Component, Clone, Debug, PartialEq)]
pub struct DrawnObject {
    pub state: ObjectState,
}

/// Brings the drawn dumped objects in line with the world's (keyed by event and number, so
/// each keeps its scene), tagged with their index in `objects` this frame.
#[allow(clippy::type_complexity)]
pub fn sync_objects<F: bevy::ecs::query::QueryFilter>(
    commands: &mut Commands,
    assets: &mut ModelAssets,
    materials: &mut Assets<StandardMaterial>,
    objects: &[ObjectState],
    ground: f32,
    drawn: &mut Query<
        (
            Entity,
            &mut DrawnObject,
            &mut ScenarioFigure,
            &mut Transform,
        ),
        F,
    >,
) {
    let key = |o: &ObjectState| (o.event.clone(), o.variant, o.kind as u8);
    let mut existing: HashMap<_, Entity> =
        drawn.iter().map(|(e, d, ..)| (key(&d.state), e)).collect();
    for (i, o) in objects.iter().enumerate() {
        let transform = Transform::from_translation(plan(o.position, ground + o.height_m as f32))
            .with_rotation(yaw_of(o.yaw));
        if let Some(e) = existing.remove(&key(o))
            && let Ok((_, mut d, mut figure, mut t)) = drawn.get_mut(e)
        {
            if *figure != ScenarioFigure::Object(i) {
                *figure = ScenarioFigure::Object(i);
            }
            if *t != transform {
                *t = transform;
            }
            if d.state != *o {
                d.state = o.clone();
            }
            continue;
        }
        let model = props::model(o.kind, o.variant);
        let [sx, sy, sz] = model.scale().map(|v| v as f32);
        let mut root = commands.spawn((
            Name::new(format!("Dumped {}", o.kind.class())),
            ScenarioFigure::Object(i),
            DrawnObject { state: o.clone() },
            transform,
            Visibility::default(),
        ));
        if model.file.is_empty() {
            // A soft box: a mattress.
            let [l, w, h] = model.size.map(|v| v as f32);
            let colour = model.colour;
            let material = assets
                .soft
                .entry(colour)
                .or_insert_with(|| {
                    let [r, g, b] = colour;
                    materials.add(StandardMaterial {
                        base_color: Color::srgb_u8(r, g, b),
                        perceptual_roughness: 0.95,
                        ..default()
                    })
                })
                .clone();
            let cube = assets.cube.clone();
            root.with_children(|r| {
                r.spawn((
                    Mesh3d(cube),
                    MeshMaterial3d(material),
                    Transform::from_translation(Vec3::Y * h / 2.0).with_scale(Vec3::new(l, h, w)),
                ));
            });
        } else if let Some(scene) = assets.props.get(model.file).cloned() {
            let lay = match model.lay {
                Lay::Upright => Transform::IDENTITY,
                // The model's x axis up; it rests on what was its side.
                Lay::OnItsSide => {
                    Transform::from_rotation(Quat::from_rotation_z(std::f32::consts::FRAC_PI_2))
                        .with_translation(Vec3::Y * (model.size[2] as f32 / 2.0))
                }
            };
            root.with_children(|r| {
                r.spawn((
                    Name::new(model.file),
                    PropScene::default(),
                    WorldAssetRoot(scene),
                    lay * Transform::from_scale(Vec3::new(sx, sy, sz)),
                ))
                .observe(
                    |ready: On<WorldInstanceReady>, mut props: Query<&mut PropScene>| {
                        if let Ok(mut p) = props.get_mut(ready.entity) {
                            p.spawned = true;
                        }
                    },
                );
            });
        }
    }
    for e in existing.into_values() {
        commands.entity(e).despawn();
    }
}

/// Holds the capture back while a model file loads or a scene is being spawned; records a
/// model that failed to load.
fn hold_readiness(
    assets: Option<Res<ModelAssets>>,
    server: Res<AssetServer>,
    bodies: Query<&BodyParts>,
    props: Query<&PropScene>,
    mut readiness: ResMut<crate::render::readiness::Readiness>,
    mut status: ResMut<ModelsStatus>,
) {
    let Some(assets) = assets else {
        return;
    };
    let mut waiting = false;
    let files = CATALOGUE
        .iter()
        .map(|m| ("vehicles", m.file))
        .zip(assets.bodies.iter())
        .chain(assets.props.iter().map(|(file, h)| (("props", *file), h)));
    for ((folder, file), h) in files {
        match server.get_recursive_dependency_load_state(h) {
            Some(bevy::asset::RecursiveDependencyLoadState::Loaded) => {}
            Some(bevy::asset::RecursiveDependencyLoadState::Failed(e)) => {
                if status.failed.is_none() {
                    let message = format!(
                        "the model {folder}/{file} could not be loaded: {e}; the models belong in \
                         the assets/{folder} folder of TwinCity Studio (reinstall or restore it)"
                    );
                    error!("{message}");
                    status.failed = Some(message);
                }
            }
            // Loaded only when something is drawn with it.
            _ => waiting = true,
        }
    }
    let spawning = bodies.iter().any(|p| !p.spawned) || props.iter().any(|p| !p.spawned);
    if status.failed.is_none() {
        readiness.hold(waiting, spawning);
    }
}

/// Width and height of a plate texture, pixels (a 520 mm × 110 mm plate at 4 px/cm).
pub const PLATE_PX: (u32, u32) = (208, 44);

/// A licence plate's picture: white with a black rim, blue bands at both ends (as French
/// plates), the text in black across the middle.
pub fn plate_image(text: &str) -> image::RgbaImage {
    use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
    let (w, h) = PLATE_PX;
    let mut img = image::RgbaImage::from_pixel(w, h, image::Rgba([250, 250, 248, 255]));
    let band = 16;
    for (x, y, p) in img.enumerate_pixels_mut() {
        if x < 2 || y < 2 || x >= w - 2 || y >= h - 2 {
            *p = image::Rgba([20, 20, 20, 255]);
        } else if x < band || x >= w - band {
            *p = image::Rgba([20, 50, 160, 255]);
        }
    }
    let Ok(font) = FontRef::try_from_slice(epaint_default_fonts::HACK_REGULAR) else {
        return img;
    };
    // As large as fits between the bands.
    let room = (w - 2 * band - 8) as f32;
    let mut scale = PxScale::from(h as f32 * 0.8);
    let width = |scale: PxScale| {
        let f = font.as_scaled(scale);
        text.chars()
            .map(|c| f.h_advance(f.glyph_id(c)))
            .sum::<f32>()
    };
    if width(scale) > room {
        scale = PxScale::from(scale.y * room / width(scale));
    }
    let scaled = font.as_scaled(scale);
    let mut x = band as f32 + 4.0 + (room - width(scale)) / 2.0;
    let baseline = (h as f32 + scaled.ascent() + scaled.descent()) / 2.0;
    for c in text.chars() {
        let glyph = scaled
            .glyph_id(c)
            .with_scale_and_position(scale, ab_glyph::point(x, baseline));
        x += scaled.h_advance(glyph.id);
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let (px, py) = (
                    bounds.min.x as i32 + gx as i32,
                    bounds.min.y as i32 + gy as i32,
                );
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    let p = img.get_pixel_mut(px as u32, py as u32);
                    for k in 0..3 {
                        p.0[k] = (p.0[k] as f32 * (1.0 - coverage.min(1.0))
                            + 15.0 * coverage.min(1.0)) as u8;
                    }
                }
            });
        }
    }
    img
}

/// An sRGB RGBA picture as a Bevy image (a texture for materials or egui).
pub fn srgba_image(picture: image::RgbaImage, usage: bevy::asset::RenderAssetUsages) -> Image {
    Image::new(
        bevy::render::render_resource::Extent3d {
            width: picture.width(),
            height: picture.height(),
            depth_or_array_layers: 1,
        },
        bevy::render::render_resource::TextureDimension::D2,
        picture.into_raw(),
        bevy::render::render_resource::TextureFormat::Rgba8UnormSrgb,
        usage,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dark pixels in the text area (between the blue bands, inside the rim).
    fn ink(img: &image::RgbaImage) -> Vec<(u32, u32)> {
        img.enumerate_pixels()
            .filter(|(x, y, p)| {
                (20..PLATE_PX.0 - 20).contains(x) && (4..PLATE_PX.1 - 4).contains(y) && p.0[0] < 100
            })
            .map(|(x, y, _)| (x, y))
            .collect()
    }

    #[test]
    fn plates_carry_their_text() {
        let a = plate_image("AB-123-CD");
        let b = plate_image("AB-123-CE");
        let blank = plate_image("");
        assert!(ink(&blank).is_empty(), "a blank plate has no text");
        let ink_a = ink(&a);
        // Nine characters across most of the plate's width, most of its height.
        assert!(ink_a.len() > 600, "{} dark pixels", ink_a.len());
        let (lo, hi) = ink_a
            .iter()
            .fold((u32::MAX, 0), |(lo, hi), (x, _)| (lo.min(*x), hi.max(*x)));
        assert!(hi - lo > 140, "text spans {lo}..{hi}");
        // One letter differs: pixels differ only at the end.
        let diff: Vec<u32> = a
            .enumerate_pixels()
            .zip(b.pixels())
            .filter(|((_, _, p), q)| p != q)
            .map(|((x, _, _), _)| x)
            .collect();
        assert!(!diff.is_empty());
        assert!(
            diff.iter().all(|&x| x > PLATE_PX.0 * 3 / 4),
            "{:?}",
            diff.iter().min()
        );
        // A long text is shrunk to fit between the bands.
        let long = plate_image("ABCDEFGHIJKLMNOPQRSTUV");
        assert!(
            ink(&long)
                .iter()
                .all(|(x, _)| (20..PLATE_PX.0 - 20).contains(x))
        );
    }
}
