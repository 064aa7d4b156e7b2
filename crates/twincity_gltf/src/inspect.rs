//! `twincity inspect`: what a glTF 2.0 / GLB file holds (meshes, triangles, materials,
//! textures, extensions, bounds, origin and coordinate reference system) and what is wrong
//! with it, in the manner of the Khronos validator: each problem has a severity, a JSON
//! pointer into the file and a message saying what to do.
//!
//! Nothing here trusts the file: JSON is validated before the document is used, accessors
//! are bounds-checked before they are read, node graphs are checked for cycles, and buffer
//! URIs may not leave the file's folder.

use std::path::{Path, PathBuf};

use glam::DVec3;
use gltf::accessor::{DataType, Dimensions};
use gltf::json::validation::Validate;
use serde::Serialize;
use serde_json::Value;

use crate::budget::Budget;
use crate::container::{self, extension_support};
use crate::mesh::{self, GltfError, MeshSoup};
use crate::unpack;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be loaded (or part of it would be lost).
    Error,
    /// It loads, but something is off or only partly supported.
    Warning,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// JSON pointer (RFC 6901) into the glTF JSON, `""` for the whole file.
    pub pointer: String,
    pub message: String,
}

/// How far TwinCity goes with an extension the file uses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExtensionUse {
    pub name: String,
    /// Listed in `extensionsRequired`: a loader that lacks it must refuse the file.
    pub required: bool,
    /// `supported`, `ignored` (the file still loads, the extension's data is not used) or
    /// `unsupported` (a required extension the editor cannot load).
    pub support: &'static str,
    /// What happens, and how to convert the file when needed.
    pub note: String,
}

/// Where the coordinate reference system was found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CrsInfo {
    /// For example `EPSG:7415`.
    pub crs: String,
    /// The JSON pointer it was read from, or `geometry` when guessed from coordinates.
    pub source: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Inspection {
    pub file: PathBuf,
    /// `GLB` or `glTF JSON`.
    pub container: String,
    pub generator: Option<String>,
    pub scenes: usize,
    pub nodes: usize,
    pub meshes: usize,
    pub primitives: usize,
    pub triangles: usize,
    pub vertices: usize,
    pub materials: usize,
    pub textures: usize,
    pub images: usize,
    pub extensions: Vec<ExtensionUse>,
    /// Lowest and highest corner of the default scene in world coordinates (`+Y` up), metres.
    pub bounds: Option<[[f64; 3]; 2]>,
    /// The point the editor subtracts to work near zero (see
    /// [`mesh::local_origin`]), world coordinates; zero when not needed.
    pub origin: [f64; 3],
    /// `CESIUM_RTC` centre, when the file has one (Earth-centred metres).
    pub rtc_center: Option<[f64; 3]>,
    pub crs: Option<CrsInfo>,
    pub problems: Vec<Problem>,
}

impl Inspection {
    /// True when no problem is an error: the editor can load the file.
    pub fn loadable(&self) -> bool {
        self.problems.iter().all(|p| p.severity != Severity::Error)
    }

    fn problem(&mut self, severity: Severity, pointer: impl Into<String>, message: String) {
        self.problems.push(Problem {
            severity,
            pointer: pointer.into(),
            message,
        });
    }
}

/// `meshes[0].primitives[1].attributes["POSITION"]` → `/meshes/0/primitives/1/attributes/POSITION`.
pub fn json_pointer(path: &str) -> String {
    // Validation paths may end with ` = "value"`.
    let path = path.split(" = ").next().unwrap_or(path);
    let mut out = String::new();
    let mut token = String::new();
    let flush = |out: &mut String, token: &mut String| {
        if !token.is_empty() {
            out.push('/');
            out.push_str(&token.replace('~', "~0").replace('/', "~1"));
            token.clear();
        }
    };
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => flush(&mut out, &mut token),
            '[' => {
                flush(&mut out, &mut token);
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    if c != '"' {
                        token.push(c);
                    }
                }
                flush(&mut out, &mut token);
            }
            _ => token.push(c),
        }
    }
    flush(&mut out, &mut token);
    out
}

