//! Coverage out of the tool: GeoJSON (cameras as points, DORI classes as polygons) and a
//! Markdown report.
//!
//! GeoJSON is written in WGS84 longitude/latitude (RFC 7946) when the project's origin has a
//! known projected CRS (transformed with `proj4rs` from the EPSG definition); otherwise in
//! local metres `(east, north)` from the origin, with a `coordinates` property on every
//! feature and a top-level `twincity:coordinates` member saying so.

use std::fmt::Write as _;

use geo::{Coord, MultiPolygon};
use serde_json::{Value, json};

use crate::coverage::{CLASSES, Coverage, CoverageSummary};
use twincity_model::camera::{DoriClass, VirtualCamera};
use twincity_model::coverage_setup::CoverageSetup;
use twincity_model::project::{GeoOrigin, Project};

/// Turns plan coordinates `(east, north)` into output coordinates.
pub struct Georef {
    origin: (f64, f64),
    proj: Option<(proj4rs::Proj, proj4rs::Proj)>,
    /// For an Earth-centred origin: ECEF of the scene's `(east, north)` plane's points.
    geocentric: Option<glam::DAffine3>,
    /// What the coordinates are, for the file and the report (in English).
    pub description: String,
    /// The same, for an interface to word in its own language.
    pub kind: GeorefKind,
}

/// What a [`Georef`]'s output coordinates are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GeorefKind {
    /// WGS84 longitude/latitude from the origin's CRS (Earth-centred or projected).
    Wgs84 { crs: String, geocentric: bool },
    /// Local metres from the origin, and why not WGS84.
    Local(LocalWhy),
}

/// Why a [`Georef`] writes local metres.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalWhy {
    NoOrigin,
    NoCrs,
    NotEpsg(String),
    Geographic(String),
    UnknownEpsg(String),
}

impl Georef {
    /// WGS84 when `origin` names an EPSG code proj4rs knows and that is not geocentric; local
    /// metres otherwise (the description says why).
    pub fn new(origin: Option<&GeoOrigin>) -> Self {
        let local = |why: LocalWhy| Georef {
            origin: origin.map_or((0.0, 0.0), |o| (o.x, o.y)),
            proj: None,
            geocentric: None,
            description: format!(
                "local metres (east, north) from the project origin{}; {}",
                origin.map_or(String::new(), |o| format!(" ({:.3}, {:.3})", o.x, o.y)),
                match &why {
                    LocalWhy::NoOrigin => "the project has no origin".to_string(),
                    LocalWhy::NoCrs =>
                        "no CRS is known: set the origin's crs in the project".to_string(),
                    LocalWhy::NotEpsg(crs) => format!("the CRS `{crs}` is not an EPSG code"),
                    LocalWhy::Geographic(crs) => format!("{crs} is geographic, not projected"),
                    LocalWhy::UnknownEpsg(crs) =>
                        format!("{crs} is not in the bundled EPSG definitions"),
                }
            ),
            kind: GeorefKind::Local(why),
        };
        let Some(o) = origin else {
            return local(LocalWhy::NoOrigin);
        };
        let Some(crs) = &o.crs else {
            return local(LocalWhy::NoCrs);
        };
        let code = crs
            .strip_prefix("EPSG:")
            .and_then(|c| c.parse::<u16>().ok());
        let Some(code) = code else {
            return local(LocalWhy::NotEpsg(crs.clone()));
        };
        if code == 4978 {
            // Scene (x east, y up, z south) back to ECEF, then to geodetic coordinates.
            let file_from_scene = o.scene_from_file().inverse();
            let gltf_to_ecef = glam::DAffine3::from_mat3(glam::DMat3::from_cols(
                glam::DVec3::X,
                glam::DVec3::Z,
                glam::DVec3::NEG_Y,
            ));
            return Georef {
                origin: (0.0, 0.0),
                proj: None,
                geocentric: Some(gltf_to_ecef * file_from_scene),
                description: format!("WGS84 longitude/latitude (from {crs}, Earth-centred)"),
                kind: GeorefKind::Wgs84 {
                    crs: crs.clone(),
                    geocentric: true,
                },
            };
        }
        match (
            proj4rs::Proj::from_epsg_code(code),
            proj4rs::Proj::from_epsg_code(4326),
        ) {
            (Ok(src), Ok(dst)) if !src.is_latlong() => Georef {
                origin: (o.x, o.y),
                proj: Some((src, dst)),
                geocentric: None,
                description: format!("WGS84 longitude/latitude (from {crs})"),
                kind: GeorefKind::Wgs84 {
                    crs: crs.clone(),
                    geocentric: false,
                },
            },
            (Ok(_), Ok(_)) => local(LocalWhy::Geographic(crs.clone())),
            _ => local(LocalWhy::UnknownEpsg(crs.clone())),
        }
    }

