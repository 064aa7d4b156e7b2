//! Walkable areas: a polygon with holes (obstacles), in metres, plan coordinates.

use geo::{Contains, Coord, LineString, Polygon, Validation};
use glam::DVec2;
use serde::{Deserialize, Serialize};

/// Where pedestrians may walk: an outer ring and holes (obstacles), vertices as `(x, y)` in
/// metres. Rings need not be closed (the last vertex joins the first) and may run either way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkableArea {
    pub outer: Vec<(f64, f64)>,
    #[serde(default)]
    pub holes: Vec<Vec<(f64, f64)>>,
}

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    LineString::from(
        points
            .iter()
            .map(|&(x, y)| Coord { x, y })
            .collect::<Vec<_>>(),
    )
}

fn signed_area(points: &[DVec2]) -> f64 {
    let n = points.len();
    (0..n)
        .map(|i| points[i].perp_dot(points[(i + 1) % n]))
        .sum::<f64>()
        * 0.5
}

/// The farthest a walkable area's corner may lie from the origin, metres: coordinates are
/// local plan metres; projected coordinates (millions of metres) belong to the project's
/// origin, not to every corner.
pub const MAX_COORDINATE_M: f64 = 1.0e6;

/// The most corners a walkable area may have (outer ring and holes together).
pub const MAX_VERTICES: usize = 1_000_000;

impl WalkableArea {
    /// A rectangle from `min` to `max`.
    pub fn rectangle(min: (f64, f64), max: (f64, f64)) -> Self {
        Self {
            outer: vec![min, (max.0, min.1), max, (min.0, max.1)],
            holes: Vec::new(),
        }
    }

    pub fn polygon(&self) -> Polygon<f64> {
        Polygon::new(
            ring(&self.outer),
            self.holes.iter().map(|h| ring(h)).collect(),
        )
    }

    /// Checks the geometry: at least three distinct points per ring, finite coordinates, no
    /// self-intersection, holes inside the outer ring and not crossing each other.
    pub fn check(&self) -> Result<(), String> {
        if self.outer.len() < 3 {
            return Err(format!(
                "the outer ring has {} points; a walkable area needs at least 3",
                self.outer.len()
            ));
        }
        let vertices: usize = self.outer.len() + self.holes.iter().map(Vec::len).sum::<usize>();
        if vertices > MAX_VERTICES {
            return Err(format!(
                "the area has {vertices} corners; at most {MAX_VERTICES} are supported \
                 (simplify the outline, e.g. with a GIS tool's simplify at 0.05 m)"
            ));
        }
        let rings = std::iter::once(("the outer ring".to_string(), &self.outer)).chain(
            self.holes
                .iter()
                .enumerate()
                .map(|(i, h)| (format!("hole {i}"), h)),
        );
        for (name, ring) in rings {
            if let Some((k, p)) = ring.iter().enumerate().find(|(_, p)| {
                !(p.0.is_finite()
                    && p.1.is_finite()
                    && p.0.abs() <= MAX_COORDINATE_M
                    && p.1.abs() <= MAX_COORDINATE_M)
            }) {
                return Err(format!(
                    "{name}, point {k}: ({:?}, {:?}) is not a coordinate in metres within \
                     {MAX_COORDINATE_M} m of the origin; use the project's local frame \
                     (plan metres from its origin)",
                    p.0, p.1
                ));
            }
        }
        const FIX: &str = "fix the polygon so that rings do not cross themselves or each other and holes lie inside the outer ring";
        // The near-linear check decides almost every polygon; rings that only touch (or
        // repeat a corner) go to geo's complete validation, which tests every pair.
        match super::simple::check(&self.oriented_rings()) {
            super::simple::Verdict::Valid => {}
            super::simple::Verdict::Invalid(reason) => return Err(format!("{reason}; {FIX}")),
            super::simple::Verdict::Undecided => {
                self.polygon().check_validation().map_err(|e| {
                    // geo names rings "exterior ring" / "interior ring #N" (0-based).
                    format!("{e}; {FIX}")
                })?;
            }
        }
        if self.area() <= 0.0 {
            return Err("the walkable area is empty".into());
        }
        Ok(())
    }

    /// Rings as points, the outer one counter-clockwise and holes clockwise, so that the
    /// walkable side of every wall is on its left.
    pub fn oriented_rings(&self) -> Vec<Vec<DVec2>> {
        let mut out = Vec::with_capacity(1 + self.holes.len());
        let to_points = |r: &[(f64, f64)]| -> Vec<DVec2> {
            let mut pts: Vec<DVec2> = r.iter().map(|&(x, y)| DVec2::new(x, y)).collect();
            if pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            pts
        };
        let mut outer = to_points(&self.outer);
        if signed_area(&outer) < 0.0 {
            outer.reverse();
        }
        out.push(outer);
        for h in &self.holes {
            let mut hole = to_points(h);
            if signed_area(&hole) > 0.0 {
                hole.reverse();
            }
            out.push(hole);
        }
        out
    }

    /// Area in square metres (outer minus holes).
    pub fn area(&self) -> f64 {
        let rings = self.oriented_rings();
        rings.iter().map(|r| signed_area(r)).sum()
    }

