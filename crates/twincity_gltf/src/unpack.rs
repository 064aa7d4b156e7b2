//! Rewrites glTF files that use compression or encoding extensions the editor's glTF loader
//! lacks into plain, self-contained GLB files that every reader of the project (Bevy's loader,
//! the triangle reader behind coverage, picking and walkable areas) can load.
//!
//! | Extension | What [`unpack`] does |
//! | --- | --- |
//! | `EXT_meshopt_compression`, `KHR_meshopt_compression` | buffer views decoded with meshoptimizer (vertex/index codecs and the octahedral, quaternion, exponential and colour filters) |
//! | `KHR_mesh_quantization` | integer vertex attributes (positions, normals, tangents, texture coordinates, morph targets) turned into `float32`, normalised ones scaled as the specification says |
//! | `EXT_texture_webp` | the texture's PNG/JPEG fallback used when there is one; otherwise the WebP image decoded and stored as PNG |
//! | `EXT_mesh_gpu_instancing` | every instance becomes a child node carrying the mesh with the instance's translation, rotation and scale |
//!
//! Everything else in the JSON (names, extras, other extensions, materials) is kept as it is.
//! External buffers and images are read only inside the file's folder
//! ([`crate::container::file_inside`]) and embedded, so the output stands alone. Malformed
//! input of any kind gives an error naming the place in the file (a JSON pointer), never a
//! panic.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::budget::Budget;
use crate::container::glb_container;

/// Extensions [`unpack`] removes from a file by decoding what they encode.
pub const DECODED: &[&str] = &[
    "EXT_meshopt_compression",
    "KHR_meshopt_compression",
    "KHR_mesh_quantization",
    "EXT_texture_webp",
    "EXT_mesh_gpu_instancing",
];

const MESHOPT: [&str; 2] = ["EXT_meshopt_compression", "KHR_meshopt_compression"];
const FLOAT: u64 = 5126;
/// More decoded data than this from one buffer view is taken for a corrupt count.
const MAX_VIEW_BYTES: usize = 1 << 31;
/// More instances than this in one file are refused (each becomes a node).
const MAX_INSTANCES: usize = 2_000_000;

/// The result of [`unpack`]: a self-contained GLB and the extensions it no longer needs.
#[derive(Clone, Debug)]
pub struct Unpacked {
    pub glb: Vec<u8>,
    pub decoded: Vec<String>,
}

/// The JSON chunk and binary chunk of a `.glb`, or the JSON of a `.gltf`.
pub fn split(bytes: &[u8]) -> Result<(Value, Option<Vec<u8>>), String> {
    if bytes.starts_with(b"glTF") {
        let glb = gltf::binary::Glb::from_slice(bytes)
            .map_err(|e| format!("not a valid GLB container: {e}"))?;
        let json = serde_json::from_slice(&glb.json).map_err(|e| {
            format!(
                "the JSON does not parse: {e} (line {}, column {})",
                e.line(),
                e.column()
            )
        })?;
        Ok((json, glb.bin.map(|b| b.into_owned())))
    } else {
        let json = serde_json::from_slice(bytes).map_err(|e| {
            format!(
                "the JSON does not parse: {e} (line {}, column {})",
                e.line(),
                e.column()
            )
        })?;
        Ok((json, None))
    }
}

/// The [`DECODED`] extensions `root` uses (listed in `extensionsUsed`).
pub fn decodable_extensions(root: &Value) -> Vec<String> {
    root.get("extensionsUsed")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|name| DECODED.contains(name))
        .map(str::to_string)
        .collect()
}

/// Whether `root` refers to image files beside it (`uri` not a `data:` URI). Bevy cannot load
/// such textures for a file outside its asset folder (its loader panics on them), so these
/// files are rewritten with their images embedded.
pub fn has_external_images(root: &Value) -> bool {
    root.get("images")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("uri").and_then(Value::as_str))
        .any(|uri| !uri.starts_with("data:"))
}

/// Rewrites `bytes` (the content of `path`) as a plain GLB when the file uses any of the
/// [`DECODED`] extensions or refers to image files; `None` otherwise (the file loads as it
/// is).
pub fn unpack(path: &Path, bytes: &[u8]) -> Result<Option<Unpacked>, String> {
    unpack_with_budget(path, bytes).map(|(u, _)| u)
}

/// [`unpack`], with what remains of the file's decode budget ([`crate::budget`]) after the
/// rewrite: meshopt views, WebP images and instance nodes are taken from it, and the caller
/// takes what loading the result allocates.
pub fn unpack_with_budget(path: &Path, bytes: &[u8]) -> Result<(Option<Unpacked>, Budget), String> {
    let (mut root, blob) = split(bytes)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut budget = Budget::for_file(dir, &root, bytes.len() as u64);
    let decoded = decodable_extensions(&root);
    if decoded.is_empty() && !has_external_images(&root) {
        return Ok((None, budget));
    }
    let buffers = load_buffers(dir, &root, blob)?;
    let mut out = Bin::default();
    let views = decode_views(&root, &buffers, &mut budget)?;
    // Every buffer view is copied, decoded, into the one new buffer.
    let mut view_offsets = Vec::with_capacity(views.len());
    for data in &views {
        view_offsets.push(out.push(data));
    }
    if let Some(list) = root.get_mut("bufferViews").and_then(Value::as_array_mut) {
        for (i, view) in list.iter_mut().enumerate() {
            let Some(view) = view.as_object_mut() else {
                continue;
            };
            view.insert("buffer".into(), json!(0));
            view.insert("byteOffset".into(), json!(view_offsets[i]));
            view.insert("byteLength".into(), json!(views[i].len()));
            strip_extensions(view, &MESHOPT);
        }
    }
    if decoded.iter().any(|d| d == "KHR_mesh_quantization") {
        dequantize(&mut root, &views, &mut out)?;
    }
    if decoded.iter().any(|d| d == "EXT_mesh_gpu_instancing") {
        expand_instances(&mut root, &views, &mut budget)?;
    }
    embed_images(&mut root, dir, &views, &mut out, &mut budget)?;
    root["buffers"] = json!([{ "byteLength": out.data.len() }]);
    for key in ["extensionsUsed", "extensionsRequired"] {
        if let Some(list) = root.get_mut(key).and_then(Value::as_array_mut) {
            list.retain(|v| v.as_str().is_none_or(|n| !DECODED.contains(&n)));
            if list.is_empty() {
                root.as_object_mut().map(|o| o.remove(key));
            }
        }
    }
    let unpacked = Unpacked {
        glb: write_glb(&root, &out.data),
        decoded,
    };
    Ok((Some(unpacked), budget))
}

