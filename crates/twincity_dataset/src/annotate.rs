//! Ground truth in a camera's image: for every drawn figure (person, dumped object, vehicle),
//! the pixels where it is seen, from an instance-id pass — one ray per pixel through the
//! figure's projected box, against the city and every figure, with the same triangles the
//! renderer draws ([`twincity_scenario::figures`]) — giving the visible-part box, the full (amodal) box,
//! the visibility ratio, the instance mask, and for people the head point with an occlusion
//! flag.

use glam::Vec3;
use serde::{Deserialize, Serialize};

use twincity_model::VirtualCamera;
use twincity_scenario::figures::{Figure, FigureKind};
use twincity_scene::coverage::{Occluders, pixel_ray};

/// A box in pixels: left, top, width, height (COCO's `bbox`).
pub type PixelBox = [u32; 4];

/// One figure as a camera sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Annotation {
    pub figure: FigureKind,
    /// Box of every pixel where the figure would be seen if nothing stood in front.
    pub amodal_box: PixelBox,
    pub amodal_pixels: u32,
    /// Box of the pixels where it is seen; `None` when fully hidden.
    pub visible_box: Option<PixelBox>,
    pub visible_pixels: u32,
    /// `visible_pixels / amodal_pixels`.
    pub visibility: f64,
    /// Where the head's centre projects, and whether it is seen.
    pub head: Option<HeadPoint>,
    /// The visible pixels, as `(x, y)`, row by row (the instance mask).
    pub mask: Vec<(u32, u32)>,
    /// Box of what privacy hides (a person's head, a vehicle's plate) when any of the
    /// figure is seen; `None` otherwise.
    pub private_box: Option<PixelBox>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeadPoint {
    pub x: f32,
    pub y: f32,
    pub visible: bool,
}

/// Rays per pixel side: 1 samples each pixel's centre.
const EPS: f32 = 1e-3;

/// Pixel box of the projection of `triangles` seen by `camera`, clipped to the image and to a
/// plane 5 cm in front of the lens (the parts behind it are not seen); `None` when nothing of
/// it is in front of the camera or inside the image.
fn projected_box(camera: &VirtualCamera, triangles: &[[Vec3; 3]]) -> Option<PixelBox> {
    const NEAR: f32 = 0.05;
    let (w, h) = (camera.resolution.0 as f32, camera.resolution.1 as f32);
    let forward = camera.forward();
    let depth = |p: Vec3| (p - camera.position).dot(forward);
    let mut lo = glam::Vec2::splat(f32::INFINITY);
    let mut hi = glam::Vec2::splat(f32::NEG_INFINITY);
    let mut add = |p: Vec3| {
        if let Some(q) = camera.project(p) {
            lo = lo.min(q);
            hi = hi.max(q);
        }
    };
    for tri in triangles {
        for k in 0..3 {
            let (a, b) = (tri[k], tri[(k + 1) % 3]);
            let (da, db) = (depth(a), depth(b));
            if da >= NEAR {
                add(a);
            }
            // An edge crossing the near plane contributes the point where it crosses.
            if (da >= NEAR) != (db >= NEAR) {
                add(a + (b - a) * ((NEAR - da) / (db - da)));
            }
        }
    }
    if !lo.is_finite() {
        return None;
    }
    let x0 = lo.x.floor().max(0.0);
    let y0 = lo.y.floor().max(0.0);
    let x1 = hi.x.ceil().min(w);
    let y1 = hi.y.ceil().min(h);
    (x1 > x0 && y1 > y0).then_some([x0 as u32, y0 as u32, (x1 - x0) as u32, (y1 - y0) as u32])
}

