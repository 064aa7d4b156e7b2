//! How DORI coverage is computed, as stored in the project: grid, target height, area of
//! interest and privacy masks (the computation is `twincity_scene::coverage`).

use glam::Vec3;
use serde::{Deserialize, Serialize};

/// How coverage is computed; stored in the project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageSetup {
    /// Grid cell side, metres.
    #[serde(default = "default_cell")]
    pub cell_m: f64,
    /// Height of the point looked at on a standing person (the face), metres.
    #[serde(default = "default_target")]
    pub target_height_m: f32,
    /// The area the cameras should cover, a plan polygon `(east, north)`; coverage is computed
    /// over the scene's extent and the report gives its share of this area.
    #[serde(default)]
    pub area_of_interest: Option<Vec<(f64, f64)>>,
    /// Zones that cameras must not see (dwelling windows, private gardens).
    #[serde(default)]
    pub privacy_masks: Vec<PrivacyMask>,
}

fn default_cell() -> f64 {
    0.5
}

fn default_target() -> f32 {
    1.6
}

impl Default for CoverageSetup {
    fn default() -> Self {
        Self {
            cell_m: default_cell(),
            target_height_m: default_target(),
            area_of_interest: None,
            privacy_masks: Vec::new(),
        }
    }
}

impl CoverageSetup {
    /// The first problem, as `(field, message)`.
    pub fn check(&self) -> Result<(), (String, String)> {
        if !(self.cell_m.is_finite() && (0.05..=10.0).contains(&self.cell_m)) {
            return Err((
                "cell_m".into(),
                format!("must be between 0.05 and 10 m, got {}", self.cell_m),
            ));
        }
        if !(self.target_height_m.is_finite() && (0.0..=3.0).contains(&self.target_height_m)) {
            return Err((
                "target_height_m".into(),
                format!("must be between 0 and 3 m, got {}", self.target_height_m),
            ));
        }
        if let Some(aoi) = &self.area_of_interest {
            let area = crate::area::WalkableArea {
                outer: aoi.clone(),
                holes: Vec::new(),
            };
            area.check()
                .map_err(|m| ("area_of_interest".to_string(), m))?;
        }
        for (i, m) in self.privacy_masks.iter().enumerate() {
            let ok = m.min.iter().chain(m.max.iter()).all(|v| v.is_finite())
                && (0..3).all(|k| m.min[k] <= m.max[k]);
            if !ok {
                return Err((
                    format!("privacy_masks[{i}] ({})", m.name),
                    "min and max must be finite with min <= max on each axis".into(),
                ));
            }
        }
        Ok(())
    }
}

/// A box in the scene's world coordinates (metres, `+Y` up) that cameras must not see; a
/// window is a thin box on its facade.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyMask {
    pub name: String,
    pub min: [f32; 3],
    pub max: [f32; 3],
}

impl PrivacyMask {
    /// Points spread over the box's faces, about every 0.25 m (at least 3 per side).
    pub fn samples(&self) -> Vec<Vec3> {
        let (lo, hi) = (Vec3::from(self.min), Vec3::from(self.max));
        let n = |k: usize| ((hi[k] - lo[k]) / 0.25).ceil().clamp(2.0, 40.0) as usize;
        let (nx, ny, nz) = (n(0), n(1), n(2));
        let mut out = Vec::new();
        for i in 0..=nx {
            for j in 0..=ny {
                for k in 0..=nz {
                    let on_face = i == 0 || i == nx || j == 0 || j == ny || k == 0 || k == nz;
                    if on_face {
                        out.push(Vec3::new(
                            lo.x + (hi.x - lo.x) * i as f32 / nx as f32,
                            lo.y + (hi.y - lo.y) * j as f32 / ny as f32,
                            lo.z + (hi.z - lo.z) * k as f32 / nz as f32,
                        ));
                    }
                }
            }
        }
        out
    }
}
