//! Reading the triangles of a glTF 2.0 / GLB city mesh in the editor's world coordinates,
//! without a renderer: what walkable areas are derived from.
//!
//! Safe on bad input: every accessor is bounds-checked before it is read, node graphs are
//! walked with a depth limit, buffer URIs may not leave the file's folder, and what cannot be
//! read (compressed or quantized geometry, GPU instancing) is skipped with a message naming the
//! extension and how to convert the file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use base64::Engine;
use glam::{DMat4, DQuat, DVec3};
use gltf::accessor::{DataType, Dimensions};
use gltf::mesh::Mode;

use crate::container::{file_inside, read_gltf_file};

/// The triangles of one primitive, in world coordinates (metres, `+Y` up, `-Z` north).
#[derive(Clone, Debug, PartialEq)]
pub struct MeshPart {
    /// The node's name, else the mesh's, else `mesh N`.
    pub name: String,
    /// The primitive's material name, if any.
    pub material: Option<String>,
    /// The primitive's material index, if any.
    pub material_index: Option<usize>,
    /// Tagged walkable: "walkable" in the node, mesh or material name (any case), or
    /// `"walkable": true` in the node's or mesh's extras.
    pub walkable: bool,
    /// Index of the node in the file.
    pub node: usize,
    /// The node's `extras` (else the mesh's), as JSON text: the twin's feature metadata
    /// (CityJSON attributes, identifiers...).
    pub extras: Option<String>,
    pub triangles: Vec<[DVec3; 3]>,
}

/// Everything read from a file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeshSoup {
    pub parts: Vec<MeshPart>,
    /// What was skipped and why (one line each).
    pub skipped: Vec<String>,
}

impl MeshSoup {
    pub fn triangle_count(&self) -> usize {
        self.parts.iter().map(|p| p.triangles.len()).sum()
    }

    /// Lowest and highest corner of all triangles (`None` without triangles).
    pub fn bounds(&self) -> Option<(DVec3, DVec3)> {
        let mut points = self.parts.iter().flat_map(|p| p.triangles.iter().flatten());
        let first = *points.next()?;
        Some(points.fold((first, first), |(lo, hi), v| (lo.min(*v), hi.max(*v))))
    }

    /// Moves every triangle by `offset`.
    pub fn translate(&mut self, offset: DVec3) {
        for part in &mut self.parts {
            for v in part.triangles.iter_mut().flatten() {
                *v += offset;
            }
        }
    }
}

/// Beyond this distance from the file's origin (metres), coordinates are re-centred.
pub const RECENTRE_BEYOND: f64 = 10_000.0;

/// The point subtracted from a model's coordinates to work near zero: on each axis whose
/// centre lies more than [`RECENTRE_BEYOND`] from zero (projected or Earth-centred
/// coordinates), that centre rounded to the metre; elsewhere 0, so small models keep their
/// coordinates.
pub fn local_origin(soup: &MeshSoup) -> DVec3 {
    match soup.bounds() {
        Some((lo, hi)) => origin_for_bounds(lo, hi),
        None => DVec3::ZERO,
    }
}

/// [`local_origin`] of a model spanning `lo..hi`.
pub fn origin_for_bounds(lo: DVec3, hi: DVec3) -> DVec3 {
    let centre = (lo + hi) * 0.5;
    let axis = |c: f64| {
        if c.abs() > RECENTRE_BEYOND {
            c.round()
        } else {
            0.0
        }
    };
    DVec3::new(axis(centre.x), axis(centre.y), axis(centre.z))
}

#[derive(Debug, thiserror::Error)]
pub enum GltfError {
    #[error("{path}: cannot read the file: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a valid glTF 2.0 / GLB file: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{path}: buffer {index}: {message}")]
    Buffer {
        path: PathBuf,
        index: usize,
        message: String,
    },
}

const MAX_DEPTH: usize = crate::budget::MAX_NODE_DEPTH;

