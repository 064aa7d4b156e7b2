//! The project file (`*.twin.ron`): what the user builds in the editor, saved as RON.
//!
//! Every field is documented in `docs/project-format.md`. Paths of imported meshes are stored
//! relative to the project file when they lie under its folder, so a project folder can be moved
//! or shared; in memory they are always absolute.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use glam::Vec3;
use serde::{Deserialize, Serialize};

use crate::camera::{CameraId, VirtualCamera};
use crate::ronfile::{self, DocError, FieldProblem};

/// The most cameras and imports a project may list.
pub const MAX_CAMERAS: usize = 1_000;
pub const MAX_IMPORTS: usize = 1_000;
/// How far from the model's zero an origin may lie, metres: Earth-centred coordinates reach
/// about 6 400 km, projected ones (Lambert-93, UTM) about 10 000 km.
pub const MAX_ORIGIN_M: f64 = 1.0e8;

/// The project format version this build reads and writes.
pub const PROJECT_VERSION: u32 = 1;
/// File name suffix of project files.
pub const PROJECT_SUFFIX: &str = ".twin.ron";

/// The bundled demo project (demo district and three cameras), as shipped in `assets/`.
pub const DEMO_PROJECT_RON: &str = include_str!("../../../assets/projects/demo.twin.ron");

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Format version; must be [`PROJECT_VERSION`].
    pub version: u32,
    /// Display name.
    pub name: String,
    /// Whether the bundled demo district is part of the scene.
    #[serde(default)]
    pub demo_city: bool,
    /// City meshes imported from glTF/GLB files.
    #[serde(default)]
    pub imports: Vec<CityImport>,
    /// Where the scene's local origin lies in the source coordinate reference system.
    #[serde(default)]
    pub origin: Option<GeoOrigin>,
    /// Virtual CCTV cameras.
    #[serde(default)]
    pub cameras: Vec<VirtualCamera>,
    /// The editor's 3D view when the project was saved.
    #[serde(default)]
    pub view: EditorView,
    /// DORI coverage settings: grid cell, target height, area of interest, privacy masks.
    #[serde(default)]
    pub coverage: crate::coverage_setup::CoverageSetup,
}

/// A city mesh file that is part of the scene.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityImport {
    /// Path to the `.glb`/`.gltf` file (relative to the project file, or absolute).
    pub path: PathBuf,
    /// Set for files exported with `+Z` up instead of glTF's `+Y` up.
    #[serde(default)]
    pub z_up: bool,
}

/// The local origin's position in a projected or geocentric coordinate reference system:
/// `x` east, `y` north, `z` up (for a projected CRS: easting, northing, height). The scene's
/// world point `(X, Y, Z)` (`+Y` up, `-Z` north) lies at `(x + X, y - Z, z + Y)` in the CRS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoOrigin {
    pub x: f64,
    pub y: f64,
    pub z: f64,
    /// For example `"EPSG:2154"`; `None` when unknown.
    #[serde(default)]
    pub crs: Option<String>,
}

impl GeoOrigin {
    /// From an origin in glTF world axes (`+Y` up, `-Z` north), as the import check finds it.
    pub fn from_world(world: glam::DVec3, crs: Option<String>) -> Self {
        Self {
            x: world.x,
            y: -world.z,
            z: world.y,
            crs,
        }
    }

    /// The origin in glTF world axes: what is subtracted from an imported file's coordinates.
    pub fn world(&self) -> glam::DVec3 {
        glam::DVec3::new(self.x, self.z, -self.y)
    }

    /// True for an Earth-centred origin (EPSG:4978): `x, y, z` are ECEF metres.
    pub fn is_geocentric(&self) -> bool {
        self.crs.as_deref() == Some("EPSG:4978")
    }

