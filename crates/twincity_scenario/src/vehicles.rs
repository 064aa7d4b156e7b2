//! The twin's vehicle catalogue: each body (the "make/model" a scenario names by a stable name)
//! with its 3D model in `assets/vehicles`, its real size, the wheels that turn, where its
//! plates are (none on a bicycle), how it is painted; the paint palettes; how far the wheels
//! have turned.
//!
//! The models' own frame (glTF): +Y up, front +Z, left +X, on the ground at y = 0. A model
//! is drawn scaled by [`BodyModel::scale`]: one factor along its length and height (so its
//! wheels stay round as they turn) and another across (the stylised kits are wider than real
//! vehicles). The figures, annotations and the renderer all take sizes and plate places from
//! here; `tests/vehicle_models.rs` checks them against the model files.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VehicleKind {
    Car,
    Van,
    /// Pickups, flatbeds, refuse lorries.
    Truck,
    /// Parked only, for now: no riders are drawn yet. No plate, no lamps; it stands on the
    /// pavement.
    Bicycle,
}

impl VehicleKind {
    /// The annotation category.
    pub fn class(self) -> &'static str {
        match self {
            VehicleKind::Car => "car",
            VehicleKind::Van => "van",
            VehicleKind::Truck => "truck",
            VehicleKind::Bicycle => "bicycle",
        }
    }

    /// Every kind, in declaration order.
    pub const ALL: [VehicleKind; 4] = [
        VehicleKind::Car,
        VehicleKind::Van,
        VehicleKind::Truck,
        VehicleKind::Bicycle,
    ];

    /// Whether a vehicle of this kind carries a licence plate (a bicycle does not).
    pub fn has_plate(self) -> bool {
        !matches!(self, VehicleKind::Bicycle)
    }

    /// Whether it stands on the pavement (at the height people walk on) rather than on the
    /// road: bicycles are parked on the pavement.
    pub fn on_pavement(self) -> bool {
        matches!(self, VehicleKind::Bicycle)
    }
}

/// A vehicle body of the catalogue: its stable name in scenario files is the variant's
/// snake_case name (`saloon`, `delivery_van`...). See `docs/scenarios.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VehicleBody {
    Saloon,
    Hatchback,
    Suv,
    SportsCoupe,
    SportsGt,
    Taxi,
    Police,
    PoliceSuv,
    Van,
    DeliveryVan,
    Ambulance,
    Pickup,
    Flatbed,
    GarbageTruck,
    Bicycle,
    SquareFrameBicycle,
}

/// How a body gets its colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Paint {
    /// These materials of the model take the drawn colour (the first at full strength, the
    /// others a shade darker).
    Materials(&'static [&'static str]),
    /// The model is one texture atlas: its material is multiplied by the drawn colour
    /// (palettes of light colours: the atlas's body is white).
    Tint,
    /// A fixed livery (police, ambulance, refuse lorry): never repainted.
    Livery,
}

/// A plate's place on the model, in model units: centred across (x = 0), at height `y`, its
/// face at `z` (positive: front), leaning back by `tilt_deg` from vertical.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlatePlace {
    pub y: f64,
    pub z: f64,
    pub tilt_deg: f64,
}

/// A body's model and what the twin needs to know of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BodyModel {
    pub body: VehicleBody,
    /// Under `assets/vehicles/`.
    pub file: &'static str,
    pub kind: VehicleKind,
    /// Real length and width, metres (the height follows the model's proportions).
    pub length_m: f64,
    pub width_m: f64,
    /// The model's own extents: across (x), up (y), along (z), model units.
    pub model_size: [f64; 3],
    /// Nodes that turn about their own x axis as the vehicle drives.
    pub wheels: &'static [&'static str],
    /// Radius of the wheels, model units.
    pub wheel_radius: f64,
    /// Front plate, then rear plate; none for a body that carries no plate (a bicycle).
    pub plates: &'static [PlatePlace],
    pub paint: Paint,
    /// Materials that glow at night: headlights (white), then tail lights (red); empty for a
    /// texture-atlas model, whose lights are drawn as small glowing patches at
    /// [`BodyModel::lamps`], and for a body with no lights (a bicycle).
    pub light_materials: [&'static str; 2],
}

const fn plate(y: f64, z: f64, tilt_deg: f64) -> PlatePlace {
    PlatePlace { y, z, tilt_deg }
}

