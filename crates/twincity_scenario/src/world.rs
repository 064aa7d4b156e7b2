//! The state of the world at one time: people (pose, role, look), dumped objects, vehicles,
//! environment and incidents; [`WorldState::labels`] is its exact ground truth.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::format::{ObjectKind, VehicleSpec};
use crate::look::Look;

/// A fall takes this long from standing to lying, seconds.
pub const FALL_S: f64 = 1.2;
/// Body sizes (length along the heading, width, height), metres.
const STANDING: [f64; 3] = [0.3, 0.5, 1.75];
const KNEELING: [f64; 3] = [0.7, 0.5, 1.0];
const LYING: [f64; 3] = [1.75, 0.55, 0.3];

/// What a person's body is doing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Pose {
    Walking,
    Running,
    Standing,
    /// From 0 (upright) to 1 (on the ground).
    Falling {
        progress: f64,
    },
    Lying,
    Kneeling,
}

/// Why a person is in the scene (the event, for incidents).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Role {
    Passerby,
    Dumper(String),
    Driver(String),
    Fallen(String),
    Bystander(String),
    Gathering(String),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PersonState {
    /// Plan position (east, north), metres.
    pub position: [f64; 2],
    /// Direction faced, radians from east, counter-clockwise.
    pub heading: f64,
    pub pose: Pose,
    pub role: Role,
    /// Carrying objects to dump.
    pub carrying: bool,
    /// Distance walked since entering, metres (drives the walking cycle; not exported).
    #[serde(skip)]
    pub walked: f64,
    /// Speed of the last step, m/s.
    #[serde(skip)]
    pub speed: f64,
    /// Height, clothing and skin tone (kept out of exports: it would tell people apart
    /// across frames).
    #[serde(skip)]
    pub look: Look,
}