fn ray_triangle(origin: Vec3, dir: Vec3, tri: &[Vec3; 3]) -> Option<f32> {
    // Möller–Trumbore, both faces.
    let e1 = tri[1] - tri[0];
    let e2 = tri[2] - tri[0];
    let p = dir.cross(e2);
    let det = e1.dot(p);
    if det.abs() < 1e-12 {
        return None;
    }
    let inv = 1.0 / det;
    let s = origin - tri[0];
    let u = s.dot(p) * inv;
    if !(0.0..=1.0).contains(&u) {
        return None;
    }
    let q = s.cross(e1);
    let v = dir.dot(q) * inv;
    if v < 0.0 || u + v > 1.0 {
        return None;
    }
    let t = e2.dot(q) * inv;
    (t > EPS).then_some(t)
}

fn nearest_on(figure: &Figure, origin: Vec3, dir: Vec3) -> Option<f32> {
    figure
        .triangles
        .iter()
        .filter_map(|t| ray_triangle(origin, dir, t))
        .min_by(f32::total_cmp)
}

/// The scene a camera looks at for annotation: the city's triangles (static) and the figures.
pub struct IdScene<'a> {
    pub city: &'a Occluders,
    pub figures: &'a [Figure],
    /// All figures' triangles in one BVH, each tagged with its figure's index.
    all: Occluders,
}

impl<'a> IdScene<'a> {
    pub fn new(city: &'a Occluders, figures: &'a [Figure]) -> Self {
        let mut tris = Vec::new();
        let mut part_of = Vec::new();
        for (i, f) in figures.iter().enumerate() {
            tris.extend_from_slice(&f.triangles);
            part_of.extend(std::iter::repeat_n(i as u32, f.triangles.len()));
        }
        Self {
            city,
            figures,
            all: Occluders::with_parts(&tris, &part_of),
        }
    }

    /// What a ray meets first: the figure's index, or `None` for the city or the sky.
    pub fn first_figure(&self, origin: Vec3, dir: Vec3) -> Option<usize> {
        let figure = self.all.ray_hit_part(origin, dir);
        let city = self.city.ray_hit(origin, dir).map(|(t, _)| t);
        match (figure, city) {
            (Some((tf, Some(i))), Some(tc)) if tf < tc => Some(i as usize),
            (Some((_, Some(i))), None) => Some(i as usize),
            _ => None,
        }
    }

    /// Distance along the optical axis to the first surface (city or figure) for every pixel
    /// of `camera`'s image, row by row, metres; `+inf` where a ray meets nothing (sky).
    pub fn depth(&self, camera: &VirtualCamera) -> Vec<f32> {
        let (w, h) = camera.resolution;
        let forward = camera.forward();
        let mut out = Vec::with_capacity(w as usize * h as usize);
        for y in 0..h {
            for x in 0..w {
                let dir = pixel_ray(camera, x as f32 + 0.5, y as f32 + 0.5);
                let city = self.city.ray_hit(camera.position, dir).map(|(t, _)| t);
                let figure = self.all.ray_hit_part(camera.position, dir).map(|(t, _)| t);
                let t = match (city, figure) {
                    (Some(a), Some(b)) => a.min(b),
                    (Some(a), None) | (None, Some(a)) => a,
                    (None, None) => f32::INFINITY,
                };
                out.push(t * dir.dot(forward));
            }
        }
        out
    }

