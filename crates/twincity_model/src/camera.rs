//! Virtual CCTV cameras: placement, orientation and the lens model (pinhole).
//!
//! Orientation follows how CCTV installers talk: `pan_deg` is the compass bearing of the optical
//! axis (0 = north = `-Z`, 90 = east = `+X`), `tilt_deg` is the angle below the horizon (positive
//! looks down), `roll_deg` turns the image about the optical axis.

use glam::{Mat3, Quat, Vec2, Vec3};
use serde::{Deserialize, Serialize};

/// Stable identifier of a camera inside a project (never an ECS entity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CameraId(pub u32);

/// Sensor and focal length: everything the field of view follows from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lens {
    /// Active sensor width in millimetres.
    pub sensor_width_mm: f32,
    /// Active sensor height in millimetres.
    pub sensor_height_mm: f32,
    /// Focal length in millimetres.
    pub focal_length_mm: f32,
}

/// Common CCTV lenses on a 1/2.8" 16:9 sensor (5.60 × 3.15 mm active area).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LensPreset {
    Wide2_8mm,
    Standard4mm,
    Medium6mm,
    Tele12mm,
}

impl LensPreset {
    pub const ALL: [LensPreset; 4] = [
        LensPreset::Wide2_8mm,
        LensPreset::Standard4mm,
        LensPreset::Medium6mm,
        LensPreset::Tele12mm,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LensPreset::Wide2_8mm => "2.8 mm on 1/2.8\"",
            LensPreset::Standard4mm => "4 mm on 1/2.8\"",
            LensPreset::Medium6mm => "6 mm on 1/2.8\"",
            LensPreset::Tele12mm => "12 mm on 1/2.8\"",
        }
    }

    pub fn lens(self) -> Lens {
        let focal_length_mm = match self {
            LensPreset::Wide2_8mm => 2.8,
            LensPreset::Standard4mm => 4.0,
            LensPreset::Medium6mm => 6.0,
            LensPreset::Tele12mm => 12.0,
        };
        Lens {
            sensor_width_mm: 5.60,
            sensor_height_mm: 3.15,
            focal_length_mm,
        }
    }
}

impl Lens {
    /// Horizontal field of view in radians: `2·atan(w / 2f)`.
    pub fn horizontal_fov(&self) -> f32 {
        2.0 * (self.sensor_width_mm / (2.0 * self.focal_length_mm)).atan()
    }

    /// Vertical field of view in radians: `2·atan(h / 2f)`.
    pub fn vertical_fov(&self) -> f32 {
        2.0 * (self.sensor_height_mm / (2.0 * self.focal_length_mm)).atan()
    }

    /// The focal length giving the horizontal field of view `hfov` (radians) on this sensor.
    pub fn focal_for_horizontal_fov(&self, hfov: f32) -> f32 {
        self.sensor_width_mm / (2.0 * (hfov * 0.5).tan())
    }

    /// Pixel density in px/m on a target at `distance` metres, for `width_px` horizontal pixels:
    /// `W / (2·d·tan(θ/2))` (IEC 62676-4).
    pub fn pixels_per_metre(&self, width_px: u32, distance: f32) -> f32 {
        width_px as f32 / (2.0 * distance * (self.horizontal_fov() * 0.5).tan())
    }
}

/// DORI classes of IEC/EN 62676-4, by pixel density on the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DoriClass {
    BelowMonitor,
    Monitor,
    Detection,
    Observation,
    Recognition,
    Identification,
    Inspection,
}

impl DoriClass {
    /// The minimum px/m for each class.
    pub const THRESHOLDS: [(DoriClass, f32); 6] = [
        (DoriClass::Inspection, 1000.0),
        (DoriClass::Identification, 250.0),
        (DoriClass::Recognition, 125.0),
        (DoriClass::Observation, 62.5),
        (DoriClass::Detection, 25.0),
        (DoriClass::Monitor, 12.5),
    ];

    pub fn from_pixels_per_metre(ppm: f32) -> DoriClass {
        Self::THRESHOLDS
            .iter()
            .find(|(_, t)| ppm >= *t)
            .map_or(DoriClass::BelowMonitor, |(c, _)| *c)
    }

    /// The distance (m) up to which this lens reaches `ppm` px/m.
    pub fn max_distance(lens: &Lens, width_px: u32, ppm: f32) -> f32 {
        width_px as f32 / (2.0 * ppm * (lens.horizontal_fov() * 0.5).tan())
    }
}

