//! The twin's people: eight skinned MakeHuman characters (`assets/people`, CC0), their
//! skeletons and animation clips read without a renderer, and the pose of every person as a
//! function of the world state alone.
//!
//! The renderer (`twincity::people`) writes the joint transforms computed here onto the
//! character's joint entities, and the annotation pass ([`crate::figures`]) builds its
//! figure of a person from the same posed joints, so pixels and ground truth share one pose.
//! Nothing here depends on wall-clock time: a dataset frame rendered twice poses everyone
//! the same way.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use glam::{Mat4, Quat, Vec3};
use twincity_model::assets::bundled_assets;

use crate::look::CHARACTERS;

use crate::world::{PersonState, Pose};

/// Mean standing heights (metres) people are drawn around: French adults.
pub const MEAN_HEIGHT_WOMAN: f32 = 1.64;
pub const MEAN_HEIGHT_MAN: f32 = 1.76;

/// The animation clips every character carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Clip {
    Walk,
    Idle,
    Fall,
    Lie,
    Kneel,
}

impl Clip {
    pub const ALL: [Clip; 5] = [Clip::Walk, Clip::Idle, Clip::Fall, Clip::Lie, Clip::Kneel];

    pub fn name(self) -> &'static str {
        match self {
            Clip::Walk => "Walk",
            Clip::Idle => "Idle",
            Clip::Fall => "Fall",
            Clip::Lie => "Lie",
            Clip::Kneel => "Kneel",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error(
        "cannot read the character {path}: {source}; the people's files belong in assets/people \
         (reinstall TwinCity Studio or restore that folder)"
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the character {path} is not a valid glTF file: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error(
        "the folder assets/people was not found beside the executable or the working folder; \
         it holds the characters people are drawn with"
    )]
    NoFolder,
}

/// Translation, rotation and scale of one node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trs {
    pub translation: Vec3,
    pub rotation: Quat,
    pub scale: Vec3,
}

impl Trs {
    pub fn matrix(&self) -> Mat4 {
        Mat4::from_scale_rotation_translation(self.scale, self.rotation, self.translation)
    }
}

#[derive(Clone, Debug)]
struct Channel {
    node: usize,
    times: Vec<f32>,
    values: ChannelValues,
}

#[derive(Clone, Debug)]
enum ChannelValues {
    Translation(Vec<Vec3>),
    Rotation(Vec<Quat>),
    Scale(Vec<Vec3>),
}

#[derive(Clone, Debug, Default)]
struct Animation {
    duration: f32,
    channels: Vec<Channel>,
}

/// One character's node tree (skeleton and mesh nodes), rest pose and clips.
#[derive(Clone, Debug)]
pub struct Rig {
    /// Node names, as the glTF file has them (joints are unique by name).
    pub names: Vec<String>,
    parents: Vec<Option<usize>>,
    /// Nodes ordered so that every parent comes before its children.
    order: Vec<usize>,
    rest: Vec<Trs>,
    clips: HashMap<Clip, Animation>,
    /// Nodes some clip animates (the ones the renderer must pose).
    pub animated: Vec<usize>,
    /// Top of the character's meshes in its rest pose, metres (its natural height).
    pub natural_height: f32,
    /// Walking speed (m/s) at which the Walk clip played at rate 1 keeps the planted foot
    /// still, at the character's natural size.
    pub walk_speed: f32,
    /// Name of the outfit's material (tinted per person).
    pub outfit_material: Option<String>,
}

fn node_trs(node: &gltf::Node) -> Trs {
    let (t, r, s) = node.transform().decomposed();
    Trs {
        translation: Vec3::from(t),
        rotation: Quat::from_array(r),
        scale: Vec3::from(s),
    }
}

