//! People drawn as skinned, animated characters (`assets/people`): one glTF scene per person,
//! its joints posed every frame from the person's state by `twincity_scenario::people` — the same
//! pose the annotation pass builds its figures from — its outfit tinted with the person's
//! clothing colour, and a bag in hand while they carry something to dump.
//!
//! The scenario and crowd views decide who is drawn ([`sync_people`]); this plugin loads the
//! characters, fills in each person's joints once their scene is spawned, and poses them.

use std::collections::HashMap;
use std::hash::Hash;

use bevy::camera::visibility::VisibilityRange;
use bevy::gltf::GltfMaterialName;
use bevy::mesh::skinning::SkinnedMesh;
use bevy::prelude::*;
use bevy::world_serialization::{WorldAsset, WorldAssetRoot, WorldInstanceReady};
use twincity_scenario::look::CHARACTERS;
use twincity_scenario::people::{Cast, Trs};
use twincity_scenario::world::PersonState;

use crate::render::frame::{FrameSet, add_frame_sets};

/// People's systems: posing runs after the scenario and crowd views have set everyone's
/// state.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum PeopleSet {
    Pose,
    /// Holds back "frame complete" while a character is still loading.
    Watch,
}

pub struct PeoplePlugin;

impl Plugin for PeoplePlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        app.init_resource::<PeopleStatus>()
            .init_resource::<CharactersLoaded>()
            .init_resource::<PeopleSettings>()
            .init_resource::<LodFocalLength>()
            .add_systems(Startup, load_characters)
            .configure_sets(
                Update,
                (
                    PeopleSet::Pose.in_set(FrameSet::Draw),
                    // Holds readiness back after the capture logic has counted pipelines.
                    PeopleSet::Watch
                        .in_set(FrameSet::Report)
                        .after(crate::render::readiness::CaptureSet::Watch),
                ),
            )
            .add_systems(Update, (retune_levels, pose_people).in_set(PeopleSet::Pose))
            .add_systems(Update, hold_readiness.in_set(PeopleSet::Watch));
    }
}

/// A person as drawn: their state at the world's time. The view that spawned them updates
/// it; [`pose_people`] turns it into joint transforms.
#[derive(Component, Clone, Debug)]
pub struct PersonBody {
    pub state: PersonState,
    pub time_s: f64,
    /// Height of the pavement they stand on.
    pub ground: f32,
}

/// The joints of a spawned character (rig node index, entity) and its bag. Empty until the
/// character's scene is in the world.
#[derive(Component, Default)]
pub struct PersonJoints {
    joints: Vec<(usize, Entity)>,
    bag: Option<Entity>,
    /// Filled in since the last pose.
    fresh: bool,
}

/// Levels of detail by the height a person takes on screen: the full meshes while a
/// [`LOD_PERSON_HEIGHT_M`] person stands over `LOD_HEIGHTS_PX[0]` pixels tall, meshes with
/// `LOD_SHARES[0]` of their triangles down to `LOD_HEIGHTS_PX[1]`, `LOD_SHARES[1]` below.
/// Bevy chooses them by distance from each view ([`VisibilityRange`]); the distances come from
/// [`LodFocalLength`] ([`lod_distances`]).
pub const LOD_HEIGHTS_PX: [f32; 2] = [150.0, 47.0];
pub const LOD_SHARES: [f32; 2] = [0.25, 0.06];
/// The height the levels of detail are reckoned for.
pub const LOD_PERSON_HEIGHT_M: f32 = 1.7;

/// The focal length, in pixels, the levels of detail are chosen for: that of the most
/// zoomed-in view drawing people, so that every view gets at least the detail its pixels
/// show. Offscreen renders set it from the cameras of each request; the editor keeps the
/// default, a 1280-pixel-wide camera of 60° (1 109 px): full meshes within 12.6 m, the
/// second level beyond 40 m.
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct LodFocalLength(pub f32);

impl Default for LodFocalLength {
    fn default() -> Self {
        Self(1109.0)
    }
}

/// The distances (metres from the view) where the first and the second simplified level
/// begin, for views of focal length `focal_px` pixels.
pub fn lod_distances(focal_px: f32) -> [f32; 2] {
    LOD_HEIGHTS_PX.map(|h| focal_px.max(1.0) * LOD_PERSON_HEIGHT_M / h)
}

/// A person's mesh at one level of detail (0: the full mesh), so that its distance band can
/// follow [`LodFocalLength`].
#[derive(Component, Clone, Copy, Debug)]
struct DetailLevel(usize);