/// Where unpacked copies are kept: `$XDG_CACHE_HOME/twincity/unpacked`, else
/// `~/.cache/twincity/unpacked`, else the system's temporary folder.
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("twincity").join("unpacked")
}

/// Writes `unpacked` to [`cache_dir`] under a name made of the source file's name and a hash
/// of the content (written to a temporary name, then renamed: a reader never sees half a
/// file), and returns its path.
pub fn write_cached(source: &Path, unpacked: &Unpacked) -> Result<PathBuf, String> {
    use std::hash::{Hash, Hasher};
    let dir = cache_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot create the cache folder {}: {e}", dir.display()))?;
    let mut hasher = std::hash::DefaultHasher::new();
    unpacked.glb.hash(&mut hasher);
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    let target = dir.join(format!("{stem}-{:016x}.glb", hasher.finish()));
    if std::fs::metadata(&target).is_ok_and(|m| m.len() == unpacked.glb.len() as u64) {
        return Ok(target);
    }
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .map_err(|e| format!("cannot write in the cache folder {}: {e}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, &unpacked.glb).map_err(|e| {
        format!(
            "cannot write the unpacked copy of {}: {e}",
            source.display()
        )
    })?;
    tmp.persist(&target)
        .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    Ok(target)
}

#[derive(Default)]
struct Bin {
    data: Vec<u8>,
}

impl Bin {
    /// Appends `bytes` at a 4-byte boundary and returns their offset.
    fn push(&mut self, bytes: &[u8]) -> usize {
        while !self.data.len().is_multiple_of(4) {
            self.data.push(0);
        }
        let at = self.data.len();
        self.data.extend_from_slice(bytes);
        at
    }
}

fn strip_extensions(object: &mut Map<String, Value>, names: &[&str]) {
    if let Some(ext) = object.get_mut("extensions").and_then(Value::as_object_mut) {
        for name in names {
            ext.remove(*name);
        }
        if ext.is_empty() {
            object.remove("extensions");
        }
    }
}

fn usize_at(value: &Value, key: &str) -> Option<usize> {
    value.get(key).and_then(Value::as_u64).map(|v| v as usize)
}

/// The data of each buffer; `None` for a buffer without data (a meshopt fallback buffer).
fn load_buffers(
    dir: &Path,
    root: &Value,
    blob: Option<Vec<u8>>,
) -> Result<Vec<Option<Vec<u8>>>, String> {
    let mut blob = blob;
    let mut out = Vec::new();
    for (i, buffer) in root
        .get("buffers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = |m: String| format!("/buffers/{i}: {m}");
        let data = match buffer.get("uri").and_then(Value::as_str) {
            Some(uri) => Some(read_uri(dir, uri).map_err(at)?),
            None if i == 0 && blob.is_some() => blob.take(),
            None => None,
        };
        if let (Some(d), Some(len)) = (&data, usize_at(buffer, "byteLength"))
            && d.len() < len
        {
            return Err(at(format!(
                "holds {} bytes, the file declares {len}",
                d.len()
            )));
        }
        out.push(data);
    }
    Ok(out)
}

fn read_uri(dir: &Path, uri: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    if let Some(rest) = uri.strip_prefix("data:") {
        let (_, payload) = rest
            .split_once(";base64,")
            .ok_or("only base64 data URIs are supported")?;
        return base64::engine::general_purpose::STANDARD
            .decode(payload)
            .map_err(|e| format!("bad base64 data: {e}"));
    }
    let full = crate::container::file_inside(dir, uri)?;
    crate::container::read_gltf_file(&full).map_err(|e| format!("cannot read `{uri}`: {e}"))
}

fn slice(
    buffers: &[Option<Vec<u8>>],
    buffer: usize,
    offset: usize,
    length: usize,
) -> Result<&[u8], String> {
    let data = buffers
        .get(buffer)
        .ok_or_else(|| format!("refers to buffer {buffer}, which does not exist"))?
        .as_ref()
        .ok_or_else(|| format!("buffer {buffer} has no data"))?;
    offset
        .checked_add(length)
        .and_then(|end| data.get(offset..end))
        .ok_or_else(|| {
            format!(
                "bytes {offset}..{} run past buffer {buffer} ({} bytes)",
                offset.saturating_add(length),
                data.len()
            )
        })
}

/// The bytes of every buffer view, meshopt-compressed ones decoded.
fn decode_views(
    root: &Value,
    buffers: &[Option<Vec<u8>>],
    budget: &mut Budget,
) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for (i, view) in root
        .get("bufferViews")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let compressed = MESHOPT.iter().find_map(|name| {
            view.pointer(&format!("/extensions/{name}"))
                .map(|e| (*name, e))
        });
        let data = match compressed {
            Some((name, ext)) => decode_meshopt(ext, buffers, budget)
                .map_err(|m| format!("/bufferViews/{i}/extensions/{name}: {m}"))?,
            None => {
                let at = |m: String| format!("/bufferViews/{i}: {m}");
                let buffer = usize_at(view, "buffer").ok_or_else(|| at("no buffer".into()))?;
                let offset = usize_at(view, "byteOffset").unwrap_or(0);
                let length =
                    usize_at(view, "byteLength").ok_or_else(|| at("no byteLength".into()))?;
                slice(buffers, buffer, offset, length).map_err(at)?.to_vec()
            }
        };
        out.push(data);
    }
    Ok(out)
}

