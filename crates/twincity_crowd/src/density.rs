//! Crowd density on a grid, and Fruin's pedestrian levels of service.
//!
//! The density is a kernel estimate in persons/m²: every person is spread over the plane as a
//! Gaussian of standard deviation [`KERNEL_SIGMA`] (1 m), normalised so that each person
//! counts exactly once, and the grid holds the sum at each cell's centre (Plaue et al. 2011,
//! *Trajectory extraction and density analysis of intersecting pedestrian flows from video
//! recordings*, use such a Gaussian kernel estimate for crowd density). The kernel's effective
//! radius, 2σ = 2 m, holds 86 % of each person; a single person gives at most 1/(2π·1²) ≈ 0.16
//! persons/m² (Fruin's level A), so a person alone never reads as a crowd, while a uniform
//! crowd of ρ persons/m² reads ρ. Counting people in the cell holding them, as before, gave 0, 1, 2…
//! persons per 1 m² cell, so only Fruin's levels A, D, E and F could ever be shown.
//!
//! [`DensityGrid::from_agents_in`] also corrects for the walls: the sum of kernels at a cell is
//! divided by the kernel's mass over the walkable cells round it (rather than over the whole
//! plane), so that a crowd standing against a wall is not diluted into it.

use glam::DVec2;

use super::model::Agent;
use twincity_model::area::WalkableArea;

/// Standard deviation of the Gaussian density kernel, metres.
pub const KERNEL_SIGMA: f64 = 1.0;

/// The kernel is cut off beyond this many standard deviations (it is below 1.2 % of its peak
/// there).
const CUTOFF_SIGMAS: f64 = 3.0;

/// Persons per square metre on a regular grid: a Gaussian kernel estimate (see the module).
#[derive(Clone, Debug, PartialEq)]
pub struct DensityGrid {
    pub origin: DVec2,
    pub cell: f64,
    pub cols: usize,
    pub rows: usize,
    /// Row-major, row 0 at `origin.y`; persons/m² at each cell's centre.
    pub values: Vec<f32>,
}

impl DensityGrid {
    /// Kernel density of `agents` over the box `min..max` with square cells of side `cell`, on
    /// the open plane (no walls: near walls it reads low, as part of each person's kernel falls
    /// outside the walkable area).
    pub fn from_agents(agents: &[Agent], min: DVec2, max: DVec2, cell: f64) -> Self {
        Self::estimate(agents, None, min, max, cell)
    }

    /// Kernel density of `agents` over the box `min..max`, corrected for the walls of `area`
    /// (the kernel's mass is taken over the cells whose centres lie in `area`); cells outside
    /// `area` read 0.
    pub fn from_agents_in(
        agents: &[Agent],
        area: &WalkableArea,
        min: DVec2,
        max: DVec2,
        cell: f64,
    ) -> Self {
        Self::estimate(agents, Some(area), min, max, cell)
    }

    fn estimate(
        agents: &[Agent],
        area: Option<&WalkableArea>,
        min: DVec2,
        max: DVec2,
        cell: f64,
    ) -> Self {
        DensityLayout::new(area, min, max, cell).estimate(agents)
    }

    pub fn max(&self) -> f32 {
        self.values.iter().copied().fold(0.0, f32::max)
    }

    /// The density of the cell holding `p`, if it is on the grid.
    pub fn at(&self, p: DVec2) -> Option<f32> {
        let q = (p - self.origin) / self.cell;
        if q.x < 0.0 || q.y < 0.0 {
            return None;
        }
        let (c, r) = (q.x as usize, q.y as usize);
        (c < self.cols && r < self.rows).then(|| self.values[r * self.cols + c])
    }

    /// Mean density over the cells whose centres lie in the box `min..max` (0 if none do).
    pub fn mean_over(&self, min: DVec2, max: DVec2) -> f64 {
        let (mut sum, mut n) = (0.0, 0u32);
        for r in 0..self.rows {
            for c in 0..self.cols {
                let p = self.origin + (DVec2::new(c as f64, r as f64) + 0.5) * self.cell;
                if p.x >= min.x && p.y >= min.y && p.x <= max.x && p.y <= max.y {
                    sum += self.values[r * self.cols + c] as f64;
                    n += 1;
                }
            }
        }
        if n > 0 { sum / n as f64 } else { 0.0 }
    }
}