/// A European plate, metres (520 mm × 110 mm).
pub const PLATE_SIZE_M: (f64, f64) = (0.52, 0.11);

const QUATERNIUS_WHEELS: &[&str] = &["wheel-front-left", "wheel-front-right", "wheels-back"];
const KENNEY_WHEELS: &[&str] = &[
    "wheel-front-left",
    "wheel-front-right",
    "wheel-back-left",
    "wheel-back-right",
];
const LIGHTS: [&str; 2] = ["Headlights", "TailLights"];
const BICYCLE_WHEELS: &[&str] = &["wheel-front", "wheel-back"];

/// Every body, in the order of [`VehicleBody`].
pub const CATALOGUE: [BodyModel; 16] = [
    BodyModel {
        body: VehicleBody::Saloon,
        file: "quaternius_NormalCar1.glb",
        kind: VehicleKind::Car,
        length_m: 4.22,
        width_m: 1.81,
        model_size: [1.807, 1.177, 4.221],
        wheels: QUATERNIUS_WHEELS,
        wheel_radius: 0.262,
        plates: &[plate(0.31, 2.091, 0.0), plate(0.49, -2.025, 13.5)],
        paint: Paint::Materials(&["Blue"]),
        light_materials: LIGHTS,
    },
    BodyModel {
        body: VehicleBody::Hatchback,
        file: "quaternius_NormalCar2.glb",
        kind: VehicleKind::Car,
        length_m: 3.9,
        width_m: 1.73,
        model_size: [1.638, 1.146, 3.31],
        wheels: QUATERNIUS_WHEELS,
        wheel_radius: 0.248,
        plates: &[plate(0.311, 1.607, 0.0), plate(0.488, -1.594, 13.5)],
        paint: Paint::Materials(&["LightBlue"]),
        light_materials: LIGHTS,
    },
    BodyModel {
        body: VehicleBody::Suv,
        file: "quaternius_SUV.glb",
        kind: VehicleKind::Car,
        length_m: 4.45,
        width_m: 1.85,
        model_size: [2.111, 1.528, 4.209],
        wheels: QUATERNIUS_WHEELS,
        wheel_radius: 0.327,
        plates: &[plate(0.43, 2.048, 0.0), plate(0.63, -2.029, 13.5)],
        paint: Paint::Materials(&["White"]),
        light_materials: LIGHTS,
    },
    BodyModel {
        body: VehicleBody::SportsCoupe,
        file: "quaternius_SportsCar.glb",
        kind: VehicleKind::Car,
        length_m: 4.4,
        width_m: 1.85,
        model_size: [1.805, 1.155, 3.969],
        wheels: QUATERNIUS_WHEELS,
        wheel_radius: 0.26,
        plates: &[plate(0.30, 1.959, 0.0), plate(0.495, -1.908, 13.5)],
        paint: Paint::Materials(&["Orange", "DarkOrange"]),
        light_materials: LIGHTS,
    },
    BodyModel {
        body: VehicleBody::SportsGt,
        file: "quaternius_SportsCar2.glb",
        kind: VehicleKind::Car,
        length_m: 4.5,
        width_m: 1.9,
        model_size: [1.873, 1.203, 3.926],
        wheels: QUATERNIUS_WHEELS,
        wheel_radius: 0.28,
        plates: &[plate(0.24, 1.915, 0.0), plate(0.53, -1.891, 13.5)],
        paint: Paint::Materials(&["White"]),
        light_materials: LIGHTS,
    },
    BodyModel {
        body: VehicleBody::Taxi,
        file: "quaternius_Taxi.glb",
        kind: VehicleKind::Car,
        length_m: 4.6,
        width_m: 1.83,
        model_size: [1.807, 1.31, 4.221],
        wheels: QUATERNIUS_WHEELS,
        wheel_radius: 0.262,
        plates: &[plate(0.31, 2.091, 0.0), plate(0.49, -2.025, 13.5)],
        paint: Paint::Materials(&["Yellow"]),
        light_materials: LIGHTS,
    },
    BodyModel {
        body: VehicleBody::Police,
        file: "quaternius_Cop.glb",
        kind: VehicleKind::Car,
        length_m: 4.1,
        width_m: 1.78,
        model_size: [1.778, 1.239, 3.73],
        wheels: QUATERNIUS_WHEELS,
        wheel_radius: 0.275,
        plates: &[plate(0.40, 1.798, 20.0), plate(0.47, -1.803, 13.5)],
        paint: Paint::Livery,
        light_materials: LIGHTS,
    },
    BodyModel {
        body: VehicleBody::PoliceSuv,
        file: "quaternius_Cop_SUV.glb",
        kind: VehicleKind::Car,
        length_m: 4.5,
        width_m: 1.87,
        model_size: [2.102, 1.598, 4.309],
        wheels: QUATERNIUS_WHEELS,
        wheel_radius: 0.327,
        plates: &[plate(0.446, 1.996, 0.0), plate(0.628, -2.07, 13.5)],
        paint: Paint::Livery,
        light_materials: LIGHTS,
    },
    BodyModel {
        body: VehicleBody::Van,
        file: "kenney_van.glb",
        kind: VehicleKind::Van,
        length_m: 4.75,
        width_m: 1.92,
        model_size: [1.5, 1.35, 2.75],
        wheels: KENNEY_WHEELS,
        wheel_radius: 0.3,
        plates: &[plate(0.3, 1.35, 0.0), plate(0.3, -1.4, 0.0)],
        paint: Paint::Tint,
        light_materials: ["", ""],
    },
    BodyModel {
        body: VehicleBody::DeliveryVan,
        file: "kenney_delivery.glb",
        kind: VehicleKind::Van,
        length_m: 6.4,
        width_m: 2.2,
        model_size: [1.5, 1.65, 3.25],
        wheels: KENNEY_WHEELS,
        wheel_radius: 0.3,
        plates: &[plate(0.3, 1.6, 0.0), plate(0.4, -1.65, 0.0)],
        paint: Paint::Tint,
        light_materials: ["", ""],
    },
    BodyModel {
        body: VehicleBody::Ambulance,
        file: "kenney_ambulance.glb",
        kind: VehicleKind::Van,
        length_m: 5.6,
        width_m: 2.05,
        model_size: [1.5, 1.8, 3.25],
        wheels: KENNEY_WHEELS,
        wheel_radius: 0.3,
        plates: &[plate(0.4, 1.6, 0.0), plate(0.3, -1.65, 0.0)],
        paint: Paint::Livery,
        light_materials: ["", ""],
    },
    BodyModel {
        body: VehicleBody::Pickup,
        file: "kenney_truck.glb",
        kind: VehicleKind::Truck,
        length_m: 5.1,
        width_m: 1.95,
        model_size: [1.5, 1.3, 2.95],
        wheels: KENNEY_WHEELS,
        wheel_radius: 0.3,
        plates: &[plate(0.3, 1.45, 0.0), plate(0.3, -1.5, 0.0)],
        paint: Paint::Tint,
        light_materials: ["", ""],
    },
    BodyModel {
        body: VehicleBody::Flatbed,
        file: "kenney_delivery-flat.glb",
        kind: VehicleKind::Truck,
        length_m: 6.2,
        width_m: 2.15,
        model_size: [1.5, 1.35, 3.25],
        wheels: KENNEY_WHEELS,
        wheel_radius: 0.3,
        plates: &[plate(0.3, 1.6, 0.0), plate(0.4, -1.65, 0.0)],
        paint: Paint::Tint,
        light_materials: ["", ""],
    },
    BodyModel {
        body: VehicleBody::GarbageTruck,
        file: "kenney_garbage-truck.glb",
        kind: VehicleKind::Truck,
        length_m: 8.0,
        width_m: 2.5,
        model_size: [1.6, 1.6, 3.45],
        wheels: KENNEY_WHEELS,
        wheel_radius: 0.3,
        plates: &[plate(0.3, 1.75, 0.0), plate(0.45, -1.5, 0.0)],
        paint: Paint::Livery,
        light_materials: ["", ""],
    },
    // The bicycles' models are in metres already: drawn at their own size.
    BodyModel {
        body: VehicleBody::Bicycle,
        file: "quaternius_Bicycle.glb",
        kind: VehicleKind::Bicycle,
        length_m: 1.75,
        width_m: 0.449,
        model_size: [0.449, 0.946, 1.75],
        wheels: BICYCLE_WHEELS,
        wheel_radius: 0.285,
        plates: &[],
        // The frame and fork.
        paint: Paint::Materials(&["Bike"]),
        light_materials: ["", ""],
    },
    BodyModel {
        body: VehicleBody::SquareFrameBicycle,
        file: "quaternius_SquareFrameBicycle.glb",
        kind: VehicleKind::Bicycle,
        length_m: 1.75,
        width_m: 0.452,
        model_size: [0.452, 0.946, 1.75],
        wheels: BICYCLE_WHEELS,
        wheel_radius: 0.285,
        plates: &[],
        // The frame and fork.
        paint: Paint::Materials(&["Material.001"]),
        light_materials: ["", ""],
    },
];

