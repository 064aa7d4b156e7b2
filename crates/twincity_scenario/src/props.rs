//! What dumped objects look like: each kind's 3D models in `assets/props` (several for boxes
//! and appliances, one picked per object), their real sizes, and how an object falls when it
//! is dropped.
//!
//! A prop's own frame (glTF): +Y up, on the ground at y = 0, centred; its x axis runs along
//! the object's length (the annotations' `size[0]`), its z axis across.

use serde::{Deserialize, Serialize};

/// What is dumped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectKind {
    Bag,
    Box,
    Mattress,
    Appliance,
    Tyre,
}

impl ObjectKind {
    pub const ALL: [ObjectKind; 5] = [
        ObjectKind::Bag,
        ObjectKind::Box,
        ObjectKind::Mattress,
        ObjectKind::Appliance,
        ObjectKind::Tyre,
    ];

    /// Length, width, height on the ground of its first model, metres (each object's own:
    /// [`crate::world::ObjectState::size`]).
    pub fn size(self) -> [f64; 3] {
        model(self, 0).size
    }

    pub fn class(self) -> &'static str {
        match self {
            ObjectKind::Bag => "bag",
            ObjectKind::Box => "box",
            ObjectKind::Mattress => "mattress",
            ObjectKind::Appliance => "appliance",
            ObjectKind::Tyre => "tyre",
        }
    }
}

/// How a prop model is laid down.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lay {
    /// As modelled, standing.
    Upright,
    /// Turned a quarter turn about its z axis, so its x axis points up (a tyre lying flat).
    OnItsSide,
}

/// One model of a dumped object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PropModel {
    /// Under `assets/props/`; empty: drawn as a soft box of [`PropModel::colour`] (the
    /// mattress: no CC0 model of a lone mattress was found).
    pub file: &'static str,
    /// The model's own extents: x, y, z, model units.
    pub model_size: [f64; 3],
    /// Real size on the ground once laid: length, width, height, metres.
    pub size: [f64; 3],
    pub lay: Lay,
    /// The colour of a soft box (sRGB).
    pub colour: [u8; 3],
}

const fn prop(file: &'static str, model_size: [f64; 3], size: [f64; 3], lay: Lay) -> PropModel {
    PropModel {
        file,
        model_size,
        size,
        lay,
        colour: [0, 0, 0],
    }
}

const BAGS: [PropModel; 1] = [prop(
    "quaternius_garbage_bag_from_Bag_Standing.glb",
    [0.603, 0.7, 0.582],
    [0.603, 0.582, 0.7],
    Lay::Upright,
)];
const BOXES: [PropModel; 2] = [
    prop(
        "kenney_cardboardBoxClosed.glb",
        [0.425, 0.562, 0.425],
        [0.45, 0.45, 0.6],
        Lay::Upright,
    ),
    prop(
        "kenney_cardboardBoxOpen.glb",
        [0.744, 0.562, 0.425],
        [0.6, 0.34, 0.45],
        Lay::Upright,
    ),
];
const MATTRESSES: [PropModel; 1] = [PropModel {
    file: "",
    model_size: [1.0, 1.0, 1.0],
    size: [1.9, 1.4, 0.2],
    lay: Lay::Upright,
    colour: [214, 208, 186],
}];
const APPLIANCES: [PropModel; 3] = [
    prop(
        "kenney_washer.glb",
        [0.78, 0.94, 0.78],
        [0.6, 0.6, 0.85],
        Lay::Upright,
    ),
    prop(
        "kenney_dryer.glb",
        [0.78, 0.94, 0.76],
        [0.6, 0.59, 0.85],
        Lay::Upright,
    ),
    prop(
        "kenney_kitchenFridge.glb",
        [0.86, 1.84, 0.584],
        [0.7, 0.62, 1.8],
        Lay::Upright,
    ),
];
const TYRES: [PropModel; 1] = [prop(
    "kenney_debris-tire.glb",
    [0.35, 0.6, 0.6],
    [0.65, 0.65, 0.2],
    Lay::OnItsSide,
)];

/// The models of a kind, one of which each dumped object takes.
pub fn models(kind: ObjectKind) -> &'static [PropModel] {
    match kind {
        ObjectKind::Bag => &BAGS,
        ObjectKind::Box => &BOXES,
        ObjectKind::Mattress => &MATTRESSES,
        ObjectKind::Appliance => &APPLIANCES,
        ObjectKind::Tyre => &TYRES,
    }
}

/// The model of `kind` numbered `variant` (any number: it wraps).
pub fn model(kind: ObjectKind, variant: usize) -> &'static PropModel {
    let m = models(kind);
    &m[variant % m.len()]
}

impl PropModel {
    /// Scale from model units to metres along the model's own x, y, z.
    pub fn scale(&self) -> [f64; 3] {
        let [l, w, h] = self.size;
        let [mx, my, mz] = self.model_size;
        match self.lay {
            Lay::Upright => [l / mx, h / my, w / mz],
            // Lying: the model's x becomes the height, its y the length.
            Lay::OnItsSide => [h / mx, l / my, w / mz],
        }
    }
}

/// Gravity, m/s².
const G: f64 = 9.81;

/// How high an object dropped from `from_m` is `since_s` seconds after it was let go (free
/// fall, then on the ground).
pub fn fall_height(from_m: f64, since_s: f64) -> f64 {
    if since_s <= 0.0 {
        return from_m;
    }
    (from_m - 0.5 * G * since_s * since_s).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_models_the_size_of_the_real_thing() {
        for kind in ObjectKind::ALL {
            assert!(!models(kind).is_empty());
            for m in models(kind) {
                let [l, w, h] = m.size;
                assert!(l > 0.1 && w > 0.1 && h > 0.1 && l < 2.5 && w < 2.5 && h < 2.0);
                if m.file.is_empty() {
                    continue;
                }
                // Scaling keeps proportions within a factor 2 (the model is recognisable).
                let s = m.scale();
                let (lo, hi) = s
                    .iter()
                    .fold((f64::MAX, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
                assert!(hi / lo < 2.0, "{kind:?} {}: scale {s:?}", m.file);
            }
        }
        // The variants wrap.
        assert_eq!(model(ObjectKind::Box, 2), model(ObjectKind::Box, 0));
    }

    #[test]
    fn dropped_objects_fall_and_stay_down() {
        assert_eq!(fall_height(1.0, 0.0), 1.0);
        // After 0.3 s: 1 - 4.905 * 0.09.
        assert!((fall_height(1.0, 0.3) - (1.0 - 0.5 * 9.81 * 0.09)).abs() < 1e-12);
        // On the ground after sqrt(2 h / g) = 0.45 s.
        assert_eq!(fall_height(1.0, 0.46), 0.0);
        assert_eq!(fall_height(1.0, 10.0), 0.0);
    }
}