/// Fruin's level of service for walkways, A (free) to F (jammed), by density in persons/m²
/// (J. J. Fruin, *Pedestrian Planning and Design*, 1971: area per person > 3.25, 2.32, 1.39,
/// 0.93, 0.46 m²).
pub fn level_of_service(density: f32) -> char {
    const LIMITS: [(f32, char); 5] = [
        (0.31, 'A'),
        (0.43, 'B'),
        (0.72, 'C'),
        (1.08, 'D'),
        (2.17, 'E'),
    ];
    LIMITS
        .iter()
        .find(|(d, _)| density < *d)
        .map_or('F', |(_, c)| *c)
}

/// What a density estimate over one grid needs apart from the people: the grid, and for each
/// cell the kernel's mass over the walkable cells round it (0 where the cell is not walkable).
/// Building it tests every cell against the walkable area; keeping it makes each later
/// estimate ([`DensityLayout::estimate`]) cost only the people's kernels — what a heatmap
/// refreshed several times a second needs.
#[derive(Clone, Debug, PartialEq)]
pub struct DensityLayout {
    origin: DVec2,
    cell: f64,
    cols: usize,
    rows: usize,
    /// Kernel mass (persons per person, times the cell area) at each cell; 0 off the area.
    mass: Vec<f64>,
}

impl DensityLayout {
    /// The grid over the box `min..max` with square cells of side `cell`, corrected for the
    /// walls of `area` when there is one (see [`DensityGrid::from_agents_in`]), on the open
    /// plane otherwise.
    pub fn new(area: Option<&WalkableArea>, min: DVec2, max: DVec2, cell: f64) -> Self {
        let (cols, rows) = Self::grid_size(min, max, cell);
        let reach = (CUTOFF_SIGMAS * KERNEL_SIGMA / cell).ceil() as i64;
        let centre = |c: i64, r: i64| min + (DVec2::new(c as f64, r as f64) + 0.5) * cell;
        // Which cells (the box plus a margin of `reach`) are walkable.
        let (mcols, mrows) = (cols as i64 + 2 * reach, rows as i64 + 2 * reach);
        let mask: Option<Vec<bool>> = area.map(|a| {
            let first = centre(-reach, -reach);
            walkable_centres(a, first, cell, mcols as usize, mrows as usize)
        });
        let walkable = |c: i64, r: i64| match &mask {
            None => true,
            Some(m) => {
                let (mc, mr) = (c + reach, r + reach);
                mc >= 0 && mr >= 0 && mc < mcols && mr < mrows && m[(mr * mcols + mc) as usize]
            }
        };
        let inv = 1.0 / (2.0 * KERNEL_SIGMA * KERNEL_SIGMA);
        let cut2 = (CUTOFF_SIGMAS * KERNEL_SIGMA).powi(2);
        // The kernel's mass over the (walkable) cells round a cell's centre: dividing by it
        // makes a uniform crowd read its density, against walls too. On the open plane it is
        // the same for every cell (about 2 pi sigma^2 when cells are finer than the kernel).
        let mass_at = |c: i64, r: i64| {
            let mut m = 0.0;
            for dr in -reach..=reach {
                for dc in -reach..=reach {
                    let d2 = (DVec2::new(dc as f64, dr as f64) * cell).length_squared();
                    if d2 <= cut2 && walkable(c + dc, r + dr) {
                        m += (-d2 * inv).exp();
                    }
                }
            }
            m * cell * cell
        };
        let mass = if mask.is_some() {
            (0..rows as i64)
                .flat_map(|r| (0..cols as i64).map(move |c| (c, r)))
                .map(|(c, r)| if walkable(c, r) { mass_at(c, r) } else { 0.0 })
                .collect()
        } else {
            vec![mass_at(0, 0); cols * rows]
        };
        Self {
            origin: min,
            cell,
            cols,
            rows,
            mass,
        }
    }

    /// Columns and rows of a grid over the box `min..max` with square cells of side `cell`.
    pub fn grid_size(min: DVec2, max: DVec2, cell: f64) -> (usize, usize) {
        (
            (((max.x - min.x) / cell).ceil() as usize).max(1),
            (((max.y - min.y) / cell).ceil() as usize).max(1),
        )
    }