impl VehicleBody {
    pub const ALL: [VehicleBody; 16] = [
        VehicleBody::Saloon,
        VehicleBody::Hatchback,
        VehicleBody::Suv,
        VehicleBody::SportsCoupe,
        VehicleBody::SportsGt,
        VehicleBody::Taxi,
        VehicleBody::Police,
        VehicleBody::PoliceSuv,
        VehicleBody::Van,
        VehicleBody::DeliveryVan,
        VehicleBody::Ambulance,
        VehicleBody::Pickup,
        VehicleBody::Flatbed,
        VehicleBody::GarbageTruck,
        VehicleBody::Bicycle,
        VehicleBody::SquareFrameBicycle,
    ];

    /// The body's model in the catalogue.
    pub fn model(self) -> &'static BodyModel {
        &CATALOGUE[self as usize]
    }

    /// The stable name (as in scenario files and annotations).
    pub fn name(self) -> &'static str {
        match self {
            VehicleBody::Saloon => "saloon",
            VehicleBody::Hatchback => "hatchback",
            VehicleBody::Suv => "suv",
            VehicleBody::SportsCoupe => "sports_coupe",
            VehicleBody::SportsGt => "sports_gt",
            VehicleBody::Taxi => "taxi",
            VehicleBody::Police => "police",
            VehicleBody::PoliceSuv => "police_suv",
            VehicleBody::Van => "van",
            VehicleBody::DeliveryVan => "delivery_van",
            VehicleBody::Ambulance => "ambulance",
            VehicleBody::Pickup => "pickup",
            VehicleBody::Flatbed => "flatbed",
            VehicleBody::GarbageTruck => "garbage_truck",
            VehicleBody::Bicycle => "bicycle",
            VehicleBody::SquareFrameBicycle => "square_frame_bicycle",
        }
    }

    pub fn from_name(name: &str) -> Option<VehicleBody> {
        Self::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The body drawn for a vehicle of `kind` that names none.
    pub fn default_for(kind: VehicleKind) -> VehicleBody {
        match kind {
            VehicleKind::Car => VehicleBody::Saloon,
            VehicleKind::Van => VehicleBody::Van,
            VehicleKind::Truck => VehicleBody::Pickup,
            VehicleKind::Bicycle => VehicleBody::Bicycle,
        }
    }
}