    /// Every figure `camera` could see, with its boxes, mask and head. Figures outside the
    /// image, or whose every pixel falls between pixel centres, are left out.
    pub fn annotate(&self, camera: &VirtualCamera) -> Vec<Annotation> {
        let origin = camera.position;
        let mut out = Vec::new();
        for (i, f) in self.figures.iter().enumerate() {
            let Some([bx, by, bw, bh]) = projected_box(camera, &f.triangles) else {
                continue;
            };
            let mut amodal = Bounds::default();
            let mut visible = Bounds::default();
            let mut mask = Vec::new();
            for y in by..by + bh {
                for x in bx..bx + bw {
                    let dir = pixel_ray(camera, x as f32 + 0.5, y as f32 + 0.5);
                    if nearest_on(f, origin, dir).is_none() {
                        continue;
                    }
                    amodal.add(x, y);
                    if self.first_figure(origin, dir) == Some(i) {
                        visible.add(x, y);
                        mask.push((x, y));
                    }
                }
            }
            let Some(amodal_box) = amodal.pixel_box() else {
                continue;
            };
            let head = f.head.and_then(|h| {
                let q = camera.project(h)?;
                let (w, hgt) = (camera.resolution.0 as f32, camera.resolution.1 as f32);
                if !(0.0..w).contains(&q.x) || !(0.0..hgt).contains(&q.y) {
                    return None;
                }
                let dir = (h - origin).normalize();
                Some(HeadPoint {
                    x: q.x,
                    y: q.y,
                    visible: self.first_figure(origin, dir) == Some(i),
                })
            });
            let private_box = (visible.count > 0 && !f.private.is_empty())
                .then(|| private_region(camera, f))
                .flatten();
            out.push(Annotation {
                private_box,
                figure: f.kind,
                amodal_box,
                amodal_pixels: amodal.count,
                visible_box: visible.pixel_box(),
                visible_pixels: visible.count,
                visibility: visible.count as f64 / amodal.count.max(1) as f64,
                head,
                mask,
            });
        }
        out
    }
}

/// Instance ids of the renderer's id pass: 0 for everything that is not a figure (city,
/// furniture, imported meshes) and for the sky; a figure's id holds its kind in bits 20–21
/// and its index below. Ids stay under 2²² so that the two 11-bit halves the id pass writes
/// are exact in half-precision floats.
pub fn instance_id(kind: FigureKind) -> u32 {
    let (code, index) = match kind {
        FigureKind::Person(i) => (1, i),
        FigureKind::Object(i) => (2, i),
        FigureKind::Vehicle(i) => (3, i),
    };
    (code << 20) | (index as u32 & ID_INDEX_MASK)
}

/// The figure an instance id names (the inverse of [`instance_id`]).
pub fn figure_of_id(id: u32) -> Option<FigureKind> {
    let index = (id & ID_INDEX_MASK) as usize;
    match id >> 20 {
        1 => Some(FigureKind::Person(index)),
        2 => Some(FigureKind::Object(index)),
        3 => Some(FigureKind::Vehicle(index)),
        _ => None,
    }
}

const ID_INDEX_MASK: u32 = (1 << 20) - 1;

/// What the renderer's id pass read back for one camera image: per pixel, row by row, the
/// instance id of the surface drawn there ([`instance_id`], 0 for the city and the sky) and
/// its depth (distance along the optical axis, metres; `+inf` for the sky).
#[derive(Clone, Debug, PartialEq)]
pub struct IdImage {
    pub width: u32,
    pub height: u32,
    pub ids: Vec<u32>,
    pub depth: Vec<f32>,
}

impl IdImage {
    fn at(&self, x: u32, y: u32) -> usize {
        y as usize * self.width as usize + x as usize
    }
}

/// How much nearer than a figure's posed body a surface must be to hide it (metres): the
/// body's boxes are a few centimetres fatter than its mesh, and a foot box may dip into the
/// pavement.
const HIDDEN_MARGIN: f32 = 0.1;