/// A CRS written as `EPSG:7415`, `urn:ogc:def:crs:EPSG::7415`, an OGC URL or a bare code.
pub fn normalise_crs(value: &Value) -> Option<String> {
    let code = match value {
        Value::Number(n) => n.as_u64()?.to_string(),
        Value::String(s) => {
            let s = s.trim();
            let digits: String = s
                .rsplit(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap_or("")
                .to_string();
            let upper = s.to_ascii_uppercase();
            if digits.is_empty()
                || !(upper.contains("EPSG") || s.chars().all(|c| c.is_ascii_digit()))
            {
                return None;
            }
            digits
        }
        Value::Object(map) => {
            return ["crs", "epsg", "code", "id"]
                .iter()
                .find_map(|k| map.get(*k).and_then(normalise_crs));
        }
        _ => return None,
    };
    Some(format!("EPSG:{code}"))
}

/// Looks for a CRS in the usual places: root, asset and scene extras, and the root's
/// extensions (any object holding a `crs`/`epsg` member).
fn find_crs(json: &Value) -> Option<CrsInfo> {
    let keys = [
        "crs",
        "CRS",
        "epsg",
        "EPSG",
        "srs",
        "referenceSystem",
        "spatialReference",
    ];
    let mut places: Vec<(String, &Value)> = Vec::new();
    if let Some(v) = json.get("extras") {
        places.push(("/extras".into(), v));
    }
    if let Some(v) = json.pointer("/asset/extras") {
        places.push(("/asset/extras".into(), v));
    }
    if let Some(scenes) = json.get("scenes").and_then(Value::as_array) {
        for (i, s) in scenes.iter().enumerate() {
            if let Some(v) = s.get("extras") {
                places.push((format!("/scenes/{i}/extras"), v));
            }
        }
    }
    if let Some(Value::Object(exts)) = json.get("extensions") {
        for (name, v) in exts {
            places.push((format!("/extensions/{name}"), v));
        }
    }
    for (pointer, v) in places {
        for key in keys {
            if let Some(crs) = v.get(key).and_then(normalise_crs) {
                return Some(CrsInfo {
                    crs,
                    source: format!("{pointer}/{key}"),
                });
            }
        }
    }
    None
}

/// Every node reachable from more than one parent, or from itself.
fn node_graph_problems(doc: &gltf::Document, out: &mut Inspection) {
    let children: Vec<Vec<usize>> = doc
        .nodes()
        .map(|n| n.children().map(|c| c.index()).collect())
        .collect();
    let n = children.len();
    let mut parents = vec![0usize; n];
    for list in &children {
        for &c in list {
            parents[c] += 1;
        }
    }
    for (i, &count) in parents.iter().enumerate() {
        if count > 1 {
            out.problem(
                Severity::Error,
                format!("/nodes/{i}"),
                format!("node {i} has {count} parents; glTF node graphs must be trees (re-export the file)"),
            );
        }
    }
    if let Some((pointer, message)) = crate::budget::node_tree_problem(doc.as_json()) {
        out.problem(Severity::Error, pointer, message);
    }
    // Cycles: iterative depth-first search with colours.
    let mut colour = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    for start in 0..n {
        if colour[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        colour[start] = 1;
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            match children[node].get(*next).copied() {
                Some(child) => {
                    *next += 1;
                    match colour[child] {
                        1 => out.problem(
                            Severity::Error,
                            format!("/nodes/{node}/children"),
                            format!(
                                "node {node} lists node {child}, one of its own ancestors: the node graph has a cycle (re-export the file)"
                            ),
                        ),
                        0 => {
                            colour[child] = 1;
                            stack.push((child, 0));
                        }
                        _ => {}
                    }
                }
                None => {
                    colour[node] = 2;
                    stack.pop();
                }
            }
        }
    }
}

/// The extras and root extensions of a parsed document, as the JSON `find_crs` searches.
fn crs_places(root: &gltf::json::Root) -> Value {
    let raw = |e: &gltf::json::extras::Extras| {
        e.as_ref()
            .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
            .unwrap_or(Value::Null)
    };
    let mut v = serde_json::json!({
        "extras": raw(&root.extras),
        "asset": {"extras": raw(&root.asset.extras)},
        "scenes": root.scenes.iter().map(|s| serde_json::json!({"extras": raw(&s.extras)})).collect::<Vec<_>>(),
    });
    if let Some(ext) = &root.extensions {
        v["extensions"] = Value::Object(ext.others.clone());
    }
    v
}

/// Bounds, indices, finiteness and min/max of the geometry, primitive by primitive.
fn geometry_problems(doc: &gltf::Document, buffers: &[Vec<u8>], out: &mut Inspection) {
    for mesh in doc.meshes() {
        for prim in mesh.primitives() {
            out.primitives += 1;
            let at = format!("/meshes/{}/primitives/{}", mesh.index(), prim.index());
            let Some(pos) = prim.get(&gltf::Semantic::Positions) else {
                out.problem(
                    Severity::Warning,
                    format!("{at}/attributes"),
                    "no POSITION attribute: nothing to draw".into(),
                );
                continue;
            };
            let pos_at = format!("/accessors/{}", pos.index());
            if !mesh::in_bounds(&pos, buffers) {
                out.problem(
                    Severity::Error,
                    pos_at,
                    "positions run past their buffer view or buffer (or are sparse or compressed)"
                        .into(),
                );
                continue;
            }
            let vertices = pos.count();
            out.vertices += vertices;
            let reader = prim.reader(|b| buffers.get(b.index()).map(|v| v.as_slice()));
            if pos.data_type() == DataType::F32 && pos.dimensions() == Dimensions::Vec3 {
                let mut lo = [f32::INFINITY; 3];
                let mut hi = [f32::NEG_INFINITY; 3];
                let mut bad = 0usize;
                for p in reader.read_positions().into_iter().flatten() {
                    if p.iter().all(|c| c.is_finite()) {
                        for k in 0..3 {
                            lo[k] = lo[k].min(p[k]);
                            hi[k] = hi[k].max(p[k]);
                        }
                    } else {
                        bad += 1;
                    }
                }
                if bad > 0 {
                    out.problem(
                        Severity::Error,
                        pos_at.clone(),
                        format!("{bad} position(s) are NaN or infinite; fix the exporter or remove those vertices"),
                    );
                }
                let declared = |v: Option<gltf::json::Value>| {
                    v.and_then(|v| serde_json::from_value::<[f32; 3]>(v).ok())
                };
                match (declared(pos.min()), declared(pos.max())) {
                    (Some(min), Some(max)) if vertices > 0 && bad == 0 => {
                        let off = (0..3).any(|k| {
                            let tol = 1e-4 * hi[k].abs().max(lo[k].abs()).max(1.0);
                            (min[k] - lo[k]).abs() > tol || (max[k] - hi[k]).abs() > tol
                        });
                        if off {
                            out.problem(
                                Severity::Warning,
                                pos_at,
                                format!(
                                    "declared min/max {min:?}/{max:?} differ from the data's {lo:?}/{hi:?} (ACCESSOR_MIN/MAX_MISMATCH); culling may be wrong — `gltf-transform copy` rewrites them"
                                ),
                            );
                        }
                    }
                    (None, _) | (_, None) => out.problem(
                        Severity::Warning,
                        pos_at,
                        "POSITION accessor without min/max (required by glTF 2.0)".into(),
                    ),
                    _ => {}
                }
            }
            let triangles = match prim.indices() {
                Some(acc) => {
                    let idx_at = format!("/accessors/{}", acc.index());
                    let integer = matches!(
                        acc.data_type(),
                        DataType::U8 | DataType::U16 | DataType::U32
                    ) && acc.dimensions() == Dimensions::Scalar;
                    if !integer {
                        out.problem(
                            Severity::Error,
                            idx_at,
                            "indices must be unsigned integer scalars".into(),
                        );
                        continue;
                    }
                    if !mesh::in_bounds(&acc, buffers) {
                        out.problem(
                            Severity::Error,
                            idx_at,
                            "indices run past their buffer view or buffer".into(),
                        );
                        continue;
                    }
                    if let Some(max) = reader
                        .read_indices()
                        .and_then(|i| i.into_u32().max())
                        .filter(|&m| m as usize >= vertices)
                    {
                        out.problem(
                            Severity::Error,
                            idx_at,
                            format!(
                                "index {max} points past the {vertices} vertices of {at}; the file is corrupt"
                            ),
                        );
                    }
                    acc.count()
                }
                None => vertices,
            };
            if prim.mode() == gltf::mesh::Mode::Triangles {
                out.triangles += triangles / 3;
            }
        }
    }
}

/// Inspects a glTF/GLB file. `Err` only when the file cannot be read at all; everything
/// wrong inside it is a [`Problem`].
pub fn inspect(path: &Path) -> Result<Inspection, GltfError> {
    let bytes = crate::container::read_gltf_file(path).map_err(|source| GltfError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Inspection {
        file: path.to_path_buf(),
        container: if bytes.starts_with(b"glTF") {
            "GLB"
        } else {
            "glTF JSON"
        }
        .into(),
        ..Inspection::default()
    };
    let Some(value) = json_value(&bytes, &mut out) else {
        return Ok(out);
    };
    let gltf = match gltf::Gltf::from_slice_without_validation(&bytes) {
        Ok(g) => g,
        Err(e) => {
            out.problem(
                Severity::Error,
                "",
                format!("not a glTF 2.0 document: {e} (wrong type or missing member)"),
            );
            return Ok(out);
        }
    };
    let root = gltf.document.as_json();
    out.generator = root.asset.generator.clone();
    extension_problems(root, &mut out);
    if position_reference_problems(&value, &mut out) {
        return Ok(out);
    }
    let Some((gltf, mut budget)) = plain_document(path, &bytes, gltf, &mut out) else {
        return Ok(out);
    };
    let root = gltf.document.as_json();
    // Validate references before touching the document through the typed API.
    let invalid = validation_errors(root, &mut out);
    if !out.loadable() {
        return Ok(out);
    }
    let found_invalid = invalid_problems(invalid, &mut out);
    count_parts(root, &value, &mut out);
    if found_invalid {
        return Ok(out);
    }
    let doc = gltf.document;
    node_graph_problems(&doc, &mut out);
    let buffers = match mesh::load_buffers(path, &doc, gltf.blob) {
        Ok(b) => b,
        Err(GltfError::Buffer { index, message, .. }) => {
            out.problem(Severity::Error, format!("/buffers/{index}"), message);
            return Ok(out);
        }
        Err(e) => {
            out.problem(Severity::Error, "/buffers", e.to_string());
            return Ok(out);
        }
    };
    geometry_problems(&doc, &buffers, &mut out);
    if !out.loadable() {
        return Ok(out);
    }
    // What loading allocates (after the geometry's own bounds, which name a bad accessor more
    // precisely): sparse accessors at full size, images decoded.
    let blob = doc
        .buffers()
        .find(|b| matches!(b.source(), gltf::buffer::Source::Bin))
        .and_then(|b| buffers.get(b.index()))
        .map(Vec::as_slice);
    if let Err(message) = crate::budget::charge_loading(&doc, blob, &mut budget) {
        located_problem(message, &mut out);
        return Ok(out);
    }
    world_bounds(path, &mut out)?;
    Ok(out)
}

/// The file's JSON as plain values (extras and extensions are read from here), or `None`
/// with the problem reported when the container or the JSON is broken.
fn json_value(bytes: &[u8], out: &mut Inspection) -> Option<Value> {
    let json_bytes: Vec<u8> = if bytes.starts_with(b"glTF") {
        match gltf::binary::Glb::from_slice(bytes) {
            Ok(glb) => glb.json.into_owned(),
            Err(e) => {
                out.problem(
                    Severity::Error,
                    "",
                    format!("not a valid GLB container: {e}"),
                );
                return None;
            }
        }
    } else {
        bytes.to_vec()
    };
    match serde_json::from_slice(&json_bytes) {
        Ok(v) => Some(v),
        Err(e) => {
            out.problem(
                Severity::Error,
                "",
                format!(
                    "the JSON does not parse: {e} (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            );
            None
        }
    }
}

/// Lists the extensions the file uses and reports the required ones the editor cannot load.
fn extension_problems(root: &gltf::json::Root, out: &mut Inspection) {
    let required: Vec<String> = root.extensions_required.clone();
    for name in &root.extensions_used {
        let is_required = required.contains(name);
        let (support, note) = extension_support(name, is_required);
        out.extensions.push(ExtensionUse {
            name: name.clone(),
            required: is_required,
            support,
            note,
        });
        if support == "unsupported" {
            let i = required.iter().position(|r| r == name).unwrap_or(0);
            out.problem(
                Severity::Error,
                format!("/extensionsRequired/{i}"),
                format!(
                    "requires {name}: {}",
                    out.extensions
                        .last()
                        .map(|e| e.note.clone())
                        .unwrap_or_default()
                ),
            );
        }
    }
}

/// Reports POSITION attributes that refer to no accessor; true when there is one. The glTF
/// crate's validator indexes POSITION accessors without checking them (it panics on a bad
/// one), so these references are checked first.
fn position_reference_problems(value: &Value, out: &mut Inspection) -> bool {
    let accessors = value
        .get("accessors")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut bad_refs = false;
    for (m, mesh) in value
        .get("meshes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for (p, prim) in mesh
            .get("primitives")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(pos) = prim.pointer("/attributes/POSITION")
                && pos.as_u64().is_none_or(|i| i as usize >= accessors)
            {
                bad_refs = true;
                out.problem(
                    Severity::Error,
                    format!("/meshes/{m}/primitives/{p}/attributes/POSITION"),
                    format!("refers to accessor {pos}, but the file has {accessors}"),
                );
            }
        }
    }
    bad_refs
}

/// The document as the editor loads it: files using extensions the loader lacks are
/// rewritten (the rewrite reads only what the earlier checks let through, by bounds-checked
/// access). `None` with the problem reported when the rewrite fails.
fn plain_document(
    path: &Path,
    bytes: &[u8],
    gltf: gltf::Gltf,
    out: &mut Inspection,
) -> Option<(gltf::Gltf, Budget)> {
    match unpack::unpack_with_budget(path, bytes) {
        Ok((None, budget)) => Some((gltf, budget)),
        Ok((Some(unpacked), budget)) => {
            match gltf::Gltf::from_slice_without_validation(&unpacked.glb) {
                Ok(plain) => Some((plain, budget)),
                Err(e) => {
                    out.problem(
                        Severity::Error,
                        "",
                        format!("the file decoded from its extensions does not read back: {e}"),
                    );
                    None
                }
            }
        }
        Err(message) => {
            located_problem(message, out);
            None
        }
    }
}

/// An error message that starts with a JSON pointer (`/accessors/3: …`) as a problem at that
/// place.
fn located_problem(message: String, out: &mut Inspection) {
    let (pointer, message) = match message.split_once(": ") {
        Some((p, m)) if p.starts_with('/') => (p.to_string(), m.to_string()),
        _ => (String::new(), message),
    };
    out.problem(Severity::Error, pointer, message);
}

/// What the glTF crate's validator finds in the document; a panic in the validator is
/// reported as a problem of its own.
fn validation_errors(
    root: &gltf::json::Root,
    out: &mut Inspection,
) -> Vec<(gltf::json::Path, gltf::json::validation::Error)> {
    let validated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut found = Vec::new();
        root.validate(root, gltf::json::Path::new, &mut |path, error| {
            found.push((path(), error));
        });
        found
    }));
    match validated {
        Ok(found) => found,
        Err(_) => {
            out.problem(
                Severity::Error,
                "",
                "the glTF validator failed on this file (a reference it does not check is out of range)".into(),
            );
            Vec::new()
        }
    }
}