impl BodyModel {
    /// Scale from model units to metres: across (x), up (y), along (z).
    pub fn scale(&self) -> [f64; 3] {
        let along = self.length_m / self.model_size[2];
        [self.width_m / self.model_size[0], along, along]
    }

    /// Length, width, height, metres.
    pub fn size(&self) -> [f64; 3] {
        let s = self.scale();
        [self.length_m, self.width_m, self.model_size[1] * s[1]]
    }

    /// Radius of the wheels, metres.
    pub fn wheel_radius_m(&self) -> f64 {
        self.wheel_radius * self.scale()[2]
    }

    /// A plate's centre in the vehicle's frame, metres: forward of the centre, up from the
    /// ground (its face, 5 mm out so it is drawn over the model's plate area).
    pub fn plate_at(&self, place: &PlatePlace) -> [f64; 2] {
        let s = self.scale();
        let out = 0.005 * place.z.signum();
        [place.z * s[2] + out, place.y * s[1]]
    }

    /// A plate's frame in the vehicle's (x forward, y up, z to its right): its centre, then
    /// its across, upward and outward axes, leaning back by the plate area's tilt.
    pub fn plate_frame(&self, place: &PlatePlace) -> [glam::Vec3; 4] {
        use glam::Vec3;
        let [forward, up] = self.plate_at(place).map(|x| x as f32);
        let t = (place.tilt_deg as f32).to_radians();
        let sign = forward.signum();
        let normal = Vec3::new(sign * t.cos(), t.sin(), 0.0);
        let upward = Vec3::new(-sign * t.sin(), t.cos(), 0.0);
        [
            Vec3::new(forward, up, 0.0),
            upward.cross(normal),
            upward,
            normal,
        ]
    }