/// The distance band of level `level` (0, 1, 2) for views of focal length `focal_px`.
fn detail_band(level: usize, focal_px: f32) -> VisibilityRange {
    let [near, far] = lod_distances(focal_px);
    let (a, b) = [(0.0, near), (near, far), (far, f32::MAX)][level.min(2)];
    VisibilityRange {
        start_margin: a..a,
        end_margin: b..b,
        use_aabb: false,
    }
}

/// Moves every level's band when [`LodFocalLength`] changes (the id pass's twins follow).
fn retune_levels(
    focal: Res<LodFocalLength>,
    mut levels: Query<(&DetailLevel, &mut VisibilityRange)>,
) {
    if !focal.is_changed() {
        return;
    }
    for (level, mut range) in &mut levels {
        let band = detail_band(level.0, focal.0);
        if *range != band {
            *range = band;
        }
    }
}

/// People's drawing settings. The editor and offscreen renders (datasets, benchmarks) draw
/// levels of detail; offscreen renders turn them off when asked for full meshes
/// (`headless::OffscreenOptions::full_meshes`).
#[derive(Resource, Clone, Debug)]
pub struct PeopleSettings {
    /// Simplified meshes for distant people ([`LOD_HEIGHTS_PX`]); off: full meshes always.
    pub levels_of_detail: bool,
}

impl Default for PeopleSettings {
    fn default() -> Self {
        Self {
            levels_of_detail: true,
        }
    }
}

#[derive(Resource)]
pub struct CharacterAssets {
    scenes: Vec<Handle<WorldAsset>>,
    /// Simplified versions of each character mesh ([`LOD_SHARES`]).
    lods: HashMap<AssetId<Mesh>, [Handle<Mesh>; 2]>,
    /// Tinted outfits by (original material, tint).
    tinted: HashMap<(AssetId<StandardMaterial>, [u8; 3]), Handle<StandardMaterial>>,
    bag_mesh: Handle<Mesh>,
    bag_material: Handle<StandardMaterial>,
}

fn load_characters(
    mut commands: Commands,
    server: Res<AssetServer>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let scenes = CHARACTERS
        .iter()
        .map(|c| server.load(GltfAssetLabel::Scene(0).from_asset(format!("people/{}", c.file))))
        .collect();
    commands.insert_resource(CharacterAssets {
        scenes,
        lods: HashMap::new(),
        tinted: HashMap::new(),
        bag_mesh: meshes.add(Cuboid::new(1.0, 1.0, 1.0)),
        bag_material: materials.add(StandardMaterial {
            base_color: Color::srgb(0.06, 0.06, 0.07),
            perceptual_roughness: 0.5,
            ..default()
        }),
    });
}

/// The characters, read once for posing; an error (files missing) is logged once and
/// people are then left unposed.
fn cast() -> Option<&'static Cast> {
    match Cast::bundled() {
        Ok(c) => Some(c),
        Err(e) => {
            static LOGGED: std::sync::Once = std::sync::Once::new();
            LOGGED.call_once(|| error!("{e}"));
            None
        }
    }
}

/// Brings the drawn people in line with `wanted` (a key per person and their state):
/// spawns the new ones (with `marker(key)`), updates the others, despawns those gone.
/// `existing` maps keys to the entities drawn so far.
pub fn sync_people<K: Copy + Eq + Hash, M: Component>(
    commands: &mut Commands,
    assets: &CharacterAssets,
    existing: &mut HashMap<K, Entity>,
    bodies: &mut Query<&mut PersonBody>,
    wanted: impl IntoIterator<Item = (K, PersonBody)>,
    marker: impl Fn(K) -> M,
) {
    let mut gone: HashMap<K, Entity> = std::mem::take(existing);
    for (key, body) in wanted {
        if let Some(e) = gone.remove(&key) {
            match bodies.get_mut(e) {
                Ok(mut b) => {
                    *b = body;
                    existing.insert(key, e);
                    continue;
                }
                // Not a person any more: replaced below.
                Err(_) => {
                    if let Ok(mut old) = commands.get_entity(e) {
                        old.despawn();
                    }
                }
            }
        }
        let scene = assets.scenes[body.state.look.character % assets.scenes.len()].clone();
        let e = commands
            .spawn((
                Name::new("Person"),
                marker(key),
                PersonJoints::default(),
                WorldAssetRoot(scene),
                body,
            ))
            .observe(character_ready)
            .id();
        existing.insert(key, e);
    }
    for e in gone.into_values() {
        commands.entity(e).despawn();
    }
}