    /// The map from an imported file's world coordinates (glTF axes) to the scene's: minus the
    /// origin, and for an Earth-centred origin also the turn from Earth-centred axes to local
    /// east / up / south at the origin (WGS84 ellipsoid normal), so the ground is level.
    pub fn scene_from_file(&self) -> glam::DAffine3 {
        use glam::{DAffine3, DMat3, DVec3};
        let g = self.world();
        if !self.is_geocentric() {
            return DAffine3::from_translation(-g);
        }
        // glTF world (y up) to ECEF: (x, y, z) -> (x, -z, y).
        let a = DMat3::from_cols(DVec3::X, DVec3::Z, DVec3::NEG_Y);
        let ecef = a * g;
        let (lat, lon) = geodetic_lat_lon(ecef);
        let (sl, cl) = lat.sin_cos();
        let (so, co) = lon.sin_cos();
        let east = DVec3::new(-so, co, 0.0);
        let north = DVec3::new(-sl * co, -sl * so, cl);
        let up = DVec3::new(cl * co, cl * so, sl);
        // Rows: scene X = east, Y = up, Z = -north.
        let b = DMat3::from_cols(east, up, -north).transpose();
        let l = b * a;
        DAffine3 {
            matrix3: l,
            translation: -(l * g),
        }
    }
}

/// Geodetic latitude and longitude (radians) of an ECEF point on WGS84 (Bowring's formula,
/// sub-millimetre near the surface).
pub fn geodetic_lat_lon(p: glam::DVec3) -> (f64, f64) {
    const A: f64 = 6_378_137.0;
    const F: f64 = 1.0 / 298.257_223_563;
    let b = A * (1.0 - F);
    let e2 = F * (2.0 - F);
    let ep2 = (A * A - b * b) / (b * b);
    let r = (p.x * p.x + p.y * p.y).sqrt();
    let theta = (p.z * A).atan2(r * b);
    let (st, ct) = theta.sin_cos();
    let lat = (p.z + ep2 * b * st * st * st).atan2(r - e2 * A * ct * ct * ct);
    (lat, p.y.atan2(p.x))
}

/// Orbit view of the editor: the point looked at, the direction and the distance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditorView {
    pub focus: Vec3,
    /// Compass bearing the view looks towards, degrees.
    pub yaw_deg: f32,
    /// Degrees below the horizon.
    pub pitch_deg: f32,
    /// Distance from the focus, metres.
    pub distance: f32,
}

impl Default for EditorView {
    fn default() -> Self {
        Self {
            focus: Vec3::ZERO,
            yaw_deg: 30.0,
            pitch_deg: 35.0,
            distance: 160.0,
        }
    }
}

#[derive(Deserialize)]
struct VersionProbe {
    /// 0 when the field is missing.
    #[serde(default)]
    version: u32,
}

impl Project {
    /// An empty project (no city, no cameras).
    pub fn empty(name: impl Into<String>) -> Self {
        Self {
            version: PROJECT_VERSION,
            name: name.into(),
            demo_city: false,
            imports: Vec::new(),
            origin: None,
            cameras: Vec::new(),
            view: EditorView::default(),
            coverage: Default::default(),
        }
    }

    /// The bundled demo project.
    pub fn demo() -> Result<Self, DocError> {
        Self::from_ron(
            Path::new("<bundled demo project>"),
            DEMO_PROJECT_RON,
            Path::new("."),
        )
    }