    pub fn is_wgs84(&self) -> bool {
        self.proj.is_some() || self.geocentric.is_some()
    }

    /// Output coordinates of a plan point; `None` if the projection fails there.
    pub fn point(&self, east: f64, north: f64) -> Option<[f64; 2]> {
        if let Some(to_ecef) = &self.geocentric {
            let ecef = to_ecef.transform_point3(glam::DVec3::new(east, 0.0, -north));
            let (lat, lon) = twincity_model::project::geodetic_lat_lon(ecef);
            return Some([round(lon.to_degrees(), 1e-8), round(lat.to_degrees(), 1e-8)]);
        }
        let (x, y) = (self.origin.0 + east, self.origin.1 + north);
        match &self.proj {
            None => Some([round(east, 1e-3), round(north, 1e-3)]),
            Some((src, dst)) => {
                let mut p = (x, y, 0.0);
                proj4rs::transform::transform(src, dst, &mut p).ok()?;
                Some([round(p.0.to_degrees(), 1e-8), round(p.1.to_degrees(), 1e-8)])
            }
        }
    }

    fn ring(&self, ring: &geo::LineString<f64>) -> Option<Vec<[f64; 2]>> {
        ring.0
            .iter()
            .map(|Coord { x, y }| self.point(*x, *y))
            .collect()
    }

    fn multipolygon(&self, mp: &MultiPolygon<f64>) -> Option<Value> {
        let polys: Option<Vec<Vec<Vec<[f64; 2]>>>> =
            mp.0.iter()
                .map(|p| {
                    // RFC 7946: exterior rings counter-clockwise, holes clockwise.
                    let mut p = p.clone();
                    use geo::orient::{Direction, Orient};
                    p = p.orient(Direction::Default);
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|r| self.ring(r))
                        .collect()
                })
                .collect();
        polys.map(|p| json!({"type": "MultiPolygon", "coordinates": p}))
    }
}

/// `v` to a multiple of `step` (a power of ten), as the nearest decimal: dividing by the
/// inverse keeps 2.8 as 2.8 rather than 2.8000000000000003.
fn round(v: f64, step: f64) -> f64 {
    let inv = (1.0 / step).round();
    (v * inv).round() / inv
}

/// An `f32` field as the decimal a user typed (to the thousandth).
fn r3(v: f32) -> f64 {
    round(v as f64, 1e-3)
}

fn camera_feature(cam: &VirtualCamera, georef: &Georef) -> Option<Value> {
    let p = cam.position;
    let coords = georef.point(p.x as f64, -p.z as f64)?;
    let reach = |ppm: f32| {
        round(
            DoriClass::max_distance(&cam.lens, cam.resolution.0, ppm) as f64,
            0.01,
        )
    };
    Some(json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": coords},
        "properties": {
            "kind": "camera",
            "id": cam.id.0,
            "name": cam.name,
            "height_m": round(p.y as f64, 0.01),
            "pan_deg": r3(cam.pan_deg),
            "tilt_deg": r3(cam.tilt_deg),
            "roll_deg": r3(cam.roll_deg),
            "focal_length_mm": r3(cam.lens.focal_length_mm),
            "sensor_mm": [r3(cam.lens.sensor_width_mm), r3(cam.lens.sensor_height_mm)],
            "horizontal_fov_deg": round(cam.lens.horizontal_fov().to_degrees() as f64, 0.01),
            "resolution": [cam.resolution.0, cam.resolution.1],
            "fps": r3(cam.fps),
            "detection_reach_m": reach(25.0),
            "observation_reach_m": reach(62.5),
            "recognition_reach_m": reach(125.0),
            "identification_reach_m": reach(250.0),
            "coordinates": georef.description,
        }
    }))
}

