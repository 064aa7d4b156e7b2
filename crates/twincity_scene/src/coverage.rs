//! DORI coverage (IEC 62676-4): for every ground cell, the pixel density (px/m) each camera
//! gives on a person standing there, with occlusion by the city.
//!
//! Method: the scene's triangles go into a BVH (`obvhs`, compressed wide BVH with SIMD
//! traversal). A downward ray per cell finds the ground; cells whose top surface stands more
//! than [`STRUCTURE_HEIGHT`] above the scene's ground level are inside or on top of a
//! structure and left out. For each camera, only cells within its Detection reach (25 px/m)
//! are looked at: the target point (the person's face, `target_height` above the ground) must
//! project inside the image, and a shadow ray from the camera to it must hit nothing. The
//! density is the lens's `W / (2·d·tan(θ/2))` at the point's depth `d` along the optical axis.
//! Cameras run on separate threads; each writes its own grid, so results do not depend on
//! the thread count.

use bvh_glam::Vec3A;
use glam::{DVec2, Vec3};
use obvhs::cwbvh::CwBvh;
use obvhs::ray::Ray;
use obvhs::triangle::Triangle;
use serde::Serialize;

use twincity_model::camera::{DoriClass, VirtualCamera};
use twincity_model::coverage_setup::{CoverageSetup, PrivacyMask};

/// A top surface this far above the scene's ground level is a roof, not ground (metres).
pub const STRUCTURE_HEIGHT: f32 = 2.5;

/// The four DORI classes reported, with their minimum px/m.
pub const CLASSES: [(&str, f32); 4] = [
    ("Detection", 25.0),
    ("Observation", 62.5),
    ("Recognition", 125.0),
    ("Identification", 250.0),
];

fn to_a(v: Vec3) -> Vec3A {
    Vec3A::from_array(v.to_array())
}

/// Ray–triangle distance (Möller–Trumbore), `INFINITY` on a miss. Barycentric coordinates
/// may be a hair below zero so that rays along a shared edge hit one of the two triangles
/// (the library's own test lets them slip through, which would leak light through walls).
fn intersect(t: &Triangle, ray: &Ray) -> f32 {
    const EDGE: f32 = -1e-5;
    let e1 = t.v1 - t.v0;
    let e2 = t.v2 - t.v0;
    let p = ray.direction.cross(e2);
    let det = e1.dot(p);
    if det.abs() < 1e-12 {
        return f32::INFINITY;
    }
    let inv = 1.0 / det;
    let s = ray.origin - t.v0;
    let u = s.dot(p) * inv;
    let q = s.cross(e1);
    let v = ray.direction.dot(q) * inv;
    if u < EDGE || v < EDGE || u + v > 1.0 - EDGE {
        return f32::INFINITY;
    }
    let d = e2.dot(q) * inv;
    if d >= ray.tmin && d <= ray.tmax {
        d
    } else {
        f32::INFINITY
    }
}

/// The city's triangles, ready for ray casting.
pub struct Occluders {
    bvh: Option<CwBvh>,
    /// In BVH order.
    tris: Vec<Triangle>,
    /// The part each triangle belongs to, in BVH order (empty when not given).
    parts: Vec<u32>,
    /// Lowest and highest corner of all triangles.
    pub bounds: Option<(Vec3, Vec3)>,
}

impl Occluders {
    pub fn new(triangles: &[[Vec3; 3]]) -> Self {
        Self::with_parts(triangles, &[])
    }

