//! The shapes the editor draws for people, dumped objects and vehicles, and where it puts
//! them. Rendering (`twincity::crowds`, `twincity::scenario_view`) and the annotation pass
//! ([`crate::annotate`]) both use these, so the ground truth matches the pixels.

use glam::{Quat, Vec3};

use crate::scenario::run::{Pose, WorldState};

/// A person figure standing on the origin, facing `-Z`, 1.75 m tall: two legs, the torso,
/// the head and a small nose (so the facing shows from any side), as `(min, max)` boxes.
pub const PERSON_BOXES: [([f32; 3], [f32; 3]); 5] = [
    ([-0.17, 0.0, -0.09], [-0.03, 0.85, 0.07]),
    ([0.03, 0.0, -0.09], [0.17, 0.85, 0.07]),
    ([-0.22, 0.85, -0.12], [0.22, 1.45, 0.11]),
    ([-0.10, 1.48, -0.12], [0.10, 1.75, 0.10]),
    ([-0.03, 1.58, -0.16], [0.03, 1.64, -0.12]),
];

/// The head box (index into [`PERSON_BOXES`]) and its centre on the standing figure.
pub const HEAD_BOX: usize = 3;
pub const HEAD_CENTRE: [f32; 3] = [0.0, 1.615, -0.01];

/// Where a figure goes (`translation`, `rotation`, `scale`): standing at `position` facing
/// `heading` (radians from east, counter-clockwise in plan); kneeling lower; falling tipped
/// forward about the feet by `progress` of a right angle; lying face down along the heading.
pub fn person_pose(position: Vec3, heading: f64, pose: &Pose) -> (Vec3, Quat, Vec3) {
    // The figure faces -Z; east is +X.
    let yaw = Quat::from_rotation_y(heading as f32 - std::f32::consts::FRAC_PI_2);
    let tip = |k: f32| Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2 * k);
    match pose {
        Pose::Falling { progress } => (
            position + Vec3::Y * 0.16 * *progress as f32,
            yaw * tip(*progress as f32),
            Vec3::ONE,
        ),
        Pose::Lying => (position + Vec3::Y * 0.16, yaw * tip(1.0), Vec3::ONE),
        Pose::Kneeling => (position, yaw, Vec3::new(1.0, 0.6, 1.0)),
        _ => (position, yaw, Vec3::ONE),
    }
}

/// World position of a plan point at height `y` (plan `(east, north)` → world `(x, y, -z)`).
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

/// The eight corners of the box `(lo, hi)` placed by `(t, r, s)`.
fn corners(lo: [f32; 3], hi: [f32; 3], t: Vec3, r: Quat, s: Vec3) -> Vec<Vec3> {
    (0..8)
        .map(|k| {
            let p = Vec3::new(
                if k & 1 == 0 { lo[0] } else { hi[0] },
                if k & 2 == 0 { lo[1] } else { hi[1] },
                if k & 4 == 0 { lo[2] } else { hi[2] },
            );
            t + r * (p * s)
        })
        .collect()
}

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
pub fn figures(state: &WorldState, ground: f32) -> Vec<Figure> {
    let mut out = Vec::new();
    for (i, p) in state.people.iter().enumerate() {
        let (t, r, s) = person_pose(world(p.position, ground), p.heading, &p.pose);
        let mut triangles = Vec::with_capacity(60);
        for (lo, hi) in PERSON_BOXES {
            for tri in crate::coverage::box_triangles(Vec3::from(lo), Vec3::from(hi)) {
                triangles.push(tri.map(|q| t + r * (q * s)));
            }
        }
        let (head_lo, head_hi) = PERSON_BOXES[HEAD_BOX];
        out.push(Figure {
            kind: FigureKind::Person(i),
            triangles,
            head: Some(t + r * (Vec3::from(HEAD_CENTRE) * s)),
            private: corners(head_lo, head_hi, t, r, s),
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
