//! Crowd density on a grid, and Fruin's pedestrian levels of service.

use glam::DVec2;

use super::model::Agent;

/// Persons per square metre on a regular grid (each person counted in the cell holding it).
#[derive(Clone, Debug, PartialEq)]
pub struct DensityGrid {
    pub origin: DVec2,
    pub cell: f64,
    pub cols: usize,
    pub rows: usize,
    /// Row-major, row 0 at `origin.y`.
    pub values: Vec<f32>,
}

impl DensityGrid {
    /// Density of `agents` over the box `min..max` with square cells of side `cell`.
    pub fn from_agents(agents: &[Agent], min: DVec2, max: DVec2, cell: f64) -> Self {
        let cols = (((max.x - min.x) / cell).ceil() as usize).max(1);
        let rows = (((max.y - min.y) / cell).ceil() as usize).max(1);
        let mut counts = vec![0u32; cols * rows];
        for a in agents {
            let q = (a.position - min) / cell;
            if q.x < 0.0 || q.y < 0.0 {
                continue;
            }
            let (c, r) = (q.x as usize, q.y as usize);
            if c < cols && r < rows {
                counts[r * cols + c] += 1;
            }
        }
        let area = (cell * cell) as f32;
        Self {
            origin: min,
            cell,
            cols,
            rows,
            values: counts.into_iter().map(|n| n as f32 / area).collect(),
        }
    }

    pub fn max(&self) -> f32 {
        self.values.iter().copied().fold(0.0, f32::max)
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

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn density_counts_people_per_square_metre_in_their_cell() {
        // Four people in the 2 m x 2 m cell at (2..4, 0..2), one in (0..2, 2..4), one outside.
        let agents = [
            agent(2.5, 0.5),
            agent(3.5, 0.5),
            agent(2.5, 1.5),
            agent(3.9, 1.9),
            agent(1.0, 3.0),
            agent(9.0, 9.0),
        ];
        let g = DensityGrid::from_agents(&agents, DVec2::ZERO, DVec2::new(4.0, 4.0), 2.0);
        assert_eq!((g.cols, g.rows), (2, 2));
        assert_eq!(g.values, vec![0.0, 1.0, 0.25, 0.0]);
        assert_eq!(g.max(), 1.0);
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