fn wants_walkable(extras: &gltf::json::extras::Extras) -> bool {
    extras
        .as_ref()
        .and_then(|raw| serde_json::from_str::<serde_json::Value>(raw.get()).ok())
        .and_then(|v| v.get("walkable").and_then(|w| w.as_bool()))
        .unwrap_or(false)
}

fn tagged(name: Option<&str>) -> bool {
    name.is_some_and(|n| n.to_ascii_lowercase().contains("walkable"))
}

/// Parses and validates a glTF/GLB file. The glTF crate's validator indexes POSITION
/// accessors unchecked (a bad index panics), so those are checked first, and validation runs
/// under `catch_unwind` in case of other such gaps.
pub fn parse_checked(bytes: &[u8]) -> Result<gltf::Gltf, String> {
    use gltf::json::validation::{Checked, Validate};
    let gltf = gltf::Gltf::from_slice_without_validation(bytes).map_err(|e| e.to_string())?;
    let root = gltf.document.as_json();
    for (i, name) in root.extensions_required.iter().enumerate() {
        if let Some(note) = crate::container::unsupported_required(name) {
            return Err(format!("/extensionsRequired/{i}: requires {name}: {note}"));
        }
    }
    for (m, mesh) in root.meshes.iter().enumerate() {
        for (p, prim) in mesh.primitives.iter().enumerate() {
            if let Some(i) = prim
                .attributes
                .get(&Checked::Valid(gltf::Semantic::Positions))
                && i.value() >= root.accessors.len()
            {
                return Err(format!(
                    "/meshes/{m}/primitives/{p}/attributes/POSITION refers to accessor {}, but the file has {}",
                    i.value(),
                    root.accessors.len()
                ));
            }
        }
    }
    let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut found = Vec::new();
        root.validate(root, gltf::json::Path::new, &mut |path, error| {
            found.push(format!("{}: {error}", path().as_str()));
        });
        found
    }))
    .map_err(|_| {
        "the glTF validator failed on this file (an unchecked reference is out of range)"
            .to_string()
    })?;
    if !found.is_empty() {
        let more = if found.len() > 3 {
            format!(" (and {} more)", found.len() - 3)
        } else {
            String::new()
        };
        return Err(format!("{}{more}", found[..found.len().min(3)].join("; ")));
    }
    if let Some((pointer, message)) = crate::budget::node_tree_problem(root) {
        return Err(format!("{pointer}: {message}"));
    }
    Ok(gltf)
}

/// Loads the buffers of `doc`: the GLB's binary chunk, `data:` URIs, or files next to the
/// glTF file (never outside its folder).
pub(crate) fn load_buffers(
    path: &Path,
    doc: &gltf::Document,
    blob: Option<Vec<u8>>,
) -> Result<Vec<Vec<u8>>, GltfError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut blob = blob;
    let mut out = Vec::new();
    for buffer in doc.buffers() {
        let index = buffer.index();
        let err = |message: String| GltfError::Buffer {
            path: path.to_path_buf(),
            index,
            message,
        };
        let data = match buffer.source() {
            gltf::buffer::Source::Bin => blob
                .take()
                .ok_or_else(|| err("the GLB has no binary chunk".into()))?,
            gltf::buffer::Source::Uri(uri) => {
                if let Some(rest) = uri.strip_prefix("data:") {
                    let (_, payload) = rest
                        .split_once(";base64,")
                        .ok_or_else(|| err("only base64 data URIs are supported".into()))?;
                    base64::engine::general_purpose::STANDARD
                        .decode(payload)
                        .map_err(|e| err(format!("bad base64 data: {e}")))?
                } else {
                    let full = file_inside(dir, uri).map_err(err)?;
                    read_gltf_file(&full).map_err(|e| err(format!("cannot read `{uri}`: {e}")))?
                }
            }
        };
        if data.len() < buffer.length() {
            return Err(err(format!(
                "holds {} bytes, the file declares {}",
                data.len(),
                buffer.length()
            )));
        }
        out.push(data);
    }
    Ok(out)
}

