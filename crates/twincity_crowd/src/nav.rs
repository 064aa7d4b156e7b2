//! Path planning through a walkable area: a visibility graph over the area's corners, searched
//! with A*. Shortest paths in a polygon bend only at reflex corners (corners that stick into the
//! walkable space), so those are the only nodes; each is moved `clearance` away from the walls
//! along the corner's bisector so agents round corners instead of grazing them. The result is
//! already "string-pulled": a list of straight legs, each with line of sight.
//!
//! Small obstacles — holes whose bounding box is under [`SMALL_OBSTACLE`] across, such as
//! street lights, bins and trees — are left out of planning: agents walk round them by the
//! model's wall repulsion (they remain walls for the model), which keeps the graph small on
//! real streets.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use geo::{Contains, Coord, LineString, Polygon};
use glam::DVec2;

use twincity_model::area::WalkableArea;
use twincity_model::area::{Wall, ring_walls};

/// Holes smaller than this across (bounding-box diagonal, metres) are avoided locally, not
/// planned around.
pub const SMALL_OBSTACLE: f64 = 1.0;

/// Distance between segments `p0–p1` and `q0–q1` (0 when they cross).
pub fn segment_distance(p0: DVec2, p1: DVec2, q0: DVec2, q1: DVec2) -> f64 {
    let cross = |o: DVec2, a: DVec2, b: DVec2| (a - o).perp_dot(b - o);
    let d1 = cross(q0, q1, p0);
    let d2 = cross(q0, q1, p1);
    let d3 = cross(p0, p1, q0);
    let d4 = cross(p0, p1, q1);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return 0.0;
    }
    let p = Wall { a: p0, b: p1 };
    let q = Wall { a: q0, b: q1 };
    [
        q.closest_point(p0).distance(p0),
        q.closest_point(p1).distance(p1),
        p.closest_point(q0).distance(q0),
        p.closest_point(q1).distance(q1),
    ]
    .into_iter()
    .fold(f64::INFINITY, f64::min)
}

/// Walls binned in square cells, so that a line-of-sight test looks only at walls near the
/// line. Each wall is registered in the cells of points sampled every [`WallGrid::STEP`] along
/// it (a quarter cell, at least 1 m); a query samples its segment the same way and looks at the
/// 3 × 3 cells around each sample. Any wall within [`WallGrid::MAX_CLEARANCE`] of the segment is
/// then seen: one of its samples lies within `clearance + step` of a query sample, less than a
/// cell away. Query samples in the same cell as the previous one are skipped.
#[derive(Clone, Debug)]
struct WallGrid {
    origin: DVec2,
    /// Cell side: at least `MIN_CELL`, larger for areas kilometres wide (at most
    /// `MAX_CELLS` cells).
    cell: f64,
    cols: usize,
    rows: usize,
    cells: Vec<Vec<u32>>,
}

impl WallGrid {
    const MIN_CELL: f64 = 4.0;
    const MAX_CELLS: f64 = 250_000.0;
    const STEP: f64 = 1.0;
    const MAX_CLEARANCE: f64 = 1.0;

    /// Points every quarter cell (at least every [`WallGrid::STEP`]) from `a` to `b`.
    fn samples(&self, a: DVec2, b: DVec2) -> impl Iterator<Item = DVec2> + use<> {
        let step = Self::STEP.max(self.cell / 4.0);
        let n = (a.distance(b) / step).ceil().max(1.0) as usize;
        (0..=n).map(move |k| a.lerp(b, k as f64 / n as f64))
    }