/// A virtual camera as stored in the project file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VirtualCamera {
    pub id: CameraId,
    pub name: String,
    /// Optical centre in the scene's local frame (metres, `+Y` up).
    pub position: Vec3,
    /// Compass bearing of the optical axis in degrees (0 = north, 90 = east).
    pub pan_deg: f32,
    /// Degrees below the horizon (positive looks down).
    pub tilt_deg: f32,
    /// Degrees of rotation about the optical axis (positive turns the image clockwise).
    #[serde(default)]
    pub roll_deg: f32,
    pub lens: Lens,
    /// Image size in pixels, `(width, height)`.
    pub resolution: (u32, u32),
    /// Frames per second.
    pub fps: f32,
    /// Focal range of a varifocal or PTZ (zoom) lens, `(wide, tele)` in millimetres; the
    /// current `lens.focal_length_mm` lies within it. `None` for a fixed lens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom_mm: Option<(f32, f32)>,
}

impl VirtualCamera {
    /// A 4 mm camera at `position`, looking along `pan_deg`, tilted 15° down.
    pub fn new(id: CameraId, name: impl Into<String>, position: Vec3, pan_deg: f32) -> Self {
        Self {
            id,
            name: name.into(),
            position,
            pan_deg,
            tilt_deg: 15.0,
            roll_deg: 0.0,
            lens: LensPreset::Standard4mm.lens(),
            resolution: (1920, 1080),
            fps: 25.0,
            zoom_mm: None,
        }
    }

    /// Turns the camera (pan and tilt; roll kept) so that its optical axis passes through
    /// `target`. Does nothing when the target is at the camera.
    pub fn aim_at(&mut self, target: Vec3) {
        let d = target - self.position;
        let len = d.length();
        if len < 1e-4 {
            return;
        }
        let horizontal = Vec2::new(d.x, -d.z).length();
        self.pan_deg = d.x.atan2(-d.z).to_degrees().rem_euclid(360.0);
        self.tilt_deg = (-d.y).atan2(horizontal).to_degrees();
    }

    /// Unit vector of the optical axis in world space.
    pub fn forward(&self) -> Vec3 {
        let (sp, cp) = self.pan_deg.to_radians().sin_cos();
        let (st, ct) = self.tilt_deg.to_radians().sin_cos();
        Vec3::new(sp * ct, -st, -cp * ct)
    }

    /// Rotation taking camera space (`-Z` forward, `+Y` up, `+X` right, as in Bevy and glTF)
    /// to world space.
    pub fn world_from_camera_rotation(&self) -> Quat {
        // Yaw about +Y: bearing 0 looks along -Z; a positive bearing turns towards +X (clockwise
        // seen from above), which is a negative rotation about +Y.
        let yaw = Quat::from_rotation_y(-self.pan_deg.to_radians());
        let pitch = Quat::from_rotation_x(-self.tilt_deg.to_radians());
        let roll = Quat::from_rotation_z(-self.roll_deg.to_radians());
        yaw * pitch * roll
    }

    /// Aspect ratio of the image (width / height).
    pub fn aspect(&self) -> f32 {
        self.resolution.0 as f32 / self.resolution.1.max(1) as f32
    }

    /// The vertical field of view used for rendering, in radians. Rendering keeps the full
    /// horizontal field of view of the lens and derives the vertical one from the image aspect.
    pub fn render_vertical_fov(&self) -> f32 {
        let half_h = (self.lens.horizontal_fov() * 0.5).tan();
        2.0 * (half_h / self.aspect()).atan()
    }

    /// Projects a world point to pixel coordinates (origin top-left, `+x` right, `+y` down).
    /// `None` when the point is behind the camera.
    pub fn project(&self, world: Vec3) -> Option<Vec2> {
        let cam_from_world = Mat3::from_quat(self.world_from_camera_rotation().inverse());
        let p = cam_from_world * (world - self.position);
        if p.z >= -1e-6 {
            return None;
        }
        let depth = -p.z;
        let (w, h) = (self.resolution.0 as f32, self.resolution.1 as f32);
        let fx = w * 0.5 / (self.lens.horizontal_fov() * 0.5).tan();
        Some(Vec2::new(
            w * 0.5 + fx * p.x / depth,
            h * 0.5 - fx * p.y / depth,
        ))
    }