/// The GeoJSON FeatureCollection: cameras, then each class's polygons for all cameras
/// together (`camera: "all"`) and for each camera.
pub fn geojson(project: &Project, coverage: &Coverage, georef: &Georef) -> Value {
    let mut features: Vec<Value> = project
        .cameras
        .iter()
        .filter_map(|c| camera_feature(c, georef))
        .collect();
    let layers = std::iter::once(("all".to_string(), &coverage.best))
        .chain(coverage.cameras.iter().map(|c| (c.name.clone(), &c.ppm)));
    for (camera, ppm) in layers {
        for ((class, min_ppm), mp) in CLASSES.iter().zip(coverage.class_polygons(ppm)) {
            if mp.0.is_empty() {
                continue;
            }
            let Some(geometry) = georef.multipolygon(&mp) else {
                continue;
            };
            use geo::Area;
            features.push(json!({
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "kind": "coverage",
                    "camera": camera,
                    "class": class,
                    "min_px_per_m": min_ppm,
                    "area_m2": round(mp.unsigned_area(), 0.01),
                    "target_height_m": coverage.target_height,
                    "coordinates": georef.description,
                }
            }));
        }
    }
    let mut out = json!({
        "type": "FeatureCollection",
        "name": format!("{} - DORI coverage", project.name),
        "features": features,
    });
    if !georef.is_wgs84() {
        out["twincity:coordinates"] = json!(georef.description);
    }
    out
}

fn pct(part: f64, whole: f64) -> String {
    if whole > 0.0 {
        format!("{:.1} %", 100.0 * part / whole)
    } else {
        "—".into()
    }
}