/// Decodes one meshopt view, taking its size from the file's decode budget.
fn decode_meshopt(
    ext: &Value,
    buffers: &[Option<Vec<u8>>],
    budget: &mut Budget,
) -> Result<Vec<u8>, String> {
    let field = |key: &str| usize_at(ext, key).ok_or_else(|| format!("`{key}` is missing"));
    let src = slice(
        buffers,
        field("buffer")?,
        usize_at(ext, "byteOffset").unwrap_or(0),
        field("byteLength")?,
    )?;
    let count = field("count")?;
    let stride = field("byteStride")?;
    let mode = ext.get("mode").and_then(Value::as_str).unwrap_or("");
    let filter = ext.get("filter").and_then(Value::as_str).unwrap_or("NONE");
    let size = count
        .checked_mul(stride)
        .filter(|&s| s <= MAX_VIEW_BYTES)
        .ok_or_else(|| format!("{count} elements of {stride} bytes is too large"))?;
    budget
        .take(size as u64)
        .map_err(|m| format!("{m}: the counts are corrupt"))?;
    let stride_ok = match mode {
        "ATTRIBUTES" => stride > 0 && stride <= 256 && stride.is_multiple_of(4),
        "TRIANGLES" | "INDICES" => stride == 2 || stride == 4,
        _ => {
            return Err(format!(
                "unknown mode `{mode}` (ATTRIBUTES, TRIANGLES, INDICES)"
            ));
        }
    };
    if !stride_ok {
        return Err(format!(
            "byteStride {stride} is not allowed for mode {mode}"
        ));
    }
    if mode == "TRIANGLES" && !count.is_multiple_of(3) {
        return Err(format!(
            "TRIANGLES needs a count divisible by 3, not {count}"
        ));
    }
    let mut out = vec![0u8; size];
    // SAFETY: `out` holds exactly `count * stride` bytes, which is what each decoder writes;
    // the decoders read at most `src.len()` bytes of `src` and are documented safe for
    // untrusted input (they return non-zero on malformed data).
    let rc = unsafe {
        let dst = out.as_mut_ptr().cast();
        match mode {
            "ATTRIBUTES" => meshopt::ffi::meshopt_decodeVertexBuffer(
                dst,
                count,
                stride,
                src.as_ptr(),
                src.len(),
            ),
            "TRIANGLES" => {
                meshopt::ffi::meshopt_decodeIndexBuffer(dst, count, stride, src.as_ptr(), src.len())
            }
            _ => meshopt::ffi::meshopt_decodeIndexSequence(
                dst,
                count,
                stride,
                src.as_ptr(),
                src.len(),
            ),
        }
    };
    if rc != 0 {
        return Err(format!(
            "the compressed data does not decode (meshoptimizer error {rc}); the file is damaged"
        ));
    }
    let filter_ok = match filter {
        "NONE" => true,
        "OCTAHEDRAL" | "COLOR" => mode == "ATTRIBUTES" && (stride == 4 || stride == 8),
        "QUATERNION" => mode == "ATTRIBUTES" && stride == 8,
        "EXPONENTIAL" => mode == "ATTRIBUTES",
        _ => false,
    };
    if !filter_ok {
        return Err(format!(
            "filter `{filter}` is unknown or not allowed with mode {mode} and byteStride {stride}"
        ));
    }
    // SAFETY: each filter rewrites `count` elements of `stride` bytes in place, inside `out`;
    // the strides were checked above against what each filter accepts.
    unsafe {
        let buf = out.as_mut_ptr().cast();
        match filter {
            "OCTAHEDRAL" => meshopt::ffi::meshopt_decodeFilterOct(buf, count, stride),
            "QUATERNION" => meshopt::ffi::meshopt_decodeFilterQuat(buf, count, stride),
            "EXPONENTIAL" => meshopt::ffi::meshopt_decodeFilterExp(buf, count, stride),
            "COLOR" => meshopt::ffi::meshopt_decodeFilterColor(buf, count, stride),
            _ => {}
        }
    }
    Ok(out)
}

fn components(kind: &str) -> Option<usize> {
    Some(match kind {
        "SCALAR" => 1,
        "VEC2" => 2,
        "VEC3" => 3,
        "VEC4" => 4,
        "MAT2" => 4,
        "MAT3" => 9,
        "MAT4" => 16,
        _ => return None,
    })
}

/// One component of type `ty` at the start of `b`, as a float (normalised when `normalized`).
fn component(ty: u64, normalized: bool, b: &[u8]) -> f32 {
    match (ty, normalized) {
        (5120, false) => b[0] as i8 as f32,
        (5120, true) => (b[0] as i8 as f32 / 127.0).max(-1.0),
        (5121, false) => b[0] as f32,
        (5121, true) => b[0] as f32 / 255.0,
        (5122, false) => i16::from_le_bytes([b[0], b[1]]) as f32,
        (5122, true) => (i16::from_le_bytes([b[0], b[1]]) as f32 / 32767.0).max(-1.0),
        (5123, false) => u16::from_le_bytes([b[0], b[1]]) as f32,
        (5123, true) => u16::from_le_bytes([b[0], b[1]]) as f32 / 65535.0,
        (5125, _) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
        _ => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
    }
}

fn component_size(ty: u64) -> Option<usize> {
    match ty {
        5120 | 5121 => Some(1),
        5122 | 5123 => Some(2),
        5125 | 5126 => Some(4),
        _ => None,
    }
}

/// Every element of accessor `index` as floats, `n` components each.
fn read_floats(root: &Value, views: &[Vec<u8>], index: usize) -> Result<(Vec<f32>, usize), String> {
    let at = |m: String| format!("/accessors/{index}: {m}");
    let acc = root
        .pointer(&format!("/accessors/{index}"))
        .ok_or_else(|| at("does not exist".into()))?;
    if acc.get("sparse").is_some() {
        return Err(at(
            "sparse quantized accessors are not read; convert with `gltf-transform dequantize in.glb out.glb`"
                .into(),
        ));
    }
    let ty = acc
        .get("componentType")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let size = component_size(ty).ok_or_else(|| at(format!("unknown componentType {ty}")))?;
    let n = acc
        .get("type")
        .and_then(Value::as_str)
        .and_then(components)
        .ok_or_else(|| at("unknown type".into()))?;
    let normalized = acc
        .get("normalized")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let count = usize_at(acc, "count").ok_or_else(|| at("no count".into()))?;
    let view_index = usize_at(acc, "bufferView").ok_or_else(|| at("no bufferView".into()))?;
    let data = views.get(view_index).ok_or_else(|| {
        at(format!(
            "refers to buffer view {view_index}, which does not exist"
        ))
    })?;
    let stride = root
        .pointer(&format!("/bufferViews/{view_index}/byteStride"))
        .and_then(Value::as_u64)
        .map_or(size * n, |s| s as usize);
    let offset = usize_at(acc, "byteOffset").unwrap_or(0);
    let needed = if count == 0 {
        0
    } else {
        (count - 1)
            .checked_mul(stride)
            .and_then(|v| v.checked_add(offset))
            .and_then(|v| v.checked_add(size * n))
            .ok_or_else(|| at("count too large".into()))?
    };
    if needed > data.len() || stride < size * n {
        return Err(at(format!(
            "{count} elements of stride {stride} from byte {offset} run past buffer view {view_index} ({} bytes)",
            data.len()
        )));
    }
    let mut out = Vec::with_capacity(count * n);
    for e in 0..count {
        let base = offset + e * stride;
        for c in 0..n {
            out.push(component(ty, normalized, &data[base + c * size..]));
        }
    }
    Ok((out, n))
}