impl PersonState {
    /// Counts as a fallen person (`person_down`): lying, or past half of the fall.
    pub fn is_down(&self) -> bool {
        match self.pose {
            Pose::Lying => true,
            Pose::Falling { progress } => progress >= 0.5,
            _ => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectState {
    pub event: String,
    pub kind: ObjectKind,
    pub position: [f64; 2],
    pub yaw: f64,
    /// Which of the kind's models it is ([`crate::props::model`]).
    pub variant: usize,
    /// Height of its underside above the ground: above zero while it falls after being let go.
    pub height_m: f64,
}

impl ObjectState {
    /// Length, width, height, metres (its model's).
    pub fn size(&self) -> [f64; 3] {
        crate::props::model(self.kind, self.variant).size
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VehicleState {
    pub event: String,
    pub vehicle: VehicleSpec,
    pub position: [f64; 2],
    pub heading: f64,
    pub speed_kmh: f64,
    pub parked: bool,
    /// Metres driven since it appeared (its wheels have turned by this).
    pub distance_m: f64,
    /// Its colour's name and sRGB value (`None`: the body's fixed livery).
    pub paint: Option<(&'static str, [u8; 3])>,
    /// What the registry says the plate belongs to, when it lists the plate.
    pub registered: Option<(String, String)>,
    /// The registered make and model's body, when the registry gives it.
    pub registered_body: Option<crate::vehicles::VehicleBody>,
    /// The plate is registered to another make or model than this vehicle's.
    pub cloned_plate: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EnvironmentState {
    pub time_of_day_h: f64,
    pub sun_elevation_deg: f64,
    pub sun_azimuth_deg: f64,
    pub street_lights_on: bool,
    pub rain: f64,
    pub fog_visibility_m: Option<f64>,
}

/// An incident's span: planned, or as it happened (dumping, once the dumper arrived).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncidentState {
    pub id: String,
    pub kind: String,
    pub start_s: f64,
    /// `None` while it lasts until the end of the scenario.
    pub end_s: Option<f64>,
    pub active: bool,
}

/// Everything in the scene at one time.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct WorldState {
    pub time_s: f64,
    pub people: Vec<PersonState>,
    pub objects: Vec<ObjectState>,
    pub vehicles: Vec<VehicleState>,
    pub environment: EnvironmentState,
    pub incidents: Vec<IncidentState>,
}

/// One labelled thing in world coordinates: a box on the ground.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Label {
    /// `person`, `person_down`, `bag`, `box`, `mattress`, `appliance`, `tyre`, `car`, `van`,
    /// `truck`, `bicycle`.
    pub class: String,
    /// The incident it belongs to.
    pub event: Option<String>,
    /// Plan position of the box's centre (east, north), metres.
    pub position: [f64; 2],
    /// Length (along `yaw`), width, height, metres; the box stands on the ground.
    pub size: [f64; 3],
    /// Radians from east, counter-clockwise.
    pub yaw: f64,
    pub attributes: BTreeMap<String, Value>,
}

impl WorldState {
    /// The exact ground truth: a box per person (`person_down` for a fallen one), dumped
    /// object and vehicle, with the incident it belongs to and its attributes.
    pub fn labels(&self) -> Vec<Label> {
        let mut out = Vec::new();
        for p in &self.people {
            let (class, size) = match p.pose {
                Pose::Lying => ("person_down", LYING),
                Pose::Falling { progress } => {
                    let k = progress;
                    let size = [
                        STANDING[0] + (LYING[0] - STANDING[0]) * k,
                        STANDING[1] + (LYING[1] - STANDING[1]) * k,
                        STANDING[2] + (LYING[2] - STANDING[2]) * k,
                    ];
                    (if p.is_down() { "person_down" } else { "person" }, size)
                }
                Pose::Kneeling => ("person", KNEELING),
                _ => ("person", STANDING),
            };
            let mut attributes = BTreeMap::new();
            let event = match &p.role {
                Role::Passerby => None,
                Role::Dumper(e) | Role::Driver(e) => {
                    attributes.insert("role".into(), json!("dumper"));
                    Some(e.clone())
                }
                Role::Fallen(e) => {
                    attributes.insert("role".into(), json!("fallen"));
                    Some(e.clone())
                }
                Role::Bystander(e) => {
                    attributes.insert("role".into(), json!("bystander"));
                    Some(e.clone())
                }
                Role::Gathering(e) => {
                    attributes.insert("role".into(), json!("gathering"));
                    Some(e.clone())
                }
            };
            if p.carrying {
                attributes.insert("carrying".into(), json!(true));
            }
            let pose = match p.pose {
                Pose::Walking => "walking",
                Pose::Running => "running",
                Pose::Standing => "standing",
                Pose::Falling { .. } => "falling",
                Pose::Lying => "lying",
                Pose::Kneeling => "kneeling",
            };
            attributes.insert("pose".into(), json!(pose));
            // A falling or lying body extends backwards from where the person stood (the
            // characters fall on their back): the box's centre is half its extra length back.
            let back = (size[0] - STANDING[0]) / 2.0;
            let position = [
                p.position[0] - back * p.heading.cos(),
                p.position[1] - back * p.heading.sin(),
            ];
            out.push(Label {
                class: class.into(),
                event,
                position,
                size,
                yaw: p.heading,
                attributes,
            });
        }
        for o in &self.objects {
            out.push(Label {
                class: o.kind.class().into(),
                event: Some(o.event.clone()),
                position: o.position,
                size: o.size(),
                yaw: o.yaw,
                attributes: BTreeMap::from([("dumped".to_string(), json!(true))]),
            });
        }
        for v in &self.vehicles {
            let mut attributes = BTreeMap::from([
                ("make".to_string(), json!(v.vehicle.make)),
                ("model".to_string(), json!(v.vehicle.model)),
                ("speed_kmh".to_string(), json!(v.speed_kmh)),
                ("parked".to_string(), json!(v.parked)),
                ("body".to_string(), json!(v.vehicle.body().name())),
            ]);
            // A bicycle has no plate: neither its text nor the cloned-plate flag.
            if v.vehicle.has_plate() {
                attributes.insert("plate".into(), json!(v.vehicle.plate));
                attributes.insert("cloned_plate".into(), json!(v.cloned_plate));
            }
            if let Some((name, _)) = v.paint {
                attributes.insert("colour".into(), json!(name));
            }
            if let Some((make, model)) = &v.registered {
                attributes.insert("registered_make".into(), json!(make));
                attributes.insert("registered_model".into(), json!(model));
            }
            if let Some(b) = v.registered_body {
                attributes.insert("registered_body".into(), json!(b.name()));
            }
            out.push(Label {
                class: v.vehicle.kind.class().into(),
                event: Some(v.event.clone()),
                position: v.position,
                size: v.vehicle.size(),
                yaw: v.heading,
                attributes,
            });
        }
        out
    }

    /// A hash of the whole state (every number exactly): equal states, equal fingerprints.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        serde_json::to_string(self).unwrap_or_default().hash(&mut h);
        h.finish()
    }
}