    fn new(walls: &[Wall]) -> Self {
        let (lo, hi) = walls.iter().fold(
            (DVec2::splat(f64::INFINITY), DVec2::splat(f64::NEG_INFINITY)),
            |(lo, hi), w| (lo.min(w.a).min(w.b), hi.max(w.a).max(w.b)),
        );
        let (lo, hi) = if lo.is_finite() {
            (lo, hi)
        } else {
            (DVec2::ZERO, DVec2::ZERO)
        };
        let size = hi - lo;
        let cell = Self::MIN_CELL.max((size.x * size.y / Self::MAX_CELLS).sqrt());
        let origin = lo - DVec2::splat(cell);
        let cols = (((hi.x - origin.x) / cell).ceil() as usize + 2).max(1);
        let rows = (((hi.y - origin.y) / cell).ceil() as usize + 2).max(1);
        let mut grid = Self {
            origin,
            cell,
            cols,
            rows,
            cells: vec![Vec::new(); cols * rows],
        };
        for (i, w) in walls.iter().enumerate() {
            let mut last = usize::MAX;
            for p in grid.samples(w.a, w.b) {
                let cell = grid.cell(p);
                if cell != last && grid.cells[cell].last() != Some(&(i as u32)) {
                    grid.cells[cell].push(i as u32);
                }
                last = cell;
            }
        }
        grid
    }

    fn coords(&self, p: DVec2) -> (usize, usize) {
        let q = ((p - self.origin) / self.cell).floor();
        (
            (q.x.max(0.0) as usize).min(self.cols - 1),
            (q.y.max(0.0) as usize).min(self.rows - 1),
        )
    }

    fn cell(&self, p: DVec2) -> usize {
        let (c, r) = self.coords(p);
        r * self.cols + c
    }