    /// Where a texture-atlas model's lamps glow at night, in the vehicle's frame (metres:
    /// forward, left, up): two headlights, then two tail lights, each beside the plate. None
    /// for a body without plates (a bicycle has no lamps).
    pub fn lamps(&self) -> Vec<[f64; 3]> {
        let [front, rear] = self.plates else {
            return Vec::new();
        };
        let [_, width, height] = self.size();
        let front = self.plate_at(front);
        let rear = self.plate_at(rear);
        let side = width / 2.0 - 0.22;
        let head = (front[1] + 0.25).min(height * 0.45);
        let tail = (rear[1] + 0.25).min(height * 0.45);
        vec![
            [front[0], side, head],
            [front[0], -side, head],
            [rear[0], side, tail],
            [rear[0], -side, tail],
        ]
    }
}

/// How far a wheel of radius `radius_m` has turned, radians, after `distance_m` of road
/// (rolling without slipping; forward is a positive turn about the wheel's axle, +x).
pub fn wheel_angle(distance_m: f64, radius_m: f64) -> f64 {
    if radius_m <= 0.0 {
        return 0.0;
    }
    distance_m / radius_m
}

/// A body colour: its name (in annotations) and sRGB value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Colour {
    pub name: &'static str,
    pub srgb: [u8; 3],
    /// Share among vehicles, per thousand.
    pub weight: u32,
}

const fn colour(name: &'static str, srgb: [u8; 3], weight: u32) -> Colour {
    Colour { name, srgb, weight }
}

/// Car colours, weighted roughly as the French car fleet's (white, grey and black make up
/// most of it).
pub const CAR_PALETTE: [Colour; 9] = [
    colour("white", [232, 232, 228], 260),
    colour("grey", [96, 99, 104], 210),
    colour("black", [18, 18, 20], 160),
    colour("silver", [168, 170, 174], 110),
    colour("blue", [28, 58, 118], 100),
    colour("red", [150, 22, 26], 80),
    colour("beige", [170, 148, 112], 35),
    colour("green", [38, 78, 52], 25),
    colour("yellow", [214, 170, 40], 20),
];

/// Bicycle frame colours: black, white, grey and silver city and hybrid bikes first, then the
/// brighter ones.
pub const BICYCLE_PALETTE: [Colour; 9] = [
    colour("black", [22, 22, 24], 240),
    colour("white", [226, 226, 222], 130),
    colour("grey", [92, 96, 102], 130),
    colour("silver", [170, 172, 176], 100),
    colour("blue", [30, 70, 150], 120),
    colour("red", [165, 25, 30], 110),
    colour("green", [40, 95, 60], 70),
    colour("yellow", [220, 180, 40], 50),
    colour("orange", [215, 100, 30], 50),
];

/// Van and lorry colours (tints of a white atlas body): mostly white fleets.
pub const VAN_PALETTE: [Colour; 5] = [
    colour("white", [255, 255, 255], 680),
    colour("silver", [196, 198, 202], 120),
    colour("grey", [150, 154, 160], 80),
    colour("blue", [120, 150, 210], 70),
    colour("red", [220, 120, 120], 50),
];

/// The colours a body may take (none for a fixed livery).
pub fn palette(body: VehicleBody) -> &'static [Colour] {
    let model = body.model();
    match model.paint {
        Paint::Livery => &[],
        Paint::Materials(_) if model.kind == VehicleKind::Bicycle => &BICYCLE_PALETTE,
        Paint::Materials(_) => &CAR_PALETTE,
        Paint::Tint => &VAN_PALETTE,
    }
}

/// The colour of `body`'s palette called `name`.
pub fn named_paint(body: VehicleBody, name: &str) -> Option<Colour> {
    palette(body).iter().find(|c| c.name == name).copied()
}