/// Once a person's character is spawned: finds its joints by name, tints its outfit and
/// adds the bag.
fn character_ready(
    ready: On<WorldInstanceReady>,
    mut commands: Commands,
    mut people: Query<(&PersonBody, &mut PersonJoints)>,
    children: Query<&Children>,
    names: Query<&Name>,
    outfits: Query<(&GltfMaterialName, &MeshMaterial3d<StandardMaterial>)>,
    skinned: Query<(
        &Mesh3d,
        &SkinnedMesh,
        &MeshMaterial3d<StandardMaterial>,
        &Transform,
        &ChildOf,
    )>,
    mut assets: ResMut<CharacterAssets>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut meshes: ResMut<Assets<Mesh>>,
    settings: Res<PeopleSettings>,
    focal: Res<LodFocalLength>,
) {
    let root = ready.entity;
    let Ok((body, mut joints)) = people.get_mut(root) else {
        return;
    };
    let Some(cast) = cast() else {
        return;
    };
    let rig = cast.rig(body.state.look.character);
    let outfit = rig.outfit_material.as_deref();
    let tint = outfit_tint(body.state.look.clothing);
    joints.joints.clear();
    let mut outfit_of: HashMap<Entity, Handle<StandardMaterial>> = HashMap::new();
    for e in children.iter_descendants(root) {
        if let Ok(name) = names.get(e)
            && let Some(i) = rig.node(name.as_str())
            && rig.animated.binary_search(&i).is_ok()
        {
            joints.joints.push((i, e));
        }
        if let Ok((material_name, material)) = outfits.get(e)
            && Some(material_name.0.as_str()) == outfit
        {
            let key = (material.0.id(), tint);
            let tinted = match assets.tinted.get(&key) {
                Some(h) => h.clone(),
                None => {
                    let Some(mut m) = materials.get(&material.0).cloned() else {
                        continue;
                    };
                    let base = m.base_color.to_srgba();
                    m.base_color = Color::srgba(
                        base.red * tint[0] as f32 / 255.0,
                        base.green * tint[1] as f32 / 255.0,
                        base.blue * tint[2] as f32 / 255.0,
                        base.alpha,
                    );
                    let h = materials.add(m);
                    assets.tinted.insert(key, h.clone());
                    h
                }
            };
            commands.entity(e).insert(MeshMaterial3d(tinted.clone()));
            outfit_of.insert(e, tinted);
        }
    }
    if settings.levels_of_detail {
        for e in children.iter_descendants(root) {
            let Ok((mesh, skin, material, transform, parent)) = skinned.get(e) else {
                continue;
            };
            let material = outfit_of
                .get(&e)
                .cloned()
                .unwrap_or_else(|| material.0.clone());
            let Some(lods) = lods_of(&mut assets.lods, &mut meshes, &mesh.0) else {
                continue;
            };
            add_levels_of_detail(
                &mut commands,
                e,
                lods,
                skin,
                material,
                *transform,
                (parent.parent(), focal.0),
            );
        }
    }
    let bag = commands
        .spawn((
            Name::new("Bag"),
            Mesh3d(assets.bag_mesh.clone()),
            MeshMaterial3d(assets.bag_material.clone()),
            Transform::default(),
            Visibility::Hidden,
            ChildOf(root),
        ))
        .id();
    joints.bag = Some(bag);
    joints.fresh = true;
}

/// How much a person's clothing colour tints their outfit.
const TINT_STRENGTH: f32 = 0.45;

/// The factor an outfit's texture is multiplied by for clothing colour `c` (sRGB): the
/// colour's hue and saturation at full brightness, mixed with white — a multiply keeps the
/// texture's folds and prints, and the mix keeps it from turning dark (a red multiply on blue
/// jeans would be black).
pub fn outfit_tint(c: [f32; 3]) -> [u8; 3] {
    let top = c.iter().copied().fold(0.0f32, f32::max);
    c.map(|v| {
        // Black carries no hue: no tint.
        let hue = if top < 1e-3 {
            1.0
        } else {
            (v / top).clamp(0.0, 1.0)
        };
        ((1.0 - TINT_STRENGTH * (1.0 - hue)) * 255.0).round() as u8
    })
}