/// Every figure `camera` sees, from the renderer's id pass `ids` of the same frame:
///
/// - the mask, visible box, visible pixel count and head visibility are the id image's own
///   pixels (exact: the geometry, skinning and level of detail the colour image drew, and
///   every occluder it drew — trees, furniture, imported meshes);
/// - the amodal extent is the posed body's boxes (`figures`, [`twincity_scenario::figures`]) rasterised
///   at pixel centres: a pixel of that silhouette is *hidden* when the id image shows another
///   surface there more than [`HIDDEN_MARGIN`] nearer than the boxes, and is left out when
///   the surface is farther (the ray passes beside the real body, inside its box). The
///   amodal box spans the visible pixels and the hidden ones; `visibility` is
///   `visible / (visible + hidden)`.
///
/// Figures with no visible and no hidden pixel are left out.
pub fn annotate_rendered(
    camera: &VirtualCamera,
    figures: &[Figure],
    ids: &IdImage,
) -> Vec<Annotation> {
    let (w, h) = camera.resolution;
    assert_eq!((ids.width, ids.height), (w, h), "id image of another size");
    // The visible pixels of every figure, in one pass over the image.
    let index_of: std::collections::HashMap<u32, usize> = figures
        .iter()
        .enumerate()
        .map(|(i, f)| (instance_id(f.kind), i))
        .collect();
    let mut masks: Vec<Vec<(u32, u32)>> = vec![Vec::new(); figures.len()];
    for y in 0..h {
        for x in 0..w {
            let id = ids.ids[ids.at(x, y)];
            if id != 0
                && let Some(&i) = index_of.get(&id)
            {
                masks[i].push((x, y));
            }
        }
    }
    let mut out = Vec::new();
    for (i, f) in figures.iter().enumerate() {
        let id = instance_id(f.kind);
        let mask = std::mem::take(&mut masks[i]);
        let mut visible = Bounds::default();
        for &(x, y) in &mask {
            visible.add(x, y);
        }
        let mut amodal = Bounds::default();
        for &(x, y) in &mask {
            amodal.add(x, y);
        }
        let mut hidden = 0u32;
        for (x, y, body_depth) in silhouette(camera, &f.triangles) {
            let k = ids.at(x, y);
            if ids.ids[k] != id && ids.depth[k] < body_depth - HIDDEN_MARGIN {
                hidden += 1;
                amodal.add(x, y);
            }
        }
        let Some(amodal_box) = amodal.pixel_box() else {
            continue;
        };
        let head = f.head.and_then(|c| {
            let q = camera.project(c)?;
            if !(0.0..w as f32).contains(&q.x) || !(0.0..h as f32).contains(&q.y) {
                return None;
            }
            let (x, y) = (q.x as u32, q.y as u32);
            Some(HeadPoint {
                x: q.x,
                y: q.y,
                visible: ids.ids[ids.at(x, y)] == id,
            })
        });
        let private_box = (visible.count > 0 && !f.private.is_empty())
            .then(|| private_region(camera, f))
            .flatten();
        out.push(Annotation {
            figure: f.kind,
            amodal_box,
            amodal_pixels: visible.count + hidden,
            visible_box: visible.pixel_box(),
            visible_pixels: visible.count,
            visibility: visible.count as f64 / (visible.count + hidden).max(1) as f64,
            head,
            mask,
            private_box,
        });
    }
    out
}

/// The box of what privacy hides: a person's head box (from its corners), a vehicle's plate
/// that faces the camera (its plates are quads, counter-clockwise seen from outside; a plate
/// seen from behind or edge-on is not in the picture).
fn private_region(camera: &VirtualCamera, f: &Figure) -> Option<PixelBox> {
    let fan = |corners: &[Vec3]| -> Vec<[Vec3; 3]> {
        (1..corners.len().saturating_sub(1))
            .map(|k| [corners[0], corners[k], corners[k + 1]])
            .collect()
    };
    match f.kind {
        FigureKind::Vehicle(_) => {
            let facing: Vec<[Vec3; 3]> = f
                .private
                .chunks_exact(4)
                .filter(|q| {
                    let normal = (q[1] - q[0]).cross(q[2] - q[0]);
                    normal.dot(camera.position - q[0]) > 0.0
                })
                .flat_map(fan)
                .collect();
            projected_box(camera, &facing)
        }
        _ => projected_box(camera, &fan(&f.private)),
    }
}