/// The accessors of vertex attributes a renderer needs in `float32`.
fn attribute_accessors(root: &Value) -> Vec<(String, usize)> {
    let wanted = |name: &str| {
        matches!(name, "POSITION" | "NORMAL" | "TANGENT") || name.starts_with("TEXCOORD_")
    };
    let mut out = Vec::new();
    let meshes = root
        .get("meshes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for (m, mesh) in meshes.enumerate() {
        let prims = mesh
            .get("primitives")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for (p, prim) in prims.enumerate() {
            let mut sets = vec![(
                format!("/meshes/{m}/primitives/{p}/attributes"),
                prim.get("attributes"),
            )];
            for (t, target) in prim
                .get("targets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                sets.push((
                    format!("/meshes/{m}/primitives/{p}/targets/{t}"),
                    Some(target),
                ));
            }
            for (at, set) in sets {
                for (name, index) in set.and_then(Value::as_object).into_iter().flatten() {
                    if let Some(i) = index.as_u64().filter(|_| wanted(name)) {
                        out.push((format!("{at}/{name}"), i as usize));
                    }
                }
            }
        }
    }
    out
}

/// Turns integer vertex attributes into `float32` accessors on new buffer views.
fn dequantize(root: &mut Value, views: &[Vec<u8>], out: &mut Bin) -> Result<(), String> {
    let mut done = std::collections::HashSet::new();
    for (place, index) in attribute_accessors(root) {
        if !done.insert(index) {
            continue;
        }
        let ty = root
            .pointer(&format!("/accessors/{index}/componentType"))
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("{place}: refers to accessor {index}, which does not exist"))?;
        if ty == FLOAT {
            continue;
        }
        let (values, _) = read_floats(root, views, index)?;
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let offset = out.push(&bytes);
        let view_list = root
            .get_mut("bufferViews")
            .and_then(Value::as_array_mut)
            .ok_or("the file has no bufferViews")?;
        view_list.push(json!({ "buffer": 0, "byteOffset": offset, "byteLength": bytes.len() }));
        let new_view = view_list.len() - 1;
        let acc = root
            .pointer_mut(&format!("/accessors/{index}"))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("/accessors/{index}: not an object"))?;
        let normalized = acc
            .get("normalized")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        acc.insert("bufferView".into(), json!(new_view));
        acc.insert("byteOffset".into(), json!(0));
        acc.insert("componentType".into(), json!(FLOAT));
        acc.remove("normalized");
        for key in ["min", "max"] {
            if let Some(list) = acc.get_mut(key).and_then(Value::as_array_mut) {
                for v in list.iter_mut() {
                    let raw = v.as_f64().unwrap_or(0.0);
                    *v = json!(if normalized {
                        scale_normalised(ty, raw)
                    } else {
                        raw
                    });
                }
            }
        }
    }
    Ok(())
}

fn scale_normalised(ty: u64, raw: f64) -> f64 {
    match ty {
        5120 => (raw / 127.0).max(-1.0),
        5121 => raw / 255.0,
        5122 => (raw / 32767.0).max(-1.0),
        5123 => raw / 65535.0,
        _ => raw,
    }
}

/// Replaces each `EXT_mesh_gpu_instancing` node's mesh by one child node per instance.
/// Each new node is taken from the file's decode budget (its bytes of JSON).
fn expand_instances(
    root: &mut Value,
    views: &[Vec<u8>],
    budget: &mut Budget,
) -> Result<(), String> {
    let node_count = root
        .get("nodes")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut total = 0usize;
    let mut new_nodes = Vec::new();
    let mut children_of: Vec<(usize, Vec<usize>)> = Vec::new();
    for n in 0..node_count {
        let node = &root["nodes"][n];
        let Some(ext) = node.pointer("/extensions/EXT_mesh_gpu_instancing") else {
            continue;
        };
        let at = format!("/nodes/{n}/extensions/EXT_mesh_gpu_instancing");
        let mesh = node
            .get("mesh")
            .cloned()
            .ok_or_else(|| format!("/nodes/{n}: instancing without a mesh"))?;
        let name = node
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("node {n}"), str::to_string);
        let read = |attr: &str, width: usize| -> Result<Option<Vec<f32>>, String> {
            match ext
                .pointer(&format!("/attributes/{attr}"))
                .and_then(Value::as_u64)
            {
                None => Ok(None),
                Some(i) => {
                    let (values, n) = read_floats(root, views, i as usize)
                        .map_err(|m| format!("{at}/attributes/{attr}: {m}"))?;
                    if n != width {
                        return Err(format!(
                            "{at}/attributes/{attr}: has {n} components, {width} expected"
                        ));
                    }
                    Ok(Some(values))
                }
            }
        };
        let translation = read("TRANSLATION", 3)?;
        let rotation = read("ROTATION", 4)?;
        let scale = read("SCALE", 3)?;
        let count = [
            translation.as_ref().map(|v| v.len() / 3),
            rotation.as_ref().map(|v| v.len() / 4),
            scale.as_ref().map(|v| v.len() / 3),
        ];
        let counts: Vec<usize> = count.iter().flatten().copied().collect();
        let Some(&count) = counts.first() else {
            return Err(format!("{at}: no TRANSLATION, ROTATION or SCALE attribute"));
        };
        if counts.iter().any(|&c| c != count) {
            return Err(format!(
                "{at}: the attributes have different counts ({counts:?}); they must match"
            ));
        }
        total += count;
        if total > MAX_INSTANCES {
            return Err(format!(
                "{at}: more than {MAX_INSTANCES} instances in the file; bake fewer with `gltf-transform`"
            ));
        }
        let mut children = Vec::with_capacity(count);
        for k in 0..count {
            let mut child = Map::new();
            child.insert("name".into(), json!(format!("{name} #{k}")));
            child.insert("mesh".into(), mesh.clone());
            if let Some(t) = &translation {
                child.insert("translation".into(), json!(&t[3 * k..3 * k + 3]));
            }
            if let Some(r) = &rotation {
                let q = &r[4 * k..4 * k + 4];
                let len = q.iter().map(|c| c * c).sum::<f32>().sqrt();
                if len.is_finite() && len > 0.0 {
                    child.insert(
                        "rotation".into(),
                        json!(q.iter().map(|c| c / len).collect::<Vec<_>>()),
                    );
                }
            }
            if let Some(s) = &scale {
                child.insert("scale".into(), json!(&s[3 * k..3 * k + 3]));
            }
            let child = Value::Object(child);
            budget
                .take(serde_json::to_vec(&child).map_or(0, |j| j.len() as u64))
                .map_err(|m| format!("{at}: instance {k}: {m}: the instance counts are corrupt"))?;
            children.push(node_count + new_nodes.len());
            new_nodes.push(child);
        }
        children_of.push((n, children));
    }
    for (n, children) in children_of {
        let node = root["nodes"][n]
            .as_object_mut()
            .ok_or("a node is not an object")?;
        node.remove("mesh");
        strip_extensions(node, &["EXT_mesh_gpu_instancing", "EXT_instance_features"]);
        let list = node.entry("children").or_insert_with(|| json!([]));
        if let Some(list) = list.as_array_mut() {
            list.extend(children.into_iter().map(|c| json!(c)));
        }
    }
    if let Some(nodes) = root.get_mut("nodes").and_then(Value::as_array_mut) {
        nodes.extend(new_nodes);
    }
    Ok(())
}

