//! The shapes the editor draws for people, dumped objects and vehicles, and where it puts
//! them. Rendering (`twincity::crowds`, `twincity::scenario_view`) and the annotation pass
//! ([`twincity_dataset::annotate`]) both use these, so the ground truth matches the pixels.

use glam::{Mat4, Quat, Vec3};

use crate::people::{Cast, PosedBody, Rig, Trs};
use crate::world::{PersonState, VehicleState, WorldState};

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
    twincity_scene::coverage::box_triangles(lo, hi)
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

/// The corners of a vehicle's plates in the world, front then rear, each counter-clockwise
/// seen from outside (so `(b - a) × (c - a)` points out of the plate), where the catalogue
/// puts them on its body ([`crate::vehicles::BodyModel::plates`]); none for a vehicle without
/// a plate (a bicycle).
pub fn plate_quads(v: &VehicleState) -> Vec<[Vec3; 4]> {
    let model = v.vehicle.body().model();
    if !v.vehicle.has_plate() {
        return Vec::new();
    }
    let r = yaw(v.heading);
    let base = world(v.position, 0.0);
    let (pw, ph) = crate::vehicles::PLATE_SIZE_M;
    let (pw, ph) = (pw as f32 / 2.0, ph as f32 / 2.0);
    model
        .plates
        .iter()
        .map(|place| {
            let [centre, across, upward, _] = model.plate_frame(place);
            [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
                .map(|(a, b)| base + r * (centre + across * (a * pw) + upward * (b * ph)))
        })
        .collect()
}

/// Height of the ground a vehicle stands on: the road (0) for motor vehicles, the pavement
/// (`pavement`, where people walk) for bicycles.
pub fn vehicle_ground(v: &VehicleState, pavement: f32) -> f32 {
    if v.vehicle.kind.on_pavement() {
        pavement
    } else {
        0.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum FigureKind {
    Person(usize),
    Object(usize),
    Vehicle(usize),
}

/// The figures of `state` as drawn: people, objects and bicycles on the pavement at `ground`,
/// other vehicles on the road (height 0).
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
            triangles.extend(twincity_scene::coverage::corner_box_triangles(b));
        }
        out.push(Figure {
            kind: FigureKind::Person(i),
            triangles,
            head: Some(body.head_centre),
            private: body.head.to_vec(),
        });
    }
    for (i, o) in state.objects.iter().enumerate() {
        let [l, w, h] = o.size().map(|v| v as f32);
        out.push(Figure {
            kind: FigureKind::Object(i),
            triangles: cube_triangles(
                world(o.position, ground + o.height_m as f32 + h / 2.0),
                yaw(o.yaw),
                Vec3::new(l, h, w),
            ),
            head: None,
            private: Vec::new(),
        });
    }
    for (i, v) in state.vehicles.iter().enumerate() {
        let [l, w, h] = v.vehicle.size().map(|x| x as f32);
        out.push(Figure {
            kind: FigureKind::Vehicle(i),
            triangles: cube_triangles(
                world(v.position, vehicle_ground(v, ground) + h / 2.0),
                yaw(v.heading),
                Vec3::new(l, h, w),
            ),
            head: None,
            private: plate_quads(v).into_iter().flatten().collect(),
        });
    }
    out
}
