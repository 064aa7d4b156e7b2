//! The shapes the editor draws for people, dumped objects and vehicles, and where it puts
//! them. Rendering (`twincity::crowds`, `twincity::scenario_view`) and the annotation pass
//! ([`crate::annotate`]) both use these, so the ground truth matches the pixels.

use glam::{Mat4, Quat, Vec3};

use crate::people::{Cast, PosedBody, Rig, Trs};
use crate::scenario::run::{PersonState, WorldState};

/// Skin tones of the face texture (sRGB).
pub const SKIN_TONES: [[f32; 3]; 6] = [
    [0.96, 0.80, 0.69],
    [0.90, 0.72, 0.58],
    [0.80, 0.60, 0.45],
    [0.65, 0.45, 0.32],
    [0.48, 0.32, 0.22],
    [0.33, 0.22, 0.15],
];

/// Clothing colours of the fixed palette (sRGB).
pub const CLOTHING: [[f32; 3]; 6] = [
    [0.70, 0.20, 0.20],
    [0.20, 0.30, 0.60],
    [0.25, 0.50, 0.30],
    [0.80, 0.65, 0.25],
    [0.30, 0.30, 0.32],
    [0.85, 0.85, 0.82],
];

/// How a person looks: which character ([`crate::people::CHARACTERS`]), height factor
/// (times the mean height of the character's sex), clothing tint (sRGB), skin tone (index
/// into [`SKIN_TONES`], for figures without a textured face) and the phase (0–1) their
/// idle and walking cycles start at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub character: usize,
    pub height: f32,
    pub clothing: [f32; 3],
    pub skin: usize,
    pub phase: f32,
}

/// The look of the person with stable key `key`: from a fixed palette, or with `randomised`
/// drawn from the seed and the key (any of the characters, heights within 8 % of the mean,
/// any clothing colour, every skin tone), the same in every frame.
pub fn look(seed: u64, key: u64, randomised: bool) -> Look {
    let characters = crate::people::CHARACTERS.len();
    // The golden ratio spreads the phases of consecutive people evenly.
    let phase = (key as f64 * 0.618_033_988_75).fract() as f32;
    if !randomised {
        return Look {
            character: (key as usize * 5 + 2) % characters,
            height: 1.0,
            clothing: CLOTHING[(key as usize * 7 + 3) % CLOTHING.len()],
            skin: (key as usize * 5 + 1) % SKIN_TONES.len(),
            phase,
        };
    }
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(
        seed.rotate_left(17) ^ key.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED,
    );
    let height = rng.random_range(0.92f32..=1.08);
    let hue = rng.random_range(0.0f32..6.0);
    let sat = rng.random_range(0.0f32..0.85);
    let val = rng.random_range(0.15f32..0.95);
    // HSV to RGB.
    let c = val * sat;
    let x = c * (1.0 - ((hue % 2.0) - 1.0).abs());
    let (r, g, b) = match hue as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = val - c;
    let skin = rng.random_range(0..SKIN_TONES.len());
    Look {
        character: rng.random_range(0..characters),
        height,
        clothing: [r + m, g + m, b + m],
        skin,
        phase,
    }
}

/// A person's pose as drawn: their character's rig, the local transform of every node (the
/// clips their state plays) and where the character stands (scaled to their height, on the
/// pavement at `ground`). The renderer writes exactly this onto the character's entities.
pub struct PersonPose<'a> {
    pub rig: &'a Rig,
    pub local: Vec<Trs>,
    pub world_from_character: Mat4,
}

pub fn person_pose<'a>(
    p: &PersonState,
    time_s: f64,
    ground: f32,
    cast: &'a Cast,
) -> PersonPose<'a> {
    let c = p.look.character;
    let rig = cast.rig(c);
    let s = crate::people::scale(c, rig, p.look.height);
    PersonPose {
        rig,
        local: rig.local_pose(&crate::people::motion(p, time_s, rig, s)),
        world_from_character: crate::people::placement(world(p.position, ground), p.heading, s),
    }
}

/// A person of a world state posed as drawn ([`person_pose`]), as the annotation's boxes.
pub fn person_body(p: &PersonState, time_s: f64, ground: f32, cast: &Cast) -> PosedBody {
    let pose = person_pose(p, time_s, ground, cast);
    crate::people::posed_body(pose.rig, &pose.local, pose.world_from_character, p.carrying)
}

pub fn world(plan: [f64; 2], y: f32) -> Vec3 {
    Vec3::new(plan[0] as f32, y, -plan[1] as f32)
}

/// Rotation of a box whose length runs along `heading` (radians from east) in plan.
pub fn yaw(heading: f64) -> Quat {
    Quat::from_rotation_y(heading as f32)
}

