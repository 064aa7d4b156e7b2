//! Small geometric types shared by the city layout, cameras and (later) crowds.

use glam::{DVec2, Vec2, Vec3};
use serde::{Deserialize, Serialize};

/// Plan coordinates `(east, north)` of a world-space point (`+X` east, `-Z` north).
pub fn plan_from_world(world: Vec3) -> Vec2 {
    Vec2::new(world.x, -world.z)
}

/// World-space point at `height` above the plan point `(east, north)`.
pub fn world_from_plan(plan: Vec2, height: f32) -> Vec3 {
    Vec3::new(plan.x, height, -plan.y)
}

/// An axis-aligned rectangle in plan coordinates (metres).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rect2 {
    pub min: Vec2,
    pub max: Vec2,
}

impl Rect2 {
    /// A rectangle from two opposite corners, in any order.
    pub fn from_corners(a: Vec2, b: Vec2) -> Self {
        Self {
            min: a.min(b),
            max: a.max(b),
        }
    }

    /// A rectangle from its centre and full size.
    pub fn from_center_size(center: Vec2, size: Vec2) -> Self {
        Self::from_corners(center - size * 0.5, center + size * 0.5)
    }

    pub fn size(&self) -> Vec2 {
        self.max - self.min
    }

    pub fn center(&self) -> Vec2 {
        (self.min + self.max) * 0.5
    }

    pub fn area(&self) -> f32 {
        let s = self.size();
        s.x * s.y
    }

    pub fn contains(&self, p: Vec2) -> bool {
        p.cmpge(self.min).all() && p.cmple(self.max).all()
    }

    /// True when the interiors overlap (touching edges do not count).
    pub fn overlaps(&self, other: &Rect2) -> bool {
        self.min.x < other.max.x
            && other.min.x < self.max.x
            && self.min.y < other.max.y
            && other.min.y < self.max.y
    }

    /// The four corners, counter-clockwise in plan (east, north) starting at `min`.
    pub fn corners(&self) -> [Vec2; 4] {
        [
            self.min,
            Vec2::new(self.max.x, self.min.y),
            self.max,
            Vec2::new(self.min.x, self.max.y),
        ]
    }

    /// The same rectangle in double precision (for geodata and coverage maths).
    pub fn as_dvec(&self) -> (DVec2, DVec2) {
        (self.min.as_dvec2(), self.max.as_dvec2())
    }
}

/// An axis-aligned box in world space.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Aabb3 {
    pub min: Vec3,
    pub max: Vec3,
}

impl Aabb3 {
    /// Distance along the ray `origin + t * dir` to the first hit, if any (slab method).
    pub fn ray_hit(&self, origin: Vec3, dir: Vec3) -> Option<f32> {
        let inv = dir.recip();
        let t1 = (self.min - origin) * inv;
        let t2 = (self.max - origin) * inv;
        let t_near = t1.min(t2).max_element();
        let t_far = t1.max(t2).min_element();
        if t_far >= t_near.max(0.0) {
            Some(t_near.max(0.0))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_and_world_are_inverse_and_north_is_minus_z() {
        let north = world_from_plan(Vec2::new(0.0, 10.0), 0.0);
        assert_eq!(north, Vec3::new(0.0, 0.0, -10.0));
        let p = Vec3::new(3.0, 7.0, -4.0);
        assert_eq!(world_from_plan(plan_from_world(p), 7.0), p);
    }

    #[test]
    fn rect_overlap_excludes_touching_edges() {
        let a = Rect2::from_corners(Vec2::ZERO, Vec2::splat(2.0));
        let b = Rect2::from_corners(Vec2::new(2.0, 0.0), Vec2::new(4.0, 2.0));
        let c = Rect2::from_corners(Vec2::new(1.0, 1.0), Vec2::new(3.0, 3.0));
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&c));
        assert_eq!(a.area(), 4.0);
    }

    #[test]
    fn ray_hits_box_at_expected_distance() {
        let b = Aabb3 {
            min: Vec3::new(-1.0, 0.0, -11.0),
            max: Vec3::new(1.0, 5.0, -9.0),
        };
        let t = b.ray_hit(Vec3::new(0.0, 1.0, 0.0), Vec3::NEG_Z).unwrap();
        assert!((t - 9.0).abs() < 1e-5);
        assert!(b.ray_hit(Vec3::new(0.0, 1.0, 0.0), Vec3::Z).is_none());
        assert!(b.ray_hit(Vec3::new(5.0, 1.0, 0.0), Vec3::NEG_Z).is_none());
    }
}