/// Reports the validator's findings; true when any is left once the unsupported required
/// extensions (reported earlier, with their conversion) are set aside.
fn invalid_problems(
    mut invalid: Vec<(gltf::json::Path, gltf::json::validation::Error)>,
    out: &mut Inspection,
) -> bool {
    invalid.retain(|(path, error)| {
        !(matches!(error, gltf::json::validation::Error::Unsupported)
            && path.as_str().starts_with("extensionsRequired"))
    });
    for (path, error) in &invalid {
        let what = match error {
            gltf::json::validation::Error::IndexOutOfBounds => {
                "refers to an index that does not exist"
            }
            gltf::json::validation::Error::Invalid => "has an invalid value",
            gltf::json::validation::Error::Missing => "is missing",
            gltf::json::validation::Error::Oversize => "is too large",
            gltf::json::validation::Error::Unsupported => "is not supported",
        };
        out.problem(
            Severity::Error,
            json_pointer(path.as_str()),
            format!("`{}` {what}", path.as_str()),
        );
    }
    !invalid.is_empty()
}

/// Counts the document's parts and reads its `CESIUM_RTC` centre and CRS.
fn count_parts(root: &gltf::json::Root, value: &Value, out: &mut Inspection) {
    out.scenes = root.scenes.len();
    out.nodes = root.nodes.len();
    out.meshes = root.meshes.len();
    out.materials = root.materials.len();
    out.textures = root.textures.len();
    out.images = root.images.len();
    if let Some(center) = value
        .pointer("/extensions/CESIUM_RTC/center")
        .and_then(|c| serde_json::from_value::<[f64; 3]>(c.clone()).ok())
    {
        out.rtc_center = Some(center);
    }
    out.crs = find_crs(value);
}