/// WebP textures to their fallback or to PNG; external images embedded.
fn embed_images(
    root: &mut Value,
    dir: &Path,
    views: &[Vec<u8>],
    out: &mut Bin,
    budget: &mut Budget,
) -> Result<(), String> {
    let mut webp_images = Vec::new();
    if let Some(textures) = root.get_mut("textures").and_then(Value::as_array_mut) {
        for texture in textures.iter_mut() {
            let Some(obj) = texture.as_object_mut() else {
                continue;
            };
            let webp = obj
                .get("extensions")
                .and_then(|e| e.get("EXT_texture_webp"))
                .and_then(|e| e.get("source"))
                .and_then(Value::as_u64);
            strip_extensions(obj, &["EXT_texture_webp"]);
            if let Some(source) = webp
                && !obj.contains_key("source")
            {
                obj.insert("source".into(), json!(source));
                webp_images.push(source as usize);
            }
        }
    }
    let image_count = root
        .get("images")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    for i in 0..image_count {
        let at = |m: String| format!("/images/{i}: {m}");
        let image = &root["images"][i];
        let uri = image.get("uri").and_then(Value::as_str);
        let is_webp = webp_images.contains(&i)
            || image.get("mimeType").and_then(Value::as_str) == Some("image/webp")
            || uri.is_some_and(|u| {
                u.starts_with("data:image/webp") || u.to_ascii_lowercase().ends_with(".webp")
            });
        let bytes = match (uri, usize_at(image, "bufferView")) {
            (Some(uri), _) if uri.starts_with("data:") && !is_webp => continue,
            (Some(uri), _) => read_uri(dir, uri).map_err(at)?,
            (None, Some(v)) if is_webp => views
                .get(v)
                .ok_or_else(|| at(format!("refers to buffer view {v}, which does not exist")))?
                .clone(),
            _ => continue,
        };
        let (bytes, mime) = if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
            (
                webp_to_png(&bytes, budget).map_err(at)?,
                "image/png".to_string(),
            )
        } else {
            let mime = sniff_mime(&bytes)
                .or_else(|| {
                    image
                        .get("mimeType")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .ok_or_else(|| at("unknown image type (neither PNG, JPEG nor WebP)".into()))?;
            (bytes, mime)
        };
        let offset = out.push(&bytes);
        let views_list = root
            .get_mut("bufferViews")
            .and_then(Value::as_array_mut)
            .ok_or("the file has no bufferViews")?;
        views_list.push(json!({ "buffer": 0, "byteOffset": offset, "byteLength": bytes.len() }));
        let view = views_list.len() - 1;
        if let Some(image) = root["images"][i].as_object_mut() {
            image.remove("uri");
            image.insert("bufferView".into(), json!(view));
            image.insert("mimeType".into(), json!(mime));
        }
    }
    Ok(())
}

fn sniff_mime(bytes: &[u8]) -> Option<String> {
    if bytes.starts_with(b"\x89PNG") {
        Some("image/png".into())
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        Some("image/jpeg".into())
    } else {
        None
    }
}

/// Decodes a WebP image (its RGBA size taken from the file's decode budget first, from the
/// header) and re-encodes it as PNG.
fn webp_to_png(bytes: &[u8], budget: &mut Budget) -> Result<Vec<u8>, String> {
    let (w, h) = crate::budget::image_size(bytes).ok_or("the WebP image's header does not read")?;
    budget.take(w as u64 * h as u64 * 4).map_err(|m| {
        format!("a {w}×{h} WebP image: {m}: its header is corrupt, or the texture is too large for this file")
    })?;
    let image = image::load_from_memory_with_format(bytes, image::ImageFormat::WebP)
        .map_err(|e| format!("the WebP image does not decode: {e}"))?;
    let mut png = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| format!("cannot re-encode the WebP image as PNG: {e}"))?;
    Ok(png.into_inner())
}

fn write_glb(root: &Value, bin: &[u8]) -> Vec<u8> {
    glb_container(&serde_json::to_vec(root).unwrap_or_default(), bin)
}

