//! Walkable areas derived from a city.
//!
//! The rule for the demo district: pedestrians walk on every raised block (sidewalks, the
//! square, courtyards) and on the zebra crossings, never on the carriageway; buildings and the
//! footprints of street furniture are holes. Blocks and crossings are united, then buildings and
//! furniture subtracted (polygon boolean operations from `geo`).
//!
//! The rule for imported meshes ([`walkable_area_of_meshes`]), in this order:
//! 1. if any part is *tagged walkable* (see [`twincity_gltf::mesh::MeshPart::walkable`]), the
//!    ground is the union of its upward-facing triangles;
//! 2. else, if the file has *surface parts* — parts whose near-vertical triangles (walls) make
//!    less than [`WALL_SHARE`] of their area (roads, squares, land use, terrain), and which do
//!    not float more than 1 m above the lowest point of a walled part they overlap in plan (a
//!    roof part, a canopy) — the ground is the union of their upward-facing triangles;
//! 3. else the ground is the plan rectangle around everything, 5 m beyond it;
//!
//! gaps up to 1 m between ground surfaces are closed (a 0.5 m outward then inward offset);
//! then the footprints of every other part (buildings, bridges, trees, furniture, floating
//! surfaces) — the plan projection of its non-vertical triangles — are subtracted.

use geo::algorithm::buffer::{BufferStyle, LineJoin};
use geo::{BooleanOps, Buffer, Coord, LineString, MultiPolygon, Polygon, Simplify};
use glam::DVec3;

use twincity_gltf::mesh::MeshSoup;
use twincity_model::area::WalkableArea;
use twincity_model::geometry::Rect2;
use twincity_scene::demo_city::{CityLayout, SurfaceKind};

/// Parts whose near-vertical triangles make less than this share of their area are ground
/// surfaces; the others are structures.
pub const WALL_SHARE: f64 = 0.25;
/// Gaps up to twice this (metres) between ground surfaces are closed.
pub const CLOSE_GAP_M: f64 = 0.5;

fn rect_polygon(r: &Rect2) -> Polygon<f64> {
    let c = r.corners();
    Polygon::new(
        LineString::from(
            c.iter()
                .map(|p| Coord {
                    x: p.x as f64,
                    y: p.y as f64,
                })
                .collect::<Vec<_>>(),
        ),
        vec![],
    )
}

/// A regular octagon of circumradius `r` around `(x, y)` (a round obstacle).
fn octagon(x: f64, y: f64, r: f64) -> Polygon<f64> {
    let pts: Vec<Coord<f64>> = (0..8)
        .map(|k| {
            let a = std::f64::consts::TAU * (k as f64 + 0.5) / 8.0;
            Coord {
                x: x + r * a.cos(),
                y: y + r * a.sin(),
            }
        })
        .collect();
    Polygon::new(LineString::from(pts), vec![])
}

/// The walkable area of a city layout (see the module documentation for the rule).
/// Returns the largest connected part.
pub fn walkable_area_of(layout: &CityLayout) -> WalkableArea {
    let mut walk = MultiPolygon::new(vec![]);
    for s in &layout.surfaces {
        if matches!(s.kind, SurfaceKind::Sidewalk | SurfaceKind::Square) {
            walk = walk.union(&rect_polygon(&s.rect));
        }
    }
    for c in &layout.crossings {
        walk = walk.union(&rect_polygon(c));
    }
    for b in &layout.buildings {
        walk = walk.difference(&rect_polygon(&b.footprint));
    }
    for f in &layout.furniture {
        let r = f.kind.obstacle_radius() as f64;
        walk = walk.difference(&octagon(f.position.x as f64, f.position.y as f64, r));
    }
    largest_part(walk)
}

/// The largest polygon of `walk` as a walkable area.
fn largest_part(walk: MultiPolygon<f64>) -> WalkableArea {
    let largest = walk
        .0
        .into_iter()
        .max_by(|a, b| {
            use geo::Area;
            a.unsigned_area().total_cmp(&b.unsigned_area())
        })
        .unwrap_or_else(|| Polygon::new(LineString::new(vec![]), vec![]));
    let ring = |ls: &LineString<f64>| -> Vec<(f64, f64)> {
        let mut pts: Vec<(f64, f64)> = ls.coords().map(|c| (c.x, c.y)).collect();
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        pts
    };
    WalkableArea {
        outer: ring(largest.exterior()),
        holes: largest.interiors().iter().map(ring).collect(),
    }
}

