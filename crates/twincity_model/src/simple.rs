//! Near-linear validity check of a walkable polygon: segments bucketed in a uniform grid, so
//! that only segments sharing a cell are tested against each other (a 200 000-corner outline
//! is checked in about as many segment tests as it has corners, where testing every pair
//! takes minutes).
//!
//! The check is exact in one direction: when no two segments touch or cross (adjacent
//! segments of a ring aside) and every hole lies in the outer ring and outside every other
//! hole, the polygon is valid. Segments that only *touch* (a hole meeting another at a corner,
//! which OGC allows) are left to `geo`'s complete validation, as are degenerate rings.

use glam::DVec2;

/// What the fast check concluded.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Valid: no touching, no crossing, holes where they belong.
    Valid,
    /// Invalid, with the reason (names the rings and a place).
    Invalid(String),
    /// Segments touch somewhere: only the complete validation can tell.
    Undecided,
}

struct Segment {
    ring: usize,
    index: usize,
    a: DVec2,
    b: DVec2,
}

fn orient(a: DVec2, b: DVec2, c: DVec2) -> f64 {
    (b - a).perp_dot(c - a)
}

fn ring_name(ring: usize) -> String {
    if ring == 0 {
        "the outer ring".into()
    } else {
        format!("hole {}", ring - 1)
    }
}

/// Whether two segments meet: `Some(true)` for a proper crossing (interiors cross at one
/// point), `Some(false)` when they touch or overlap, `None` when they are apart.
fn meet(s: &Segment, t: &Segment) -> Option<bool> {
    let (lo_s, hi_s) = (s.a.min(s.b), s.a.max(s.b));
    let (lo_t, hi_t) = (t.a.min(t.b), t.a.max(t.b));
    if hi_s.x < lo_t.x || hi_t.x < lo_s.x || hi_s.y < lo_t.y || hi_t.y < lo_s.y {
        return None;
    }
    let o1 = orient(s.a, s.b, t.a);
    let o2 = orient(s.a, s.b, t.b);
    let o3 = orient(t.a, t.b, s.a);
    let o4 = orient(t.a, t.b, s.b);
    if o1 * o2 < 0.0 && o3 * o4 < 0.0 {
        return Some(true);
    }
    // Touching: an end on the other segment (boxes overlap, so collinear means overlap).
    let on = |o: f64| o == 0.0;
    if (on(o1) || on(o2) || on(o3) || on(o4)) && (o1 * o2 <= 0.0 && o3 * o4 <= 0.0) {
        return Some(false);
    }
    None
}