fn read_animation(anim: &gltf::Animation, blob: &[u8]) -> Animation {
    let mut out = Animation::default();
    for ch in anim.channels() {
        let reader = ch.reader(|_| Some(blob));
        let Some(times) = reader.read_inputs() else {
            continue;
        };
        let times: Vec<f32> = times.collect();
        let values = match reader.read_outputs() {
            Some(gltf::animation::util::ReadOutputs::Translations(v)) => {
                ChannelValues::Translation(v.map(Vec3::from).collect())
            }
            Some(gltf::animation::util::ReadOutputs::Rotations(v)) => {
                ChannelValues::Rotation(v.into_f32().map(Quat::from_array).collect())
            }
            Some(gltf::animation::util::ReadOutputs::Scales(v)) => {
                ChannelValues::Scale(v.map(Vec3::from).collect())
            }
            _ => continue,
        };
        if let Some(&last) = times.last() {
            out.duration = out.duration.max(last);
        }
        out.channels.push(Channel {
            node: ch.target().node().index(),
            times,
            values,
        });
    }
    out
}

/// Linear (and spherical-linear for rotations) sampling of keyframes at time `t`.
fn sample<T: Copy>(times: &[f32], values: &[T], t: f32, lerp: impl Fn(T, T, f32) -> T) -> T {
    let n = times.len().min(values.len());
    if n == 0 {
        unreachable!("channels are read with at least one key");
    }
    if n == 1 || t <= times[0] {
        return values[0];
    }
    if t >= times[n - 1] {
        return values[n - 1];
    }
    let k = times[..n].partition_point(|&x| x <= t).max(1) - 1;
    let span = times[k + 1] - times[k];
    let u = if span > 0.0 {
        (t - times[k]) / span
    } else {
        0.0
    };
    lerp(values[k], values[k + 1], u)
}

impl Rig {
    /// Reads a character from GLB bytes.
    pub fn from_glb(bytes: &[u8]) -> Result<Self, String> {
        let gltf = gltf::Gltf::from_slice(bytes).map_err(|e| e.to_string())?;
        let blob = gltf.blob.as_deref().ok_or("the file has no binary chunk")?;
        let doc = &gltf.document;
        let count = doc.nodes().count();
        let mut parents = vec![None; count];
        for node in doc.nodes() {
            for child in node.children() {
                parents[child.index()] = Some(node.index());
            }
        }
        let names: Vec<String> = doc
            .nodes()
            .map(|n| n.name().unwrap_or_default().to_string())
            .collect();
        let rest: Vec<Trs> = doc.nodes().map(|n| node_trs(&n)).collect();
        let mut order = Vec::with_capacity(count);
        let mut stack: Vec<usize> = (0..count).filter(|&i| parents[i].is_none()).collect();
        while let Some(i) = stack.pop() {
            order.push(i);
            if let Some(node) = doc.nodes().nth(i) {
                stack.extend(node.children().map(|c| c.index()));
            }
        }
        if order.len() != count {
            return Err("the node tree has a cycle".into());
        }
        let mut clips = HashMap::new();
        for anim in doc.animations() {
            if let Some(clip) = Clip::ALL.iter().find(|c| Some(c.name()) == anim.name()) {
                clips.insert(*clip, read_animation(&anim, blob));
            }
        }
        if let Some(missing) = Clip::ALL.iter().find(|c| !clips.contains_key(c)) {
            return Err(format!(
                "the animation clip {:?} is missing",
                missing.name()
            ));
        }
        let mut animated: Vec<usize> = clips
            .values()
            .flat_map(|a| a.channels.iter().map(|c| c.node))
            .collect();
        animated.sort_unstable();
        animated.dedup();
        let natural_height = doc
            .meshes()
            .flat_map(|m| m.primitives())
            .map(|p| p.bounding_box().max[1])
            .fold(0.0f32, f32::max);
        if natural_height <= 0.5 {
            return Err("the character's meshes are under half a metre tall".into());
        }
        let outfit_material = doc
            .default_scene()
            .or_else(|| doc.scenes().next())
            .and_then(|s| s.nodes().filter(|n| n.mesh().is_some()).nth(3))
            .and_then(|n| n.mesh())
            .and_then(|m| m.primitives().next())
            .and_then(|p| p.material().name().map(str::to_string));
        let mut rig = Rig {
            names,
            parents,
            order,
            rest,
            clips,
            animated,
            natural_height,
            walk_speed: 1.0,
            outfit_material,
        };
        rig.walk_speed = rig.measure_walk_speed()?;
        Ok(rig)
    }

