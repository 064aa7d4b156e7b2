//! The vehicle and prop catalogues agree with the model files they name: each vehicle loads
//! with its wheels (where the catalogue says, of the radius it says), the materials it paints
//! and lights, and its plate areas (the body's surface is where the plates are put; bicycles
//! have none); each prop has the extents given.

use std::path::PathBuf;

use glam::{Mat4, Vec3};
use twincity_scenario::ObjectKind;
use twincity_scenario::vehicles::{CATALOGUE, Paint, PlatePlace, VehicleKind};

fn assets() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets")
}

/// A mesh node: its name, its triangles and its pivot (origin) in the model's frame.
type Node = (String, Vec<[Vec3; 3]>, Vec3);

/// Every mesh node of a glTF binary.
fn triangles_by_node(path: &std::path::Path) -> Vec<Node> {
    let gltf = gltf::Gltf::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let blob = gltf.blob.as_deref().expect("a binary glTF");
    let mut out = Vec::new();
    fn walk(node: gltf::Node, parent: Mat4, blob: &[u8], out: &mut Vec<Node>) {
        let m = parent * Mat4::from_cols_array_2d(&node.transform().matrix());
        if let Some(mesh) = node.mesh() {
            let mut tris = Vec::new();
            for p in mesh.primitives() {
                let r = p.reader(|_| Some(blob));
                let pos: Vec<Vec3> = r
                    .read_positions()
                    .expect("positions")
                    .map(|q| m.transform_point3(Vec3::from(q)))
                    .collect();
                let idx: Vec<u32> = match r.read_indices() {
                    Some(i) => i.into_u32().collect(),
                    None => (0..pos.len() as u32).collect(),
                };
                for t in idx.chunks_exact(3) {
                    tris.push([pos[t[0] as usize], pos[t[1] as usize], pos[t[2] as usize]]);
                }
            }
            out.push((
                node.name().unwrap_or("").to_string(),
                tris,
                m.transform_point3(Vec3::ZERO),
            ));
        }
        for c in node.children() {
            walk(c, m, blob, out);
        }
    }
    let scene = gltf
        .default_scene()
        .or_else(|| gltf.scenes().next())
        .unwrap();
    for n in scene.nodes() {
        walk(n, Mat4::IDENTITY, blob, &mut out);
    }
    out
}

/// The names of the materials of a glTF binary's meshes.
fn material_names(path: &std::path::Path) -> Vec<String> {
    let gltf = gltf::Gltf::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gltf.meshes()
        .flat_map(|m| m.primitives())
        .filter_map(|p| p.material().name().map(str::to_string))
        .collect()
}

fn bounds(tris: &[[Vec3; 3]]) -> (Vec3, Vec3) {
    tris.iter().flatten().fold(
        (Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)),
        |(lo, hi), p| (lo.min(*p), hi.max(*p)),
    )
}

/// The outermost point of `tris` on the line x = 0, y = `y`, towards +z (`front`) or -z.
fn surface_along_z(tris: &[[Vec3; 3]], y: f32, front: bool) -> Option<f32> {
    let mut best: Option<f32> = None;
    for [a, b, c] in tris {
        // Barycentric test in the xy plane.
        let d = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y);
        if d.abs() < 1e-12 {
            continue;
        }
        let u = ((0.0 - a.x) * (c.y - a.y) - (c.x - a.x) * (y - a.y)) / d;
        let v = ((b.x - a.x) * (y - a.y) - (0.0 - a.x) * (b.y - a.y)) / d;
        if u < 0.0 || v < 0.0 || u + v > 1.0 {
            continue;
        }
        let z = a.z + u * (b.z - a.z) + v * (c.z - a.z);
        if best.is_none_or(|bz| if front { z > bz } else { z < bz }) {
            best = Some(z);
        }
    }
    best
}