/// The colour of the vehicle of `event` carrying `plate` (empty for a bicycle) in a scenario of
/// `seed`: drawn once from the body's palette, the same at every time. `None` for a fixed
/// livery.
pub fn paint_for(body: VehicleBody, seed: u64, event: &str, plate: &str) -> Option<Colour> {
    let palette = palette(body);
    if palette.is_empty() {
        return None;
    }
    // FNV-1a over the seed, event and plate: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed
        .to_le_bytes()
        .iter()
        .chain(event.as_bytes())
        .chain([0u8].iter())
        .chain(plate.as_bytes())
    {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let total: u32 = palette.iter().map(|c| c.weight).sum();
    let mut pick = (h % total as u64) as u32;
    for c in palette {
        if pick < c.weight {
            return Some(*c);
        }
        pick -= c.weight;
    }
    palette.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_in_body_order_with_unique_names() {
        for (i, b) in VehicleBody::ALL.iter().enumerate() {
            assert_eq!(CATALOGUE[i].body, *b);
            assert_eq!(VehicleBody::from_name(b.name()), Some(*b));
            // The serde name is the stable name.
            let json = serde_json::to_string(b).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", b.name()), "{b:?}");
        }
    }

    #[test]
    fn sizes_are_real_vehicle_sizes() {
        for m in &CATALOGUE {
            let [l, w, h] = m.size();
            let (lo, hi) = match m.kind {
                // The low-poly cars sit a little low (1.15–1.45 m).
                VehicleKind::Car => ([3.5, 1.6, 1.1], [4.8, 2.0, 1.9]),
                VehicleKind::Van => ([4.3, 1.8, 1.8], [7.0, 2.3, 3.4]),
                VehicleKind::Truck => ([4.8, 1.8, 1.8], [9.0, 2.55, 4.0]),
                // Handlebars 0.4–0.7 m wide, saddles and bars about 0.9–1.2 m up.
                VehicleKind::Bicycle => ([1.5, 0.4, 0.85], [2.0, 0.7, 1.3]),
            };
            for k in 0..3 {
                assert!(
                    (lo[k]..=hi[k]).contains(&[l, w, h][k]),
                    "{:?}: size {:?} outside {lo:?}..{hi:?}",
                    m.body,
                    [l, w, h]
                );
            }
            // Wheels of real cars and lorries: 0.28 m to 0.6 m radius; of bicycles (26" to
            // 29"), 0.28 m to 0.37 m.
            let r = m.wheel_radius_m();
            assert!((0.25..=0.75).contains(&r), "{:?}: wheel radius {r}", m.body);
            // Plates front and rear, except on bicycles (none); lamps beside them.
            let plates = if m.kind.has_plate() { 2 } else { 0 };
            assert_eq!(m.plates.len(), plates, "{:?}", m.body);
            assert_eq!(m.lamps().len(), 2 * plates, "{:?}", m.body);
        }
    }

    #[test]
    fn every_kind_has_a_default_body_of_its_kind() {
        for kind in VehicleKind::ALL {
            assert_eq!(VehicleBody::default_for(kind).model().kind, kind);
            assert!(VehicleBody::ALL.iter().any(|b| b.model().kind == kind));
        }
        assert_eq!(VehicleKind::Bicycle.class(), "bicycle");
        assert_eq!(
            VehicleBody::from_name("square_frame_bicycle"),
            Some(VehicleBody::SquareFrameBicycle)
        );
    }

    #[test]
    fn bicycles_take_bicycle_colours() {
        assert_eq!(palette(VehicleBody::Bicycle), &BICYCLE_PALETTE[..]);
        assert_eq!(
            palette(VehicleBody::SquareFrameBicycle),
            &BICYCLE_PALETTE[..]
        );
        let c = paint_for(VehicleBody::Bicycle, 3, "bike", "").unwrap();
        assert!(BICYCLE_PALETTE.contains(&c));
        assert_eq!(
            named_paint(VehicleBody::Bicycle, "orange").unwrap().name,
            "orange"
        );
        assert!(named_paint(VehicleBody::Saloon, "orange").is_none());
    }

    #[test]
    fn wheels_turn_by_distance_over_radius() {
        // One turn after one circumference.
        let r = 0.3;
        let a = wheel_angle(2.0 * std::f64::consts::PI * r, r);
        assert!((a - 2.0 * std::f64::consts::PI).abs() < 1e-12);
        assert_eq!(wheel_angle(5.0, 0.0), 0.0);
    }

    #[test]
    fn paint_follows_the_palette_weights_and_is_stable() {
        let mut white = 0;
        let n = 4000;
        for i in 0..n {
            let c = paint_for(VehicleBody::Saloon, 7, &format!("car {i}"), "AB-123-CD").unwrap();
            if c.name == "white" {
                white += 1;
            }
        }
        let share = white as f64 / n as f64;
        assert!((0.22..0.30).contains(&share), "white share {share}");
        assert_eq!(
            paint_for(VehicleBody::Suv, 1, "a", "b"),
            paint_for(VehicleBody::Suv, 1, "a", "b")
        );
        assert_eq!(paint_for(VehicleBody::Police, 1, "a", "b"), None);
    }
}