/// How an imported city's walkable area was derived.
#[derive(Clone, Debug, PartialEq)]
pub struct MeshWalkable {
    pub area: WalkableArea,
    /// Which rule gave the ground: "tagged walkable parts", "surface parts" or "bounding
    /// rectangle".
    pub ground_rule: &'static str,
    pub ground_parts: usize,
    pub structures: usize,
    /// Height of the ground (median of the ground triangles' heights; the lowest point of the
    /// model for the bounding rectangle), metres.
    pub ground_height: f64,
    /// Disconnected walkable pieces left out (only the largest is kept).
    pub pieces_dropped: usize,
}

fn plan_triangle(t: &[DVec3; 3]) -> Polygon<f64> {
    let mut pts: Vec<Coord<f64>> = t.iter().map(|p| Coord { x: p.x, y: -p.z }).collect();
    // Counter-clockwise in plan.
    let cross = (pts[1].x - pts[0].x) * (pts[2].y - pts[0].y)
        - (pts[1].y - pts[0].y) * (pts[2].x - pts[0].x);
    if cross < 0.0 {
        pts.swap(1, 2);
    }
    Polygon::new(LineString::from(pts), vec![])
}

/// Plan area of a triangle, m².
fn plan_area(t: &[DVec3; 3]) -> f64 {
    let (a, b, c) = (t[0], t[1], t[2]);
    ((b.x - a.x) * (-(c.z - a.z)) - (-(b.z - a.z)) * (c.x - a.x)).abs() * 0.5
}

/// Cosine of a triangle's normal with the vertical (1: flat, 0: a wall).
fn upness(t: &[DVec3; 3]) -> f64 {
    let n = (t[1] - t[0]).cross(t[2] - t[0]);
    let len = n.length();
    if len <= 1e-12 { 0.0 } else { n.y / len }
}

fn union_of(triangles: impl Iterator<Item = Polygon<f64>>) -> MultiPolygon<f64> {
    let polys: Vec<Polygon<f64>> = triangles.collect();
    if polys.is_empty() {
        return MultiPolygon::new(vec![]);
    }
    geo::unary_union(&polys)
}

