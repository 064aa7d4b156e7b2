//! The demo district's meshes as plain arrays (the renderer turns them into GPU meshes):
//! axis-aligned boxes with flat normals and texture coordinates at real scale, and the
//! windows of a building.
//!
//! Texture coordinates are metres divided by the map's tile size (`tile`, metres per
//! repetition across and down):
//! - tops and bottoms are planar in the world: `u = x / tile_u`, `v = z / tile_v` (world `z`
//!   points south, so `v` grows southwards, as an image's rows grow downwards on a map);
//! - walls run along the wall: `u` is the distance along it (increasing to the right seen from
//!   outside, measured from the world's origin so neighbouring boxes line up), `v = -y / tile_v`
//!   (the image's top is up, courses level with the ground).

use glam::Vec3;

/// Triangles with a normal and texture coordinates per vertex.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeshData {
    pub positions: Vec<[f32; 3]>,
    pub normals: Vec<[f32; 3]>,
    pub uvs: Vec<[f32; 2]>,
    pub indices: Vec<u32>,
}

impl MeshData {
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// Adds a quad: four corners counter-clockwise seen from the side `normal` points to.
    fn quad(&mut self, corners: [Vec3; 4], normal: Vec3, uv: [[f32; 2]; 4]) {
        let base = self.positions.len() as u32;
        for (c, t) in corners.iter().zip(uv) {
            self.positions.push(c.to_array());
            self.normals.push(normal.to_array());
            self.uvs.push(t);
        }
        self.indices
            .extend_from_slice(&[base, base + 1, base + 2, base, base + 2, base + 3]);
    }

    /// Adds a wall quad facing `normal` (horizontal, along a world axis), from `a` to `b` at
    /// its foot (left to right seen from outside) and from height `y0` to `y1`.
    fn wall(&mut self, a: Vec3, b: Vec3, y0: f32, y1: f32, normal: Vec3, tile: [f32; 2]) {
        let along = |p: Vec3| wall_u(p, normal) / tile[0];
        let (ua, ub) = (along(a), along(b));
        let (v0, v1) = (-y0 / tile[1], -y1 / tile[1]);
        self.quad(
            [
                Vec3::new(a.x, y0, a.z),
                Vec3::new(b.x, y0, b.z),
                Vec3::new(b.x, y1, b.z),
                Vec3::new(a.x, y1, a.z),
            ],
            normal,
            [[ua, v0], [ub, v0], [ub, v1], [ua, v1]],
        );
    }

    /// Adds an axis-aligned box with `tile` metres per texture repetition. The bottom face is
    /// only added when `with_bottom` is set (never visible for things standing on the ground).
    pub fn add_box(&mut self, min: Vec3, max: Vec3, tile: [f32; 2], with_bottom: bool) {
        let (x0, y0, z0) = (min.x, min.y, min.z);
        let (x1, y1, z1) = (max.x, max.y, max.z);
        for (a, b, n) in box_walls(min, max) {
            self.wall(a, b, y0, y1, n, tile);
        }
        let plan = |x: f32, z: f32| [x / tile[0], z / tile[1]];
        self.quad(
            [
                Vec3::new(x0, y1, z1),
                Vec3::new(x1, y1, z1),
                Vec3::new(x1, y1, z0),
                Vec3::new(x0, y1, z0),
            ],
            Vec3::Y,
            [plan(x0, z1), plan(x1, z1), plan(x1, z0), plan(x0, z0)],
        );
        if with_bottom {
            self.quad(
                [
                    Vec3::new(x0, y0, z0),
                    Vec3::new(x1, y0, z0),
                    Vec3::new(x1, y0, z1),
                    Vec3::new(x0, y0, z1),
                ],
                Vec3::NEG_Y,
                [plan(x0, z0), plan(x1, z0), plan(x1, z1), plan(x0, z1)],
            );
        }
    }
}

/// Distance along a wall facing `normal`, increasing to the right seen from outside.
fn wall_u(p: Vec3, normal: Vec3) -> f32 {
    // Looking at the wall from outside (along -n) with y up, right is (-n) × y: +X for a
    // south (+Z) wall, -Z for an east (+X) one.
    let right = (-normal).cross(Vec3::Y);
    p.dot(right)
}