/// The pixels whose centres `triangles` cover in `camera`'s image, each once, with the
/// nearest covering triangle's depth along the optical axis there. Triangles reaching behind
/// a plane 5 cm in front of the lens are clipped to it.
fn silhouette(camera: &VirtualCamera, triangles: &[[Vec3; 3]]) -> Vec<(u32, u32, f32)> {
    const NEAR: f32 = 0.05;
    let Some([bx, by, bw, bh]) = projected_box(camera, triangles) else {
        return Vec::new();
    };
    let mut depth = vec![f32::INFINITY; bw as usize * bh as usize];
    let forward = camera.forward();
    let axis_depth = |p: Vec3| (p - camera.position).dot(forward);
    let mut polygon = Vec::with_capacity(4);
    for tri in triangles {
        // Clip to the near plane (Sutherland–Hodgman against one plane).
        polygon.clear();
        for k in 0..3 {
            let (a, b) = (tri[k], tri[(k + 1) % 3]);
            let (da, db) = (axis_depth(a), axis_depth(b));
            if da >= NEAR {
                polygon.push(a);
            }
            if (da >= NEAR) != (db >= NEAR) {
                polygon.push(a + (b - a) * ((NEAR - da) / (db - da)));
            }
        }
        for k in 1..polygon.len().saturating_sub(1) {
            let corners = [polygon[0], polygon[k], polygon[k + 1]];
            let Some(q) = corners
                .iter()
                .map(|&p| camera.project(p).map(|s| (s, axis_depth(p))))
                .collect::<Option<Vec<_>>>()
            else {
                continue;
            };
            fill_triangle(&q, [bx, by, bw, bh], &mut depth);
        }
    }
    depth
        .iter()
        .enumerate()
        .filter(|(_, d)| d.is_finite())
        .map(|(k, &d)| (bx + k as u32 % bw, by + k as u32 / bw, d))
        .collect()
}

/// Rasterises one projected triangle (corners in pixels with their depths) into `depth`,
/// the window `area` of the image, keeping the nearest depth per pixel centre; depth is
/// interpolated perspective-correctly (1/z is linear on the screen).
fn fill_triangle(q: &[(glam::Vec2, f32)], area: PixelBox, depth: &mut [f32]) {
    let [bx, by, bw, bh] = area;
    let (a, b, c) = (q[0].0, q[1].0, q[2].0);
    let edge = |p: glam::Vec2, s: glam::Vec2, t: glam::Vec2| (t - s).perp_dot(p - s);
    let twice_area = edge(c, a, b);
    if twice_area.abs() < 1e-9 {
        return;
    }
    let lo = a.min(b).min(c);
    let hi = a.max(b).max(c);
    let x0 = ((lo.x - 0.5).ceil().max(bx as f32)) as u32;
    let y0 = ((lo.y - 0.5).ceil().max(by as f32)) as u32;
    let x1 = ((hi.x - 0.5).floor().min((bx + bw) as f32 - 1.0)) as i64;
    let y1 = ((hi.y - 0.5).floor().min((by + bh) as f32 - 1.0)) as i64;
    let inv = [1.0 / q[0].1, 1.0 / q[1].1, 1.0 / q[2].1];
    for y in y0 as i64..=y1 {
        for x in x0 as i64..=x1 {
            let p = glam::Vec2::new(x as f32 + 0.5, y as f32 + 0.5);
            let w0 = edge(p, b, c) / twice_area;
            let w1 = edge(p, c, a) / twice_area;
            let w2 = 1.0 - w0 - w1;
            if w0 < 0.0 || w1 < 0.0 || w2 < 0.0 {
                continue;
            }
            let z = 1.0 / (w0 * inv[0] + w1 * inv[1] + w2 * inv[2]);
            let k = (y as u32 - by) as usize * bw as usize + (x as u32 - bx) as usize;
            if z < depth[k] {
                depth[k] = z;
            }
        }
    }
}

#[derive(Default)]
struct Bounds {
    lo: (u32, u32),
    hi: (u32, u32),
    count: u32,
}

