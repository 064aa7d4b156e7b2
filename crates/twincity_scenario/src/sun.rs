//! Where the sun is: elevation and azimuth from latitude, day of the year and local solar
//! time (the usual declination and hour-angle approximation, good to about a degree, which
//! is all lighting needs).

use glam::Vec3;

/// The sun seen from the ground.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SunPosition {
    /// Height above the horizon, degrees (negative at night).
    pub elevation_deg: f64,
    /// Direction, degrees clockwise from north (90: east).
    pub azimuth_deg: f64,
}

/// Below this elevation street lights are on (civil twilight and night), degrees.
pub const LIGHTS_ON_BELOW_DEG: f64 = -0.833;

impl SunPosition {
    pub fn at(latitude_deg: f64, day_of_year: u32, solar_hour: f64) -> Self {
        let phi = latitude_deg.to_radians();
        let decl = (-23.44f64).to_radians()
            * (std::f64::consts::TAU / 365.0 * (day_of_year as f64 + 10.0)).cos();
        let h = (15.0 * (solar_hour - 12.0)).to_radians();
        let sin_el = phi.sin() * decl.sin() + phi.cos() * decl.cos() * h.cos();
        let elevation = sin_el.clamp(-1.0, 1.0).asin();
        let azimuth = (-h.sin() * decl.cos())
            .atan2(decl.sin() * phi.cos() - decl.cos() * phi.sin() * h.cos());
        Self {
            elevation_deg: elevation.to_degrees(),
            azimuth_deg: azimuth.to_degrees().rem_euclid(360.0),
        }
    }

    /// Unit vector from the ground towards the sun in world coordinates (`+Y` up, `+X` east,
    /// `-Z` north).
    pub fn direction(&self) -> Vec3 {
        let (el, az) = (
            self.elevation_deg.to_radians(),
            self.azimuth_deg.to_radians(),
        );
        Vec3::new(
            (el.cos() * az.sin()) as f32,
            el.sin() as f32,
            (-el.cos() * az.cos()) as f32,
        )
    }

    pub fn is_night(&self) -> bool {
        self.elevation_deg < LIGHTS_ON_BELOW_DEG
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noon_heights_and_directions_match_the_textbook() {
        // Equinox (day 80): at noon the sun stands 90° - latitude high, due south.
        let s = SunPosition::at(48.85, 80, 12.0);
        assert!((s.elevation_deg - 41.15).abs() < 1.0, "{s:?}");
        assert!((s.azimuth_deg - 180.0).abs() < 1e-6, "{s:?}");
        // Midsummer: 23.44° higher.
        let s = SunPosition::at(48.85, 172, 12.0);
        assert!((s.elevation_deg - 64.59).abs() < 0.5, "{s:?}");
        // Equinox sunrise at 6:00 in the east, sunset at 18:00 in the west.
        let rise = SunPosition::at(48.85, 80, 6.0);
        assert!(
            rise.elevation_deg.abs() < 1.0 && (rise.azimuth_deg - 90.0).abs() < 2.0,
            "{rise:?}"
        );
        let set = SunPosition::at(48.85, 80, 18.0);
        assert!((set.azimuth_deg - 270.0).abs() < 2.0, "{set:?}");
        // Midnight: night, lights on.
        assert!(SunPosition::at(48.85, 172, 0.0).is_night());
        assert!(!SunPosition::at(48.85, 172, 12.0).is_night());
        // The world vector points south and up at noon.
        let d = SunPosition::at(48.85, 80, 12.0).direction();
        assert!(d.z > 0.5 && d.y > 0.5 && d.x.abs() < 1e-4, "{d}");
    }
}