    pub fn node(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    pub fn duration(&self, clip: Clip) -> f32 {
        self.clips.get(&clip).map_or(0.0, |a| a.duration)
    }

    /// Local transforms of every node for a blend of clips `(clip, time in the clip,
    /// weight)`: translations and scales averaged by weight, rotations blended pairwise
    /// (normalised linear interpolation on the shorter arc). Nodes no clip animates keep
    /// their rest transform.
    pub fn local_pose(&self, mix: &[(Clip, f32, f32)]) -> Vec<Trs> {
        let mut pose = self.rest.clone();
        let mut weights = vec![0.0f32; pose.len() * 3];
        for &(clip, t, w) in mix {
            let Some(anim) = self.clips.get(&clip) else {
                continue;
            };
            if w <= 0.0 {
                continue;
            }
            for ch in &anim.channels {
                let Some(node) = pose.get_mut(ch.node) else {
                    continue;
                };
                let slot = match &ch.values {
                    ChannelValues::Translation(_) => 0,
                    ChannelValues::Rotation(_) => 1,
                    ChannelValues::Scale(_) => 2,
                };
                let acc = &mut weights[ch.node * 3 + slot];
                let total = *acc + w;
                let u = w / total;
                *acc = total;
                match &ch.values {
                    ChannelValues::Translation(v) => {
                        let x = sample(&ch.times, v, t, |a, b, u| a.lerp(b, u));
                        node.translation = if u < 1.0 {
                            node.translation.lerp(x, u)
                        } else {
                            x
                        };
                    }
                    ChannelValues::Rotation(v) => {
                        let x = sample(&ch.times, v, t, |a, b, u| a.slerp(b, u));
                        node.rotation = if u < 1.0 {
                            nlerp(node.rotation, x, u)
                        } else {
                            x
                        };
                    }
                    ChannelValues::Scale(v) => {
                        let x = sample(&ch.times, v, t, |a, b, u| a.lerp(b, u));
                        node.scale = if u < 1.0 { node.scale.lerp(x, u) } else { x };
                    }
                }
            }
        }
        pose
    }

    /// Node-to-character transforms of a local pose.
    pub fn world(&self, local: &[Trs]) -> Vec<Mat4> {
        let mut out = vec![Mat4::IDENTITY; local.len()];
        for &i in &self.order {
            let m = local[i].matrix();
            out[i] = match self.parents[i] {
                Some(p) => out[p] * m,
                None => m,
            };
        }
        out
    }

    /// The Walk clip's foot speed: the left ball joint's backward speed while it is on the
    /// ground (the lowest centimetre of its path), median over the cycle.
    fn measure_walk_speed(&self) -> Result<f32, String> {
        let ball = self
            .node("ball_l")
            .ok_or("the skeleton has no joint ball_l")?;
        let d = self.duration(Clip::Walk);
        const N: usize = 220;
        let path: Vec<Vec3> = (0..=N)
            .map(|k| {
                let t = d * k as f32 / N as f32;
                self.world(&self.local_pose(&[(Clip::Walk, t, 1.0)]))[ball]
                    .w_axis
                    .truncate()
            })
            .collect();
        let low = path.iter().map(|p| p.y).fold(f32::INFINITY, f32::min) + 0.01;
        let dt = d / N as f32;
        let mut speeds: Vec<f32> = path
            .windows(2)
            .filter(|w| w[0].y < low && w[1].y < low)
            .map(|w| -(w[1].z - w[0].z) / dt)
            .collect();
        if speeds.len() < 3 || d <= 0.0 {
            return Err("the Walk clip has no planted foot".into());
        }
        speeds.sort_by(f32::total_cmp);
        Ok(speeds[speeds.len() / 2])
    }
}

fn nlerp(a: Quat, b: Quat, u: f32) -> Quat {
    let b = if a.dot(b) < 0.0 { -b } else { b };
    (a * (1.0 - u) + b * u).normalize()
}

/// Every bundled character, read once.
#[derive(Clone, Debug)]
pub struct Cast {
    pub rigs: Vec<Rig>,
}

impl Cast {
    /// Reads the characters of [`CHARACTERS`] from `dir`.
    pub fn load(dir: &Path) -> Result<Self, PeopleError> {
        let rigs = CHARACTERS
            .iter()
            .map(|c| {
                let path = dir.join(c.file);
                let bytes = std::fs::read(&path).map_err(|source| PeopleError::Read {
                    path: path.clone(),
                    source,
                })?;
                Rig::from_glb(&bytes).map_err(|message| PeopleError::Invalid { path, message })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { rigs })
    }

    /// The bundled characters (`assets/people`), read on first use.
    pub fn bundled() -> Result<&'static Cast, String> {
        static CAST: OnceLock<Result<Cast, String>> = OnceLock::new();
        CAST.get_or_init(|| {
            let dir = bundled_dir().ok_or_else(|| PeopleError::NoFolder.to_string())?;
            Cast::load(&dir).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    pub fn rig(&self, character: usize) -> &Rig {
        &self.rigs[character % self.rigs.len()]
    }
}

/// The folder of the bundled characters (`assets/people`): see [`bundled_assets`].
pub fn bundled_dir() -> Option<PathBuf> {
    bundled_assets("people")
}

/// TwinCity Studio's `assets` folder (the one holding `people/`).
pub fn assets_dir() -> Option<PathBuf> {
    bundled_dir().and_then(|d| d.parent().map(Path::to_path_buf))
}

/// The uniform scale that draws character `rig` at `height_factor` times the mean height of
/// its sex.
pub fn scale(character: usize, rig: &Rig, height_factor: f32) -> f32 {
    let woman = CHARACTERS[character % CHARACTERS.len()].woman;
    let mean = if woman {
        MEAN_HEIGHT_WOMAN
    } else {
        MEAN_HEIGHT_MAN
    };
    mean * height_factor / rig.natural_height
}

/// Walking slower than this blends towards standing (m/s).
const FULL_WALK_SPEED: f64 = 0.5;

/// The clips a person plays, with their times and weights, from their state alone: walking
/// advances the Walk clip by the distance walked (so a planted foot stays put at any speed),
/// slow walking blends into Idle, a collapse plays Fall by its progress then Lie, a helper
/// kneels, and standing people idle, each at their own phase.
pub fn motion(p: &PersonState, time_s: f64, rig: &Rig, scale: f32) -> Vec<(Clip, f32, f32)> {
    let phase = p.look.phase as f64;
    let idle_len = rig.duration(Clip::Idle).max(1e-3) as f64;
    let idle_t = ((time_s + phase * idle_len) % idle_len) as f32;
    match p.pose {
        Pose::Walking | Pose::Running => {
            let walk_len = rig.duration(Clip::Walk).max(1e-3) as f64;
            let metres_per_cycle = rig.walk_speed as f64 * scale as f64 * walk_len;
            let cycles = p.walked / metres_per_cycle + phase;
            let walk_t = (cycles.rem_euclid(1.0) * walk_len) as f32;
            let w = (p.speed / FULL_WALK_SPEED).clamp(0.0, 1.0) as f32;
            if w >= 1.0 {
                vec![(Clip::Walk, walk_t, 1.0)]
            } else {
                vec![(Clip::Walk, walk_t, w), (Clip::Idle, idle_t, 1.0 - w)]
            }
        }
        Pose::Standing => vec![(Clip::Idle, idle_t, 1.0)],
        Pose::Falling { progress } => {
            let t = progress as f32 * rig.duration(Clip::Fall);
            vec![(Clip::Fall, t, 1.0)]
        }
        Pose::Lying => vec![(Clip::Lie, 0.0, 1.0)],
        Pose::Kneeling => vec![(Clip::Kneel, 0.0, 1.0)],
    }
}

/// A person's placement in the world: on the ground at `position`, facing `heading`
/// (radians from east, counter-clockwise in plan); characters face +Z.
pub fn placement(position: Vec3, heading: f64, scale: f32) -> Mat4 {
    let yaw = Quat::from_rotation_y(std::f32::consts::FRAC_PI_2 + heading as f32);
    Mat4::from_scale_rotation_translation(Vec3::splat(scale), yaw, position)
}

/// Bones the annotation figure is made of: (from joint, to joint, half-width, half-depth)
/// in metres at natural size; boxes along each segment cover the body, arms and legs.
pub const BONES: [(&str, &str, f32, f32); 15] = [
    ("pelvis", "spine_02", 0.17, 0.11),
    ("spine_02", "neck_01", 0.18, 0.11),
    ("thigh_l", "calf_l", 0.08, 0.08),
    ("thigh_r", "calf_r", 0.08, 0.08),
    ("calf_l", "foot_l", 0.06, 0.06),
    ("calf_r", "foot_r", 0.06, 0.06),
    ("foot_l", "ball_l", 0.05, 0.05),
    ("foot_r", "ball_r", 0.05, 0.05),
    ("upperarm_l", "lowerarm_l", 0.05, 0.05),
    ("upperarm_r", "lowerarm_r", 0.05, 0.05),
    ("lowerarm_l", "hand_l", 0.045, 0.045),
    ("lowerarm_r", "hand_r", 0.045, 0.045),
    ("hand_l", "middle_01_l", 0.04, 0.02),
    ("hand_r", "middle_01_r", 0.04, 0.02),
    ("neck_01", "head", 0.05, 0.05),
];

/// The head: a box around the head joint's segment, from the joint up this far (metres at
/// natural size), this wide and deep.
pub const HEAD_LENGTH: f32 = 0.24;
pub const HEAD_HALF: (f32, f32) = (0.085, 0.11);

/// A posed person in world space: oriented boxes (as 8 corners each) for the body, and the
/// head box (corners) and centre.
#[derive(Clone, Debug)]
pub struct PosedBody {
    pub boxes: Vec<[Vec3; 8]>,
    pub head: [Vec3; 8],
    pub head_centre: Vec3,
    /// The bag hanging from the right hand of someone carrying things to dump.
    pub bag: Option<[Vec3; 8]>,
}

/// A carried bag: this far below the right hand (metres, at natural size: top, bottom), this
/// wide and deep (half sizes).
pub const BAG: (f32, f32, f32, f32) = (0.06, 0.48, 0.17, 0.11);

/// The eight corners of a box around the segment `a → b`, `hw` wide and `hd` deep on either
/// side, with its width along `side` where possible.
fn segment_box(a: Vec3, b: Vec3, hw: f32, hd: f32, side: Vec3, pad: f32) -> [Vec3; 8] {
    let axis = (b - a).normalize_or(Vec3::Y);
    let mut x = (side - axis * side.dot(axis)).normalize_or_zero();
    if x == Vec3::ZERO {
        x = axis.any_orthonormal_vector();
    }
    let z = axis.cross(x);
    let a = a - axis * pad;
    let b = b + axis * pad;
    let mut out = [Vec3::ZERO; 8];
    for (k, c) in out.iter_mut().enumerate() {
        let end = if k & 4 == 0 { a } else { b };
        let sx = if k & 1 == 0 { -hw } else { hw };
        let sz = if k & 2 == 0 { -hd } else { hd };
        *c = end + x * sx + z * sz;
    }
    out
}

/// The posed body of a person: joints posed by [`motion`], placed by [`placement`], with a
/// bag in hand when `carrying`.
pub fn posed_body(
    rig: &Rig,
    local: &[Trs],
    world_from_character: Mat4,
    carrying: bool,
) -> PosedBody {
    let joints = rig.world(local);
    let at = |name: &str| {
        rig.node(name)
            .map(|i| world_from_character.transform_point3(joints[i].w_axis.truncate()))
    };
    let s = world_from_character.x_axis.truncate().length();
    let side = world_from_character
        .transform_vector3(Vec3::X)
        .normalize_or(Vec3::X);
    let boxes = BONES
        .iter()
        .filter_map(|&(a, b, hw, hd)| {
            Some(segment_box(at(a)?, at(b)?, hw * s, hd * s, side, 0.03 * s))
        })
        .collect();
    let (head, head_centre) = match (at("neck_01"), at("head")) {
        (Some(neck), Some(h)) => {
            let up = (h - neck).normalize_or(Vec3::Y);
            let top = h + up * HEAD_LENGTH * s;
            (
                segment_box(h, top, HEAD_HALF.0 * s, HEAD_HALF.1 * s, side, 0.0),
                (h + top) / 2.0,
            )
        }
        _ => ([Vec3::ZERO; 8], world_from_character.w_axis.truncate()),
    };
    let bag = carrying.then(|| at("hand_r")).flatten().map(|hand| {
        let (top, bottom, hw, hd) = BAG;
        segment_box(
            hand - Vec3::Y * top * s,
            hand - Vec3::Y * bottom * s,
            hw * s,
            hd * s,
            side,
            0.0,
        )
    });
    PosedBody {
        boxes,
        head,
        head_centre,
        bag,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cast() -> Cast {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/people");
        Cast::load(&dir).expect("the bundled characters load")
    }

    #[test]
    fn every_character_has_its_skeleton_clips_and_size() {
        let cast = cast();
        for (rig, file) in cast.rigs.iter().zip(CHARACTERS) {
            for joint in ["pelvis", "head", "foot_l", "ball_r", "hand_r"] {
                assert!(rig.node(joint).is_some(), "{}: {joint}", file.file);
            }
            assert!(
                (1.4..2.1).contains(&rig.natural_height),
                "{}: {}",
                file.file,
                rig.natural_height
            );
            assert!((rig.duration(Clip::Walk) - 1.1).abs() < 0.01);
            assert!((rig.duration(Clip::Fall) - 1.2).abs() < 0.01);
            // A person walks at about their height per second with this rig.
            let per_height = rig.walk_speed / rig.natural_height;
            assert!(
                (0.8..1.3).contains(&per_height),
                "{}: {per_height}",
                file.file
            );
            assert!(rig.outfit_material.is_some(), "{}", file.file);
        }
    }

    fn person(pose: Pose, walked: f64, speed: f64) -> PersonState {
        PersonState {
            position: [0.0, 0.0],
            heading: 0.0,
            pose,
            role: crate::world::Role::Passerby,
            carrying: false,
            walked,
            speed,
            look: crate::look::look(1, 1, false),
        }
    }

    /// Walking east at `speed`, sampled at `fps`, with the clip advanced `rate` times the
    /// right amount: the mean displacement per frame, along the walking direction, of a foot
    /// joint while it is on the ground (within 1 cm of its lowest point). (The clips also
    /// sway the planted foot sideways a little; the playback rate cannot change that.)
    fn planted_slip(rig: &Rig, scale: f32, speed: f64, fps: f64, foot: &str, rate: f64) -> f32 {
        let i = rig.node(foot).unwrap();
        let frames: Vec<Vec3> = (0..(4.0 * fps) as usize)
            .map(|k| {
                let t = k as f64 / fps;
                let x = speed * t;
                let p = person(Pose::Walking, x * rate, speed);
                let local = rig.local_pose(&motion(&p, t, rig, scale));
                let place = placement(Vec3::new(x as f32, 0.0, 0.0), 0.0, scale);
                place.transform_point3(rig.world(&local)[i].w_axis.truncate())
            })
            .collect();
        let low = frames.iter().map(|p| p.y).fold(f32::INFINITY, f32::min) + 0.01 * scale;
        let steps: Vec<f32> = frames
            .windows(2)
            .filter(|w| w[0].y < low && w[1].y < low)
            .map(|w| (w[1].x - w[0].x).abs())
            .collect();
        assert!(steps.len() >= 6, "too few planted frames: {}", steps.len());
        steps.iter().sum::<f32>() / steps.len() as f32
    }

    #[test]
    fn planted_feet_do_not_slide_at_any_walking_speed() {
        let cast = cast();
        for (c, rig) in cast.rigs.iter().enumerate() {
            let s = scale(c, rig, 1.0);
            for speed in [0.8, 1.34, 1.8] {
                let fps = 60.0;
                let slip = planted_slip(rig, s, speed, fps, "ball_l", 1.0);
                let body_step = (speed / fps) as f32;
                // The body moves `body_step` a frame; a planted foot moves a small share of it.
                assert!(
                    slip < 0.1 * body_step,
                    "character {c} at {speed} m/s: the planted foot moves {slip} m a frame \
                     (the body {body_step} m)"
                );
            }
        }
    }

    #[test]
    fn a_wrong_walk_rate_would_make_feet_slide() {
        // The check above can fail: playing the clip 30 % too fast slides the planted foot.
        let cast = cast();
        let rig = cast.rig(3);
        let s = scale(3, rig, 1.0);
        let ok = planted_slip(rig, s, 1.34, 60.0, "ball_l", 1.0);
        let wrong = planted_slip(rig, s, 1.34, 60.0, "ball_l", 1.3);
        assert!(wrong > 0.1 * 1.34 / 60.0, "{ok} vs {wrong}");
        assert!(wrong > 3.0 * ok, "{ok} vs {wrong}");
    }

    #[test]
    fn heights_follow_the_look_within_eight_percent() {
        let cast = cast();
        for (c, rig) in cast.rigs.iter().enumerate() {
            for f in [0.92f32, 1.0, 1.08] {
                let h = rig.natural_height * scale(c, rig, f);
                let mean = if CHARACTERS[c].woman {
                    MEAN_HEIGHT_WOMAN
                } else {
                    MEAN_HEIGHT_MAN
                };
                assert!((h / mean - f).abs() < 1e-4);
            }
        }
    }

    #[test]
    fn a_collapse_ends_lying_on_the_ground_and_a_helper_kneels() {
        let cast = cast();
        for rig in &cast.rigs {
            let head_height = |pose: Pose| {
                let p = person(pose, 0.0, 0.0);
                let local = rig.local_pose(&motion(&p, 0.0, rig, 1.0));
                rig.world(&local)[rig.node("head").unwrap()].w_axis.y
            };
            let standing = head_height(Pose::Standing);
            let lying = head_height(Pose::Lying);
            let fallen = head_height(Pose::Falling { progress: 1.0 });
            let kneeling = head_height(Pose::Kneeling);
            assert!(lying < 0.4, "lying head at {lying} m");
            assert!(
                (fallen - lying).abs() < 0.05,
                "the fall ends where lying starts"
            );
            assert!(kneeling < 0.8 * standing && kneeling > 0.4 * standing);
        }
    }

    #[test]
    fn blending_stays_between_the_clips() {
        let cast = cast();
        let rig = cast.rig(0);
        let head = rig.node("head").unwrap();
        let y = |mix: &[(Clip, f32, f32)]| rig.world(&rig.local_pose(mix))[head].w_axis.y;
        let kneel = y(&[(Clip::Kneel, 0.0, 1.0)]);
        let idle = y(&[(Clip::Idle, 0.0, 1.0)]);
        let half = y(&[(Clip::Kneel, 0.0, 0.5), (Clip::Idle, 0.0, 0.5)]);
        assert!(half > kneel.min(idle) && half < kneel.max(idle));
    }
}