/// The 12 triangles of the unit cube centred on the origin, transformed.
pub fn cube_triangles(t: Vec3, r: Quat, s: Vec3) -> Vec<[Vec3; 3]> {
    let lo = Vec3::splat(-0.5);
    let hi = Vec3::splat(0.5);
    crate::coverage::box_triangles(lo, hi)
        .into_iter()
        .map(|tri| tri.map(|p| t + r * (p * s)))
        .collect()
}

/// One drawn thing of a world state: what it is (index into the state's people, objects or
/// vehicles), its triangles in world space, and for people the head centre.
#[derive(Clone, Debug)]
pub struct Figure {
    pub kind: FigureKind,
    pub triangles: Vec<[Vec3; 3]>,
    pub head: Option<Vec3>,
    /// What privacy hides: the head box's corners (people), the plate's (vehicles).
    pub private: Vec<Vec3>,
}

/// A licence plate's size (width, height) and where it sits on a vehicle: the middle of its
/// back, this high above the road.
pub const PLATE_SIZE: (f32, f32) = (0.52, 0.11);
pub const PLATE_HEIGHT: f32 = 0.5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum FigureKind {
    Person(usize),
    Object(usize),
    Vehicle(usize),
}

/// Height of a vehicle body above the road, metres.
pub const VEHICLE_CLEARANCE: f32 = 0.15;

/// The figures of `state` as drawn: people and objects on the pavement at `ground`, vehicles
/// on the road (height 0).
pub fn figures(state: &WorldState, ground: f32, cast: &Cast) -> Vec<Figure> {
    let mut out = Vec::new();
    for (i, p) in state.people.iter().enumerate() {
        let body = person_body(p, state.time_s, ground, cast);
        let mut triangles = Vec::with_capacity(12 * (body.boxes.len() + 1));
        for b in body
            .boxes
            .iter()
            .chain([&body.head])
            .chain(body.bag.as_ref())
        {
            triangles.extend(crate::coverage::corner_box_triangles(b));
        }
        out.push(Figure {
            kind: FigureKind::Person(i),
            triangles,
            head: Some(body.head_centre),
            private: body.head.to_vec(),
        });
    }
    for (i, o) in state.objects.iter().enumerate() {
        let [l, w, h] = o.kind.size().map(|v| v as f32);
        out.push(Figure {
            kind: FigureKind::Object(i),
            triangles: cube_triangles(
                world(o.position, ground + h / 2.0),
                yaw(o.yaw),
                Vec3::new(l, h, w),
            ),
            head: None,
            private: Vec::new(),
        });
    }
    for (i, v) in state.vehicles.iter().enumerate() {
        let [l, w, h] = v.vehicle.kind.size().map(|x| x as f32);
        let r = yaw(v.heading);
        let back = world(v.position, PLATE_HEIGHT) + r * Vec3::new(-(l / 2.0 + 0.01), 0.0, 0.0);
        let (pw, ph) = PLATE_SIZE;
        let private = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
            .into_iter()
            .map(|(a, b)| back + r * Vec3::new(0.0, b * ph / 2.0, a * pw / 2.0))
            .collect();
        out.push(Figure {
            kind: FigureKind::Vehicle(i),
            triangles: cube_triangles(
                world(v.position, h / 2.0 + VEHICLE_CLEARANCE),
                r,
                Vec3::new(l, h, w),
            ),
            head: None,
            private,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_are_stable_per_person_and_varied_across_people() {
        let fixed = look(3, 17, false);
        assert_eq!(fixed.height, 1.0);
        assert_eq!(fixed, look(99, 17, false), "the palette ignores the seed");
        let a = look(3, 17, true);
        assert_eq!(
            a,
            look(3, 17, true),
            "the same person looks the same in every frame"
        );
        assert_ne!(a, look(4, 17, true));
        let all: Vec<Look> = (0..500).map(|k| look(3, k, true)).collect();
        assert!(all.iter().all(|l| (0.92..=1.08).contains(&l.height)));
        for c in 0..crate::people::CHARACTERS.len() {
            assert!(
                all.iter().any(|l| l.character == c),
                "character {c} never drawn"
            );
        }
        assert!(
            all.iter()
                .all(|l| l.clothing.iter().all(|c| (0.0..=1.0).contains(c)))
        );
        for s in 0..SKIN_TONES.len() {
            assert!(all.iter().any(|l| l.skin == s), "skin tone {s} never drawn");
        }
        let mean = all.iter().map(|l| l.height as f64).sum::<f64>() / 500.0;
        assert!((mean - 1.0).abs() < 0.02, "{mean}");
    }
}