impl Bounds {
    fn add(&mut self, x: u32, y: u32) {
        if self.count == 0 {
            self.lo = (x, y);
            self.hi = (x, y);
        } else {
            self.lo = (self.lo.0.min(x), self.lo.1.min(y));
            self.hi = (self.hi.0.max(x), self.hi.1.max(y));
        }
        self.count += 1;
    }

    fn pixel_box(&self) -> Option<PixelBox> {
        (self.count > 0).then(|| {
            [
                self.lo.0,
                self.lo.1,
                self.hi.0 - self.lo.0 + 1,
                self.hi.1 - self.lo.1 + 1,
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twincity_model::{CameraId, Lens};
    use twincity_scene::coverage::box_triangles;

    /// A camera 1.7 m up at the origin looking north (-Z), 90° wide, 200 × 100 pixels.
    fn camera() -> VirtualCamera {
        let mut c = VirtualCamera::new(CameraId(1), "c", Vec3::new(0.0, 1.7, 0.0), 0.0);
        c.tilt_deg = 0.0;
        c.roll_deg = 0.0;
        c.lens = Lens {
            sensor_width_mm: 5.6,
            sensor_height_mm: 3.15,
            focal_length_mm: 2.8,
        };
        c.resolution = (200, 100);
        c
    }

    /// A 1.75 m box figure facing -Z: two legs, the torso, the head and a nose.
    const BOXES: [([f32; 3], [f32; 3]); 5] = [
        ([-0.17, 0.0, -0.09], [-0.03, 0.85, 0.07]),
        ([0.03, 0.0, -0.09], [0.17, 0.85, 0.07]),
        ([-0.22, 0.85, -0.12], [0.22, 1.45, 0.11]),
        ([-0.10, 1.48, -0.12], [0.10, 1.75, 0.10]),
        ([-0.03, 1.58, -0.16], [0.03, 1.64, -0.12]),
    ];
    const HEAD_CENTRE: [f32; 3] = [0.0, 1.615, -0.01];

    fn person_at(x: f32, z: f32) -> Figure {
        let state_person = BOXES.to_vec();
        let (t, r, s) = (Vec3::new(x, 0.0, z), glam::Quat::IDENTITY, Vec3::ONE);
        Figure {
            kind: FigureKind::Person(0),
            triangles: state_person
                .iter()
                .flat_map(|(lo, hi)| box_triangles(Vec3::from(*lo), Vec3::from(*hi)))
                .map(|tri| tri.map(|p| t + r * (p * s)))
                .collect(),
            head: Some(t + r * (Vec3::from(HEAD_CENTRE) * s)),
            private: Vec::new(),
        }
    }

    #[test]
    fn a_person_in_the_open_is_fully_visible_with_the_expected_box() {
        let city = Occluders::new(&[]);
        let figures = vec![person_at(0.0, -10.0)];
        let scene = IdScene::new(&city, &figures);
        let a = scene.annotate(&camera());
        assert_eq!(a.len(), 1);
        let a = &a[0];
        // Focal length 100 px; 10 m away: the 1.75 m figure spans 17.5 px, its feet 17 px
        // below the centre row (1.7 m down), its top 0.5 px above it.
        let [x, y, w, h] = a.amodal_box;
        assert!((y as i32 - 50).abs() <= 1, "{:?}", a.amodal_box);
        assert!(((y + h) as i32 - 67).abs() <= 1, "{:?}", a.amodal_box);
        // 0.44 m wide torso: 4.4 px around the centre column.
        assert!(
            (x as i32 - 98).abs() <= 1 && (w as i32 - 5).abs() <= 1,
            "{:?}",
            a.amodal_box
        );
        assert_eq!(a.visible_box, Some(a.amodal_box));
        assert_eq!(a.visibility, 1.0);
        assert_eq!(a.mask.len() as u32, a.visible_pixels);
        let head = a.head.unwrap();
        // The head's centre, 1.615 m up: 0.085 m below the eye at 10 m, 0.85 px below centre.
        assert!(
            head.visible && (head.x - 100.0).abs() < 0.5 && (head.y - 50.85).abs() < 0.05,
            "{head:?}"
        );
    }

    #[test]
    fn a_wall_hides_the_legs_and_a_person_in_front_hides_another() {
        // A wall 1 m high, 5 m away, across the view, hides the legs of a person 10 m away
        // below 1.7 - 0.7 * 2 = 0.3 m; the head is seen.
        let wall = box_triangles(Vec3::new(-5.0, 0.0, -5.1), Vec3::new(5.0, 1.0, -5.0));
        let city = Occluders::new(&wall);
        let figures = vec![person_at(0.0, -10.0)];
        let scene = IdScene::new(&city, &figures);
        let a = &scene.annotate(&camera())[0];
        // The wall's top at 5 m projects 14 px below the centre row; the rays through it meet
        // the figure 10 m away at 1.7 - 0.7 * 2 = 0.3 m: below that, hidden.
        let [_, vy, _, vh] = a.visible_box.unwrap();
        assert!(
            ((vy + vh) as i32 - 64).abs() <= 1,
            "{:?} vs {:?}",
            a.visible_box,
            a.amodal_box
        );
        assert!(
            a.visibility > 0.75 && a.visibility < 0.95,
            "{}",
            a.visibility
        );
        assert!(a.head.unwrap().visible);
        // Someone 5 m in front, in line: the one behind is hidden, head and all (a few pixels
        // show between the front one's legs).
        let city = Occluders::new(&[]);
        let figures = vec![person_at(0.0, -10.0), person_at(0.0, -5.0)];
        let scene = IdScene::new(&city, &figures);
        let a = scene.annotate(&camera());
        let behind = a.iter().find(|a| a.amodal_box[3] < 25).unwrap();
        assert!(behind.visibility < 0.15, "{}", behind.visibility);
        assert!(!behind.head.unwrap().visible);
        let front = a.iter().find(|a| a.amodal_box[3] >= 25).unwrap();
        assert_eq!(front.visibility, 1.0);
        // Masks never overlap: every pixel belongs to at most one figure.
        let mut all: Vec<(u32, u32)> = a.iter().flat_map(|a| a.mask.clone()).collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    /// What a renderer's id pass would read back for `figures` over `city`: the first surface
    /// at every pixel centre (ray cast), its figure's id and depth.
    fn id_pass(camera: &VirtualCamera, city: &Occluders, figures: &[Figure]) -> IdImage {
        let scene = IdScene::new(city, figures);
        let (w, h) = camera.resolution;
        let mut ids = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let dir = pixel_ray(camera, x as f32 + 0.5, y as f32 + 0.5);
                ids.push(
                    scene
                        .first_figure(camera.position, dir)
                        .map_or(0, |i| instance_id(figures[i].kind)),
                );
            }
        }
        IdImage {
            width: w,
            height: h,
            ids,
            depth: scene.depth(camera),
        }
    }

    #[test]
    fn instance_ids_round_trip_and_fit_two_half_float_halves() {
        for kind in [
            FigureKind::Person(0),
            FigureKind::Person(5000),
            FigureKind::Object(3),
            FigureKind::Vehicle(77),
        ] {
            let id = instance_id(kind);
            assert_ne!(id, 0);
            assert!(id < 1 << 22, "{id}");
            assert_eq!(figure_of_id(id), Some(kind));
        }
        assert_eq!(figure_of_id(0), None);
    }

    #[test]
    fn labels_from_an_id_pass_agree_with_ray_casting() {
        let wall = box_triangles(Vec3::new(-5.0, 0.0, -5.1), Vec3::new(5.0, 1.0, -5.0));
        let city = Occluders::new(&wall);
        let figures: Vec<Figure> = [(0.0, -10.0), (0.3, -14.0), (-3.0, -8.0)]
            .into_iter()
            .enumerate()
            .map(|(i, (x, z))| Figure {
                kind: FigureKind::Person(i),
                ..person_at(x, z)
            })
            .collect();
        let cam = camera();
        let ids = id_pass(&cam, &city, &figures);
        let rendered = annotate_rendered(&cam, &figures, &ids);
        let cast = IdScene::new(&city, &figures).annotate(&cam);
        assert_eq!(rendered.len(), cast.len());
        for (r, c) in rendered.iter().zip(&cast) {
            assert_eq!(r.figure, c.figure);
            assert_eq!(r.mask, c.mask, "{:?}", r.figure);
            assert_eq!(r.visible_box, c.visible_box);
            assert_eq!(r.head, c.head);
            assert_eq!(r.private_box, c.private_box);
            // Pixel centres on a box's edge may fall either side.
            for k in 0..4 {
                assert!(
                    (r.amodal_box[k] as i64 - c.amodal_box[k] as i64).abs() <= 1,
                    "{:?} vs {:?}",
                    r.amodal_box,
                    c.amodal_box
                );
            }
            assert!(
                (r.visibility - c.visibility).abs() < 0.03,
                "{:?}: {} vs {}",
                r.figure,
                r.visibility,
                c.visibility
            );
        }
        // The one behind the wall and partly behind the first is partly seen.
        assert!(rendered[1].visibility < 0.7, "{}", rendered[1].visibility);
    }

    /// The drawn body is thinner than the boxes the labels are computed from: the pixels of
    /// the boxes where the background shows through are neither visible nor hidden.
    #[test]
    fn a_body_thinner_than_its_boxes_is_still_fully_visible() {
        let city = Occluders::new(&[]);
        let boxes = vec![person_at(0.0, -6.0)];
        let thin = Figure {
            triangles: boxes[0]
                .triangles
                .iter()
                .map(|t| t.map(|p| Vec3::new(p.x * 0.7, p.y, p.z)))
                .collect(),
            ..boxes[0].clone()
        };
        let cam = camera();
        let ids = id_pass(&cam, &city, &[thin]);
        let a = &annotate_rendered(&cam, &boxes, &ids)[0];
        assert_eq!(a.visibility, 1.0);
        assert_eq!(a.visible_box, Some(a.amodal_box));
        // Behind a post that covers its middle, it is partly hidden.
        let post = box_triangles(Vec3::new(-0.02, 0.0, -3.05), Vec3::new(0.02, 3.0, -2.95));
        let city = Occluders::new(&post);
        let thin_alone = [Figure {
            triangles: boxes[0]
                .triangles
                .iter()
                .map(|t| t.map(|p| Vec3::new(p.x * 0.7, p.y, p.z)))
                .collect(),
            ..boxes[0].clone()
        }];
        let ids = id_pass(&cam, &city, &thin_alone);
        let a = &annotate_rendered(&cam, &boxes, &ids)[0];
        assert!(
            a.visibility > 0.3 && a.visibility < 0.95,
            "{}",
            a.visibility
        );
        assert!(!a.head.unwrap().visible);
    }

    #[test]
    fn silhouettes_clip_what_reaches_behind_the_lens() {
        // A person the camera stands inside: only the part in front is rasterised.
        let cam = camera();
        let f = person_at(0.0, 0.02);
        let px = silhouette(&cam, &f.triangles);
        assert!(!px.is_empty());
        assert!(px.iter().all(|&(x, y, d)| x < 200 && y < 100 && d >= 0.05));
    }

    #[test]
    fn figures_behind_the_camera_or_outside_the_image_are_left_out() {
        let city = Occluders::new(&[]);
        let figures = vec![person_at(0.0, 10.0), person_at(60.0, -10.0)];
        let scene = IdScene::new(&city, &figures);
        assert!(scene.annotate(&camera()).is_empty());
    }
}