    /// True when no wall comes within `clearance` (at most `MAX_CLEARANCE`) of `a`–`b`.
    fn clear(&self, walls: &[Wall], a: DVec2, b: DVec2, clearance: f64) -> bool {
        let mut last = (usize::MAX, usize::MAX);
        for p in self.samples(a, b) {
            let (c, r) = self.coords(p);
            if (c, r) == last {
                continue;
            }
            last = (c, r);
            for rr in r.saturating_sub(1)..=(r + 1).min(self.rows - 1) {
                for cc in c.saturating_sub(1)..=(c + 1).min(self.cols - 1) {
                    for &w in &self.cells[rr * self.cols + cc] {
                        let w = &walls[w as usize];
                        if segment_distance(a, b, w.a, w.b) < clearance * 0.999 {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }
}

/// Visibility graph of a walkable area for agents needing `clearance` from walls.
#[derive(Clone, Debug)]
pub struct NavGraph {
    /// The area without its small obstacles.
    polygon: Polygon<f64>,
    walls: Vec<Wall>,
    grid: WallGrid,
    clearance: f64,
    nodes: Vec<DVec2>,
    /// Adjacency: `(node, length)`.
    edges: Vec<Vec<(usize, f64)>>,
}

#[derive(Copy, Clone, PartialEq)]
struct Open {
    f: f64,
    node: usize,
}

impl Eq for Open {}

impl Ord for Open {
    fn cmp(&self, other: &Self) -> Ordering {
        // Min-heap on f; ties broken by node index for determinism.
        other
            .f
            .total_cmp(&self.f)
            .then_with(|| other.node.cmp(&self.node))
    }
}

impl PartialOrd for Open {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl NavGraph {
    /// Builds the graph. Costs O(n² · w) for n reflex corners and w walls.
    pub fn new(area: &WalkableArea, clearance: f64) -> Self {
        let rings: Vec<Vec<DVec2>> = area
            .oriented_rings()
            .into_iter()
            .enumerate()
            .filter(|(i, r)| {
                let (lo, hi) = r.iter().fold(
                    (DVec2::splat(f64::INFINITY), DVec2::splat(f64::NEG_INFINITY)),
                    |(lo, hi), p| (lo.min(*p), hi.max(*p)),
                );
                *i == 0 || lo.distance(hi) >= SMALL_OBSTACLE
            })
            .map(|(_, r)| r)
            .collect();
        let walls: Vec<Wall> = rings.iter().flat_map(|r| ring_walls(r)).collect();
        let to_ls = |r: &Vec<DVec2>| {
            LineString::from(
                r.iter()
                    .map(|p| Coord { x: p.x, y: p.y })
                    .collect::<Vec<_>>(),
            )
        };
        let polygon = Polygon::new(to_ls(&rings[0]), rings[1..].iter().map(to_ls).collect());
        let mut nodes = Vec::new();
        for ring in &rings {
            let n = ring.len();
            for i in 0..n {
                let (p, v, q) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
                let e1 = (v - p).normalize_or_zero();
                let e2 = (q - v).normalize_or_zero();
                // Walkable space is on the left; a right turn is a reflex corner.
                if e1.perp_dot(e2) >= 0.0 {
                    continue;
                }
                let left1 = e1.perp();
                let left2 = e2.perp();
                let bisector = (left1 + left2).normalize_or_zero();
                let cos_half = bisector.dot(left1).max(0.2);
                let node = v + bisector * (clearance * 1.05 / cos_half);
                let inside = polygon.contains(&Coord {
                    x: node.x,
                    y: node.y,
                });
                if inside && Self::clear_of_walls(&walls, node, node, clearance) {
                    nodes.push(node);
                }
            }
        }
        let mut graph = Self {
            polygon,
            grid: WallGrid::new(&walls),
            walls,
            clearance,
            edges: vec![Vec::new(); nodes.len()],
            nodes,
        };
        for i in 0..graph.nodes.len() {
            for j in i + 1..graph.nodes.len() {
                if graph.visible(graph.nodes[i], graph.nodes[j]) {
                    let d = graph.nodes[i].distance(graph.nodes[j]);
                    graph.edges[i].push((j, d));
                    graph.edges[j].push((i, d));
                }
            }
        }
        graph
    }

    fn clear_of_walls(walls: &[Wall], a: DVec2, b: DVec2, clearance: f64) -> bool {
        walls
            .iter()
            .all(|w| segment_distance(a, b, w.a, w.b) >= clearance * 0.999)
    }

    /// True when an agent can walk straight from `a` to `b` keeping its clearance.
    pub fn visible(&self, a: DVec2, b: DVec2) -> bool {
        self.visible_with(a, b, self.clearance)
    }

    /// True when the straight line from `a` to `b` stays `clearance` away from every wall.
    pub fn visible_with(&self, a: DVec2, b: DVec2, clearance: f64) -> bool {
        let clear = if clearance <= WallGrid::MAX_CLEARANCE {
            self.grid.clear(&self.walls, a, b, clearance)
        } else {
            Self::clear_of_walls(&self.walls, a, b, clearance)
        };
        // Clear of every wall, the segment is either all inside or all outside.
        let mid = (a + b) * 0.5;
        clear && self.polygon.contains(&Coord { x: mid.x, y: mid.y })
    }

    pub fn nodes(&self) -> &[DVec2] {
        &self.nodes
    }

    /// The shortest route from `start` to `goal` as waypoints (ending with `goal`), or `None`
    /// when the goal cannot be reached.
    /// A start the crowd pushed closer to a wall than the clearance still connects, with the
    /// clearance it has.
    pub fn path(&self, start: DVec2, goal: DVec2) -> Option<Vec<DVec2>> {
        let start_gap = self
            .walls
            .iter()
            .map(|w| w.closest_point(start).distance(start))
            .fold(f64::INFINITY, f64::min);
        let start_clearance = self.clearance.min(start_gap * 0.95);
        if self.visible_with(start, goal, start_clearance) {
            return Some(vec![goal]);
        }
        let n = self.nodes.len();
        let (s, g) = (n, n + 1);
        let position = |i: usize| match i {
            i if i == s => start,
            i if i == g => goal,
            i => self.nodes[i],
        };
        let start_links: Vec<(usize, f64)> = (0..n)
            .filter(|&i| self.visible_with(start, self.nodes[i], start_clearance))
            .map(|i| (i, start.distance(self.nodes[i])))
            .collect();
        let goal_links: Vec<bool> = (0..n).map(|i| self.visible(self.nodes[i], goal)).collect();
        let mut best = vec![f64::INFINITY; n + 2];
        let mut came = vec![usize::MAX; n + 2];
        let mut heap = BinaryHeap::new();
        best[s] = 0.0;
        heap.push(Open {
            f: start.distance(goal),
            node: s,
        });
        while let Some(Open { node, .. }) = heap.pop() {
            if node == g {
                let mut route = vec![goal];
                let mut at = came[g];
                while at != s {
                    route.push(position(at));
                    at = came[at];
                }
                route.reverse();
                return Some(route);
            }
            let here = position(node);
            let mut relax = |next: usize, len: f64, heap: &mut BinaryHeap<Open>| {
                let cost = best[node] + len;
                if cost < best[next] {
                    best[next] = cost;
                    came[next] = node;
                    heap.push(Open {
                        f: cost + position(next).distance(goal),
                        node: next,
                    });
                }
            };
            if node == s {
                for &(j, d) in &start_links {
                    relax(j, d, &mut heap);
                }
            } else {
                for &(j, d) in &self.edges[node] {
                    relax(j, d, &mut heap);
                }
                if goal_links[node] {
                    relax(g, here.distance(goal), &mut heap);
                }
            }
        }
        None
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// RiMEA test 6 geometry: a 2 m wide corridor turning left by 90 degrees (12 m + 12 m).
    pub(crate) fn corner() -> WalkableArea {
        WalkableArea {
            outer: vec![
                (0.0, 0.0),
                (12.0, 0.0),
                (12.0, 12.0),
                (10.0, 12.0),
                (10.0, 2.0),
                (0.0, 2.0),
            ],
            holes: vec![],
        }
    }

    /// The wall grid answers exactly like checking every wall, for short and long walls and
    /// query segments, clearances up to its limit, and a grid with cells wider than the minimum.
    #[test]
    fn wall_grid_agrees_with_checking_every_wall() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for size in [60.0, 3000.0] {
            let point = |rng: &mut rand_chacha::ChaCha8Rng| {
                DVec2::new(
                    rng.random_range(0.0..size),
                    rng.random_range(0.0..size * 0.4),
                )
            };
            let walls: Vec<Wall> = (0..400)
                .map(|i| {
                    let a = point(&mut rng);
                    let len = if i % 10 == 0 { size * 0.3 } else { 3.0 };
                    let dir = DVec2::from_angle(rng.random_range(0.0..std::f64::consts::TAU));
                    Wall {
                        a,
                        b: a + dir * rng.random_range(0.0..len),
                    }
                })
                .collect();
            let grid = WallGrid::new(&walls);
            let (mut blocked, mut clear) = (0, 0);
            for i in 0..4000 {
                let a = point(&mut rng);
                // A third are long random lines, a third short random ones, a third run
                // alongside a wall at up to 1.5 m: the near misses a grid could get wrong.
                let (a, b) = match i % 3 {
                    0 => (a, point(&mut rng)),
                    1 => (
                        a,
                        a + DVec2::new(rng.random_range(-4.0..4.0), rng.random_range(-4.0..4.0)),
                    ),
                    _ => {
                        let w = &walls[rng.random_range(0..walls.len())];
                        let along = (w.b - w.a).normalize_or(DVec2::X);
                        let p = w.a.lerp(w.b, rng.random_range(0.0..1.0))
                            + along.perp() * rng.random_range(-1.5..1.5);
                        (p, p + along * rng.random_range(-3.0..3.0))
                    }
                };
                let clearance = [0.0, 0.25, 0.6, WallGrid::MAX_CLEARANCE][i % 4];
                let expected = NavGraph::clear_of_walls(&walls, a, b, clearance);
                assert_eq!(
                    grid.clear(&walls, a, b, clearance),
                    expected,
                    "{a} to {b}, clearance {clearance}, area {size} m"
                );
                if expected { clear += 1 } else { blocked += 1 }
            }
            assert!(
                blocked > 1000 && clear > 1000,
                "{blocked} blocked, {clear} clear"
            );
        }
    }

    #[test]
    fn segment_distance_cases() {
        let d = segment_distance(
            DVec2::new(0.0, 0.0),
            DVec2::new(2.0, 0.0),
            DVec2::new(1.0, -1.0),
            DVec2::new(1.0, 1.0),
        );
        assert_eq!(d, 0.0);
        let d = segment_distance(
            DVec2::new(0.0, 0.0),
            DVec2::new(2.0, 0.0),
            DVec2::new(3.0, 1.0),
            DVec2::new(3.0, 2.0),
        );
        assert!((d - 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn route_rounds_the_corner_once_with_clearance() {
        let area = corner();
        let nav = NavGraph::new(&area, 0.3);
        // The only reflex corner is (10, 2).
        assert_eq!(nav.nodes().len(), 1);
        let route = nav
            .path(DVec2::new(1.0, 1.0), DVec2::new(11.0, 11.0))
            .unwrap();
        assert_eq!(route.len(), 2, "{route:?}");
        let bend = route[0];
        // Walkable space around the inner corner (10, 2) is east of x = 10 and south of y = 2.
        assert!(
            bend.x > 10.0 && bend.y < 2.0,
            "bend {bend} is not at the inner corner"
        );
        assert!(area.distance_to_walls(bend) >= 0.3);
        // Every leg has line of sight.
        assert!(nav.visible(DVec2::new(1.0, 1.0), bend));
        assert!(nav.visible(bend, DVec2::new(11.0, 11.0)));
    }

    #[test]
    fn route_goes_around_an_obstacle_and_unreachable_goals_are_none() {
        let area = WalkableArea {
            outer: vec![(0.0, 0.0), (20.0, 0.0), (20.0, 10.0), (0.0, 10.0)],
            holes: vec![vec![(8.0, 0.5), (12.0, 0.5), (12.0, 9.0), (8.0, 9.0)]],
        };
        let nav = NavGraph::new(&area, 0.25);
        let route = nav
            .path(DVec2::new(2.0, 5.0), DVec2::new(18.0, 5.0))
            .unwrap();
        // Around the top of the obstacle (the gap below it is too narrow for the clearance).
        assert!(route.iter().any(|p| p.y > 9.0), "{route:?}");
        let length: f64 = std::iter::once(DVec2::new(2.0, 5.0))
            .chain(route.iter().copied())
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| w[0].distance(w[1]))
            .sum();
        // Straight-line lower bound 16 m; going over the top adds a detour but not a loop.
        assert!(length > 16.0 && length < 26.0, "{length}");

        // A goal in a sealed room.
        let sealed = WalkableArea {
            outer: vec![(0.0, 0.0), (20.0, 0.0), (20.0, 10.0), (0.0, 10.0)],
            holes: vec![vec![(9.0, -1.0), (11.0, -1.0), (11.0, 11.0), (9.0, 11.0)]],
        };
        // That hole pokes outside: the area is invalid, which the scenario check reports.
        assert!(sealed.check().is_err());
        let narrow = WalkableArea {
            outer: vec![
                (0.0, 0.0),
                (20.0, 0.0),
                (20.0, 10.0),
                (10.2, 10.0),
                (10.2, 0.2),
                (9.8, 0.2),
                (9.8, 10.0),
                (0.0, 10.0),
            ],
            holes: vec![],
        };
        assert!(narrow.check().is_ok());
        let nav = NavGraph::new(&narrow, 0.25);
        assert!(
            nav.path(DVec2::new(2.0, 5.0), DVec2::new(18.0, 5.0))
                .is_none()
        );
    }
}