    /// Loads and validates a project file; relative import paths become absolute.
    pub fn load(path: &Path) -> Result<Self, DocError> {
        let text = crate::ronfile::read_text(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Self::from_ron(path, &text, dir)
    }

    /// Parses and validates project text. `path` names the file in errors; relative import
    /// paths are resolved against `base_dir`.
    pub fn from_ron(path: &Path, text: &str, base_dir: &Path) -> Result<Self, DocError> {
        let probe: VersionProbe = ronfile::parse(path, text)?;
        match probe.version {
            PROJECT_VERSION => {}
            0 => {
                return Err(FieldProblem::new(
                    "version",
                    format!("missing; add `version: {PROJECT_VERSION},` as the first field"),
                )
                .into_error(path, text));
            }
            v => {
                return Err(FieldProblem::new(
                    "version",
                    format!(
                        "this build reads version {PROJECT_VERSION}, the file has version {v}; \
                         open it with the TwinCity release that wrote it"
                    ),
                )
                .at("version")
                .into_error(path, text));
            }
        }
        let mut project: Project = ronfile::parse(path, text)?;
        project
            .validate()
            .map_err(|problem| problem.into_error(path, text))?;
        for import in &mut project.imports {
            if import.path.is_relative() {
                import.path = base_dir.join(&import.path);
            }
            // Absolute in memory, as promised above: a project opened from the working folder
            // (`twincity render p.twin.ron`) has an empty folder, and a bare file name has no
            // folder to check its textures' URIs against.
            if let Ok(absolute) = std::path::absolute(&import.path) {
                import.path = absolute;
            }
        }
        Ok(project)
    }

    /// The RON text of this project, with import paths relative to `base_dir` where possible.
    pub fn to_ron(&self, base_dir: &Path) -> Result<String, DocError> {
        let mut copy = self.clone();
        for import in &mut copy.imports {
            if let Ok(rel) = import.path.strip_prefix(base_dir) {
                import.path = rel.to_path_buf();
            }
        }
        ronfile::to_string(&copy)
    }

    /// Validates, then writes the project atomically (the old file survives any failure).
    pub fn save(&self, path: &Path) -> Result<(), DocError> {
        self.validate().map_err(|p| p.into_error(path, ""))?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let dir_abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let text = self.to_ron(&dir_abs)?;
        ronfile::write_atomic(path, text.as_bytes())
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<(), FieldProblem> {
        for (field, len, max) in [
            ("cameras", self.cameras.len(), MAX_CAMERAS),
            ("imports", self.imports.len(), MAX_IMPORTS),
        ] {
            if len > max {
                return Err(FieldProblem::new(
                    field,
                    format!("lists {len} entries; at most {max} are supported"),
                )
                .at(field));
            }
        }
        let mut ids = HashSet::new();
        for (i, cam) in self.cameras.iter().enumerate() {
            let anchor = format!("\"{}\"", cam.name);
            if !ids.insert(cam.id) {
                return Err(FieldProblem::new(
                    format!("cameras[{i}].id"),
                    format!(
                        "camera id {} is used twice; give each camera its own id",
                        cam.id.0
                    ),
                )
                .at(anchor));
            }
            if let Err((field, message)) = cam.check() {
                return Err(FieldProblem::new(
                    format!("cameras[{i}] ({}).{field}", cam.name),
                    message,
                )
                .at(anchor));
            }
        }
        for (i, import) in self.imports.iter().enumerate() {
            if import.path.as_os_str().is_empty() {
                return Err(FieldProblem::new(
                    format!("imports[{i}].path"),
                    "is empty; give the path of a .glb or .gltf file",
                )
                .at("imports"));
            }
        }
        if let Err((field, message)) = self.coverage.check() {
            return Err(FieldProblem::new(format!("coverage.{field}"), message).at("coverage"));
        }
        if let Some(o) = &self.origin
            && !(o.x.is_finite()
                && o.y.is_finite()
                && o.z.is_finite()
                && o.x.abs().max(o.y.abs()).max(o.z.abs()) <= MAX_ORIGIN_M)
        {
            return Err(FieldProblem::new(
                "origin",
                format!(
                    "must be finite coordinates within {MAX_ORIGIN_M} m of the model's zero \
                     (an Earth-centred or projected position)"
                ),
            )
            .at("origin"));
        }
        let v = &self.view;
        let limit = crate::area::MAX_COORDINATE_M as f32;
        if !(v.focus.is_finite()
            && v.focus.abs().max_element() <= limit
            && v.yaw_deg.is_finite()
            && v.pitch_deg.is_finite()
            && v.distance.is_finite()
            && v.distance > 0.0
            && v.distance <= limit)
        {
            return Err(FieldProblem::new(
                "view",
                format!(
                    "must hold finite numbers: a focus within {limit} m of the origin and a \
                     distance of more than 0 and at most {limit} m"
                ),
            )
            .at("view"));
        }
        Ok(())
    }

    /// A camera id not used yet.
    pub fn next_camera_id(&self) -> CameraId {
        CameraId(self.cameras.iter().map(|c| c.id.0).max().unwrap_or(0) + 1)
    }

    pub fn camera(&self, id: CameraId) -> Option<&VirtualCamera> {
        self.cameras.iter().find(|c| c.id == id)
    }

    pub fn camera_mut(&mut self, id: CameraId) -> Option<&mut VirtualCamera> {
        self.cameras.iter_mut().find(|c| c.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Earth-centred origin in Philadelphia (40° N, 75.6° W, on the ellipsoid): points 10 m
    /// up the ellipsoid normal, east and north of it land 10 m up, east and north in the scene.
    #[test]
    fn geocentric_origins_turn_to_local_east_up_south() {
        use glam::DVec3;
        let (lat, lon) = (40f64.to_radians(), (-75.6f64).to_radians());
        let (a, f) = (6_378_137.0, 1.0 / 298.257_223_563);
        let e2: f64 = f * (2.0 - f);
        let n = a / (1.0 - e2 * lat.sin().powi(2)).sqrt();
        let ecef = DVec3::new(
            n * lat.cos() * lon.cos(),
            n * lat.cos() * lon.sin(),
            n * (1.0 - e2) * lat.sin(),
        );
        let up = DVec3::new(lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin());
        let east = DVec3::new(-lon.sin(), lon.cos(), 0.0);
        let north = up.cross(east);
        // glTF world (y up) of an ECEF point: (X, Z, -Y).
        let gltf = |p: DVec3| DVec3::new(p.x, p.z, -p.y);
        let origin = GeoOrigin {
            x: ecef.x,
            y: ecef.y,
            z: ecef.z,
            crs: Some("EPSG:4978".into()),
        };
        assert_eq!(GeoOrigin::from_world(gltf(ecef), None).x, ecef.x);
        let m = origin.scene_from_file();
        let at = |p: DVec3| m.transform_point3(gltf(p));
        assert!(at(ecef).length() < 1e-6);
        assert!(at(ecef + up * 10.0).distance(DVec3::new(0.0, 10.0, 0.0)) < 1e-6);
        assert!(at(ecef + east * 10.0).distance(DVec3::new(10.0, 0.0, 0.0)) < 1e-6);
        assert!(at(ecef + north * 10.0).distance(DVec3::new(0.0, 0.0, -10.0)) < 1e-6);
        // A projected origin only moves.
        let projected = GeoOrigin {
            crs: Some("EPSG:2154".into()),
            ..origin
        };
        let t = projected.scene_from_file();
        assert_eq!(t.matrix3, glam::DMat3::IDENTITY);
        assert_eq!(t.translation, -projected.world());
    }
    use crate::camera::LensPreset;

    #[test]
    fn bundled_demo_project_is_valid() {
        let p = Project::demo().unwrap();
        assert!(p.demo_city);
        assert!(p.cameras.len() >= 3);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn save_and_load_round_trip_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let mesh = dir.path().join("meshes").join("delft.glb");
        let mut p = Project::demo().unwrap();
        p.name = "Round trip".into();
        p.imports.push(CityImport {
            path: mesh.clone(),
            z_up: true,
        });
        p.origin = Some(GeoOrigin {
            x: 84_000.5,
            y: 447_000.25,
            z: 0.0,
            crs: Some("EPSG:28992".into()),
        });
        let mut cam = VirtualCamera::new(
            p.next_camera_id(),
            "Quai",
            Vec3::new(1.5, 6.0, -2.25),
            123.0,
        );
        cam.lens = LensPreset::Tele12mm.lens();
        cam.roll_deg = -2.5;
        cam.resolution = (2688, 1520);
        cam.fps = 12.5;
        p.cameras.push(cam);
        let file = dir.path().join("a.twin.ron");
        p.save(&file).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        // Paths under the project folder are stored relative, so the folder can move.
        assert!(text.contains("\"meshes/delft.glb\""), "{text}");
        let back = Project::load(&file).unwrap();
        assert_eq!(back, p);
    }

    /// A project read from the working folder (an empty folder name) still gets absolute
    /// import paths, which the import check needs to find the folder textures must stay in.
    #[test]
    fn imports_are_absolute_in_memory_even_from_the_working_folder() {
        let text = "(version: 1, name: \"p\", imports: [(path: \"city.glb\")])";
        let p = Project::from_ron(Path::new("p.twin.ron"), text, Path::new("")).unwrap();
        let path = &p.imports[0].path;
        assert!(path.is_absolute(), "{}", path.display());
        assert_eq!(path, &std::env::current_dir().unwrap().join("city.glb"));
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let text = "(\n    version: 1,\n    name: \"x\",\n    demo_city: yes,\n)";
        let e = Project::from_ron(Path::new("bad.twin.ron"), text, Path::new(".")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("bad.twin.ron:4:"), "{msg}");
    }

    #[test]
    fn unknown_field_lists_the_expected_ones() {
        let text = "(\n    version: 1,\n    name: \"x\",\n    camras: [],\n)";
        let e = Project::from_ron(Path::new("p.twin.ron"), text, Path::new(".")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("p.twin.ron:4:") && msg.contains("camras") && msg.contains("cameras"),
            "{msg}"
        );
    }

    #[test]
    fn newer_version_is_refused_with_the_fix() {
        let text = "(\n    version: 7,\n    name: \"x\",\n)";
        let e = Project::from_ron(Path::new("p.twin.ron"), text, Path::new(".")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("p.twin.ron:2:5") && msg.contains("version 7"),
            "{msg}"
        );
    }

    #[test]
    fn invalid_camera_value_is_located_by_camera_name() {
        let mut p = Project::demo().unwrap();
        p.cameras[1].lens.focal_length_mm = 0.0;
        let text = p.to_ron(Path::new(".")).unwrap();
        let e = Project::from_ron(Path::new("p.twin.ron"), &text, Path::new(".")).unwrap_err();
        let msg = e.to_string();
        let name = &p.cameras[1].name;
        let expected_line = text
            .lines()
            .position(|l| l.contains(&format!("\"{name}\"")))
            .unwrap()
            + 1;
        assert!(
            msg.contains(&format!("p.twin.ron:{expected_line}:")),
            "{msg}"
        );
        assert!(
            msg.contains("focal_length_mm") && msg.contains(name),
            "{msg}"
        );
    }

    /// Numbers that parse but that nothing can draw — an origin, a view or camera counts far
    /// beyond any city — are refused with the field and the limit.
    #[test]
    fn values_beyond_any_city_are_refused() {
        let refused = |edit: &dyn Fn(&mut Project), field: &str| {
            let mut p = Project::demo().unwrap();
            edit(&mut p);
            let e = p.validate().unwrap_err();
            let msg = p
                .to_ron(Path::new("."))
                .map(|text| {
                    Project::from_ron(Path::new("p.twin.ron"), &text, Path::new("."))
                        .unwrap_err()
                        .to_string()
                })
                .unwrap();
            assert!(msg.contains(field), "{field}: {msg} ({e:?})");
        };
        refused(
            &|p| {
                p.origin = Some(GeoOrigin {
                    x: 1e300,
                    y: 0.0,
                    z: 0.0,
                    crs: None,
                })
            },
            "origin",
        );
        refused(&|p| p.view.distance = 1e30, "view");
        refused(&|p| p.view.focus.x = -3e7, "view");
        refused(
            &|p| {
                let cam = p.cameras[0].clone();
                p.cameras = (0..=MAX_CAMERAS as u32)
                    .map(|k| VirtualCamera {
                        id: CameraId(k + 1),
                        ..cam.clone()
                    })
                    .collect();
            },
            "at most 1000",
        );
    }

    #[test]
    fn failed_save_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.twin.ron");
        let p = Project::demo().unwrap();
        p.save(&file).unwrap();
        let before = std::fs::read(&file).unwrap();
        let mut bad = p.clone();
        bad.cameras[0].fps = -1.0;
        assert!(bad.save(&file).is_err());
        assert_eq!(std::fs::read(&file).unwrap(), before);
    }
}
