//! Walkable areas derived from a city.
//!
//! The rule for the demo district: pedestrians walk on every raised block (sidewalks, the
//! square, courtyards) and on the zebra crossings, never on the carriageway; buildings and the
//! footprints of street furniture are holes. Blocks and crossings are united, then buildings and
//! furniture subtracted (polygon boolean operations from `geo`).

use geo::{BooleanOps, Coord, LineString, MultiPolygon, Polygon};

use super::area::WalkableArea;
use crate::demo_city::{CityLayout, SurfaceKind};
use crate::geometry::Rect2;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_city::demo_district;
    use glam::DVec2;

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