/// Packed GLB files written for tests (here and in the app's tests, through the
/// `test-support` feature): the geometry is known exactly, so what [`unpack`] makes of it can
/// be checked against the same geometry written plainly.
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures {
    use super::*;

    /// One instance: translation, rotation (quaternion x, y, z, w) and scale.
    pub type Instance = ([f32; 3], [f32; 4], [f32; 3]);

    /// Writes a GLB whose one mesh has integer `positions` stored as `int16` (requiring
    /// `KHR_mesh_quantization`), its vertex and index data compressed with
    /// `EXT_meshopt_compression` (no fallback), drawn once per `instances` through a node
    /// that requires `EXT_mesh_gpu_instancing`.
    pub fn write_packed_glb(
        path: &Path,
        positions: &[[i16; 3]],
        indices: &[u32],
        instances: &[Instance],
    ) {
        let quantized: Vec<[i16; 4]> = positions.iter().map(|p| [p[0], p[1], p[2], 0]).collect();
        let vertices = meshopt::encoding::encode_vertex_buffer(&quantized).unwrap();
        let triangles = meshopt::encoding::encode_index_buffer(indices, positions.len()).unwrap();
        let mut bin = Bin::default();
        let v_at = bin.push(&vertices);
        let i_at = bin.push(&triangles);
        let floats = |f: &dyn Fn(&Instance) -> Vec<f32>| -> Vec<u8> {
            instances
                .iter()
                .flat_map(f)
                .flat_map(|v| v.to_le_bytes())
                .collect()
        };
        let t = floats(&|i| i.0.to_vec());
        let r = floats(&|i| i.1.to_vec());
        let s = floats(&|i| i.2.to_vec());
        let t_at = bin.push(&t);
        let r_at = bin.push(&r);
        let s_at = bin.push(&s);
        let (lo, hi) = positions
            .iter()
            .fold(([i16::MAX; 3], [i16::MIN; 3]), |(lo, hi), p| {
                (
                    std::array::from_fn(|k| lo[k].min(p[k])),
                    std::array::from_fn(|k| hi[k].max(p[k])),
                )
            });
        let n = instances.len();
        let root = json!({
            "asset": { "version": "2.0" },
            "extensionsUsed": ["KHR_mesh_quantization", "EXT_meshopt_compression", "EXT_mesh_gpu_instancing"],
            "extensionsRequired": ["KHR_mesh_quantization", "EXT_meshopt_compression", "EXT_mesh_gpu_instancing"],
            "buffers": [
                { "byteLength": bin.data.len() },
                { "byteLength": positions.len() * 8 + indices.len() * 4,
                  "extensions": { "EXT_meshopt_compression": { "fallback": true } } }
            ],
            "bufferViews": [
                { "buffer": 1, "byteOffset": 0, "byteLength": positions.len() * 8, "byteStride": 8,
                  "extensions": { "EXT_meshopt_compression": {
                      "buffer": 0, "byteOffset": v_at, "byteLength": vertices.len(),
                      "byteStride": 8, "mode": "ATTRIBUTES", "count": positions.len() } } },
                { "buffer": 1, "byteOffset": positions.len() * 8, "byteLength": indices.len() * 4,
                  "extensions": { "EXT_meshopt_compression": {
                      "buffer": 0, "byteOffset": i_at, "byteLength": triangles.len(),
                      "byteStride": 4, "mode": "TRIANGLES", "count": indices.len() } } },
                { "buffer": 0, "byteOffset": t_at, "byteLength": t.len() },
                { "buffer": 0, "byteOffset": r_at, "byteLength": r.len() },
                { "buffer": 0, "byteOffset": s_at, "byteLength": s.len() }
            ],
            "accessors": [
                { "bufferView": 0, "componentType": 5122, "count": positions.len(), "type": "VEC3",
                  "min": lo, "max": hi },
                { "bufferView": 1, "componentType": 5125, "count": indices.len(), "type": "SCALAR" },
                { "bufferView": 2, "componentType": 5126, "count": n, "type": "VEC3" },
                { "bufferView": 3, "componentType": 5126, "count": n, "type": "VEC4" },
                { "bufferView": 4, "componentType": 5126, "count": n, "type": "VEC3" }
            ],
            "meshes": [{ "name": "packed", "primitives": [{ "attributes": { "POSITION": 0 }, "indices": 1 }] }],
            "nodes": [{ "name": "instanced", "mesh": 0, "extensions": { "EXT_mesh_gpu_instancing": {
                "attributes": { "TRANSLATION": 2, "ROTATION": 3, "SCALE": 4 } } } }],
            "scenes": [{ "nodes": [0] }],
            "scene": 0
        });
        std::fs::write(path, write_glb(&root, &bin.data)).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::write_packed_glb;
    use super::*;
    use crate::mesh::{MeshSoup, load_triangles};
    use glam::DVec3;

    /// Small third-party samples kept in the crate (provenance in `testdata/README.md`).
    const SAMPLES: &str = "testdata/gltf";

    fn sample(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(SAMPLES)
            .join(rel)
    }

    /// Every triangle of `soup`, its corners rounded to 0.1 mm, sorted: comparable sets.
    fn triangle_set(soup: &MeshSoup) -> Vec<[[i64; 3]; 3]> {
        let key = |p: DVec3| [p.x, p.y, p.z].map(|c| (c * 1e4).round() as i64);
        let mut out: Vec<[[i64; 3]; 3]> = soup
            .parts
            .iter()
            .flat_map(|part| part.triangles.iter().map(|t| t.map(key)))
            .map(|mut t| {
                // The index codec may rotate a triangle's corners (keeping its winding).
                let first = (0..3).min_by_key(|&k| t[k]).unwrap_or(0);
                t.rotate_left(first);
                t
            })
            .collect();
        out.sort();
        out
    }

    fn cube() -> (Vec<[i16; 3]>, Vec<u32>) {
        let (p, i) = crate::mesh::fixtures::cuboid([0.0; 3], [2.0, 3.0, 4.0]);
        (p.iter().map(|v| v.map(|c| c as i16)).collect(), i)
    }

    #[test]
    fn packed_geometry_reads_as_the_same_geometry_written_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let (positions, indices) = cube();
        let quarter_turn = [
            0.0,
            std::f32::consts::FRAC_1_SQRT_2,
            0.0,
            std::f32::consts::FRAC_1_SQRT_2,
        ];
        let instances = [
            ([10.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0; 3]),
            ([-20.0, 5.0, 3.0], quarter_turn, [2.0, 1.0, 1.0]),
        ];
        let packed = dir.path().join("packed.glb");
        write_packed_glb(&packed, &positions, &indices, &instances);
        let unpacked = load_triangles(&packed, false).unwrap();
        assert!(unpacked.skipped.is_empty(), "{:?}", unpacked.skipped);

        // The same boxes, placed by hand: x' = z, z' = -x for the quarter turn about +Y
        // after scaling x by 2.
        let plain_positions = |f: &dyn Fn([f32; 3]) -> [f32; 3]| -> Vec<[f32; 3]> {
            positions.iter().map(|p| f(p.map(f32::from))).collect()
        };
        let first = plain_positions(&|[x, y, z]| [x + 10.0, y, z]);
        let second = plain_positions(&|[x, y, z]| [z - 20.0, y + 5.0, -2.0 * x + 3.0]);
        let plain = dir.path().join("plain.glb");
        crate::mesh::fixtures::write_glb(
            &plain,
            &[
                ("a", [0.0; 3], first, indices.clone()),
                ("b", [0.0; 3], second, indices.clone()),
            ],
        );
        let expected = load_triangles(&plain, false).unwrap();
        assert_eq!(triangle_set(&unpacked), triangle_set(&expected));
        assert_eq!(unpacked.parts.len(), 2);
        let mut names: Vec<&str> = unpacked.parts.iter().map(|p| p.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["instanced #0", "instanced #1"]);
    }

    #[test]
    fn the_rewrite_drops_the_decoded_extensions_and_passes_the_validator() {
        let dir = tempfile::tempdir().unwrap();
        let (positions, indices) = cube();
        let packed = dir.path().join("packed.glb");
        write_packed_glb(
            &packed,
            &positions,
            &indices,
            &[([0.0; 3], [0.0, 0.0, 0.0, 1.0], [1.0; 3])],
        );
        let bytes = std::fs::read(&packed).unwrap();
        let unpacked = unpack(&packed, &bytes).unwrap().unwrap();
        assert_eq!(
            unpacked.decoded,
            [
                "KHR_mesh_quantization",
                "EXT_meshopt_compression",
                "EXT_mesh_gpu_instancing"
            ]
        );
        let (root, _) = split(&unpacked.glb).unwrap();
        assert!(root.get("extensionsRequired").is_none(), "{root}");
        assert_eq!(root["accessors"][0]["componentType"], json!(FLOAT));
        assert_eq!(root["accessors"][0]["max"], json!([2.0, 3.0, 4.0]));
        crate::mesh::parse_checked(&unpacked.glb).unwrap();
        // A plain file is left alone.
        let plain = dir.path().join("plain.glb");
        crate::mesh::fixtures::write_glb(
            &plain,
            &[("a", [0.0; 3], vec![[0.0; 3]; 3], vec![0, 1, 2])],
        );
        assert!(
            unpack(&plain, &std::fs::read(&plain).unwrap())
                .unwrap()
                .is_none()
        );
    }

    /// gltfpack's sample, compressed, against its own uncompressed fallback data (read
    /// without the meshopt decoder).
    #[test]
    fn meshopt_samples_decode_to_their_fallback_geometry() {
        for ext in ["EXT_meshopt_compression", "KHR_meshopt_compression"] {
            let compressed = sample(&format!("{ext}/meshopt-fallback/meshopt-fallback.gltf"));
            let soup = load_triangles(&compressed, false).unwrap();
            assert_eq!(soup.triangle_count(), 60, "{ext}");
            // The same file with the compressed views dropped reads the fallback buffer.
            let dir = compressed.parent().unwrap();
            let mut root: Value =
                serde_json::from_slice(&std::fs::read(&compressed).unwrap()).unwrap();
            for view in root["bufferViews"].as_array_mut().unwrap() {
                view.as_object_mut().unwrap().remove("extensions");
            }
            root["extensionsUsed"] = json!(["KHR_mesh_quantization"]);
            root["extensionsRequired"] = json!(["KHR_mesh_quantization"]);
            let bytes = serde_json::to_vec(&root).unwrap();
            let plain = unpack(&dir.join("x.gltf"), &bytes).unwrap().unwrap();
            let tmp = tempfile::tempdir().unwrap();
            let plain_path = tmp.path().join("fallback.glb");
            std::fs::write(&plain_path, &plain.glb).unwrap();
            let fallback = load_triangles(&plain_path, false).unwrap();
            assert_eq!(triangle_set(&soup), triangle_set(&fallback), "{ext}");
            // The accessors' declared quantized bounds through the nodes' dequantizing
            // transforms (scale 0.000122077763, offset -1; the second cube 2.87217259 m up).
            let dequantized = |q: f64| -1.0 + q * 0.000122077763;
            let (lo, hi) = soup.bounds().unwrap();
            assert!(
                (lo - DVec3::splat(dequantized(0.0))).abs().max_element() < 1e-5,
                "{lo}"
            );
            assert!((hi.x - dequantized(16383.0)).abs() < 1e-5, "{hi}");
            assert!(
                (hi.y - (2.87217259 + dequantized(15068.0))).abs() < 1e-5,
                "{hi}"
            );
        }
    }

    /// The octahedral filter: decoded normals are unit vectors along their faces' normals.
    #[test]
    fn meshopt_octahedral_normals_point_out_of_their_faces() {
        let path = sample("EXT_meshopt_compression/meshopt-no-fallback/meshopt-no-fallback.gltf");
        let bytes = std::fs::read(&path).unwrap();
        let unpacked = unpack(&path, &bytes).unwrap().unwrap();
        let gltf = crate::mesh::parse_checked(&unpacked.glb).unwrap();
        let blob = gltf.blob.clone().unwrap();
        let mut checked = 0;
        for mesh in gltf.document.meshes() {
            for prim in mesh.primitives() {
                let reader = prim.reader(|_| Some(&blob[..]));
                let p: Vec<glam::Vec3> = reader
                    .read_positions()
                    .unwrap()
                    .map(glam::Vec3::from)
                    .collect();
                let n: Vec<glam::Vec3> = reader
                    .read_normals()
                    .unwrap()
                    .map(glam::Vec3::from)
                    .collect();
                let idx: Vec<u32> = reader.read_indices().unwrap().into_u32().collect();
                for t in idx.chunks_exact(3) {
                    let [a, b, c] = [t[0], t[1], t[2]].map(|i| i as usize);
                    let face = (p[b] - p[a]).cross(p[c] - p[a]);
                    if face.length() < 1e-6 {
                        continue;
                    }
                    for v in [a, b, c] {
                        assert!((n[v].length() - 1.0).abs() < 0.02, "{}", n[v]);
                        // Smooth-shaded corners lean up to 45 degrees from each face.
                        assert!(n[v].dot(face.normalize()) > 0.5, "{} vs {}", n[v], face);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked >= 150, "{checked}");
    }

    #[test]
    fn gpu_instances_become_nodes() {
        let path = sample("cesium/trees_gpu_instancing.glb");
        let soup = load_triangles(&path, false).unwrap();
        // 25 trees of 2076 triangles (trunk and crown).
        assert_eq!(soup.triangle_count(), 25 * 2076);
        assert_eq!(soup.parts.len(), 50);
        let nodes: std::collections::HashSet<usize> = soup.parts.iter().map(|p| p.node).collect();
        assert_eq!(nodes.len(), 25);
    }

    /// A WebP texture without fallback is decoded to PNG; its pixels match the PNG the sample
    /// ships beside it.
    #[test]
    fn webp_textures_become_png() {
        let path = sample("EXT_texture_webp/box-textured-separate.gltf");
        let unpacked = unpack(&path, &std::fs::read(&path).unwrap())
            .unwrap()
            .unwrap();
        let gltf = crate::mesh::parse_checked(&unpacked.glb).unwrap();
        let blob = gltf.blob.clone().unwrap();
        let texture = gltf.document.textures().next().unwrap();
        let gltf::image::Source::View { view, mime_type } = texture.source().source() else {
            panic!("the image should be embedded");
        };
        assert_eq!(mime_type, "image/png");
        let png = &blob[view.offset()..view.offset() + view.length()];
        let decoded = image::load_from_memory(png).unwrap().to_rgba8();
        let reference = image::open(sample("EXT_texture_webp/cesium logo.png"))
            .unwrap()
            .to_rgba8();
        assert_eq!(decoded.dimensions(), reference.dimensions());
        let diff: f64 = decoded
            .pixels()
            .zip(reference.pixels())
            .map(|(a, b)| {
                a.0.iter()
                    .zip(b.0)
                    .map(|(x, y)| x.abs_diff(y) as f64)
                    .sum::<f64>()
            })
            .sum::<f64>()
            / (decoded.width() * decoded.height() * 4) as f64;
        assert!(diff < 8.0, "mean difference {diff}");
        // With a fallback, the fallback is used as it is.
        let path = sample("EXT_texture_webp/box-textured-with-fallback.gltf");
        let unpacked = unpack(&path, &std::fs::read(&path).unwrap())
            .unwrap()
            .unwrap();
        let (root, _) = split(&unpacked.glb).unwrap();
        assert_eq!(root["textures"][0]["source"], json!(1));
        assert!(root["textures"][0].get("extensions").is_none());
    }

    #[test]
    fn damaged_packed_files_give_errors_naming_the_place() {
        let dir = tempfile::tempdir().unwrap();
        let (positions, indices) = cube();
        let packed = dir.path().join("packed.glb");
        let one = [([0.0; 3], [0.0, 0.0, 0.0, 1.0], [1.0; 3])];
        write_packed_glb(&packed, &positions, &indices, &one);
        let bytes = std::fs::read(&packed).unwrap();
        let (root, bin) = split(&bytes).unwrap();
        let bin = bin.unwrap();
        type Damage = Box<dyn Fn(&mut Value, &mut Vec<u8>)>;
        let cases: Vec<(&str, Damage, &str)> = vec![
            (
                "garbage",
                Box::new(|_, bin| bin[..20].fill(0xAB)),
                "/bufferViews/0/extensions/EXT_meshopt_compression: the compressed data does not decode",
            ),
            (
                "count",
                Box::new(|r, _| {
                    r["bufferViews"][0]["extensions"]["EXT_meshopt_compression"]["count"] =
                        json!(u64::MAX / 4)
                }),
                "too large",
            ),
            (
                "stride",
                Box::new(|r, _| {
                    r["bufferViews"][0]["extensions"]["EXT_meshopt_compression"]["byteStride"] =
                        json!(6)
                }),
                "byteStride 6 is not allowed",
            ),
            (
                // 2 GiB declared by a file of a few hundred bytes: within the per-view
                // limit, beyond the file's decode budget (1 GiB at least); refused before
                // allocating.
                "budget",
                Box::new(|r, _| {
                    r["bufferViews"][0]["extensions"]["EXT_meshopt_compression"]["count"] =
                        json!((1u64 << 28) - 1)
                }),
                "the counts are corrupt",
            ),
            (
                "past",
                Box::new(|r, _| {
                    r["bufferViews"][0]["extensions"]["EXT_meshopt_compression"]["byteOffset"] =
                        json!(1_000_000)
                }),
                "run past buffer 0",
            ),
            (
                "filter",
                Box::new(|r, _| {
                    r["bufferViews"][0]["extensions"]["EXT_meshopt_compression"]["filter"] =
                        json!("SPARKLE")
                }),
                "filter `SPARKLE`",
            ),
            (
                "accessor",
                Box::new(|r, _| r["accessors"][0]["count"] = json!(1000)),
                "/accessors/0: 1000 elements",
            ),
            (
                "instances",
                Box::new(|r, _| {
                    r["nodes"][0]["extensions"]["EXT_mesh_gpu_instancing"]["attributes"]["SCALE"] =
                        json!(1)
                }),
                "attributes/SCALE: has 1 components, 3 expected",
            ),
            (
                "no attributes",
                Box::new(|r, _| {
                    r["nodes"][0]["extensions"]["EXT_mesh_gpu_instancing"]["attributes"] = json!({})
                }),
                "no TRANSLATION, ROTATION or SCALE",
            ),
            (
                "sparse",
                Box::new(|r, _| r["accessors"][0]["sparse"] = json!({})),
                "sparse",
            ),
        ];
        for (what, damage, expected) in cases {
            let mut r = root.clone();
            let mut b = bin.clone();
            damage(&mut r, &mut b);
            let file = dir.path().join(format!("{what}.glb"));
            let glb = write_glb(&r, &b);
            std::fs::write(&file, &glb).unwrap();
            let err = unpack(&file, &glb)
                .err()
                .unwrap_or_else(|| panic!("{what}: no error"));
            assert!(err.contains(expected), "{what}: {err}");
            // The loaders say the same, without panicking.
            let err = load_triangles(&file, false).unwrap_err().to_string();
            assert!(err.contains(expected), "{what}: {err}");
        }
    }
}