    /// Like [`Occluders::new`], remembering which part (`part_of[i]`, any number the caller
    /// gives meaning to) each triangle belongs to, for [`Occluders::ray_hit_part`].
    pub fn with_parts(triangles: &[[Vec3; 3]], part_of: &[u32]) -> Self {
        let (tris, parts): (Vec<Triangle>, Vec<u32>) = triangles
            .iter()
            .enumerate()
            .filter(|(_, t)| t.iter().all(|v| v.is_finite()))
            .map(|(i, t)| {
                (
                    Triangle {
                        v0: to_a(t[0]),
                        v1: to_a(t[1]),
                        v2: to_a(t[2]),
                    },
                    part_of.get(i).copied().unwrap_or(u32::MAX),
                )
            })
            .unzip();
        if tris.is_empty() {
            return Self {
                bvh: None,
                tris,
                parts: Vec::new(),
                bounds: None,
            };
        }
        let bounds = tris.iter().fold(
            (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY)),
            |(lo, hi), t| {
                let [p, q, r] = [t.v0, t.v1, t.v2].map(|v| Vec3::from_array(v.to_array()));
                (lo.min(p).min(q).min(r), hi.max(p).max(q).max(r))
            },
        );
        let bvh = obvhs::cwbvh::builder::build_cwbvh_from_tris(
            &tris,
            obvhs::BvhBuildParams::medium_build(),
            &mut std::time::Duration::default(),
        );
        let ordered = bvh
            .primitive_indices
            .iter()
            .map(|&i| tris[i as usize])
            .collect();
        let parts = bvh
            .primitive_indices
            .iter()
            .map(|&i| parts[i as usize])
            .collect();
        Self {
            bvh: Some(bvh),
            tris: ordered,
            parts,
            bounds: Some(bounds),
        }
    }

    /// The same triangles without a BVH: every ray tests every triangle. The baseline the
    /// coverage benchmark compares the BVH with.
    pub fn brute_force(triangles: &[[Vec3; 3]]) -> Self {
        let mut occ = Self::new(triangles);
        occ.bvh = None;
        occ
    }

    pub fn triangle_count(&self) -> usize {
        self.tris.len()
    }

    /// True when a triangle lies on the segment from `a` to `b`, leaving out its first and last
    /// 5 cm (the camera's own mount, the target's surface).
    pub fn blocked(&self, a: Vec3, b: Vec3) -> bool {
        let d = b - a;
        let len = d.length();
        if len <= 0.1 {
            return false;
        }
        let ray = Ray::new(to_a(a), to_a(d / len), 0.05, len - 0.05);
        match &self.bvh {
            Some(bvh) => !bvh.ray_traverse_miss(ray, |r, id| intersect(&self.tris[id], r)),
            None => self.tris.iter().any(|t| intersect(t, &ray).is_finite()),
        }
    }

    /// The first surface along the ray from `origin` towards `dir`: distance and the
    /// triangle's unit normal turned to face the ray's origin.
    pub fn ray_hit(&self, origin: Vec3, dir: Vec3) -> Option<(f32, Vec3)> {
        let (t, i, dir) = self.closest(origin, dir)?;
        let tri = &self.tris[i];
        let n = Vec3::from_array((tri.v1 - tri.v0).cross(tri.v2 - tri.v0).to_array())
            .normalize_or_zero();
        Some((t, if n.dot(dir) > 0.0 { -n } else { n }))
    }

    /// The first surface along a ray: distance and the part it belongs to (`None` for
    /// triangles given without a part).
    pub fn ray_hit_part(&self, origin: Vec3, dir: Vec3) -> Option<(f32, Option<u32>)> {
        let (t, i, _) = self.closest(origin, dir)?;
        let part = self.parts.get(i).copied().filter(|p| *p != u32::MAX);
        Some((t, part))
    }

    /// Distance to the closest triangle along a ray, its index (BVH order), the unit direction.
    fn closest(&self, origin: Vec3, dir: Vec3) -> Option<(f32, usize, Vec3)> {
        let bvh = self.bvh.as_ref()?;
        let dir = dir.try_normalize()?;
        let ray = Ray::new_inf(to_a(origin), to_a(dir));
        let mut hit = obvhs::ray::RayHit::none();
        bvh.ray_traverse(ray, &mut hit, |r, id| intersect(&self.tris[id], r))
            .then_some((hit.t, hit.primitive_id as usize, dir))
    }

    /// Height of the first surface straight below `p`, if any.
    pub fn below(&self, p: Vec3) -> Option<f32> {
        self.ray_hit(p, Vec3::NEG_Y).map(|(t, _)| p.y - t)
    }

    /// Height of the highest surface under the plan point `(x, z)` (world axes), if any.
    pub fn top(&self, x: f32, z: f32) -> Option<f32> {
        let (bvh, (_, hi)) = (self.bvh.as_ref()?, self.bounds?);
        let from = Vec3A::new(x, hi.y + 1.0, z);
        let ray = Ray::new_inf(from, Vec3A::NEG_Y);
        let mut hit = obvhs::ray::RayHit::none();
        bvh.ray_traverse(ray, &mut hit, |r, id| intersect(&self.tris[id], r))
            .then(|| from.y - hit.t)
    }
}

/// The world-space direction through the centre of pixel `(px, py)` of `camera`'s image
/// (the inverse of [`VirtualCamera::project`]).
pub fn pixel_ray(camera: &VirtualCamera, px: f32, py: f32) -> Vec3 {
    let (w, h) = (camera.resolution.0 as f32, camera.resolution.1 as f32);
    let fx = w * 0.5 / (camera.lens.horizontal_fov() * 0.5).tan();
    let local = Vec3::new((px - w * 0.5) / fx, -(py - h * 0.5) / fx, -1.0);
    (camera.world_from_camera_rotation() * local).normalize()
}

/// Paints black every pixel of an RGBA image of `camera`'s view whose ray meets a privacy
/// mask (whether or not something stands in front of it: masks are blacked out
/// conservatively). The image may be any size; the camera's field of view is kept. Returns
/// the number of pixels painted.
pub fn black_out_masks(
    rgba: &mut [u8],
    width: u32,
    height: u32,
    camera: &VirtualCamera,
    masks: &[PrivacyMask],
) -> usize {
    if masks.is_empty() {
        return 0;
    }
    let mut cam = camera.clone();
    cam.resolution = (width, height);
    let origin = cam.position;
    let boxes: Vec<twincity_model::geometry::Aabb3> = masks
        .iter()
        .map(|m| twincity_model::geometry::Aabb3 {
            min: Vec3::from(m.min),
            max: Vec3::from(m.max),
        })
        .collect();
    let mut painted = 0;
    for y in 0..height {
        for x in 0..width {
            let dir = pixel_ray(&cam, x as f32 + 0.5, y as f32 + 0.5);
            if boxes.iter().any(|b| b.ray_hit(origin, dir).is_some()) {
                let i = ((y * width + x) * 4) as usize;
                if let Some(px) = rgba.get_mut(i..i + 3) {
                    px.fill(0);
                    painted += 1;
                }
            }
        }
    }
    painted
}

/// The plan grid:/// The plan grid: cell `(c, r)` spans `min + (c, r)·cell` to `+ cell`; `+r` is north.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub min: DVec2,
    pub cell: f64,
    pub cols: usize,
    pub rows: usize,
}

impl Grid {
    pub fn centre(&self, c: usize, r: usize) -> DVec2 {
        self.min + (DVec2::new(c as f64, r as f64) + 0.5) * self.cell
    }

