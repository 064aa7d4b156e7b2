//! One decode budget per glTF file: everything reading a file makes beyond its own bytes —
//! meshopt views decoded, WebP textures decoded, instances expanded into nodes, then what the
//! loader allocates for the document (every accessor at its full size, sparse or not, and
//! every image decoded to RGBA) — is taken from one allowance of [`BUDGET_FACTOR`] × the
//! file's bytes (its external buffers and images included), never less than [`MIN_BUDGET`].
//! A file of a few hundred bytes that declares gigabytes is refused before anything that large
//! is allocated, with the place in the file.
//!
//! Node trees are bounded too: at most [`MAX_NODES`] nodes and [`MAX_NODE_DEPTH`] levels
//! (loaders walk the tree recursively).

use std::path::Path;

use base64::Engine;
use serde_json::Value;

/// What reading a file may allocate, as a multiple of its bytes: meshopt shrinks geometry 2–5×,
/// JPEG and WebP textures 10–20×; 32 leaves room for both.
pub const BUDGET_FACTOR: u64 = 32;
/// The least budget of any file, bytes (1 GiB): a small file with one 8K texture (256 MiB
/// decoded) still loads.
pub const MIN_BUDGET: u64 = 1 << 30;
/// The most nodes a file may have (instances expanded included: up to 2 million).
pub const MAX_NODES: usize = 4 << 20;
/// The deepest a node may sit below its scene's root (a city file from a modeller or a CityGML
/// converter uses a handful of levels).
pub const MAX_NODE_DEPTH: usize = 64;

/// What remains of a file's decode budget.
#[derive(Clone, Debug)]
pub struct Budget {
    input: u64,
    total: u64,
    left: u64,
}

impl Budget {
    /// The budget of `input` bytes of file.
    pub fn for_input(input: u64) -> Budget {
        let total = input.saturating_mul(BUDGET_FACTOR).max(MIN_BUDGET);
        Budget {
            input,
            total,
            left: total,
        }
    }

    /// The budget of a file of `len` bytes in folder `dir` whose JSON is `root`: its external
    /// buffers and images (inside the folder) count as part of the file.
    pub fn for_file(dir: &Path, root: &Value, len: u64) -> Budget {
        let external = ["buffers", "images"]
            .iter()
            .flat_map(|k| root.get(*k).and_then(Value::as_array).into_iter().flatten())
            .filter_map(|b| b.get("uri").and_then(Value::as_str))
            .filter(|u| !u.starts_with("data:"))
            .filter_map(|u| crate::container::file_inside(dir, u).ok())
            .filter_map(|p| std::fs::metadata(p).ok())
            .fold(0u64, |sum, m| sum.saturating_add(m.len()));
        Budget::for_input(len.saturating_add(external))
    }

    /// Bytes still allowed.
    pub fn left(&self) -> u64 {
        self.left
    }

    /// Takes `bytes` from the budget; when they are not there, says how large the budget is
    /// (the caller adds the place and why).
    pub fn take(&mut self, bytes: u64) -> Result<(), String> {
        let rest = self.left.checked_sub(bytes).ok_or_else(|| {
            format!(
                "decoding would give more than {} bytes from {} bytes of file ({BUDGET_FACTOR}× \
                 the file, at least {} MiB)",
                self.total,
                self.input,
                MIN_BUDGET >> 20
            )
        })?;
        self.left = rest;
        Ok(())
    }
}

/// Takes from `budget` what loading `doc` allocates: every accessor at its full size (`count`
/// elements, sparse or not: a sparse accessor without a buffer view is all zeros the loader
/// fills in), and every image the file holds (in its binary chunk or a `data:` URI) decoded to
/// RGBA, its size read from the image's header. The error names the accessor or image.
pub fn charge_loading(
    doc: &gltf::Document,
    blob: Option<&[u8]>,
    budget: &mut Budget,
) -> Result<(), String> {
    for a in doc.accessors() {
        let at = format!("/accessors/{}", a.index());
        let bytes = (a.count() as u64)
            .checked_mul(a.size() as u64)
            .ok_or_else(|| format!("{at}: {} elements overflow a 64-bit size", a.count()))?;
        budget.take(bytes).map_err(|m| {
            format!(
                "{at}: {} elements of {} bytes: {m}; the count is corrupt",
                a.count(),
                a.size()
            )
        })?;
    }
    for image in doc.images() {
        let held: Option<Vec<u8>> = match image.source() {
            gltf::image::Source::View { view, .. } => {
                let start = view.offset();
                match (view.buffer().source(), blob) {
                    (gltf::buffer::Source::Bin, Some(blob)) => start
                        .checked_add(view.length())
                        .and_then(|end| blob.get(start..end))
                        .map(<[u8]>::to_vec),
                    _ => None,
                }
            }
            gltf::image::Source::Uri { uri, .. } => uri
                .strip_prefix("data:")
                .and_then(|rest| rest.split_once(";base64,"))
                .and_then(|(_, payload)| {
                    base64::engine::general_purpose::STANDARD
                        .decode(payload)
                        .ok()
                }),
        };
        let Some((w, h)) = held.as_deref().and_then(image_size) else {
            // Unreadable headers fail in the loader with its own message; files beside the
            // glTF are embedded (and so counted) by the rewrite before this check.
            continue;
        };
        budget.take(w as u64 * h as u64 * 4).map_err(|m| {
            format!(
                "/images/{}: a {w}×{h} image: {m}; the image's header is corrupt, or the \
                     texture is too large for this file (shrink it)",
                image.index()
            )
        })?;
    }
    Ok(())
}