/// World bounds and origin through the same reader the walkable areas use (f64
/// transforms); guesses an Earth-centred CRS and warns about large coordinates without one.
fn world_bounds(path: &Path, out: &mut Inspection) -> Result<(), GltfError> {
    let soup: MeshSoup = mesh::load_triangles(path, false)?;
    if let Some((lo, hi)) = soup.bounds() {
        out.bounds = Some([lo.to_array(), hi.to_array()]);
        let origin = mesh::local_origin(&soup);
        out.origin = origin.to_array();
        if out.crs.is_none() {
            let centre = (lo + hi) * 0.5;
            if out.rtc_center.is_some() || (6.2e6..6.5e6).contains(&centre.length()) {
                out.crs = Some(CrsInfo {
                    crs: "EPSG:4978".into(),
                    source: if out.rtc_center.is_some() {
                        "/extensions/CESIUM_RTC".into()
                    } else {
                        "geometry (Earth-centred coordinates)".into()
                    },
                });
            }
        }
        if origin != DVec3::ZERO && out.crs.is_none() {
            out.problem(
                Severity::Warning,
                "",
                "large (projected?) coordinates but no CRS in the file: type its EPSG code in the project's origin so exports can be placed on a map".into(),
            );
        }
    }
    Ok(())
}

/// What the editor needs before handing a file to its glTF loader.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportCheck {
    /// [`mesh::origin_for_bounds`] of the scene, in world coordinates after the `z_up`
    /// turn (zero when no re-centring is needed).
    pub origin: DVec3,
    pub crs: Option<CrsInfo>,
    /// The file to hand the loader: the file itself, or its plain rewrite in
    /// [`unpack::cache_dir`] when it uses extensions the loader lacks.
    pub load_path: PathBuf,
    /// The extensions the rewrite decoded (empty when the file loads as it is).
    pub decoded: Vec<String>,
}