    /// Checks the values a user can type; returns the first problem as `(field, message)`.
    pub fn check(&self) -> Result<(), (String, String)> {
        let bad = |f: &str, m: String| Err((f.to_string(), m));
        let limit = crate::area::MAX_COORDINATE_M as f32;
        if !(self.position.is_finite() && self.position.abs().max_element() <= limit) {
            return bad(
                "position",
                format!(
                    "must be metres within {limit} m of the project's origin (its local frame), \
                     got {}",
                    self.position
                ),
            );
        }
        for (name, v) in [
            ("pan_deg", self.pan_deg),
            ("tilt_deg", self.tilt_deg),
            ("roll_deg", self.roll_deg),
        ] {
            if !v.is_finite() {
                return bad(name, format!("must be a finite angle in degrees, got {v}"));
            }
        }
        if !(-90.0..=90.0).contains(&self.tilt_deg) {
            return bad(
                "tilt_deg",
                format!(
                    "must be between -90 (straight up) and 90 (straight down), got {}",
                    self.tilt_deg
                ),
            );
        }
        for (name, v) in [
            ("lens.sensor_width_mm", self.lens.sensor_width_mm),
            ("lens.sensor_height_mm", self.lens.sensor_height_mm),
            ("lens.focal_length_mm", self.lens.focal_length_mm),
        ] {
            if !(v.is_finite() && v > 0.0 && v < 1000.0) {
                return bad(
                    name,
                    format!("must be a positive length in millimetres below 1000, got {v}"),
                );
            }
        }
        let (w, h) = self.resolution;
        if !(16..=16384).contains(&w) || !(16..=16384).contains(&h) {
            return bad(
                "resolution",
                format!("must be (width, height) between 16 and 16384 pixels, got ({w}, {h})"),
            );
        }
        if let Some((wide, tele)) = self.zoom_mm {
            let f = self.lens.focal_length_mm;
            if !(wide.is_finite()
                && tele.is_finite()
                && 0.0 < wide
                && wide <= tele
                && tele < 1000.0)
            {
                return bad(
                    "zoom_mm",
                    format!(
                        "must be (wide, tele) millimetres with 0 < wide <= tele, got ({wide}, {tele})"
                    ),
                );
            }
            if !(wide - 1e-3..=tele + 1e-3).contains(&f) {
                return bad(
                    "lens.focal_length_mm",
                    format!("{f} mm lies outside the zoom range {wide}–{tele} mm"),
                );
            }
        }
        if !(self.fps.is_finite() && self.fps > 0.0 && self.fps <= 240.0) {
            return bad(
                "fps",
                format!(
                    "must be between 0 and 240 frames per second, got {}",
                    self.fps
                ),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_ranges_are_checked() {
        let mut cam = VirtualCamera::new(CameraId(1), "PTZ", Vec3::new(0.0, 8.0, 0.0), 0.0);
        cam.zoom_mm = Some((4.7, 94.0));
        cam.lens.focal_length_mm = 20.0;
        assert_eq!(cam.check(), Ok(()));
        cam.lens.focal_length_mm = 120.0;
        assert_eq!(cam.check().unwrap_err().0, "lens.focal_length_mm");
        cam.zoom_mm = Some((94.0, 4.7));
        assert_eq!(cam.check().unwrap_err().0, "zoom_mm");
        // A 4.7–94 mm PTZ on a 1/2.8" sensor: Identification reach grows 20-fold from wide
        // to tele (it scales with the focal length).
        let at = |f: f32| {
            let mut lens = cam.lens;
            lens.focal_length_mm = f;
            DoriClass::max_distance(&lens, 1920, 250.0)
        };
        assert!((at(94.0) / at(4.7) - 20.0).abs() < 1e-3);
    }

    #[test]
    fn aiming_points_the_optical_axis_at_the_target() {
        let mut cam = VirtualCamera::new(CameraId(1), "A", Vec3::new(3.0, 6.0, -4.0), 0.0);
        for target in [
            Vec3::new(10.0, 0.0, -30.0),
            Vec3::new(-20.0, 1.5, 5.0),
            Vec3::new(3.0, 0.0, 10.0),
            Vec3::new(50.0, 20.0, -4.0),
        ] {
            cam.aim_at(target);
            let want = (target - cam.position).normalize();
            assert!(
                cam.forward().distance(want) < 1e-5,
                "{target}: {}",
                cam.forward()
            );
            assert!((0.0..360.0).contains(&cam.pan_deg));
            // The target projects to the image centre.
            let px = cam.project(target).unwrap();
            assert!((px - Vec2::new(960.0, 540.0)).length() < 0.05, "{px}");
        }
    }

    fn close(a: f32, b: f32, tol: f32) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn field_of_view_matches_published_lens_tables() {
        // 2.8 mm on a 5.6 mm wide sensor: atan(1) * 2 = 90 degrees.
        let l = LensPreset::Wide2_8mm.lens();
        assert!(close(l.horizontal_fov().to_degrees(), 90.0, 1e-3));
        // 12 mm: 2·atan(2.8/12) = 26.27 degrees.
        let l = LensPreset::Tele12mm.lens();
        assert!(close(l.horizontal_fov().to_degrees(), 26.27, 0.01));
        // Round trip focal length <-> fov.
        assert!(close(
            l.focal_for_horizontal_fov(l.horizontal_fov()),
            12.0,
            1e-4
        ));
    }

    #[test]
    fn pixel_density_follows_the_iec_formula() {
        // 1920 px, 90 degrees: at 10 m the scene is 20 m wide -> 96 px/m.
        let l = LensPreset::Wide2_8mm.lens();
        assert!(close(l.pixels_per_metre(1920, 10.0), 96.0, 1e-3));
        assert_eq!(
            DoriClass::from_pixels_per_metre(96.0),
            DoriClass::Observation
        );
        assert_eq!(
            DoriClass::from_pixels_per_metre(250.0),
            DoriClass::Identification
        );
        assert_eq!(
            DoriClass::from_pixels_per_metre(5.0),
            DoriClass::BelowMonitor
        );
        // Distance at which the same camera still detects (25 px/m): 1920 / 50 = 38.4 m.
        assert!(close(DoriClass::max_distance(&l, 1920, 25.0), 38.4, 1e-3));
    }

    #[test]
    fn forward_follows_compass_bearing_and_tilt() {
        let mut c = VirtualCamera::new(CameraId(1), "c", Vec3::ZERO, 0.0);
        c.tilt_deg = 0.0;
        assert!(c.forward().abs_diff_eq(Vec3::NEG_Z, 1e-6));
        c.pan_deg = 90.0;
        assert!(c.forward().abs_diff_eq(Vec3::X, 1e-6));
        c.tilt_deg = 90.0;
        assert!(c.forward().abs_diff_eq(Vec3::NEG_Y, 1e-6));
        // The rotation agrees with forward() for arbitrary angles.
        c.pan_deg = 37.0;
        c.tilt_deg = 21.0;
        c.roll_deg = 5.0;
        let f = c.world_from_camera_rotation() * Vec3::NEG_Z;
        assert!(f.abs_diff_eq(c.forward(), 1e-5));
    }

    #[test]
    fn projection_puts_points_where_similar_triangles_say() {
        let mut c = VirtualCamera::new(CameraId(1), "c", Vec3::new(0.0, 2.0, 0.0), 0.0);
        c.tilt_deg = 0.0;
        c.lens = LensPreset::Wide2_8mm.lens(); // 90 degrees: fx = W/2
        c.resolution = (200, 100);
        // Straight ahead -> image centre.
        let p = c.project(Vec3::new(0.0, 2.0, -10.0)).unwrap();
        assert!(p.abs_diff_eq(Vec2::new(100.0, 50.0), 1e-3));
        // 5 m right at 10 m depth -> half of the half-width to the right.
        let p = c.project(Vec3::new(5.0, 2.0, -10.0)).unwrap();
        assert!(p.abs_diff_eq(Vec2::new(150.0, 50.0), 1e-3));
        // 1 m up at 10 m -> 10 px above centre (fx = 100).
        let p = c.project(Vec3::new(0.0, 3.0, -10.0)).unwrap();
        assert!(p.abs_diff_eq(Vec2::new(100.0, 40.0), 1e-3));
        assert!(c.project(Vec3::new(0.0, 2.0, 10.0)).is_none());
    }

    #[test]
    fn check_rejects_bad_values_with_field_names() {
        let mut c = VirtualCamera::new(CameraId(1), "c", Vec3::ZERO, 0.0);
        assert!(c.check().is_ok());
        c.lens.focal_length_mm = -4.0;
        assert_eq!(c.check().unwrap_err().0, "lens.focal_length_mm");
        c.lens.focal_length_mm = 4.0;
        c.fps = f32::NAN;
        assert_eq!(c.check().unwrap_err().0, "fps");
        c.fps = 25.0;
        assert!(c.check().is_ok());
        // Finite but out in space: beyond the local frame's 1 000 km.
        c.position = Vec3::new(0.0, 2.0e6, 0.0);
        let (field, message) = c.check().unwrap_err();
        assert_eq!(field, "position");
        assert!(message.contains("local frame"), "{message}");
    }
}