/// An image's width and height from its header (PNG, JPEG, WebP), without decoding it.
pub fn image_size(bytes: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()
}

/// The first node of `root` more than [`MAX_NODE_DEPTH`] levels below a scene root, or the
/// node list when it is longer than [`MAX_NODES`]: the place and the message. Nodes are
/// visited once each (a cycle or a node with two parents is reported elsewhere).
pub fn node_tree_problem(root: &gltf::json::Root) -> Option<(String, String)> {
    let n = root.nodes.len();
    if n > MAX_NODES {
        return Some((
            "/nodes".into(),
            format!(
                "{n} nodes, more than the {MAX_NODES} a file may have; merge meshes or split \
                 the file"
            ),
        ));
    }
    let mut has_parent = vec![false; n];
    for node in &root.nodes {
        for c in node.children.iter().flatten() {
            if let Some(p) = has_parent.get_mut(c.value()) {
                *p = true;
            }
        }
    }
    let mut seen = vec![false; n];
    let mut stack: Vec<(usize, usize)> =
        (0..n).filter(|&i| !has_parent[i]).map(|i| (i, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        if depth > MAX_NODE_DEPTH {
            return Some((
                format!("/nodes/{i}"),
                format!(
                    "node {i} is {depth} levels below its root, more than the {MAX_NODE_DEPTH} \
                     a file may nest; flatten the hierarchy (e.g. `gltf-transform flatten in.glb \
                     out.glb`)"
                ),
            ));
        }
        for c in root.nodes[i].children.iter().flatten() {
            if c.value() < n && !seen[c.value()] {
                stack.push((c.value(), depth + 1));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_a_multiple_of_the_file_with_a_floor() {
        assert_eq!(Budget::for_input(100).left(), MIN_BUDGET);
        let mut b = Budget::for_input(1 << 30);
        assert_eq!(b.left(), 32 << 30);
        b.take(30 << 30).unwrap();
        let e = b.take(3 << 30).unwrap_err();
        assert!(
            e.contains("more than 34359738368 bytes from 1073741824 bytes"),
            "{e}"
        );
        // A refused take leaves the budget as it was.
        assert_eq!(b.left(), 2 << 30);
        assert!(Budget::for_input(u64::MAX).take(u64::MAX).is_ok());
    }

    fn chain(depth: usize) -> gltf::json::Root {
        let nodes: Vec<Value> = (0..=depth)
            .map(|i| {
                if i < depth {
                    serde_json::json!({ "children": [i + 1] })
                } else {
                    serde_json::json!({})
                }
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "asset": { "version": "2.0" },
            "nodes": nodes,
            "scenes": [{ "nodes": [0] }],
        }))
        .unwrap()
    }

    #[test]
    fn node_trees_deeper_than_the_limit_are_refused_at_the_first_deep_node() {
        assert_eq!(node_tree_problem(&chain(MAX_NODE_DEPTH)), None);
        let (at, message) = node_tree_problem(&chain(MAX_NODE_DEPTH + 1)).unwrap();
        assert_eq!(at, format!("/nodes/{}", MAX_NODE_DEPTH + 1));
        assert!(
            message.contains("65 levels below its root, more than the 64"),
            "{message}"
        );
        // Ten thousand levels: found without recursion.
        assert!(node_tree_problem(&chain(10_000)).is_some());
    }

    #[test]
    fn image_sizes_come_from_headers() {
        let mut png = std::io::Cursor::new(Vec::new());
        image::RgbaImage::new(7, 3)
            .write_to(&mut png, image::ImageFormat::Png)
            .unwrap();
        assert_eq!(image_size(png.get_ref()), Some((7, 3)));
        assert_eq!(image_size(b"not an image"), None);
    }
}