/// The simplified versions of `mesh` (made once per mesh): its index buffer reduced by
/// meshoptimizer to [`LOD_SHARES`] of the triangles, borders locked; vertices, and so the
/// skinning joints and weights, are kept as they are. `None` for a mesh without positions or
/// triangles.
fn lods_of(
    cache: &mut HashMap<AssetId<Mesh>, [Handle<Mesh>; 2]>,
    meshes: &mut Assets<Mesh>,
    mesh: &Handle<Mesh>,
) -> Option<[Handle<Mesh>; 2]> {
    if let Some(l) = cache.get(&mesh.id()) {
        return Some(l.clone());
    }
    let full = meshes.get(mesh)?.clone();
    let positions: Vec<[f32; 3]> = match full.attribute(Mesh::ATTRIBUTE_POSITION)? {
        bevy::mesh::VertexAttributeValues::Float32x3(p) => p.clone(),
        _ => return None,
    };
    let indices: Vec<u32> = full.indices()?.iter().map(|i| i as u32).collect();
    if indices.len() < 3 {
        return None;
    }
    let lods = LOD_SHARES.map(|share| {
        let target = ((indices.len() as f32 * share) as usize / 3).max(1) * 3;
        let reduced = meshopt::simplify_decoder(
            &indices,
            &positions,
            target,
            0.05,
            meshopt::SimplifyOptions::LockBorder,
            None,
        );
        let mut m = full.clone();
        m.insert_indices(bevy::mesh::Indices::U32(reduced));
        meshes.add(m)
    });
    cache.insert(mesh.id(), lods.clone());
    Some(lods)
}

/// Makes the skinned mesh `e` the near level of detail and adds the simplified ones beside
/// it (same skin, material and place, under `parent`), each shown in its band of distance
/// from the view for views of focal length `focal_px`.
fn add_levels_of_detail(
    commands: &mut Commands,
    e: Entity,
    lods: [Handle<Mesh>; 2],
    skin: &SkinnedMesh,
    material: Handle<StandardMaterial>,
    transform: Transform,
    (parent, focal_px): (Entity, f32),
) {
    commands
        .entity(e)
        .insert((DetailLevel(0), detail_band(0, focal_px)));
    for (i, mesh) in lods.into_iter().enumerate() {
        let level = i + 1;
        let mut lod = commands.spawn((
            Name::new("Person level of detail"),
            Mesh3d(mesh),
            SkinnedMesh {
                inverse_bindposes: skin.inverse_bindposes.clone(),
                joints: skin.joints.clone(),
            },
            MeshMaterial3d(material.clone()),
            transform,
            bevy::camera::visibility::DynamicSkinnedMeshBounds,
            DetailLevel(level),
            detail_band(level, focal_px),
            ChildOf(parent),
        ));
        // The farthest people's shadows are a few pixels: not worth a pass over them per
        // shadow cascade.
        if level == 2 {
            lod.insert(bevy::light::NotShadowCaster);
        }
    }
}

/// The transform of a unit cube filling the box with corners `c` (see
/// `twincity_scenario::people::segment_box` for their order).
fn box_transform(c: &[Vec3; 8]) -> Transform {
    // Columns (width, length, -depth) keep the determinant positive (no mirroring).
    let x = c[1] - c[0];
    let z = c[0] - c[2];
    let y = c[4] - c[0];
    let centre = c.iter().copied().sum::<Vec3>() / 8.0;
    Transform::from_matrix(Mat4::from_cols(
        x.extend(0.0),
        y.extend(0.0),
        z.extend(0.0),
        centre.extend(1.0),
    ))
}