/// The walkable area of an imported city (see the module documentation for the rule).
pub fn walkable_area_of_meshes(soup: &MeshSoup) -> Result<MeshWalkable, String> {
    let is_structure = |p: &twincity_gltf::mesh::MeshPart| {
        let (mut wall, mut total) = (0.0, 0.0);
        for t in &p.triangles {
            let a = (t[1] - t[0]).cross(t[2] - t[0]).length() * 0.5;
            total += a;
            if upness(t).abs() < 0.3 {
                wall += a;
            }
        }
        total > 0.0 && wall >= WALL_SHARE * total
    };
    let parts: Vec<_> = soup
        .parts
        .iter()
        .filter(|p| !p.triangles.is_empty())
        .collect();
    if parts.is_empty() {
        return Err("the file has no triangles to derive a walkable area from".into());
    }
    let tagged: Vec<_> = parts.iter().filter(|p| p.walkable).copied().collect();
    // Plan box and lowest point of each part.
    let reach = |p: &twincity_gltf::mesh::MeshPart| {
        p.triangles.iter().flatten().fold(
            (DVec3::splat(f64::MAX), DVec3::splat(f64::MIN)),
            |(lo, hi), v| (lo.min(*v), hi.max(*v)),
        )
    };
    let walled: Vec<_> = parts
        .iter()
        .filter(|p| !p.walkable && is_structure(p))
        .map(|p| reach(p))
        .collect();
    // A surface is ground unless it floats: its lowest point more than 1 m above the lowest
    // point of a structure whose plan box it overlaps (a roof part, a canopy, a bridge deck).
    let grounded = |p: &twincity_gltf::mesh::MeshPart| {
        let (lo, hi) = reach(p);
        walled
            .iter()
            .filter(|(slo, shi)| slo.x < hi.x && lo.x < shi.x && slo.z < hi.z && lo.z < shi.z)
            .all(|(slo, _)| lo.y <= slo.y + 1.0)
    };
    let surfaces: Vec<_> = parts
        .iter()
        .filter(|p| !p.walkable && !is_structure(p) && grounded(p))
        .copied()
        .collect();
    let (ground_rule, ground) = if !tagged.is_empty() {
        ("tagged walkable parts", tagged)
    } else if !surfaces.is_empty() {
        ("surface parts", surfaces)
    } else {
        ("bounding rectangle", Vec::new())
    };
    let ground_parts = ground.len();
    // Everything that is not ground stands on it: structures, and surfaces that float.
    let structures: Vec<_> = parts
        .iter()
        .filter(|p| !p.walkable && (is_structure(p) || !grounded(p)))
        .copied()
        .collect();
    let mut heights: Vec<f64> = Vec::new();
    let mut walk = if ground.is_empty() {
        let (lo, hi) = parts
            .iter()
            .flat_map(|p| p.triangles.iter().flatten())
            .fold(
                (DVec3::splat(f64::MAX), DVec3::splat(f64::MIN)),
                |(lo, hi), v| (lo.min(*v), hi.max(*v)),
            );
        heights.push(lo.y);
        let r = Rect2::from_corners(
            glam::Vec2::new((lo.x - 5.0) as f32, (-hi.z - 5.0) as f32),
            glam::Vec2::new((hi.x + 5.0) as f32, (-lo.z + 5.0) as f32),
        );
        MultiPolygon::new(vec![rect_polygon(&r)])
    } else {
        let up = ground
            .iter()
            .flat_map(|p| p.triangles.iter())
            .filter(|t| upness(t) > 0.5 && plan_area(t) > 1e-6);
        heights.extend(
            ground
                .iter()
                .flat_map(|p| p.triangles.iter())
                .filter(|t| upness(t) > 0.5)
                .map(|t| (t[0].y + t[1].y + t[2].y) / 3.0),
        );
        // Close gaps narrower than 2 × CLOSE_GAP_M between neighbouring surfaces (adjacent
        // land-use polygons rarely share exact edges in real data).
        let style = |d: f64| BufferStyle::new(d).line_join(LineJoin::Miter(2.0));
        union_of(up.map(plan_triangle))
            .buffer_with_style(style(CLOSE_GAP_M))
            .buffer_with_style(style(-CLOSE_GAP_M))
    };
    if walk.0.is_empty() {
        return Err(format!(
            "the {ground_rule} have no upward-facing surface to walk on"
        ));
    }
    let footprints = union_of(
        structures
            .iter()
            .flat_map(|p| p.triangles.iter())
            .filter(|t| upness(t).abs() > 0.3 && plan_area(t) > 1e-6)
            .map(plan_triangle),
    );
    walk = walk.difference(&footprints);
    // Decimetre noise from triangulations is not worth nodes in the path planner: simplify
    // (Ramer–Douglas–Peucker, 10 cm), then let the boolean engine repair what simplifying
    // may have made cross.
    let walk = {
        let simpler = walk.simplify(0.1).union(&MultiPolygon::<f64>::new(vec![]));
        if geo::Validation::is_valid(&simpler) {
            simpler
        } else {
            walk
        }
    };
    let pieces = walk.0.len();
    let area = largest_part(walk);
    if area.outer.len() < 3 {
        return Err("nothing walkable is left once the structures' footprints are removed".into());
    }
    heights.sort_by(f64::total_cmp);
    let ground_height = heights.get(heights.len() / 2).copied().unwrap_or(0.0);
    Ok(MeshWalkable {
        area,
        ground_rule,
        ground_parts,
        structures: structures.len(),
        ground_height,
        pieces_dropped: pieces.saturating_sub(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::DVec2;
    use twincity_scene::demo_city::demo_district;

    use twincity_gltf::mesh::fixtures::{cuboid, write_glb};
    use twincity_gltf::mesh::load_triangles;

    #[test]
    fn an_imported_city_walks_between_its_buildings() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("block.glb");
        // Two buildings (10 m and 20 m tall) on nothing else: the ground is the rectangle
        // around them, 5 m beyond.
        let (ap, ai) = cuboid([0.0, 0.0, -10.0], [10.0, 10.0, 0.0]);
        let (bp, bi) = cuboid([20.0, 0.0, -10.0], [30.0, 20.0, 0.0]);
        write_glb(
            &file,
            &[
                ("A", [0.0; 3], ap.clone(), ai.clone()),
                ("B", [0.0; 3], bp.clone(), bi.clone()),
            ],
        );
        let w = walkable_area_of_meshes(&load_triangles(&file, false).unwrap()).unwrap();
        assert_eq!(w.ground_rule, "bounding rectangle");
        assert_eq!(w.structures, 2);
        assert!(w.area.check().is_ok(), "{:?}", w.area.check());
        // Plan: A covers x 0..10, north 0..10; B x 20..30. The area is 40 x 20 around them
        // minus 2 x 100 m2.
        assert!(
            (w.area.area() - (40.0 * 20.0 - 200.0)).abs() < 1.0,
            "{}",
            w.area.area()
        );
        assert!(
            w.area.contains(glam::DVec2::new(15.0, 5.0)),
            "the lane between them"
        );
        assert!(!w.area.contains(glam::DVec2::new(5.0, 5.0)), "inside A");
        assert!(!w.area.contains(glam::DVec2::new(25.0, 5.0)), "inside B");

        // Add a flat street 40 m x 4 m south of them: the ground becomes that surface only.
        let street = vec![
            [-5.0, 0.0, 1.0],
            [35.0, 0.0, 1.0],
            [35.0, 0.0, 5.0],
            [-5.0, 0.0, 5.0],
        ];
        let file2 = dir.path().join("street.glb");
        write_glb(
            &file2,
            &[
                ("A", [0.0; 3], ap.clone(), ai.clone()),
                ("Street", [0.0; 3], street.clone(), vec![0, 2, 1, 0, 3, 2]),
            ],
        );
        let w = walkable_area_of_meshes(&load_triangles(&file2, false).unwrap()).unwrap();
        assert_eq!(w.ground_rule, "surface parts");
        assert!((w.area.area() - 160.0).abs() < 0.5, "{}", w.area.area());
        assert!(w.area.contains(glam::DVec2::new(0.0, -3.0)));

        // A part tagged walkable wins over flat parts: here a plaza, with the tower on it cut
        // out.
        let plaza = vec![
            [-20.0, 0.0, 20.0],
            [20.0, 0.0, 20.0],
            [20.0, 0.0, -20.0],
            [-20.0, 0.0, -20.0],
        ];
        let file3 = dir.path().join("plaza.glb");
        write_glb(
            &file3,
            &[
                ("A", [0.0; 3], ap, ai),
                ("Street", [0.0; 3], street, vec![0, 2, 1, 0, 3, 2]),
                (
                    "Plaza (walkable)",
                    [0.0, 2.0, 0.0],
                    plaza,
                    vec![0, 1, 2, 0, 2, 3],
                ),
            ],
        );
        let w = walkable_area_of_meshes(&load_triangles(&file3, false).unwrap()).unwrap();
        assert_eq!(w.ground_rule, "tagged walkable parts");
        assert!(
            (w.area.area() - (1600.0 - 100.0)).abs() < 0.5,
            "{}",
            w.area.area()
        );
        assert!((w.ground_height - 2.0).abs() < 1e-9);
    }

    #[test]
    fn demo_walkable_area_is_one_valid_polygon_of_pavements() {
        let city = demo_district();
        let area = walkable_area_of(&city);
        assert!(area.check().is_ok(), "{:?}", area.check());
        // Every block is connected: the square, a far corner block and the middle of a crossing
        // are all in the one polygon.
        assert!(area.contains(DVec2::new(5.0, -20.0)), "square");
        assert!(area.contains(DVec2::new(-100.0, 100.0)), "north-west block");
        assert!(area.contains(DVec2::new(106.0, -106.0)), "south-east block");
        assert!(
            area.contains(DVec2::new(32.0, 0.5)),
            "crossing east of the square"
        );
        // Carriageways, buildings and the fountain are not walkable.
        assert!(!area.contains(DVec2::new(32.0, 20.0)), "road");
        assert!(!area.contains(DVec2::new(0.0, 55.0)), "Mairie");
        assert!(!area.contains(DVec2::new(0.0, 0.0)), "fountain");
        // Area: 9 blocks minus buildings and furniture plus crossings, between bounds.
        let blocks: f32 = city
            .surfaces
            .iter()
            .filter(|s| matches!(s.kind, SurfaceKind::Sidewalk | SurfaceKind::Square))
            .map(|s| s.rect.area())
            .sum();
        let buildings: f32 = city.buildings.iter().map(|b| b.footprint.area()).sum();
        let a = area.area();
        assert!(
            a < (blocks - buildings) as f64 + 800.0 && a > (blocks - buildings) as f64 - 200.0,
            "{a}"
        );
    }
}