    pub fn len(&self) -> usize {
        self.cols * self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn cell_area(&self) -> f64 {
        self.cell * self.cell
    }
}

/// One camera's result.
#[derive(Clone, Debug)]
pub struct CameraCoverage {
    pub name: String,
    /// px/m per cell (row-major, row 0 southmost); 0 where the camera does not see a person.
    pub ppm: Vec<f32>,
    /// Share of each privacy mask's sample points the camera sees (same order as the masks).
    pub mask_seen: Vec<f64>,
}

#[derive(Clone, Debug)]
pub struct Coverage {
    pub grid: Grid,
    /// Ground height per cell; NaN inside or on top of structures.
    pub ground: Vec<f32>,
    pub cameras: Vec<CameraCoverage>,
    /// Best px/m over all cameras.
    pub best: Vec<f32>,
    /// Number of cameras seeing each cell at Detection or better.
    pub seen_by: Vec<u8>,
    pub target_height: f32,
}

/// The plan extent coverage is computed over: the scene's triangles, or 100 m × 100 m around
/// the cameras when there are none, grown to whole cells.
pub fn grid_for(occluders: &Occluders, cameras: &[VirtualCamera], cell: f64) -> Grid {
    let (lo, hi) = match occluders.bounds {
        Some((lo, hi)) => (
            DVec2::new(lo.x as f64, -hi.z as f64),
            DVec2::new(hi.x as f64, -lo.z as f64),
        ),
        None => {
            let pts: Vec<DVec2> = cameras
                .iter()
                .map(|c| DVec2::new(c.position.x as f64, -c.position.z as f64))
                .collect();
            let lo = pts
                .iter()
                .fold(DVec2::splat(f64::INFINITY), |a, p| a.min(*p));
            let hi = pts
                .iter()
                .fold(DVec2::splat(f64::NEG_INFINITY), |a, p| a.max(*p));
            if lo.is_finite() {
                (lo - 50.0, hi + 50.0)
            } else {
                (DVec2::splat(-50.0), DVec2::splat(50.0))
            }
        }
    };
    let min = (lo / cell).floor() * cell;
    let cols = (((hi.x - min.x) / cell).ceil() as usize).max(1);
    let rows = (((hi.y - min.y) / cell).ceil() as usize).max(1);
    Grid {
        min,
        cell,
        cols,
        rows,
    }
}

/// Ground heights per cell (see the module documentation) and the scene's ground level.
fn ground_heights(occ: &Occluders, grid: &Grid) -> (Vec<f32>, f32) {
    let tops: Vec<Option<f32>> = (0..grid.len())
        .map(|i| {
            let p = grid.centre(i % grid.cols, i / grid.cols);
            occ.top(p.x as f32, -p.y as f32)
        })
        .collect();
    let mut heights: Vec<f32> = tops.iter().flatten().copied().collect();
    let level = if heights.is_empty() {
        0.0
    } else {
        let k = heights.len() / 10;
        *heights.select_nth_unstable_by(k, f32::total_cmp).1
    };
    let ground = tops
        .into_iter()
        .map(|t| match t {
            None => level,
            Some(h) if h > level + STRUCTURE_HEIGHT => f32::NAN,
            Some(h) => h,
        })
        .collect();
    (ground, level)
}

/// The pixel density `camera` gives at `target`, if it sees it (in the image, in front, not
/// occluded, at least Detection).
pub fn density_at(camera: &VirtualCamera, occ: &Occluders, target: Vec3) -> Option<f32> {
    let (w, h) = (camera.resolution.0 as f32, camera.resolution.1 as f32);
    let px = camera.project(target)?;
    if !(0.0..w).contains(&px.x) || !(0.0..h).contains(&px.y) {
        return None;
    }
    let depth = (target - camera.position).dot(camera.forward());
    let ppm = camera.lens.pixels_per_metre(camera.resolution.0, depth);
    (ppm >= CLASSES[0].1 && !occ.blocked(camera.position, target)).then_some(ppm)
}

fn camera_coverage(
    camera: &VirtualCamera,
    occ: &Occluders,
    grid: &Grid,
    ground: &[f32],
    target_height: f32,
    masks: &[PrivacyMask],
) -> CameraCoverage {
    let mut ppm = vec![0.0f32; grid.len()];
    let reach = DoriClass::max_distance(&camera.lens, camera.resolution.0, CLASSES[0].1) as f64;
    let at = DVec2::new(camera.position.x as f64, -camera.position.z as f64);
    let cell_range = |lo: f64, hi: f64, origin: f64, n: usize| {
        let a = ((lo - origin) / grid.cell).floor().max(0.0) as usize;
        let b = (((hi - origin) / grid.cell).ceil().max(0.0) as usize).min(n);
        a..b
    };
    for r in cell_range(at.y - reach, at.y + reach, grid.min.y, grid.rows) {
        for c in cell_range(at.x - reach, at.x + reach, grid.min.x, grid.cols) {
            let i = r * grid.cols + c;
            let g = ground[i];
            if g.is_nan() {
                continue;
            }
            let p = grid.centre(c, r);
            let target = Vec3::new(p.x as f32, g + target_height, -p.y as f32);
            if let Some(d) = density_at(camera, occ, target) {
                ppm[i] = d;
            }
        }
    }
    let mask_seen = masks
        .iter()
        .map(|m| {
            let samples = m.samples();
            let seen = samples
                .iter()
                .filter(|p| {
                    let px = camera.project(**p);
                    px.is_some_and(|px| {
                        (0.0..camera.resolution.0 as f32).contains(&px.x)
                            && (0.0..camera.resolution.1 as f32).contains(&px.y)
                    }) && !occ.blocked(camera.position, **p)
                })
                .count();
            seen as f64 / samples.len().max(1) as f64
        })
        .collect();
    CameraCoverage {
        name: camera.name.clone(),
        ppm,
        mask_seen,
    }
}

/// Computes the coverage of `cameras` over `grid`, on up to `threads` threads.
pub fn compute(
    occ: &Occluders,
    cameras: &[VirtualCamera],
    grid: Grid,
    setup: &CoverageSetup,
    threads: usize,
) -> Coverage {
    let (ground, _) = ground_heights(occ, &grid);
    let threads = threads.clamp(1, cameras.len().max(1));
    let mut results: Vec<Option<CameraCoverage>> = vec![None; cameras.len()];
    std::thread::scope(|s| {
        let chunk = cameras.len().div_ceil(threads).max(1);
        let handles: Vec<_> = cameras
            .chunks(chunk)
            .map(|cams| {
                let (grid, ground) = (&grid, &ground);
                s.spawn(move || {
                    cams.iter()
                        .map(|c| {
                            camera_coverage(
                                c,
                                occ,
                                grid,
                                ground,
                                setup.target_height_m,
                                &setup.privacy_masks,
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut k = 0;
        for h in handles {
            for cov in h.join().expect("a coverage thread panicked") {
                results[k] = Some(cov);
                k += 1;
            }
        }
    });
    let cameras: Vec<CameraCoverage> = results.into_iter().flatten().collect();
    let mut best = vec![0.0f32; grid.len()];
    let mut seen_by = vec![0u8; grid.len()];
    for cam in &cameras {
        for (i, &v) in cam.ppm.iter().enumerate() {
            if v > 0.0 {
                best[i] = best[i].max(v);
                seen_by[i] = seen_by[i].saturating_add(1);
            }
        }
    }
    Coverage {
        grid,
        ground,
        cameras,
        best,
        seen_by,
        target_height: setup.target_height_m,
    }
}

/// Area (m²) at or above each class, in the order of [`CLASSES`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassAreas {
    pub detection_m2: f64,
    pub observation_m2: f64,
    pub recognition_m2: f64,
    pub identification_m2: f64,
}

impl ClassAreas {
    fn of(ppm: &[f32], inside: impl Fn(usize) -> bool, cell_area: f64) -> Self {
        let mut a = [0.0; 4];
        for (i, &v) in ppm.iter().enumerate() {
            if v > 0.0 && inside(i) {
                for (k, (_, t)) in CLASSES.iter().enumerate() {
                    if v >= *t {
                        a[k] += cell_area;
                    }
                }
            }
        }
        Self {
            detection_m2: a[0],
            observation_m2: a[1],
            recognition_m2: a[2],
            identification_m2: a[3],
        }
    }

    pub fn as_array(&self) -> [f64; 4] {
        [
            self.detection_m2,
            self.observation_m2,
            self.recognition_m2,
            self.identification_m2,
        ]
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CameraSummary {
    pub name: String,
    pub areas: ClassAreas,
    /// Within the area of interest, when there is one.
    pub aoi_areas: Option<ClassAreas>,
    /// Share (0–1) of each privacy mask the camera sees, by mask name.
    pub privacy: Vec<(String, f64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoverageSummary {
    pub cell_m: f64,
    pub target_height_m: f32,
    /// Ground area where a person can stand (cells not inside structures), m².
    pub ground_m2: f64,
    pub cameras: Vec<CameraSummary>,
    /// Best class over all cameras.
    pub all: ClassAreas,
    /// Seen at Detection or better by two cameras or more, m².
    pub overlap_m2: f64,
    pub aoi_m2: Option<f64>,
    pub aoi_all: Option<ClassAreas>,
    /// Ground in the area of interest no camera sees at Detection, m².
    pub aoi_blind_m2: Option<f64>,
}

impl Coverage {
    /// Which cells lie inside the area of interest (all cells without one).
    pub fn aoi_mask(&self, setup: &CoverageSetup) -> Option<Vec<bool>> {
        let aoi = setup.area_of_interest.as_ref()?;
        let area = twincity_model::area::WalkableArea {
            outer: aoi.clone(),
            holes: Vec::new(),
        };
        Some(
            (0..self.grid.len())
                .map(|i| area.contains(self.grid.centre(i % self.grid.cols, i / self.grid.cols)))
                .collect(),
        )
    }

    pub fn summary(&self, setup: &CoverageSetup) -> CoverageSummary {
        let ca = self.grid.cell_area();
        let aoi = self.aoi_mask(setup);
        let in_aoi = |i: usize| aoi.as_ref().is_none_or(|m| m[i]);
        let ground_cells = |f: &dyn Fn(usize) -> bool| {
            self.ground
                .iter()
                .enumerate()
                .filter(|(i, g)| !g.is_nan() && f(*i))
                .count() as f64
                * ca
        };
        let cameras = self
            .cameras
            .iter()
            .map(|c| CameraSummary {
                name: c.name.clone(),
                areas: ClassAreas::of(&c.ppm, |_| true, ca),
                aoi_areas: aoi.as_ref().map(|_| ClassAreas::of(&c.ppm, in_aoi, ca)),
                privacy: setup
                    .privacy_masks
                    .iter()
                    .zip(&c.mask_seen)
                    .map(|(m, s)| (m.name.clone(), *s))
                    .collect(),
            })
            .collect();
        let blind = aoi
            .as_ref()
            .map(|_| ground_cells(&|i| in_aoi(i) && self.best[i] < CLASSES[0].1));
        CoverageSummary {
            cell_m: self.grid.cell,
            target_height_m: self.target_height,
            ground_m2: ground_cells(&|_| true),
            cameras,
            all: ClassAreas::of(&self.best, |_| true, ca),
            overlap_m2: self.seen_by.iter().filter(|&&n| n >= 2).count() as f64 * ca,
            aoi_m2: aoi.as_ref().map(|_| ground_cells(&in_aoi)),
            aoi_all: aoi.as_ref().map(|_| ClassAreas::of(&self.best, in_aoi, ca)),
            aoi_blind_m2: blind,
        }
    }

    /// Polygons (plan coordinates) of the cells at or above each class's density, for `ppm`
    /// (one camera's or [`Coverage::best`]), in the order of [`CLASSES`].
    pub fn class_polygons(&self, ppm: &[f32]) -> Vec<geo::MultiPolygon<f64>> {
        let g = &self.grid;
        // Cell values at the cell centres; contour's grid points are the centres.
        let values: Vec<f64> = ppm.iter().map(|&v| v as f64).collect();
        let builder = contour::ContourBuilder::new(g.cols, g.rows, false)
            .x_origin(g.min.x + g.cell * 0.5)
            .y_origin(g.min.y + g.cell * 0.5)
            .x_step(g.cell)
            .y_step(g.cell);
        let thresholds: Vec<f64> = CLASSES.iter().map(|(_, t)| *t as f64).collect();
        match builder.contours(&values, &thresholds) {
            Ok(contours) => contours.into_iter().map(|c| c.into_inner().0).collect(),
            Err(_) => vec![geo::MultiPolygon(Vec::new()); CLASSES.len()],
        }
    }
}

/// A named piece of an imported file, as clicking the city reveals it.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenePart {
    /// The file's name.
    pub source: String,
    /// Node name (else mesh name, else `mesh N`).
    pub name: String,
    pub material: Option<String>,
    /// Index of the node in the file.
    pub node: usize,
    /// The node's (else the mesh's) `extras`, JSON text: the twin's feature metadata.
    pub extras: Option<String>,
    pub triangles: usize,
    /// Bounds in the scene's world coordinates.
    pub min: Vec3,
    pub max: Vec3,
}

/// The scene's triangles with, for those from imported files, the part they belong to.
#[derive(Clone, Debug, Default)]
pub struct SceneModel {
    pub triangles: Vec<[Vec3; 3]>,
    /// Per triangle: index into `parts`, or `u32::MAX` (the demo district).
    pub part_of: Vec<u32>,
    pub parts: Vec<ScenePart>,
    /// What was skipped while reading the files.
    pub notes: Vec<String>,
}

/// The triangles of a project's scene, in its world coordinates: the demo district's
/// buildings and ground slabs (street furniture and trees are left out: they hide little of a
/// person), and every imported file moved by minus the project's origin, part by part.
pub fn scene_model(project: &twincity_model::Project) -> Result<SceneModel, String> {
    let mut m = SceneModel::default();
    if project.demo_city {
        let city = crate::demo_city::demo_district();
        for b in &city.buildings {
            let bb = b.aabb();
            m.triangles.extend(box_triangles(bb.min, bb.max));
        }
        for s in &city.surfaces {
            let a = twincity_model::geometry::world_from_plan(s.rect.min, s.top);
            let b = twincity_model::geometry::world_from_plan(s.rect.max, s.top);
            let (lo, hi) = (a.min(b), a.max(b));
            let c = [
                Vec3::new(lo.x, s.top, lo.z),
                Vec3::new(hi.x, s.top, lo.z),
                Vec3::new(hi.x, s.top, hi.z),
                Vec3::new(lo.x, s.top, hi.z),
            ];
            m.triangles.push([c[0], c[1], c[2]]);
            m.triangles.push([c[0], c[2], c[3]]);
        }
        m.part_of.resize(m.triangles.len(), u32::MAX);
    }
    let place = project.origin.as_ref().map_or(
        glam::DAffine3::IDENTITY,
        twincity_model::project::GeoOrigin::scene_from_file,
    );
    for import in &project.imports {
        let soup = twincity_gltf::mesh::load_triangles(&import.path, import.z_up)
            .map_err(|e| e.to_string())?;
        let source = import.path.file_name().map_or_else(
            || import.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        m.notes
            .extend(soup.skipped.iter().map(|n| format!("{source}: {n}")));
        for part in soup.parts {
            if part.triangles.is_empty() {
                continue;
            }
            let tris: Vec<[Vec3; 3]> = part
                .triangles
                .iter()
                .map(|t| t.map(|v| place.transform_point3(v).as_vec3()))
                .collect();
            let (min, max) = tris.iter().flatten().fold(
                (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY)),
                |(lo, hi), v| (lo.min(*v), hi.max(*v)),
            );
            let index = m.parts.len() as u32;
            m.part_of.extend(std::iter::repeat_n(index, tris.len()));
            m.parts.push(ScenePart {
                source: source.clone(),
                name: part.name,
                material: part.material,
                node: part.node,
                extras: part.extras,
                triangles: tris.len(),
                min,
                max,
            });
            m.triangles.extend(tris);
        }
    }
    Ok(m)
}

/// [`scene_model`]'s triangles and notes.
pub fn scene_triangles(
    project: &twincity_model::Project,
) -> Result<(Vec<[Vec3; 3]>, Vec<String>), String> {
    scene_model(project).map(|m| (m.triangles, m.notes))
}

/// The 12 triangles of an axis-aligned box.
pub fn box_triangles(lo: Vec3, hi: Vec3) -> Vec<[Vec3; 3]> {
    let c = |i: usize| {
        Vec3::new(
            if i & 1 == 0 { lo.x } else { hi.x },
            if i & 2 == 0 { lo.y } else { hi.y },
            if i & 4 == 0 { lo.z } else { hi.z },
        )
    };
    corner_box_triangles(&std::array::from_fn(c)).to_vec()
}

/// The 12 triangles of a box (any orientation) given by its 8 corners, corner `i` being at
/// the low or high end of the box's first, second and third edge direction by bits 0, 1
/// and 2 of `i`.
pub fn corner_box_triangles(c: &[Vec3; 8]) -> [[Vec3; 3]; 12] {
    const FACES: [[usize; 4]; 6] = [
        [0, 1, 3, 2],
        [4, 6, 7, 5],
        [0, 4, 5, 1],
        [2, 3, 7, 6],
        [0, 2, 6, 4],
        [1, 5, 7, 3],
    ];
    let mut out = [[Vec3::ZERO; 3]; 12];
    for (k, f) in FACES.iter().enumerate() {
        out[2 * k] = [c[f[0]], c[f[1]], c[f[2]]];
        out[2 * k + 1] = [c[f[0]], c[f[2]], c[f[3]]];
    }
    out
}

/// The coverage benchmark's scene: a 500 m × 500 m district of 10 × 10 blocks (40 m blocks,
/// 10 m streets), each with four buildings 6–40 m high (seeded), on a ground plane; and
/// `cameras` cameras at street corners, 6 m up, looking along the streets with the four CCTV
/// lens presets in turn.
pub fn bench_scene(cameras: usize) -> (Vec<[Vec3; 3]>, Vec<VirtualCamera>) {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(62676);
    let mut tris = vec![
        [
            Vec3::new(-250.0, 0.0, 250.0),
            Vec3::new(250.0, 0.0, 250.0),
            Vec3::new(250.0, 0.0, -250.0),
        ],
        [
            Vec3::new(-250.0, 0.0, 250.0),
            Vec3::new(250.0, 0.0, -250.0),
            Vec3::new(-250.0, 0.0, -250.0),
        ],
    ];
    for bx in 0..10 {
        for by in 0..10 {
            let (x0, z0) = (-245.0 + bx as f32 * 50.0, -245.0 + by as f32 * 50.0);
            for (dx, dz) in [(0.0, 0.0), (21.0, 0.0), (0.0, 21.0), (21.0, 21.0)] {
                let h = rng.random_range(6.0..40.0);
                let lo = Vec3::new(x0 + dx, 0.0, z0 + dz);
                tris.extend(box_triangles(lo, lo + Vec3::new(19.0, h, 19.0)));
            }
        }
    }
    let presets = twincity_model::camera::LensPreset::ALL;
    let cams = (0..cameras)
        .map(|i| {
            // Street corners between blocks, spread over the district.
            let (cx, cz) = ((i * 7) % 9, (i * 4) % 9);
            let x = -200.0 + cx as f32 * 50.0;
            let z = -200.0 + cz as f32 * 50.0;
            let mut cam = VirtualCamera::new(
                twincity_model::camera::CameraId(i as u32 + 1),
                format!("Bench {}", i + 1),
                Vec3::new(x, 6.0, z),
                (i % 4) as f32 * 90.0,
            );
            cam.lens = presets[i % presets.len()].lens();
            cam.tilt_deg = 12.0;
            cam
        })
        .collect();
    (tris, cams)
}

#[cfg(test)]
mod tests {
    use super::*;
    use twincity_model::camera::CameraId;

    fn quad(lo: Vec3, hi: Vec3) -> Vec<[Vec3; 3]> {
        // An axis-aligned rectangle, flat on the axis where lo == hi.
        let (a, b, c, d) = if lo.y == hi.y {
            (
                lo,
                Vec3::new(hi.x, lo.y, lo.z),
                hi,
                Vec3::new(lo.x, lo.y, hi.z),
            )
        } else if lo.z == hi.z {
            (
                lo,
                Vec3::new(hi.x, lo.y, lo.z),
                hi,
                Vec3::new(lo.x, hi.y, lo.z),
            )
        } else {
            (
                lo,
                Vec3::new(lo.x, hi.y, lo.z),
                hi,
                Vec3::new(lo.x, lo.y, hi.z),
            )
        };
        vec![[a, b, c], [a, c, d]]
    }

    /// A 100 m × 100 m ground, a camera 6 m up on its south edge looking north, and a wall
    /// 20 m north of it, 10 m wide and 8 m tall.
    fn scene() -> (Occluders, VirtualCamera) {
        let mut tris = quad(Vec3::new(-50.0, 0.0, -100.0), Vec3::new(50.0, 0.0, 0.0));
        tris.extend(quad(
            Vec3::new(-5.0, 0.0, -20.0),
            Vec3::new(5.0, 8.0, -20.0),
        ));
        let mut cam = VirtualCamera::new(CameraId(1), "South", Vec3::new(0.0, 6.0, -0.5), 0.0);
        cam.tilt_deg = 10.0;
        (Occluders::new(&tris), cam)
    }

    #[test]
    fn density_follows_the_lens_and_the_wall_casts_a_blind_spot() {
        let (occ, cam) = scene();
        let setup = CoverageSetup::default();
        let grid = grid_for(&occ, std::slice::from_ref(&cam), 1.0);
        let cov = compute(&occ, std::slice::from_ref(&cam), grid, &setup, 2);
        let at = |x: f64, north: f64| {
            let g = &cov.grid;
            let c = ((x - g.min.x) / g.cell) as usize;
            let r = ((north - g.min.y) / g.cell) as usize;
            cov.best[r * g.cols + c]
        };
        // 10.5 m north, 4 m east of the axis: in view, in front of the wall. Expected density
        // from the lens formula at the depth along the axis.
        let target = Vec3::new(4.5, 1.6, -10.5);
        let depth = (target - cam.position).dot(cam.forward());
        let expected = cam.lens.pixels_per_metre(1920, depth);
        assert!(
            (at(4.5, 10.5) - expected).abs() < 1e-3,
            "{} vs {expected}",
            at(4.5, 10.5)
        );
        // 8 m east at the same distance: outside the 70 degree field of view.
        assert_eq!(at(8.5, 10.5), 0.0);
        // Straight behind the wall (30 m north, on the axis): hidden. Beside it: seen.
        assert_eq!(at(0.5, 30.5), 0.0);
        assert!(at(12.5, 30.5) > 25.0, "{}", at(12.5, 30.5));
        // Behind the camera: nothing.
        assert_eq!(at(0.5, -0.0 + 0.2), 0.0);
        // Farther than the Detection reach: nothing.
        let reach = DoriClass::max_distance(&cam.lens, 1920, 25.0) as f64;
        assert!(reach < 95.0);
        assert_eq!(at(0.5, reach + 3.0), 0.0);
        // Same result on one thread.
        let grid = grid_for(&occ, std::slice::from_ref(&cam), 1.0);
        let one = compute(&occ, std::slice::from_ref(&cam), grid, &setup, 1);
        assert_eq!(one.best, cov.best);
    }

    #[test]
    fn summary_areas_overlap_and_area_of_interest() {
        let (occ, cam) = scene();
        let mut other = cam.clone();
        other.name = "West".into();
        other.position = Vec3::new(-40.0, 6.0, -30.0);
        other.pan_deg = 90.0;
        let setup = CoverageSetup {
            area_of_interest: Some(vec![(-10.0, 5.0), (10.0, 5.0), (10.0, 15.0), (-10.0, 15.0)]),
            ..CoverageSetup::default()
        };
        let cams = [cam, other];
        let grid = grid_for(&occ, &cams, 0.5);
        let cov = compute(&occ, &cams, grid, &setup, 2);
        let s = cov.summary(&setup);
        // Class areas are nested; the union is at least each camera's.
        let all = s.all.as_array();
        assert!(all.windows(2).all(|w| w[0] >= w[1]), "{all:?}");
        for c in &s.cameras {
            assert!(c.areas.detection_m2 <= s.all.detection_m2 + 1e-9);
        }
        // Overlap: at most the smaller camera's area, and > 0 here (their views cross).
        let smaller = s
            .cameras
            .iter()
            .map(|c| c.areas.detection_m2)
            .fold(f64::MAX, f64::min);
        assert!(
            s.overlap_m2 > 0.0 && s.overlap_m2 <= smaller,
            "{}",
            s.overlap_m2
        );
        // The 20 m × 10 m area of interest, fully in front of the south camera.
        assert!((s.aoi_m2.unwrap() - 200.0).abs() < 1e-6);
        let aoi = s.aoi_all.as_ref().unwrap();
        assert!(aoi.detection_m2 + s.aoi_blind_m2.unwrap() - 200.0 < 1e-6);
        assert!(aoi.detection_m2 > 150.0, "{aoi:?}");
        // Class polygons: the Detection polygon's area matches the cell count within the
        // cells cut along its outline.
        let polys = cov.class_polygons(&cov.best);
        use geo::Area;
        let poly_area = polys[0].unsigned_area();
        let perimeter_cells = (s.all.detection_m2.sqrt() * 8.0) * 0.5;
        assert!(
            (poly_area - s.all.detection_m2).abs() < perimeter_cells,
            "{poly_area} vs {}",
            s.all.detection_m2
        );
    }

    #[test]
    fn pixel_rays_invert_the_projection_and_masks_black_out_their_pixels() {
        let (_, cam) = scene();
        for (x, y) in [(100.0, 200.0), (960.0, 540.0), (1800.0, 50.0)] {
            let p = cam.position + pixel_ray(&cam, x, y) * 37.0;
            let back = cam.project(p).unwrap();
            assert!(
                (back.x - x).abs() < 0.05 && (back.y - y).abs() < 0.05,
                "{back}"
            );
        }
        // A 2 m box 20 m ahead on the axis, in a 192 × 108 image: about 2/20 of the focal
        // length in pixels across (fx = 96 / tan 35°).
        let centre = cam.position + cam.forward() * 20.0;
        let mask = PrivacyMask {
            name: "Window".into(),
            min: (centre - 1.0).to_array(),
            max: (centre + 1.0).to_array(),
        };
        let mut img = vec![200u8; 192 * 108 * 4];
        let n = black_out_masks(&mut img, 192, 108, &cam, &[mask]);
        let fx = 96.0 / (cam.lens.horizontal_fov() * 0.5).tan();
        let side = fx * 2.0 / 20.0;
        assert!(
            (n as f32 - side * side).abs() < side * 4.0,
            "{n} vs {}",
            side * side
        );
        let at = |x: usize, y: usize| img[(y * 192 + x) * 4];
        assert_eq!(at(96, 54), 0, "the centre is masked");
        assert_eq!(at(5, 5), 200, "a corner is not");
        assert_eq!(img[(54 * 192 + 96) * 4 + 3], 200, "alpha untouched");
    }

    /// An imported file's nodes become parts; a ray finds which one it hits, moved by the
    /// project's origin.
    #[test]
    fn scene_parts_of_imports_are_found_by_rays() {
        use twincity_gltf::mesh::fixtures::{cuboid, write_glb};
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("two.glb");
        let (a, ai) = cuboid([0.0, 0.0, -10.0], [10.0, 10.0, 0.0]);
        let (b, bi) = cuboid([20.0, 0.0, -10.0], [30.0, 25.0, 0.0]);
        write_glb(
            &file,
            &[
                ("Mairie", [1000.0, 0.0, 0.0], a, ai),
                ("Tour", [1000.0, 0.0, 0.0], b, bi),
            ],
        );
        let mut project = twincity_model::Project::empty("t");
        project.imports.push(twincity_model::project::CityImport {
            path: file,
            z_up: false,
        });
        project.origin = Some(twincity_model::project::GeoOrigin {
            x: 1000.0,
            y: 0.0,
            z: 0.0,
            crs: None,
        });
        let m = scene_model(&project).unwrap();
        assert_eq!(m.parts.len(), 2);
        let index = |name: &str| m.parts.iter().position(|p| p.name == name).unwrap() as u32;
        let tour = &m.parts[index("Tour") as usize];
        assert_eq!((tour.min.x, tour.max.y), (20.0, 25.0));
        let occ = Occluders::with_parts(&m.triangles, &m.part_of);
        // From the south, level with x = 25: the tower; x = 5: the town hall.
        let (t, part) = occ
            .ray_hit_part(Vec3::new(25.0, 5.0, 50.0), Vec3::NEG_Z)
            .unwrap();
        assert!(
            (t - 50.0).abs() < 1e-4 && part == Some(index("Tour")),
            "{t} {part:?}"
        );
        assert_eq!(
            occ.ray_hit_part(Vec3::new(5.0, 5.0, 50.0), Vec3::NEG_Z)
                .unwrap()
                .1,
            Some(index("Mairie"))
        );
        assert!(
            occ.ray_hit_part(Vec3::new(15.0, 5.0, 50.0), Vec3::NEG_Z)
                .is_none()
        );
    }

    #[test]
    fn ray_hits_give_distance_and_a_normal_facing_back() {
        let (occ, _) = scene();
        // Towards the wall (z = -20) from 10 m in front of it, at 3 m.
        let (t, n) = occ
            .ray_hit(Vec3::new(0.0, 3.0, -10.0), Vec3::NEG_Z)
            .unwrap();
        assert!(
            (t - 10.0).abs() < 1e-4 && n.distance(Vec3::Z) < 1e-5,
            "{t} {n}"
        );
        // From behind the wall the normal faces the other way.
        let (_, n) = occ.ray_hit(Vec3::new(0.0, 3.0, -30.0), Vec3::Z).unwrap();
        assert!(n.distance(Vec3::NEG_Z) < 1e-5);
        // Down onto the ground; up into the sky.
        assert_eq!(occ.below(Vec3::new(20.0, 5.0, -50.0)), Some(0.0));
        assert!(occ.ray_hit(Vec3::new(20.0, 5.0, -50.0), Vec3::Y).is_none());
    }

    #[test]
    fn privacy_masks_seen_share_and_structures_left_out() {
        let (occ, cam) = scene();
        let setup = CoverageSetup {
            privacy_masks: vec![
                // A window on the wall's south face: in full view.
                PrivacyMask {
                    name: "Front window".into(),
                    min: [-1.0, 3.0, -19.95],
                    max: [1.0, 4.0, -19.9],
                },
                // The same window on the north face: hidden by the wall.
                PrivacyMask {
                    name: "Back window".into(),
                    min: [-1.0, 3.0, -20.1],
                    max: [1.0, 4.0, -20.05],
                },
            ],
            ..CoverageSetup::default()
        };
        let grid = grid_for(&occ, std::slice::from_ref(&cam), 1.0);
        let cov = compute(&occ, std::slice::from_ref(&cam), grid, &setup, 1);
        let seen = &cov.cameras[0].mask_seen;
        assert!(seen[0] > 0.6, "{seen:?}");
        assert_eq!(seen[1], 0.0, "{seen:?}");
        // A 10 m tall block on the ground: the cells under its roof are not ground.
        let mut tris = quad(Vec3::new(-50.0, 0.0, -100.0), Vec3::new(50.0, 0.0, 0.0));
        tris.extend(quad(
            Vec3::new(10.0, 10.0, -60.0),
            Vec3::new(20.0, 10.0, -50.0),
        ));
        let occ = Occluders::new(&tris);
        let grid = grid_for(&occ, &[], 1.0);
        let (ground, level) = ground_heights(&occ, &grid);
        assert_eq!(level, 0.0);
        let nan = ground.iter().filter(|g| g.is_nan()).count();
        assert_eq!(nan, 100, "10 x 10 cells under the roof");
    }
}