#[test]
fn each_vehicle_loads_with_its_wheels_and_plate_areas() {
    for m in &CATALOGUE {
        let path = assets().join("vehicles").join(m.file);
        let nodes = triangles_by_node(&path);
        let all: Vec<[Vec3; 3]> = nodes.iter().flat_map(|(_, t, _)| t.clone()).collect();
        let (lo, hi) = bounds(&all);
        let size = hi - lo;
        for (k, want) in m.model_size.iter().enumerate() {
            let got = size[k] as f64;
            assert!(
                (got - want).abs() < 0.02 * want,
                "{:?}: extent {k} is {got:.3}, the catalogue says {want}",
                m.body
            );
        }
        assert!(lo.y.abs() < 0.01, "{:?} stands on the ground", m.body);
        for wheel in m.wheels {
            let (_, tris, pivot) = nodes
                .iter()
                .find(|(n, ..)| n == wheel)
                .unwrap_or_else(|| panic!("{:?}: no wheel node {wheel}", m.body));
            let (wl, wh) = bounds(tris);
            // Round: as tall as long; the radius the catalogue gives; touching the ground.
            let radius = (wh.y - wl.y) as f64 / 2.0;
            assert!(
                (radius - m.wheel_radius).abs() < 0.03 * m.wheel_radius,
                "{:?} {wheel}: radius {radius:.3}, catalogue {}",
                m.body,
                m.wheel_radius
            );
            assert!(
                ((wh.z - wl.z) - (wh.y - wl.y)).abs() < 0.02,
                "{wheel} is round"
            );
            assert!(wl.y.abs() < 0.01, "{wheel} touches the ground");
            // It turns about its own axle: its pivot is its centre (up and along).
            let centre = (wl + wh) / 2.0;
            assert!(
                (pivot.y - centre.y).abs() < 0.01 && (pivot.z - centre.z).abs() < 0.01,
                "{:?} {wheel}: pivot {pivot}, centre {centre}",
                m.body
            );
        }
        // The materials it paints and lights are the model's.
        let materials = material_names(&path);
        let painted = match m.paint {
            Paint::Materials(names) => names,
            _ => &[],
        };
        for name in painted.iter().chain(m.light_materials.iter()) {
            assert!(
                name.is_empty() || materials.iter().any(|n| n == name),
                "{:?}: no material {name} among {materials:?}",
                m.body
            );
        }
        // Bicycles: two wheels, no plate; every other vehicle a plate front and rear.
        if m.kind == VehicleKind::Bicycle {
            assert_eq!(m.wheels, ["wheel-front", "wheel-back"], "{:?}", m.body);
            assert!(m.plates.is_empty(), "{:?} carries no plate", m.body);
            // The model is in metres: drawn at its own size.
            for k in m.scale() {
                assert!((k - 1.0).abs() < 0.01, "{:?}: scale {k}", m.body);
            }
            continue;
        }
        assert_eq!(m.plates.len(), 2, "{:?}: front and rear plates", m.body);
        let (_, body, _) = nodes
            .iter()
            .find(|(n, ..)| n == "body")
            .unwrap_or_else(|| panic!("{:?}: no body node", m.body));
        for (place, front) in m.plates.iter().zip([true, false]) {
            let PlatePlace { y, z, .. } = *place;
            let surface = surface_along_z(body, y as f32, front)
                .unwrap_or_else(|| panic!("{:?}: no body at plate height {y}", m.body));
            assert!(
                (surface as f64 - z).abs() < 0.03,
                "{:?}: the {} plate is put at z {z}, the body's surface is at {surface:.3}",
                m.body,
                if front { "front" } else { "rear" }
            );
        }
    }
}

#[test]
fn each_prop_has_the_extents_the_catalogue_gives() {
    for kind in ObjectKind::ALL {
        for p in twincity_scenario::props::models(kind) {
            if p.file.is_empty() {
                continue;
            }
            let nodes = triangles_by_node(&assets().join("props").join(p.file));
            let all: Vec<[Vec3; 3]> = nodes.into_iter().flat_map(|(_, t, _)| t).collect();
            let (lo, hi) = bounds(&all);
            let size = hi - lo;
            for (k, want) in p.model_size.iter().enumerate() {
                assert!(
                    (size[k] as f64 - want).abs() < 0.03 * want,
                    "{}: extent {k} is {}, the catalogue says {want}",
                    p.file,
                    size[k]
                );
            }
            match p.lay {
                twincity_scenario::props::Lay::Upright => {
                    assert!(lo.y.abs() < 0.01, "{} stands on the ground", p.file)
                }
                // Laid on its side about its centre (the renderer lifts it by half its height).
                twincity_scenario::props::Lay::OnItsSide => {
                    assert!((lo + hi).length() < 0.01, "{} is centred", p.file)
                }
            }
        }
    }
}