/// Crossing number test: whether `p` is inside `ring`.
fn inside(ring: &[DVec2], p: DVec2) -> bool {
    let mut inside = false;
    let n = ring.len();
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        if (a.y > p.y) != (b.y > p.y) {
            let x = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x);
            if p.x < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// Checks rings (the outer one first, then holes; not closed, finite).
pub fn check(rings: &[Vec<DVec2>]) -> Verdict {
    if rings.iter().any(|r| r.len() < 3) {
        return Verdict::Undecided;
    }
    let mut segments = Vec::new();
    let (mut lo, mut hi) = (DVec2::splat(f64::INFINITY), DVec2::splat(f64::NEG_INFINITY));
    for (ring, points) in rings.iter().enumerate() {
        let n = points.len();
        for index in 0..n {
            let (a, b) = (points[index], points[(index + 1) % n]);
            if a == b {
                return Verdict::Undecided; // a repeated corner: degenerate, let geo judge
            }
            lo = lo.min(a);
            hi = hi.max(a);
            segments.push(Segment { ring, index, a, b });
        }
    }
    // Cells about as long as the segments (so each segment falls in a few cells and each
    // cell holds a few segments), but no more cells than four per segment.
    let n = segments.len();
    let extent = (hi - lo).max(DVec2::splat(1e-9));
    let mean = segments.iter().map(|s| s.a.distance(s.b)).sum::<f64>() / n as f64;
    let cell = mean
        .max((extent.x * extent.y / (4 * n) as f64).sqrt())
        .max(extent.max_element() / 4096.0);
    let cols = ((extent.x / cell) as usize + 1).min(4096);
    let rows = ((extent.y / cell) as usize + 1).min(4096);
    let index_of = |p: DVec2| {
        let c = (((p.x - lo.x) / cell) as usize).min(cols - 1);
        let r = (((p.y - lo.y) / cell) as usize).min(rows - 1);
        (c, r)
    };
    let mut cells: Vec<Vec<u32>> = vec![Vec::new(); cols * rows];
    for (k, s) in segments.iter().enumerate() {
        let (_, r0) = index_of(s.a.min(s.b));
        let (_, r1) = index_of(s.a.max(s.b));
        let (y_lo, y_hi) = (s.a.y.min(s.b.y), s.a.y.max(s.b.y));
        // Row by row, only the columns the segment passes through in that row's band (a long
        // diagonal segment fills a line of cells, not its whole bounding box).
        for r in r0..=r1 {
            let band_lo = (lo.y + r as f64 * cell).max(y_lo);
            let band_hi = (lo.y + (r + 1) as f64 * cell).min(y_hi);
            let x_at = |y: f64| {
                if s.b.y == s.a.y {
                    None
                } else {
                    Some(s.a.x + (y - s.a.y) / (s.b.y - s.a.y) * (s.b.x - s.a.x))
                }
            };
            let (x0, x1) = match (x_at(band_lo), x_at(band_hi)) {
                (Some(p), Some(q)) => (p.min(q), p.max(q)),
                _ => (s.a.x.min(s.b.x), s.a.x.max(s.b.x)),
            };
            // One cell of margin each way for rounding at the band's edges.
            let (c0, _) = index_of(DVec2::new(x0, lo.y));
            let (c1, _) = index_of(DVec2::new(x1, lo.y));
            for c in c0.saturating_sub(1)..=(c1 + 1).min(cols - 1) {
                cells[r * cols + c].push(k as u32);
            }
        }
    }
    let adjacent = |s: &Segment, t: &Segment| {
        s.ring == t.ring && {
            let len = rings[s.ring].len();
            (s.index + 1) % len == t.index || (t.index + 1) % len == s.index
        }
    };
    let mut touching = false;
    for bucket in &cells {
        for (i, &k) in bucket.iter().enumerate() {
            for &l in &bucket[i + 1..] {
                let (s, t) = (&segments[k as usize], &segments[l as usize]);
                if adjacent(s, t) {
                    continue;
                }
                match meet(s, t) {
                    Some(true) => {
                        let at = (s.a + s.b) / 2.0;
                        let what = if s.ring == t.ring {
                            format!("{} crosses itself", ring_name(s.ring))
                        } else {
                            format!("{} crosses {}", ring_name(s.ring), ring_name(t.ring))
                        };
                        return Verdict::Invalid(format!(
                            "self-intersection: {what} near ({:.2}, {:.2})",
                            at.x, at.y
                        ));
                    }
                    Some(false) => touching = true,
                    None => {}
                }
            }
        }
    }
    if touching {
        return Verdict::Undecided;
    }
    // No segments meet: each hole is wholly inside or outside any other ring, so one corner
    // tells.
    let bounds: Vec<(DVec2, DVec2)> = rings
        .iter()
        .map(|r| {
            r.iter().fold(
                (DVec2::splat(f64::INFINITY), DVec2::splat(f64::NEG_INFINITY)),
                |(lo, hi), &p| (lo.min(p), hi.max(p)),
            )
        })
        .collect();
    for h in 1..rings.len() {
        let p = rings[h][0];
        if !inside(&rings[0], p) {
            return Verdict::Invalid(format!(
                "{} is not contained in the outer ring (corner ({:.2}, {:.2}))",
                ring_name(h),
                p.x,
                p.y
            ));
        }
        for (g, (lo, hi)) in bounds.iter().enumerate().skip(1) {
            if g != h && p.cmpge(*lo).all() && p.cmple(*hi).all() && inside(&rings[g], p) {
                return Verdict::Invalid(format!(
                    "{} lies inside {}: holes must not overlap; merge them",
                    ring_name(h),
                    ring_name(g)
                ));
            }
        }
    }
    Verdict::Valid
}

/// A detailed outline, as a surveyed square's would be: `n` corners round a 100 m circle,
/// zig-zagging 5 cm in and out (the walkable-area validation benchmark's input).
pub fn detailed_outline(n: usize) -> Vec<DVec2> {
    (0..n)
        .map(|k| {
            let a = k as f64 * std::f64::consts::TAU / n as f64;
            let r = if k % 2 == 0 { 100.0 } else { 99.95 };
            DVec2::new(r * a.cos(), r * a.sin())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(points: &[(f64, f64)]) -> Vec<DVec2> {
        points.iter().map(|&(x, y)| DVec2::new(x, y)).collect()
    }

    use super::detailed_outline as outline;

    #[test]
    fn verdicts_on_simple_cases() {
        let square = ring(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]);
        let hole = ring(&[(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0)]);
        assert_eq!(check(&[square.clone(), hole.clone()]), Verdict::Valid);
        let bow_tie = ring(&[(0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)]);
        assert!(matches!(check(&[bow_tie]), Verdict::Invalid(e) if e.contains("crosses itself")));
        let outside = ring(&[(20.0, 20.0), (21.0, 20.0), (21.0, 21.0)]);
        assert!(
            matches!(check(&[square.clone(), outside]), Verdict::Invalid(e) if e.contains("not contained"))
        );
        let inner = ring(&[(4.5, 4.5), (5.5, 4.5), (5.0, 5.5)]);
        assert!(
            matches!(check(&[square.clone(), hole.clone(), inner]), Verdict::Invalid(e) if e.contains("inside hole 0"))
        );
        let crossing = ring(&[(5.0, 5.0), (12.0, 5.0), (12.0, 6.0)]);
        assert!(
            matches!(check(&[square.clone(), crossing]), Verdict::Invalid(e) if e.contains("hole 0 crosses the outer ring") || e.contains("the outer ring crosses hole 0"))
        );
        // Two holes meeting at a corner: only the complete validation decides.
        let touching = ring(&[(6.0, 6.0), (8.0, 6.0), (8.0, 8.0)]);
        assert_eq!(check(&[square, hole, touching]), Verdict::Undecided);
    }

    #[test]
    fn a_large_outline_is_judged_like_geo_judges_it() {
        use geo::{Coord, LineString, Polygon, Validation};
        for n in [4_000, 200_000] {
            let outline = outline(n);
            assert_eq!(check(std::slice::from_ref(&outline)), Verdict::Valid, "{n}");
            // One corner pulled across the outline makes it cross itself.
            let mut broken = outline.clone();
            broken[n / 2] = DVec2::new(150.0, 0.0);
            broken[n / 2 + 1] = DVec2::new(-150.0, 0.0);
            assert!(
                matches!(check(&[broken.clone()]), Verdict::Invalid(_)),
                "{n}"
            );
            if n <= 4_000 {
                let geo = |r: &[DVec2]| {
                    Polygon::new(
                        LineString::from(
                            r.iter()
                                .map(|p| Coord { x: p.x, y: p.y })
                                .collect::<Vec<_>>(),
                        ),
                        vec![],
                    )
                    .is_valid()
                };
                assert!(geo(&outline) && !geo(&broken));
            }
        }
    }
}