/// True when every element of `accessor` lies inside its buffer view and buffer.
pub(crate) fn in_bounds(accessor: &gltf::Accessor, buffers: &[Vec<u8>]) -> bool {
    let Some(view) = accessor.view() else {
        return false;
    };
    let Some(buffer) = buffers.get(view.buffer().index()) else {
        return false;
    };
    if accessor.sparse().is_some() {
        return false;
    }
    let elem = accessor.size();
    let stride = view.stride().unwrap_or(elem);
    let count = accessor.count();
    // glTF requires at least one element; the `gltf` crate's readers underflow on none
    // (found by tests/fuzz.rs).
    if count == 0 {
        return false;
    }
    // Counts, offsets and strides come from the file: every sum is checked (a count of 2⁶² or
    // an offset of 2⁶⁴ − 1 must read as out of bounds, not wrap or panic).
    let end_in_view = (count - 1)
        .checked_mul(stride)
        .and_then(|v| v.checked_add(accessor.offset()))
        .and_then(|v| v.checked_add(elem));
    let view_end = view.offset().checked_add(view.length());
    matches!((end_in_view, view_end), (Some(end), Some(view_end))
        if end <= view.length() && view_end <= buffer.len())
        && stride >= elem
}

/// Reads every triangle of the default scene (or the first), in world coordinates; with
/// `z_up`, files exported with `+Z` up are turned as the editor turns them.
pub fn load_triangles(path: &Path, z_up: bool) -> Result<MeshSoup, GltfError> {
    let bytes = read_gltf_file(path).map_err(|source| GltfError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |message: String| GltfError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    // Compressed, quantized, WebP or instanced files are read through their plain rewrite.
    let bytes = match crate::unpack::unpack(path, &bytes).map_err(invalid)? {
        Some(unpacked) => unpacked.glb,
        None => bytes,
    };
    let gltf = parse_checked(&bytes).map_err(invalid)?;
    let gltf::Gltf { document, blob } = gltf;
    let buffers = load_buffers(path, &document, blob)?;
    let mut soup = MeshSoup::default();
    let root = if z_up {
        DMat4::from_quat(DQuat::from_rotation_x(-std::f64::consts::FRAC_PI_2))
    } else {
        DMat4::IDENTITY
    };
    let Some(scene) = document
        .default_scene()
        .or_else(|| document.scenes().next())
    else {
        soup.skipped.push("the file has no scene".into());
        return Ok(soup);
    };
    let mut stack: Vec<(gltf::Node, DMat4, usize, bool)> =
        scene.nodes().map(|n| (n, root, 0, false)).collect();
    let mut seen = HashSet::new();
    while let Some((node, parent, depth, parent_walkable)) = stack.pop() {
        if depth > MAX_DEPTH || !seen.insert((node.index(), depth)) {
            soup.skipped.push(format!(
                "node {}: hierarchy deeper than {MAX_DEPTH} levels",
                node.index()
            ));
            continue;
        }
        let local = DMat4::from_cols_array_2d(&node.transform().matrix().map(|c| c.map(f64::from)));
        let world = parent * local;
        let walkable = parent_walkable || tagged(node.name()) || wants_walkable(node.extras());
        for child in node.children() {
            stack.push((child, world, depth + 1, walkable));
        }
        let Some(mesh) = node.mesh() else {
            continue;
        };
        let mesh_walkable = walkable || tagged(mesh.name()) || wants_walkable(mesh.extras());
        let name = node
            .name()
            .or(mesh.name())
            .map(str::to_string)
            .unwrap_or_else(|| format!("mesh {}", mesh.index()));
        for prim in mesh.primitives() {
            if prim.mode() != Mode::Triangles {
                continue;
            }
            let Some(pos) = prim.get(&gltf::Semantic::Positions) else {
                continue;
            };
            if pos.data_type() != DataType::F32 || pos.dimensions() != Dimensions::Vec3 {
                soup.skipped
                    .push(format!("{name}: positions are not float32 vec3; skipped"));
                continue;
            }
            if !in_bounds(&pos, &buffers) {
                soup.skipped.push(format!(
                    "{name}: positions are compressed, sparse or run past their buffer; skipped"
                ));
                continue;
            }
            let reader = prim.reader(|b| buffers.get(b.index()).map(|v| v.as_slice()));
            let Some(positions) = reader.read_positions() else {
                continue;
            };
            let points: Vec<DVec3> = positions
                .map(|p| world.transform_point3(DVec3::new(p[0] as f64, p[1] as f64, p[2] as f64)))
                .collect();
            let indices: Vec<usize> = match prim.indices() {
                Some(acc) => {
                    let ok_type = matches!(
                        acc.data_type(),
                        DataType::U8 | DataType::U16 | DataType::U32
                    ) && acc.dimensions() == Dimensions::Scalar;
                    if !ok_type || !in_bounds(&acc, &buffers) {
                        soup.skipped.push(format!(
                            "{name}: indices unreadable or out of bounds; skipped"
                        ));
                        continue;
                    }
                    match reader.read_indices() {
                        Some(i) => i.into_u32().map(|i| i as usize).collect(),
                        None => continue,
                    }
                }
                None => (0..points.len()).collect(),
            };
            if indices.iter().any(|&i| i >= points.len()) {
                soup.skipped.push(format!(
                    "{name}: an index points past the vertices; skipped"
                ));
                continue;
            }
            let triangles: Vec<[DVec3; 3]> = indices
                .chunks_exact(3)
                .map(|t| [points[t[0]], points[t[1]], points[t[2]]])
                .filter(|t| t.iter().all(|p| p.is_finite()))
                .collect();
            let material = prim.material().name().map(str::to_string);
            let extras = node
                .extras()
                .as_ref()
                .or(mesh.extras().as_ref())
                .map(|r| r.get().to_string());
            soup.parts.push(MeshPart {
                walkable: mesh_walkable || tagged(material.as_deref()),
                name: name.clone(),
                material,
                material_index: prim.material().index(),
                node: node.index(),
                extras,
                triangles,
            });
        }
    }
    Ok(soup)
}

/// Small GLB files written for tests (here and in the app's tests, through the
/// `test-support` feature).
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures {
    use std::path::Path;

    /// `(name, translation, positions, indices)` of one node with one triangle mesh.
    pub type Node<'a> = (&'a str, [f32; 3], Vec<[f32; 3]>, Vec<u32>);

    /// A minimal GLB: one node per `(name, translation, positions, indices)`.
    pub fn write_glb(path: &Path, nodes: &[Node]) {
        let mut bin: Vec<u8> = Vec::new();
        let mut views = Vec::new();
        let mut accessors = Vec::new();
        let mut meshes = Vec::new();
        let mut json_nodes = Vec::new();
        for (k, (name, t, pos, idx)) in nodes.iter().enumerate() {
            let p_off = bin.len();
            for p in pos {
                for c in p {
                    bin.extend_from_slice(&c.to_le_bytes());
                }
            }
            let i_off = bin.len();
            for i in idx {
                bin.extend_from_slice(&i.to_le_bytes());
            }
            let (lo, hi) = pos
                .iter()
                .fold(([f32::MAX; 3], [f32::MIN; 3]), |(lo, hi), p| {
                    (
                        [lo[0].min(p[0]), lo[1].min(p[1]), lo[2].min(p[2])],
                        [hi[0].max(p[0]), hi[1].max(p[1]), hi[2].max(p[2])],
                    )
                });
            views.push(format!(
                r#"{{"buffer":0,"byteOffset":{p_off},"byteLength":{}}}"#,
                pos.len() * 12
            ));
            views.push(format!(
                r#"{{"buffer":0,"byteOffset":{i_off},"byteLength":{}}}"#,
                idx.len() * 4
            ));
            accessors.push(format!(
                r#"{{"bufferView":{},"componentType":5126,"count":{},"type":"VEC3","min":{lo:?},"max":{hi:?}}}"#,
                2 * k,
                pos.len()
            ));
            accessors.push(format!(
                r#"{{"bufferView":{},"componentType":5125,"count":{},"type":"SCALAR"}}"#,
                2 * k + 1,
                idx.len()
            ));
            meshes.push(format!(
                r#"{{"primitives":[{{"attributes":{{"POSITION":{}}},"indices":{}}}]}}"#,
                2 * k,
                2 * k + 1
            ));
            json_nodes.push(format!(
                r#"{{"name":"{name}","mesh":{k},"translation":{t:?}}}"#
            ));
        }
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        let scene_nodes: Vec<String> = (0..nodes.len()).map(|k| k.to_string()).collect();
        let json = format!(
            r#"{{"asset":{{"version":"2.0"}},"scene":0,"scenes":[{{"nodes":[{}]}}],"nodes":[{}],"meshes":[{}],"accessors":[{}],"bufferViews":[{}],"buffers":[{{"byteLength":{}}}]}}"#,
            scene_nodes.join(","),
            json_nodes.join(","),
            meshes.join(","),
            accessors.join(","),
            views.join(","),
            bin.len()
        );
        let out = crate::container::glb_container(json.as_bytes(), &bin);
        std::fs::write(path, out).unwrap();
    }

    /// An axis-aligned box from `lo` to `hi` (12 triangles).
    pub fn cuboid(lo: [f32; 3], hi: [f32; 3]) -> (Vec<[f32; 3]>, Vec<u32>) {
        let c = |i: u32| {
            [
                if i & 1 == 0 { lo[0] } else { hi[0] },
                if i & 2 == 0 { lo[1] } else { hi[1] },
                if i & 4 == 0 { lo[2] } else { hi[2] },
            ]
        };
        let pos = (0..8).map(c).collect();
        let idx = vec![
            0, 1, 3, 0, 3, 2, 4, 6, 7, 4, 7, 5, // -z, +z
            0, 4, 5, 0, 5, 1, 2, 3, 7, 2, 7, 6, // -y, +y
            0, 2, 6, 0, 6, 4, 1, 5, 7, 1, 7, 3, // -x, +x
        ];
        (pos, idx)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::fixtures::{cuboid, write_glb};
    use super::*;

    #[test]
    fn triangles_come_out_in_world_coordinates_with_tags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("two.glb");
        let (bp, bi) = cuboid([0.0, 0.0, 0.0], [10.0, 12.0, 8.0]);
        let ground = vec![
            [-20.0, 0.0, -20.0],
            [20.0, 0.0, -20.0],
            [20.0, 0.0, 20.0],
            [-20.0, 0.0, 20.0],
        ];
        write_glb(
            &file,
            &[
                ("Tower", [100.0, 0.0, -50.0], bp, bi),
                (
                    "Plaza walkable",
                    [0.0, 0.0, 0.0],
                    ground,
                    vec![0, 2, 1, 0, 3, 2],
                ),
            ],
        );
        let soup = load_triangles(&file, false).unwrap();
        assert_eq!(soup.parts.len(), 2);
        assert_eq!(soup.triangle_count(), 14);
        let tower = soup.parts.iter().find(|p| p.name == "Tower").unwrap();
        assert!(!tower.walkable);
        let (lo, hi) = tower.triangles.iter().flatten().fold(
            (DVec3::splat(f64::MAX), DVec3::splat(f64::MIN)),
            |(lo, hi), p| (lo.min(*p), hi.max(*p)),
        );
        // The node's translation is applied.
        assert_eq!(lo, DVec3::new(100.0, 0.0, -50.0));
        assert_eq!(hi, DVec3::new(110.0, 12.0, -42.0));
        assert!(
            soup.parts
                .iter()
                .any(|p| p.name == "Plaza walkable" && p.walkable)
        );
        // Z-up: the file's +Z (here -50..-42 with the translation) becomes height, its +Y
        // (0..12) north, i.e. world -Z.
        let turned = load_triangles(&file, true).unwrap();
        let tower = turned.parts.iter().find(|p| p.name == "Tower").unwrap();
        let (lo, hi) = tower.triangles.iter().flatten().fold(
            (DVec3::splat(f64::MAX), DVec3::splat(f64::MIN)),
            |(lo, hi), p| (lo.min(*p), hi.max(*p)),
        );
        assert!(
            (lo - DVec3::new(100.0, -50.0, -12.0)).length() < 1e-9,
            "{lo}"
        );
        assert!((hi - DVec3::new(110.0, -42.0, 0.0)).length() < 1e-9, "{hi}");
    }

    #[test]
    fn broken_files_give_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.glb");
        let (bp, bi) = cuboid([0.0; 3], [1.0; 3]);
        write_glb(&good, &[("Box", [0.0; 3], bp, bi)]);
        let bytes = std::fs::read(&good).unwrap();
        // Truncated.
        let cut = dir.path().join("cut.glb");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        assert!(load_triangles(&cut, false).is_err());
        // Not glTF at all.
        let junk = dir.path().join("junk.glb");
        std::fs::write(&junk, b"hello").unwrap();
        assert!(matches!(
            load_triangles(&junk, false),
            Err(GltfError::Invalid { .. })
        ));
        // A .gltf whose buffer URI leaves the folder.
        let escape = dir.path().join("escape.gltf");
        std::fs::write(
            &escape,
            r#"{"asset":{"version":"2.0"},"buffers":[{"byteLength":4,"uri":"../../etc/passwd"}]}"#,
        )
        .unwrap();
        let e = load_triangles(&escape, false).unwrap_err().to_string();
        assert!(e.contains("folder"), "{e}");
        // Missing file.
        assert!(matches!(
            load_triangles(&dir.path().join("none.glb"), false),
            Err(GltfError::Io { .. })
        ));
        // A device that never ends, or a folder, named as a city file: refused unread.
        for not_a_file in ["/dev/zero", dir.path().to_str().unwrap()] {
            if Path::new(not_a_file).exists() {
                let e = load_triangles(Path::new(not_a_file), false)
                    .unwrap_err()
                    .to_string();
                assert!(e.contains("not a regular file"), "{e}");
                let e = crate::inspect::inspect(Path::new(not_a_file))
                    .unwrap_err()
                    .to_string();
                assert!(e.contains("not a regular file"), "{e}");
            }
        }
        // Counts and offsets near the integer limits: errors, not panics or wrapped sums.
        let json_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let json: serde_json::Value = serde_json::from_slice(&bytes[20..20 + json_len]).unwrap();
        let bin = &bytes[20 + json_len + 8..];
        for (pointer, value) in [
            ("/accessors/0/count", serde_json::json!(1u64 << 62)),
            ("/accessors/0/byteOffset", serde_json::json!(u64::MAX)),
            ("/accessors/1/count", serde_json::json!(u64::MAX / 4)),
            ("/bufferViews/0/byteOffset", serde_json::json!(u64::MAX - 3)),
            ("/bufferViews/0/byteLength", serde_json::json!(u64::MAX)),
        ] {
            let mut hostile = json.clone();
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            hostile.pointer_mut(parent).unwrap()[key] = value;
            let path = dir.path().join("hostile.glb");
            let text = serde_json::to_vec(&hostile).unwrap();
            std::fs::write(&path, crate::container::glb_container(&text, bin)).unwrap();
            let loaded = std::panic::catch_unwind(|| load_triangles(&path, false));
            let soup = loaded.unwrap_or_else(|_| panic!("{pointer}: panicked"));
            assert!(
                match &soup {
                    Ok(s) => s.triangle_count() == 0,
                    Err(_) => true,
                },
                "{pointer}: read triangles past the data"
            );
            let inspected = std::panic::catch_unwind(|| crate::inspect::inspect(&path));
            assert!(inspected.is_ok(), "{pointer}: inspect panicked");
        }
    }
}