/// The four walls of a box: foot corners left to right seen from outside, and the normal.
fn box_walls(min: Vec3, max: Vec3) -> [(Vec3, Vec3, Vec3); 4] {
    let (x0, z0, x1, z1) = (min.x, min.z, max.x, max.z);
    let y = min.y;
    [
        (Vec3::new(x0, y, z1), Vec3::new(x1, y, z1), Vec3::Z),
        (Vec3::new(x1, y, z0), Vec3::new(x0, y, z0), Vec3::NEG_Z),
        (Vec3::new(x1, y, z1), Vec3::new(x1, y, z0), Vec3::X),
        (Vec3::new(x0, y, z0), Vec3::new(x0, y, z1), Vec3::NEG_X),
    ]
}

/// Storey height and window bay width of the demo buildings, metres.
pub const STOREY: f32 = 3.0;
/// A window: width, height, and the height of its sill above the storey's floor (metres).
pub const WINDOW: [f32; 3] = [1.3, 1.6, 0.8];
/// How far windows stand out of the wall, metres: enough that the depth buffer never mixes
/// glass and facade, too little to see.
pub const WINDOW_OFFSET: f32 = 0.03;

/// The windows of a box-shaped building from `min` to `max` (world): one per 3 m bay on every
/// storey of every wall, centred in the bay, as quads just in front of the wall. Texture
/// coordinates run 0..1 across each pane.
pub fn building_windows(min: Vec3, max: Vec3) -> MeshData {
    let mut mesh = MeshData::default();
    let storeys = ((max.y - min.y) / STOREY).floor() as u32;
    let [w, h, sill] = WINDOW;
    for (a, b, n) in box_walls(min, max) {
        let length = a.distance(b);
        let bays = (length / STOREY).floor() as u32;
        if bays == 0 {
            continue;
        }
        let dir = (b - a) / length;
        let bay = length / bays as f32;
        for s in 0..storeys {
            let y0 = min.y + s as f32 * STOREY + sill;
            for k in 0..bays {
                let centre = a + dir * (bay * (k as f32 + 0.5)) + n * WINDOW_OFFSET;
                let l = centre - dir * (w / 2.0);
                let r = centre + dir * (w / 2.0);
                mesh.quad(
                    [
                        Vec3::new(l.x, y0, l.z),
                        Vec3::new(r.x, y0, r.z),
                        Vec3::new(r.x, y0 + h, r.z),
                        Vec3::new(l.x, y0 + h, l.z),
                    ],
                    n,
                    [[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]],
                );
            }
        }
    }
    mesh
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vertex(mesh: &MeshData, p: [f32; 3], n: Vec3) -> [f32; 2] {
        let i = mesh
            .positions
            .iter()
            .zip(&mesh.normals)
            .position(|(q, m)| *q == p && Vec3::from(*m) == n)
            .unwrap_or_else(|| panic!("no vertex at {p:?} facing {n}"));
        mesh.uvs[i]
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn ground_uvs_are_metres_over_the_tile_size() {
        let mut mesh = MeshData::default();
        // A 4 m × 6 m slab of a map tiled every 2 m × 3 m.
        mesh.add_box(
            Vec3::new(10.0, -0.2, -3.0),
            Vec3::new(14.0, 0.0, 3.0),
            [2.0, 3.0],
            true,
        );
        let a = vertex(&mesh, [10.0, 0.0, 3.0], Vec3::Y);
        let b = vertex(&mesh, [14.0, 0.0, 3.0], Vec3::Y);
        let c = vertex(&mesh, [10.0, 0.0, -3.0], Vec3::Y);
        // Two vertices 4 m apart along x differ by 4 / 2 in u, not at all in v.
        assert!(close(b[0] - a[0], 2.0) && close(b[1], a[1]), "{a:?} {b:?}");
        // 6 m apart along z: 6 / 3 in v.
        assert!(close(a[1] - c[1], 2.0) && close(a[0], c[0]), "{a:?} {c:?}");
        // World-planar: u is x / tile wherever the box lies.
        assert!(close(a[0], 5.0) && close(a[1], 1.0), "{a:?}");
        // Bottom face too.
        let d = vertex(&mesh, [14.0, -0.2, -3.0], Vec3::NEG_Y);
        assert!(close(d[0], 7.0) && close(d[1], -1.0), "{d:?}");
    }

    #[test]
    fn wall_uvs_run_along_the_wall_at_real_scale() {
        let mut mesh = MeshData::default();
        let tile = [2.25, 2.25];
        mesh.add_box(
            Vec3::new(0.0, 0.15, -8.0),
            Vec3::new(4.0, 9.15, 0.0),
            tile,
            false,
        );
        for n in [Vec3::X, Vec3::NEG_X, Vec3::Z, Vec3::NEG_Z] {
            let idx: Vec<usize> = (0..mesh.normals.len())
                .filter(|&i| Vec3::from(mesh.normals[i]) == n)
                .collect();
            assert_eq!(idx.len(), 4, "one quad facing {n}");
            // Each pair of vertices: uv distance × tile = distance in metres, and u follows the
            // horizontal distance while v follows the height.
            for &i in &idx {
                for &j in &idx {
                    let (p, q) = (Vec3::from(mesh.positions[i]), Vec3::from(mesh.positions[j]));
                    let (s, t) = (mesh.uvs[i], mesh.uvs[j]);
                    let horizontal = Vec3::new(q.x - p.x, 0.0, q.z - p.z).length();
                    assert!(close((t[0] - s[0]).abs() * tile[0], horizontal));
                    assert!(close((t[1] - s[1]) * tile[1], -(q.y - p.y)));
                }
            }
        }
        // The 4 m wide south wall spans 4 / 2.25 tiles; the 9 m high walls 9 / 2.25 = 4.
        let a = vertex(&mesh, [0.0, 0.15, 0.0], Vec3::Z);
        let b = vertex(&mesh, [4.0, 0.15, 0.0], Vec3::Z);
        let c = vertex(&mesh, [4.0, 9.15, 0.0], Vec3::Z);
        assert!(
            close(b[0] - a[0], 4.0 / 2.25),
            "u grows to the right seen from the south"
        );
        assert!(close(b[1] - c[1], 4.0), "{b:?} {c:?}");
        // 7.5 cm brick courses: a course is 1/30 of this 30-course map in v.
        assert!(close(0.075 / tile[1], 1.0 / 30.0));
    }

    #[test]
    fn walls_face_outwards_and_tops_up() {
        let mut mesh = MeshData::default();
        mesh.add_box(Vec3::ZERO, Vec3::ONE, [1.0, 1.0], true);
        for tri in mesh.indices.chunks(3) {
            let p: Vec<Vec3> = tri
                .iter()
                .map(|&i| Vec3::from(mesh.positions[i as usize]))
                .collect();
            let n = Vec3::from(mesh.normals[tri[0] as usize]);
            let winding = (p[1] - p[0]).cross(p[2] - p[0]).normalize();
            assert!(winding.dot(n) > 0.99, "triangle {p:?} against {n}");
        }
    }

    #[test]
    fn windows_sit_in_bays_on_every_storey_just_outside_the_walls() {
        // 12 m × 6 m, 9.5 m high: 3 storeys; 4 bays on the long walls, 2 on the short ones.
        let (min, max) = (Vec3::new(0.0, 0.15, -6.0), Vec3::new(12.0, 9.65, 0.0));
        let mesh = building_windows(min, max);
        assert_eq!(mesh.indices.len() / 6, 3 * (4 + 4 + 2 + 2));
        for (p, n) in mesh.positions.iter().zip(&mesh.normals) {
            let (p, n) = (Vec3::from(*p), Vec3::from(*n));
            assert!(p.y > min.y && p.y < max.y);
            // On the plane WINDOW_OFFSET in front of its wall.
            let wall = if n.x > 0.5 {
                p.x - max.x
            } else if n.x < -0.5 {
                min.x - p.x
            } else if n.z > 0.5 {
                p.z - max.z
            } else {
                min.z - p.z
            };
            assert!(close(wall, WINDOW_OFFSET), "{p} facing {n}");
        }
    }
}