    /// The kernel density of `agents` on this grid.
    pub fn estimate(&self, agents: &[Agent]) -> DensityGrid {
        let (min, cell, cols, rows) = (self.origin, self.cell, self.cols, self.rows);
        let reach = (CUTOFF_SIGMAS * KERNEL_SIGMA / cell).ceil() as i64;
        let centre = |c: i64, r: i64| min + (DVec2::new(c as f64, r as f64) + 0.5) * cell;
        let inv = 1.0 / (2.0 * KERNEL_SIGMA * KERNEL_SIGMA);
        let cut2 = (CUTOFF_SIGMAS * KERNEL_SIGMA).powi(2);
        // Sum of every person's kernel at each cell's centre.
        let mut raw = vec![0.0f64; cols * rows];
        for a in agents {
            let q = ((a.position - min) / cell).floor();
            let (c0, r0) = (q.x as i64, q.y as i64);
            for r in (r0 - reach).max(0)..=(r0 + reach).min(rows as i64 - 1) {
                for c in (c0 - reach).max(0)..=(c0 + reach).min(cols as i64 - 1) {
                    let d2 = centre(c, r).distance_squared(a.position);
                    if d2 <= cut2 {
                        raw[r as usize * cols + c as usize] += (-d2 * inv).exp();
                    }
                }
            }
        }
        let values = raw
            .iter()
            .zip(&self.mass)
            .map(|(&k, &m)| {
                if k > 0.0 && m > 0.0 {
                    (k / m) as f32
                } else {
                    0.0
                }
            })
            .collect();
        DensityGrid {
            origin: min,
            cell,
            cols,
            rows,
            values,
        }
    }
}