    /// Every wall segment of every ring.
    pub fn walls(&self) -> Vec<Wall> {
        self.oriented_rings()
            .iter()
            .flat_map(|r| ring_walls(r))
            .collect()
    }

    /// True when `p` is strictly inside the walkable area.
    pub fn contains(&self, p: DVec2) -> bool {
        self.polygon().contains(&Coord { x: p.x, y: p.y })
    }

    /// Distance from `p` to the nearest wall.
    pub fn distance_to_walls(&self, p: DVec2) -> f64 {
        self.walls()
            .iter()
            .map(|w| w.closest_point(p).distance(p))
            .fold(f64::INFINITY, f64::min)
    }

    /// Bounding box of the outer ring.
    pub fn bounds(&self) -> (DVec2, DVec2) {
        self.outer.iter().fold(
            (DVec2::splat(f64::INFINITY), DVec2::splat(f64::NEG_INFINITY)),
            |(lo, hi), &(x, y)| (lo.min(DVec2::new(x, y)), hi.max(DVec2::new(x, y))),
        )
    }

    /// The area as Well-Known Text (`POLYGON ((x y, ...), (...))`), rings closed, for GIS
    /// tools and PedPy's `WalkableArea`.
    pub fn to_wkt(&self) -> String {
        use wkt::ToWkt;
        self.polygon().wkt_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square_with_hole() -> WalkableArea {
        WalkableArea {
            outer: vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)],
            // Given counter-clockwise on purpose: orientation is normalised.
            holes: vec![vec![(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0)]],
        }
    }

    #[test]
    fn area_contains_and_orientation() {
        let a = square_with_hole();
        assert!(a.check().is_ok());
        assert!((a.area() - 96.0).abs() < 1e-9);
        assert!(a.contains(DVec2::new(1.0, 1.0)));
        assert!(!a.contains(DVec2::new(5.0, 5.0)), "inside the hole");
        assert!(!a.contains(DVec2::new(11.0, 5.0)));
        let rings = a.oriented_rings();
        assert!(signed_area(&rings[0]) > 0.0 && signed_area(&rings[1]) < 0.0);
        assert_eq!(a.walls().len(), 8);
        assert!((a.distance_to_walls(DVec2::new(3.0, 5.0)) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn coordinates_beyond_the_local_frame_are_refused_with_their_place() {
        for bad in [1e300, f64::NAN, -2e6, f64::INFINITY] {
            let mut a = square_with_hole();
            a.holes[0][2] = (bad, 5.0);
            let e = a.check().unwrap_err();
            assert!(
                e.contains("hole 0, point 2") && e.contains("local frame"),
                "{e}"
            );
            let mut a = square_with_hole();
            a.outer[1] = (10.0, bad);
            let e = a.check().unwrap_err();
            assert!(e.contains("the outer ring, point 1"), "{e}");
        }
        let mut far = square_with_hole();
        for p in far.outer.iter_mut().chain(far.holes[0].iter_mut()) {
            p.0 += 0.9e6;
        }
        assert!(far.check().is_ok());
    }

    #[test]
    fn invalid_polygons_are_explained() {
        let bow_tie = WalkableArea {
            outer: vec![(0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)],
            holes: vec![],
        };
        let e = bow_tie.check().unwrap_err();
        assert!(e.contains("self-intersection"), "{e}");
        let mut outside_hole = square_with_hole();
        outside_hole.holes[0] = vec![(20.0, 20.0), (21.0, 20.0), (21.0, 21.0)];
        let e = outside_hole.check().unwrap_err();
        assert!(e.contains("not contained"), "{e}");
        let too_few = WalkableArea {
            outer: vec![(0.0, 0.0), (1.0, 0.0)],
            holes: vec![],
        };
        assert!(too_few.check().unwrap_err().contains("at least 3"));
        let nan = WalkableArea {
            outer: vec![(0.0, 0.0), (f64::NAN, 0.0), (1.0, 1.0)],
            holes: vec![],
        };
        assert!(nan.check().is_err());
    }

    #[test]
    fn wkt_is_closed_and_lists_holes() {
        let wkt = square_with_hole().to_wkt();
        assert!(wkt.starts_with("POLYGON(("), "{wkt}");
        assert_eq!(wkt.matches("),(").count(), 1, "{wkt}");
        assert!(wkt.contains("0 0,10 0,10 10,0 10,0 0"), "{wkt}");
    }
}

/// A straight wall segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wall {
    pub a: DVec2,
    pub b: DVec2,
}

impl Wall {
    /// Closest point of the segment to `p`.
    pub fn closest_point(&self, p: DVec2) -> DVec2 {
        let ab = self.b - self.a;
        let len2 = ab.length_squared();
        if len2 <= f64::EPSILON {
            return self.a;
        }
        let t = ((p - self.a).dot(ab) / len2).clamp(0.0, 1.0);
        self.a + ab * t
    }
}

/// Walls of a closed polygon ring (the last vertex joins the first).
pub fn ring_walls(ring: &[DVec2]) -> Vec<Wall> {
    (0..ring.len())
        .map(|i| Wall {
            a: ring[i],
            b: ring[(i + 1) % ring.len()],
        })
        .collect()
}