/// The checks that keep the editor's glTF loader safe, without reading the geometry (fast
/// enough to run on every import): valid JSON and references, no unsupported required
/// extension, a node tree without cycles, buffer and image files inside the file's folder.
/// Bounds come from the POSITION accessors' declared `min`/`max` through the node transforms
/// (in `f64`). The error names the place in the file and the fix.
///
/// Results are cached per file until it changes: adding a file to the project and the city
/// plugin loading it check it once.
pub fn check_import(path: &Path, z_up: bool) -> Result<ImportCheck, String> {
    static CHECKS: twincity_model::filecache::FileCache<ImportCheck> =
        twincity_model::filecache::FileCache::new();
    CHECKS.get_or_try(
        path,
        &[z_up as u64],
        |e| format!("cannot read {}: {e}", path.display()),
        || check_import_uncached(path, z_up),
    )
}

/// [`check_import`] without the cache (what `twincity bench import` times).
pub fn check_import_uncached(path: &Path, z_up: bool) -> Result<ImportCheck, String> {
    let bytes = crate::container::read_gltf_file(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let at = |m: String| format!("{}: {m}", path.display());
    let (unpacked, mut budget) = unpack::unpack_with_budget(path, &bytes).map_err(at)?;
    let (bytes, load_path, decoded) = match unpacked {
        Some(u) => {
            let cached = unpack::write_cached(path, &u).map_err(at)?;
            (u.glb, cached, u.decoded)
        }
        None => (bytes, path.to_path_buf(), Vec::new()),
    };
    let gltf = mesh::parse_checked(&bytes).map_err(at)?;
    let doc = &gltf.document;
    crate::budget::charge_loading(doc, gltf.blob.as_deref(), &mut budget).map_err(at)?;
    let mut graph = Inspection::default();
    node_graph_problems(doc, &mut graph);
    if let Some(p) = graph.problems.first() {
        return Err(format!("{}: {}: {}", path.display(), p.pointer, p.message));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let uris = doc
        .buffers()
        .filter_map(|b| match b.source() {
            gltf::buffer::Source::Uri(u) => Some((format!("/buffers/{}", b.index()), u)),
            gltf::buffer::Source::Bin => None,
        })
        .chain(doc.images().filter_map(|im| match im.source() {
            gltf::image::Source::Uri { uri, .. } => Some((format!("/images/{}", im.index()), uri)),
            gltf::image::Source::View { .. } => None,
        }));
    for (pointer, uri) in uris {
        if !uri.starts_with("data:") {
            container::file_inside(dir, uri)
                .map_err(|m| format!("{}: {pointer}: {m}", path.display()))?;
        }
    }
    let turn = if z_up {
        glam::DMat4::from_quat(glam::DQuat::from_rotation_x(-std::f64::consts::FRAC_PI_2))
    } else {
        glam::DMat4::IDENTITY
    };
    let mut lo = DVec3::splat(f64::INFINITY);
    let mut hi = DVec3::splat(f64::NEG_INFINITY);
    if let Some(scene) = doc.default_scene().or_else(|| doc.scenes().next()) {
        let mut stack: Vec<(gltf::Node, glam::DMat4)> = scene.nodes().map(|n| (n, turn)).collect();
        while let Some((node, parent)) = stack.pop() {
            let local = glam::DMat4::from_cols_array_2d(
                &node.transform().matrix().map(|c| c.map(f64::from)),
            );
            let world = parent * local;
            stack.extend(node.children().map(|c| (c, world)));
            for prim in node.mesh().iter().flat_map(|m| m.primitives()) {
                let Some(acc) = prim.get(&gltf::Semantic::Positions) else {
                    continue;
                };
                let corner = |v: Option<gltf::json::Value>| {
                    v.and_then(|v| serde_json::from_value::<[f64; 3]>(v).ok())
                };
                if let (Some(a), Some(b)) = (corner(acc.min()), corner(acc.max())) {
                    for k in 0..8 {
                        let p = DVec3::new(
                            if k & 1 == 0 { a[0] } else { b[0] },
                            if k & 2 == 0 { a[1] } else { b[1] },
                            if k & 4 == 0 { a[2] } else { b[2] },
                        );
                        let w = world.transform_point3(p);
                        if w.is_finite() {
                            lo = lo.min(w);
                            hi = hi.max(w);
                        }
                    }
                }
            }
        }
    }
    let origin = if lo.is_finite() && hi.is_finite() {
        mesh::origin_for_bounds(lo, hi)
    } else {
        DVec3::ZERO
    };
    let mut crs = find_crs(&crs_places(doc.as_json()));
    if crs.is_none() && lo.is_finite() && (6.2e6..6.5e6).contains(&((lo + hi) * 0.5).length()) {
        crs = Some(CrsInfo {
            crs: "EPSG:4978".into(),
            source: "geometry (Earth-centred coordinates)".into(),
        });
    }
    Ok(ImportCheck {
        origin,
        crs,
        load_path,
        decoded,
    })
}

impl std::fmt::Display for Inspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} ({})", self.file.display(), self.container)?;
        if let Some(g) = &self.generator {
            writeln!(f, "  generator   {g}")?;
        }
        writeln!(
            f,
            "  contents    {} scene(s), {} node(s), {} mesh(es), {} primitive(s), {} triangles, {} vertices",
            self.scenes, self.nodes, self.meshes, self.primitives, self.triangles, self.vertices
        )?;
        writeln!(
            f,
            "  materials   {} material(s), {} texture(s), {} image(s)",
            self.materials, self.textures, self.images
        )?;
        if self.extensions.is_empty() {
            writeln!(f, "  extensions  none")?;
        }
        for e in &self.extensions {
            writeln!(
                f,
                "  extension   {}{}: {} — {}",
                e.name,
                if e.required { " (required)" } else { "" },
                e.support,
                e.note
            )?;
        }
        if let Some([lo, hi]) = self.bounds {
            writeln!(
                f,
                "  bounds      x {:.3} … {:.3}, y (up) {:.3} … {:.3}, z {:.3} … {:.3} (size {:.1} × {:.1} × {:.1} m)",
                lo[0],
                hi[0],
                lo[1],
                hi[1],
                lo[2],
                hi[2],
                hi[0] - lo[0],
                hi[1] - lo[1],
                hi[2] - lo[2]
            )?;
        }
        let geocentric = self.crs.as_ref().is_some_and(|c| c.crs == "EPSG:4978");
        if self.origin != [0.0; 3] && geocentric {
            writeln!(
                f,
                "  origin      x {:.0}, y {:.0}, z {:.0}: re-centred there (Earth-centred coordinates)",
                self.origin[0], self.origin[1], self.origin[2]
            )?;
        } else if self.origin != [0.0; 3] {
            writeln!(
                f,
                "  origin      x {:.0}, y {:.0}, z {:.0}: re-centred there (easting {:.0}, northing {:.0}, height {:.0})",
                self.origin[0],
                self.origin[1],
                self.origin[2],
                self.origin[0],
                -self.origin[2],
                self.origin[1]
            )?;
        } else {
            writeln!(
                f,
                "  origin      none needed (coordinates already near zero)"
            )?;
        }
        if let Some(c) = self.rtc_center {
            writeln!(
                f,
                "  CESIUM_RTC  centre {:.3}, {:.3}, {:.3}",
                c[0], c[1], c[2]
            )?;
        }
        match &self.crs {
            Some(c) => writeln!(f, "  CRS         {} (from {})", c.crs, c.source)?,
            None => writeln!(f, "  CRS         unknown")?,
        }
        if self.problems.is_empty() {
            writeln!(f, "  problems    none")?;
        }
        for p in &self.problems {
            let pointer = if p.pointer.is_empty() {
                "/"
            } else {
                &p.pointer
            };
            writeln!(
                f,
                "  {:<11} {pointer}: {}",
                match p.severity {
                    Severity::Error => "ERROR",
                    Severity::Warning => "warning",
                },
                p.message
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use serde_json::json;

    /// The import check (what the editor and `twincity render` run before loading a file)
    /// refuses the corpus's decode-budget and node-depth files, naming the place.
    #[test]
    fn imports_beyond_the_decode_budget_or_too_deep_are_refused_at_their_place() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile");
        for (file, place, says) in [
            (
                "sparse_accessor_2e30.glb",
                "/accessors/2: ",
                "the count is corrupt",
            ),
            (
                "image_header_60000px.glb",
                "/images/0: a 60000×60000 image",
                "shrink it",
            ),
            ("nodes_100_deep.glb", "/nodes/65: ", "flatten the hierarchy"),
        ] {
            let e = check_import_uncached(&corpus.join(file), false).unwrap_err();
            assert!(e.contains(place) && e.contains(says), "{file}: {e}");
            assert!(e.contains("decoding would give more than") || file.starts_with("nodes"));
        }
    }

    /// A valid glTF: one triangle (positions then u16 indices) in a base64 buffer.
    fn triangle() -> Value {
        let mut bin = Vec::new();
        for p in [[0.0f32, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]] {
            for c in p {
                bin.extend_from_slice(&c.to_le_bytes());
            }
        }
        for i in [0u16, 1, 2, 0] {
            bin.extend_from_slice(&i.to_le_bytes());
        }
        let data = base64::engine::general_purpose::STANDARD.encode(&bin);
        json!({
            "asset": {"version": "2.0"},
            "scene": 0,
            "scenes": [{"nodes": [0]}],
            "nodes": [{"mesh": 0, "name": "tri"}],
            "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
            "accessors": [
                {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                 "min": [0.0, 0.0, 0.0], "max": [1.0, 1.0, 0.0]},
                {"bufferView": 1, "componentType": 5123, "count": 3, "type": "SCALAR"}
            ],
            "bufferViews": [
                {"buffer": 0, "byteOffset": 0, "byteLength": 36},
                {"buffer": 0, "byteOffset": 36, "byteLength": 8}
            ],
            "buffers": [{"byteLength": 44, "uri": format!("data:application/octet-stream;base64,{data}")}]
        })
    }

    /// Changes the bytes of the triangle's base64 buffer in place.
    fn edit_buffer(v: &mut Value, change: impl FnOnce(&mut Vec<u8>)) {
        let engine = base64::engine::general_purpose::STANDARD;
        let uri = v["buffers"][0]["uri"].as_str().unwrap();
        let mut bin = engine.decode(uri.split(',').nth(1).unwrap()).unwrap();
        change(&mut bin);
        let data = engine.encode(&bin);
        v["buffers"][0]["uri"] = json!(format!("data:application/octet-stream;base64,{data}"));
    }

    fn inspect_json(dir: &Path, name: &str, value: &Value) -> Inspection {
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_vec(value).unwrap()).unwrap();
        inspect(&path).unwrap()
    }

    fn errors(i: &Inspection) -> Vec<(String, String)> {
        i.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| (p.pointer.clone(), p.message.clone()))
            .collect()
    }

    /// A node's extras (a building's feature metadata) come with its triangles.
    #[test]
    fn node_extras_are_kept_with_their_part() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = triangle();
        v["nodes"][0]["extras"] =
            json!({"identificatie": "NL.IMBAG.Pand.0503100000012345", "bouwjaar": 1932});
        let path = dir.path().join("bag.gltf");
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        let soup = crate::mesh::load_triangles(&path, false).unwrap();
        let extras: Value = serde_json::from_str(soup.parts[0].extras.as_deref().unwrap()).unwrap();
        assert_eq!(extras["bouwjaar"], 1932);
        assert_eq!(
            (soup.parts[0].name.as_str(), soup.parts[0].node),
            ("tri", 0)
        );
    }

    #[test]
    fn json_pointers_from_validation_paths() {
        assert_eq!(
            json_pointer(r#"meshes[0].primitives[1].attributes["POSITION"]"#),
            "/meshes/0/primitives/1/attributes/POSITION"
        );
        assert_eq!(
            json_pointer(r#"extensionsRequired[0] = "X""#),
            "/extensionsRequired/0"
        );
        assert_eq!(json_pointer("a/b"), "/a~1b");
    }

    #[test]
    fn a_valid_file_is_counted_and_loadable() {
        let dir = tempfile::tempdir().unwrap();
        let i = inspect_json(dir.path(), "ok.gltf", &triangle());
        assert!(i.loadable(), "{:?}", i.problems);
        assert_eq!(
            (i.meshes, i.primitives, i.triangles, i.vertices),
            (1, 1, 1, 3)
        );
        assert_eq!(i.bounds, Some([[0.0, 0.0, 0.0], [1.0, 1.0, 0.0]]));
        assert_eq!(i.origin, [0.0; 3]);
        assert!(i.problems.is_empty(), "{:?}", i.problems);
    }

    /// Every kind of malformed file gives located errors, never a panic, and is not
    /// loadable.
    #[test]
    fn malformed_files_give_located_errors() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let bad = |name: &str, edit: &dyn Fn(&mut Value)| {
            let mut v = triangle();
            edit(&mut v);
            let i = inspect_json(d, name, &v);
            assert!(!i.loadable(), "{name}: {:?}", i.problems);
            errors(&i)
        };
        // Not JSON at all.
        std::fs::write(d.join("text.gltf"), "{ this is not json").unwrap();
        let i = inspect(&d.join("text.gltf")).unwrap();
        assert!(
            !i.loadable() && i.problems[0].message.contains("line 1"),
            "{:?}",
            i.problems
        );
        // A GLB whose header lies about its length.
        std::fs::write(d.join("cut.glb"), b"glTF\x02\0\0\0\xff\0\0\0").unwrap();
        assert!(!inspect(&d.join("cut.glb")).unwrap().loadable());
        // Wrong type.
        let e = bad("type.gltf", &|v| v["meshes"] = json!("three"));
        assert!(e[0].1.contains("not a glTF"), "{e:?}");
        // An accessor index out of range.
        let e = bad("index.gltf", &|v| {
            v["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = json!(7)
        });
        assert_eq!(
            e[0].0, "/meshes/0/primitives/0/attributes/POSITION",
            "{e:?}"
        );
        // A vertex index past the vertices (index 0 of 3 becomes 9).
        let e = bad("vertex.gltf", &|v| {
            edit_buffer(v, |bin| bin[36] = 9);
        });
        assert!(
            e[0].0 == "/accessors/1" && e[0].1.contains("index 9"),
            "{e:?}"
        );
        // A buffer view running past its buffer.
        let e = bad("view.gltf", &|v| v["accessors"][0]["count"] = json!(300));
        assert_eq!(e[0].0, "/accessors/0", "{e:?}");
        // A missing external buffer, and one whose URI leaves the folder.
        let e = bad("missing.gltf", &|v| {
            v["buffers"][0]["uri"] = json!("nowhere.bin")
        });
        assert_eq!(e[0].0, "/buffers/0", "{e:?}");
        std::fs::write(d.parent().unwrap().join("secret.bin"), [0u8; 44]).ok();
        let e = bad("escape.gltf", &|v| {
            v["buffers"][0]["uri"] = json!("../secret.bin")
        });
        assert!(e[0].1.contains("leaves the file's folder"), "{e:?}");
        let e = bad("absolute.gltf", &|v| {
            v["buffers"][0]["uri"] = json!("/etc/passwd")
        });
        assert!(e[0].1.contains("outside the file's folder"), "{e:?}");
        // NaN positions.
        let e = bad("nan.gltf", &|v| {
            edit_buffer(v, |bin| bin[0..4].copy_from_slice(&f32::NAN.to_le_bytes()));
        });
        assert!(e[0].1.contains("NaN"), "{e:?}");
        // A node graph with a cycle: 0 -> 1 -> 0.
        let e = bad("cycle.gltf", &|v| {
            v["nodes"] = json!([{"mesh": 0, "children": [1]}, {"children": [0]}]);
        });
        assert!(e.iter().any(|(_, m)| m.contains("cycle")), "{e:?}");
        // A required extension the loader lacks names the conversion.
        let e = bad("draco.gltf", &|v| {
            v["extensionsUsed"] = json!(["KHR_draco_mesh_compression"]);
            v["extensionsRequired"] = json!(["KHR_draco_mesh_compression"]);
        });
        assert!(
            e[0].0 == "/extensionsRequired/0" && e[0].1.contains("gltf-transform"),
            "{e:?}"
        );
    }

    /// The import check refuses what would crash or leak, and finds the origin from the
    /// declared bounds (here on a z-up file: its z becomes the height).
    #[test]
    fn the_import_check_guards_the_loader() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let write = |name: &str, v: &Value| {
            let p = d.join(name);
            std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
            p
        };
        let mut v = triangle();
        v["nodes"][0]["translation"] = json!([651_000.0, -6_862_000.0, 40.0]);
        v["scenes"][0]["extras"] = json!({"epsg": 2154});
        let ok = check_import(&write("far.gltf", &v), true).unwrap();
        assert_eq!(ok.crs.as_ref().map(|c| c.crs.as_str()), Some("EPSG:2154"));
        assert_eq!(ok.crs.unwrap().source, "/scenes/0/extras/epsg");
        // z-up: (x, y, z) -> (x, z, -y); centre x 651000.5 -> 651001; height 40 kept.
        assert_eq!(ok.origin, DVec3::new(651_001.0, 0.0, 6_862_000.0));
        let mut cyc = triangle();
        cyc["nodes"] = json!([{"mesh": 0, "children": [1]}, {"children": [0]}]);
        let e = check_import(&write("cycle.gltf", &cyc), false).unwrap_err();
        assert!(e.contains("/nodes/") && e.contains("cycle"), "{e}");
        let mut pos = triangle();
        pos["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = json!(5);
        let e = check_import(&write("pos.gltf", &pos), false).unwrap_err();
        assert!(
            e.contains("/meshes/0/primitives/0/attributes/POSITION"),
            "{e}"
        );
        let mut img = triangle();
        img["images"] = json!([{"uri": "../../etc/passwd"}]);
        let e = check_import(&write("img.gltf", &img), false).unwrap_err();
        assert!(e.contains("/images/0") && e.contains("folder"), "{e}");
        let mut b = triangle();
        b["extensionsUsed"] = json!(["KHR_texture_basisu"]);
        b["extensionsRequired"] = json!(["KHR_texture_basisu"]);
        let e = check_import(&write("basis.gltf", &b), false).unwrap_err();
        assert!(
            e.contains("/extensionsRequired/0") && e.contains("gltf-transform png"),
            "{e}"
        );
        // Quantization is decoded: the loader gets a plain rewrite of the file.
        let mut q = triangle();
        q["extensionsUsed"] = json!(["KHR_mesh_quantization"]);
        q["extensionsRequired"] = json!(["KHR_mesh_quantization"]);
        let ok = check_import(&write("q.gltf", &q), false).unwrap();
        assert_eq!(ok.decoded, ["KHR_mesh_quantization"]);
        assert!(
            ok.load_path.starts_with(unpack::cache_dir()),
            "{:?}",
            ok.load_path
        );
        let plain = std::fs::read(&ok.load_path).unwrap();
        assert!(unpack::decodable_extensions(&unpack::split(&plain).unwrap().0).is_empty());
    }

    #[test]
    fn crs_found_in_extras_and_large_coordinates_recentred() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = triangle();
        v["asset"]["extras"] = json!({"crs": "urn:ogc:def:crs:EPSG::2154"});
        v["nodes"][0]["translation"] = json!([651_000.0, 35.0, -6_862_000.0]);
        let i = inspect_json(dir.path(), "lambert.gltf", &v);
        assert_eq!(i.crs.as_ref().unwrap().crs, "EPSG:2154");
        assert_eq!(i.crs.as_ref().unwrap().source, "/asset/extras/crs");
        // Centre x 651000.5 (the triangle spans 1 m), z -6862000: rounded per axis; the
        // height (35.5) is small and stays.
        assert_eq!(i.origin, [651_001.0, 0.0, -6_862_000.0]);
        assert!(i.loadable());
        assert_eq!(normalise_crs(&json!(7415)).as_deref(), Some("EPSG:7415"));
        assert_eq!(
            normalise_crs(&json!("http://www.opengis.net/def/crs/EPSG/0/28992")).as_deref(),
            Some("EPSG:28992")
        );
        assert_eq!(normalise_crs(&json!("WGS 84")), None);
    }
}