/// The Markdown report: settings, area per class per camera and together, overlap, the area
/// of interest and its blind spots, privacy masks.
pub fn report_markdown(
    project: &Project,
    setup: &CoverageSetup,
    s: &CoverageSummary,
    georef: &Georef,
    seconds: f64,
) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# DORI coverage — {}\n", project.name);
    let _ = writeln!(
        md,
        "Pixel density on a person's face ({:.2} m above the ground) by IEC 62676-4 classes: \
         Detection ≥ 25, Observation ≥ 62.5, Recognition ≥ 125, Identification ≥ 250 px/m. \
         Occlusion by the city meshes; {:.2} m cells; {} camera(s); ground where a person can \
         stand: {:.0} m². Computed in {seconds:.2} s. Coordinates: {}.\n",
        s.target_height_m,
        s.cell_m,
        s.cameras.len(),
        s.ground_m2,
        georef.description
    );
    let _ = writeln!(
        md,
        "| Camera | Detection m² | Observation m² | Recognition m² | Identification m² |"
    );
    let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: |");
    let row = |md: &mut String, name: &str, a: [f64; 4]| {
        let _ = writeln!(
            md,
            "| {name} | {:.0} | {:.0} | {:.0} | {:.0} |",
            a[0], a[1], a[2], a[3]
        );
    };
    for c in &s.cameras {
        row(&mut md, &c.name, c.areas.as_array());
    }
    row(&mut md, "**All cameras**", s.all.as_array());
    let _ = writeln!(
        md,
        "\nOverlap (seen at Detection or better by two cameras or more): {:.0} m² ({} of the covered area).\n",
        s.overlap_m2,
        pct(s.overlap_m2, s.all.detection_m2)
    );
    match (&s.aoi_m2, &s.aoi_all, &s.aoi_blind_m2) {
        (Some(aoi), Some(all), Some(blind)) => {
            let _ = writeln!(md, "## Area of interest\n");
            let _ = writeln!(
                md,
                "{aoi:.0} m² of ground. Blind spots (no camera at Detection): {blind:.0} m² ({}).\n",
                pct(*blind, *aoi)
            );
            let _ = writeln!(
                md,
                "| Camera | Detection | Observation | Recognition | Identification |"
            );
            let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: |");
            let prow = |md: &mut String, name: &str, a: [f64; 4]| {
                let _ = writeln!(
                    md,
                    "| {name} | {} | {} | {} | {} |",
                    pct(a[0], *aoi),
                    pct(a[1], *aoi),
                    pct(a[2], *aoi),
                    pct(a[3], *aoi)
                );
            };
            for c in &s.cameras {
                if let Some(a) = &c.aoi_areas {
                    prow(&mut md, &c.name, a.as_array());
                }
            }
            prow(&mut md, "**All cameras**", all.as_array());
            md.push('\n');
        }
        _ => {
            let _ = writeln!(
                md,
                "No area of interest is set (`coverage.area_of_interest` in the project): shares \
                 and blind spots are not reported.\n"
            );
        }
    }
    if !setup.privacy_masks.is_empty() {
        let _ = writeln!(md, "## Privacy masks\n");
        let _ = writeln!(
            md,
            "Share of each masked zone's surface each camera sees (in its image and not \
             hidden). Renders of the cameras black these zones out.\n"
        );
        let mut header = "| Camera |".to_string();
        let mut rule = "| --- |".to_string();
        for m in &setup.privacy_masks {
            let _ = write!(header, " {} |", m.name);
            rule.push_str(" ---: |");
        }
        let _ = writeln!(md, "{header}\n{rule}");
        for c in &s.cameras {
            let mut line = format!("| {} |", c.name);
            for (_, share) in &c.privacy {
                let _ = write!(line, " {:.0} % |", share * 100.0);
            }
            let _ = writeln!(md, "{line}");
        }
        md.push('\n');
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lambert-93 (EPSG:2154) is defined so that 700 000 E / 6 600 000 N is 3° E, 46.5° N
    /// (its false origin): that point must come out exactly, and 1 km north of it about
    /// 1000 / 111 200 m per degree further north on the same meridian.
    /// An Earth-centred origin on the ellipsoid at 40° N, 75.6° W comes out there, and 1 km
    /// east of it on the same parallel (1000 m / (N cos φ) radians of longitude).
    #[test]
    fn earth_centred_origins_to_wgs84() {
        let (lat, lon) = (40f64.to_radians(), (-75.6f64).to_radians());
        let (a, f) = (6_378_137.0, 1.0 / 298.257_223_563);
        let e2: f64 = f * (2.0 - f);
        let n = a / (1.0 - e2 * lat.sin().powi(2)).sqrt();
        let origin = GeoOrigin {
            x: n * lat.cos() * lon.cos(),
            y: n * lat.cos() * lon.sin(),
            z: n * (1.0 - e2) * lat.sin(),
            crs: Some("EPSG:4978".into()),
        };
        let g = Georef::new(Some(&origin));
        assert!(g.is_wgs84(), "{}", g.description);
        let p = g.point(0.0, 0.0).unwrap();
        assert!(
            (p[0] + 75.6).abs() < 1e-7 && (p[1] - 40.0).abs() < 1e-7,
            "{p:?}"
        );
        let q = g.point(1000.0, 0.0).unwrap();
        let dlon = (1000.0 / (n * lat.cos())).to_degrees();
        assert!((q[0] - (-75.6 + dlon)).abs() < 1e-6, "{q:?}");
        assert!((q[1] - 40.0).abs() < 1e-5, "{q:?}");
    }

    #[test]
    fn lambert_93_to_wgs84() {
        let origin = GeoOrigin {
            x: 700_000.0,
            y: 6_600_000.0,
            z: 0.0,
            crs: Some("EPSG:2154".into()),
        };
        let g = Georef::new(Some(&origin));
        assert!(g.is_wgs84(), "{}", g.description);
        let p = g.point(0.0, 0.0).unwrap();
        assert!(
            (p[0] - 3.0).abs() < 1e-7 && (p[1] - 46.5).abs() < 1e-7,
            "{p:?}"
        );
        let q = g.point(0.0, 1000.0).unwrap();
        assert!((q[0] - 3.0).abs() < 1e-7, "{q:?}");
        // Meridian arc at 46.5° on GRS80: 111 160 m per degree; Lambert-93's scale factor
        // there is about 0.99905 (a secant cone), hence 1000 m of grid ≈ 0.009004°.
        assert!((q[1] - 46.5 - 0.009004).abs() < 2e-5, "{q:?}");
        let local = Georef::new(None);
        assert!(!local.is_wgs84());
        assert_eq!(local.point(1.0, 2.0), Some([1.0, 2.0]));
        let unknown = Georef::new(Some(&GeoOrigin {
            crs: Some("EPSG:1".into()),
            ..origin
        }));
        assert!(
            unknown.description.contains("not in the bundled"),
            "{}",
            unknown.description
        );
    }
}