/// Which of the `cols` × `rows` points `first + (c, r) · step` lie in `area` (row-major): one
/// scan line per row, crossing every ring's edges (even–odd rule, so holes are out), instead of
/// a point-in-polygon test per point — rows × edges + points, not points × edges.
fn walkable_centres(
    area: &WalkableArea,
    first: DVec2,
    step: f64,
    cols: usize,
    rows: usize,
) -> Vec<bool> {
    let mut inside = vec![false; cols * rows];
    let rings: Vec<&[(f64, f64)]> = std::iter::once(area.outer.as_slice())
        .chain(area.holes.iter().map(Vec::as_slice))
        .collect();
    let mut crossings = Vec::new();
    for r in 0..rows {
        let y = first.y + r as f64 * step;
        crossings.clear();
        for ring in &rings {
            for (i, &(x0, y0)) in ring.iter().enumerate() {
                let (x1, y1) = ring[(i + 1) % ring.len()];
                // Half-open in y, so that a corner on the line counts once.
                if (y0 <= y) != (y1 <= y) {
                    crossings.push(x0 + (y - y0) / (y1 - y0) * (x1 - x0));
                }
            }
        }
        crossings.sort_by(f64::total_cmp);
        for pair in crossings.chunks_exact(2) {
            // Columns whose x lies strictly between the two crossings.
            let from = ((pair[0] - first.x) / step).floor() as i64 + 1;
            let to = ((pair[1] - first.x) / step).ceil() as i64 - 1;
            for c in from.max(0)..=to.min(cols as i64 - 1) {
                inside[r * cols + c as usize] = true;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_line_mask_agrees_with_the_area_test() {
        // The RiMEA corner with a hole cut in it: every point of a fine grid (off the edges)
        // is in the mask exactly when the area contains it.
        let area = WalkableArea {
            holes: vec![vec![(10.5, 5.0), (11.5, 5.0), (11.0, 7.0)]],
            ..crate::nav::tests::corner()
        };
        let (first, step, cols, rows) = (DVec2::new(-1.03, -1.07), 0.1, 150, 150);
        let mask = walkable_centres(&area, first, step, cols, rows);
        let mut inside = 0;
        for r in 0..rows {
            for c in 0..cols {
                let p = first + DVec2::new(c as f64, r as f64) * step;
                assert_eq!(mask[r * cols + c], area.contains(p), "{p}");
                inside += mask[r * cols + c] as u32;
            }
        }
        assert!(inside > 3000, "{inside}");
    }
    use crate::model::AgentId;

    fn agent(x: f64, y: f64) -> Agent {
        Agent {
            id: AgentId(0),
            position: DVec2::new(x, y),
            direction: DVec2::X,
            speed: 0.0,
            walked: 0.0,
            desired_speed: 1.0,
            radius: 0.2,
            route: vec![],
        }
    }

    /// People on a square lattice at `density` persons/m² filling `min..max`.
    fn lattice(density: f64, min: DVec2, max: DVec2) -> Vec<Agent> {
        let a = 1.0 / density.sqrt();
        let mut out = Vec::new();
        let mut y = min.y + a / 2.0;
        while y < max.y {
            let mut x = min.x + a / 2.0;
            while x < max.x {
                out.push(agent(x, y));
                x += a;
            }
            y += a;
        }
        out
    }

    #[test]
    fn a_uniform_crowd_reads_its_density_and_everyone_counts_once() {
        // (On the open plane, far from the grid's edges, the kernel's mass is one person.)
        // 1 person/m² over 30 m x 30 m; the grid covers 40 m x 40 m round it.
        let people = lattice(1.0, DVec2::splat(5.0), DVec2::splat(35.0));
        assert_eq!(people.len(), 900);
        let g = DensityGrid::from_agents(&people, DVec2::ZERO, DVec2::splat(40.0), 1.0);
        let total: f64 = g.values.iter().map(|&v| v as f64).sum();
        assert!((total - 900.0).abs() < 0.01, "{total} persons on the grid");
        let centre = g.mean_over(DVec2::splat(12.0), DVec2::splat(28.0));
        assert!((centre - 1.0).abs() < 0.01, "{centre} persons/m2 inside");
        assert!(g.max() < 1.01, "max {}", g.max());
        assert_eq!(g.at(DVec2::splat(20.0)).map(level_of_service), Some('D'));
        assert_eq!(g.at(DVec2::splat(-1.0)), None);
    }

    #[test]
    fn a_lone_person_is_never_a_crowd() {
        let g = DensityGrid::from_agents(&[agent(5.5, 5.5)], DVec2::ZERO, DVec2::splat(11.0), 1.0);
        // Peak 1 / (2 pi sigma^2) = 0.159 persons/m2 (of the discrete kernel: a little more).
        assert!((g.max() - 0.159).abs() < 0.01, "peak {}", g.max());
        assert_eq!(level_of_service(g.max()), 'A');
    }

    /// Every level occurs for a crowd at a density inside its band. With people counted in
    /// the 1 m cell holding them, a cell read 0, 1, 2… persons/m² and levels B and C (0.31 to
    /// 0.72 persons/m²) never occurred.
    #[test]
    fn intermediate_levels_b_and_c_occur_for_intermediate_densities() {
        for (density, level) in [
            (0.2, 'A'),
            (0.37, 'B'),
            (0.6, 'C'),
            (0.9, 'D'),
            (1.5, 'E'),
            (3.0, 'F'),
        ] {
            let people = lattice(density, DVec2::ZERO, DVec2::splat(30.0));
            let g = DensityGrid::from_agents(&people, DVec2::ZERO, DVec2::splat(30.0), 1.0);
            let d = g.at(DVec2::splat(15.0)).unwrap();
            assert!(
                // Sparse crowds ripple: at 0.2 persons/m2, people 2.2 m apart, by up to 7 %.
                (d as f64 - density).abs() < 0.1 * density,
                "{d} persons/m2 for {density}"
            );
            assert_eq!(level_of_service(d), level, "{density} persons/m2");
        }
    }

    #[test]
    fn walls_do_not_dilute_a_crowd_standing_against_them() {
        // A 10 m x 6 m room full at 2 persons/m².
        let room = WalkableArea::rectangle((0.0, 0.0), (10.0, 6.0));
        let (lo, hi) = (DVec2::ZERO, DVec2::new(10.0, 6.0));
        let people = lattice(2.0, lo, hi);
        let inside = DensityGrid::from_agents_in(&people, &room, lo, hi, 0.5);
        let open = DensityGrid::from_agents(&people, lo, hi, 0.5);
        let corner = DVec2::new(0.2, 0.2);
        let wall = DVec2::new(5.1, 0.2);
        for p in [corner, wall, DVec2::new(5.1, 3.1)] {
            let d = inside.at(p).unwrap();
            assert!((d - 2.0).abs() < 0.2, "{d} persons/m2 at {p} with walls");
        }
        // Without the correction, half the kernel falls into the wall, a quarter in the corner.
        assert!(open.at(wall).unwrap() < 1.3, "{}", open.at(wall).unwrap());
        assert!(
            open.at(corner).unwrap() < 0.8,
            "{}",
            open.at(corner).unwrap()
        );
        // Walls or not, the room holds its 112 people within 5 %.
        let total: f64 = inside.values.iter().map(|&v| v as f64 * 0.25).sum();
        assert_eq!(people.len(), 112);
        assert!((total / 112.0 - 1.0).abs() < 0.05, "{total}");
    }

    #[test]
    fn fruin_levels_follow_the_published_area_per_person() {
        assert_eq!(level_of_service(0.1), 'A');
        assert_eq!(level_of_service(1.0 / 2.5), 'B');
        assert_eq!(level_of_service(1.0 / 1.5), 'C');
        assert_eq!(level_of_service(1.0), 'D');
        assert_eq!(level_of_service(2.0), 'E');
        assert_eq!(level_of_service(3.0), 'F');
    }
}