/// Poses every person whose state changed (or whose character just arrived): the root
/// placed and scaled, each joint set to the pose `twincity_scenario::people` computes, the bag
/// shown in hand while carrying.
fn pose_people(
    mut people: Query<(Entity, Ref<PersonBody>, &mut PersonJoints)>,
    mut transforms: Query<&mut Transform>,
    mut visibility: Query<&mut Visibility>,
) {
    let Some(cast) = cast() else {
        return;
    };
    for (root, body, mut joints) in &mut people {
        if !body.is_changed() && !joints.fresh {
            continue;
        }
        joints.fresh = false;
        let p = &body.state;
        let twincity_scenario::figures::PersonPose {
            rig,
            local,
            world_from_character: place,
        } = twincity_scenario::figures::person_pose(p, body.time_s, body.ground, cast);
        if let Ok(mut t) = transforms.get_mut(root) {
            set_if_changed(&mut t, Transform::from_matrix(place));
        }
        for &(i, e) in &joints.joints {
            if let Ok(mut t) = transforms.get_mut(e) {
                set_if_changed(&mut t, to_transform(&local[i]));
            }
        }
        let Some(bag) = joints.bag else {
            continue;
        };
        // Only someone carrying has a bag to place (the body's boxes are not needed here).
        let corners = p
            .carrying
            .then(|| twincity_scenario::people::posed_body(rig, &local, place, true).bag)
            .flatten();
        if let Ok(mut v) = visibility.get_mut(bag) {
            let want = if corners.is_some() {
                Visibility::Inherited
            } else {
                Visibility::Hidden
            };
            if *v != want {
                *v = want;
            }
        }
        if let (Some(corners), Ok(mut t)) = (corners, transforms.get_mut(bag)) {
            let world = box_transform(&corners);
            set_if_changed(
                &mut t,
                Transform::from_matrix(place.inverse() * world.to_matrix()),
            );
        }
    }
}

fn to_transform(trs: &Trs) -> Transform {
    Transform {
        translation: trs.translation,
        rotation: trs.rotation,
        scale: trs.scale,
    }
}

fn set_if_changed(t: &mut Mut<Transform>, value: Transform) {
    if **t != value {
        **t = value;
    }
}

/// Every character is loaded, textures included. People are spawned only from then on, all
/// at once, so the materials and meshes made for them are made in the same order in every
/// run (the order fixes how the GPU draws equal-depth surfaces: renders stay byte-identical).
#[derive(Resource, Default, Debug, Clone, Copy)]
pub struct CharactersLoaded(pub bool);

/// Characters that could not be loaded, and why (a render with people missing from the
/// pixels but present in the labels would be wrong, so offscreen renders stop on it).
#[derive(Resource, Default, Debug, Clone)]
pub struct PeopleStatus {
    pub failed: Option<String>,
}

/// Keeps "frame complete" from being reached while a person's character is not yet in the
/// world (scene or textures loading, spawning), so renders never show half the people; a
/// character that fails to load is reported in [`PeopleStatus`] (and logged) instead of
/// waited for.
fn hold_readiness(
    people: Query<&PersonJoints>,
    mut readiness: ResMut<crate::render::readiness::Readiness>,
    assets: Option<Res<CharacterAssets>>,
    server: Res<AssetServer>,
    mut status: ResMut<PeopleStatus>,
    mut loaded: ResMut<CharactersLoaded>,
) {
    let mut loading = false;
    if status.failed.is_none()
        && let Some(assets) = assets
    {
        for (h, c) in assets.scenes.iter().zip(CHARACTERS) {
            let state = server.get_recursive_dependency_load_state(h);
            // Textures decode in the background after the scene itself is in: a frame
            // taken before then would miss the people whose materials are not ready.
            loading |= !matches!(
                state,
                Some(bevy::asset::RecursiveDependencyLoadState::Loaded)
                    | Some(bevy::asset::RecursiveDependencyLoadState::Failed(_))
            );
            if let Some(bevy::asset::RecursiveDependencyLoadState::Failed(e)) = state {
                let message = format!(
                    "the character people/{} could not be loaded: {e}; the people's files belong \
                     in the assets/people folder of TwinCity Studio (reinstall or restore it)",
                    c.file
                );
                error!("{message}");
                status.failed = Some(message);
            }
        }
    }
    if status.failed.is_none() && !loading && !loaded.0 {
        loaded.0 = true;
    }
    let spawning = people.iter().any(|j| j.joints.is_empty());
    if status.failed.is_none() {
        readiness.hold(loading, spawning);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tints_keep_the_hue_and_never_darken_below_half() {
        // Grey and black draws leave the outfit as it is; a red draw lowers green and blue.
        assert_eq!(outfit_tint([0.3, 0.3, 0.3]), [255, 255, 255]);
        assert_eq!(outfit_tint([0.0, 0.0, 0.0]), [255, 255, 255]);
        let red = outfit_tint([0.7, 0.2, 0.2]);
        assert_eq!(red[0], 255);
        assert!(red[1] < 200 && red[1] == red[2]);
        for c in [[0.0, 0.0, 1.0], [0.2, 0.9, 0.1], [1.0, 1.0, 0.0]] {
            assert!(outfit_tint(c).iter().all(|&v| v >= 140), "{c:?}");
        }
    }
}
