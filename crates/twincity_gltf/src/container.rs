//! The glTF/GLB container: reading a file and the files it refers to (regular files, size
//! limited, never outside the file's folder), writing a GLB, and what TwinCity does with each
//! extension a file uses.

use std::path::{Path, PathBuf};

/// The largest glTF/GLB file, or file it refers to, that is read (bytes).
pub const MAX_GLTF_BYTES: u64 = 4 << 30;

/// A glTF/GLB file or a file it refers to: a regular file of at most [`MAX_GLTF_BYTES`].
pub fn read_gltf_file(path: &Path) -> std::io::Result<Vec<u8>> {
    twincity_model::ronfile::read_limited(path, MAX_GLTF_BYTES, "glTF files and their buffers")
}

/// The file a relative URI names inside `dir`; an error for URIs with a scheme, absolute
/// paths, missing files and anything that resolves outside `dir` (`..`, links).
pub fn file_inside(dir: &Path, uri: &str) -> Result<PathBuf, String> {
    let decoded = percent_encoding::percent_decode_str(uri)
        .decode_utf8()
        .map_err(|_| format!("URI `{uri}` is not UTF-8"))?;
    let rel = Path::new(decoded.as_ref());
    if uri.contains("://") || rel.is_absolute() {
        return Err(format!(
            "URI `{uri}` points outside the file's folder; only relative paths inside it are read (pack the file as GLB with `gltf-transform copy in.gltf out.glb`)"
        ));
    }
    let full = dir.join(rel);
    match (full.canonicalize(), dir.canonicalize()) {
        (Ok(f), Ok(d)) if f.starts_with(&d) => Ok(full),
        _ => Err(format!(
            "URI `{uri}` is missing or leaves the file's folder ({}); only files inside that folder are read",
            dir.display()
        )),
    }
}

/// A GLB file: the 12-byte header, the JSON chunk (padded with spaces) and the binary chunk
/// (padded with zeros).
pub fn glb_container(json: &[u8], bin: &[u8]) -> Vec<u8> {
    let mut json = json.to_vec();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let mut bin = bin.to_vec();
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let total = 12 + 8 + json.len() + 8 + bin.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&json);
    out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
    out.extend_from_slice(b"BIN\0");
    out.extend_from_slice(&bin);
    out
}

/// What TwinCity does with each extension real city files use.
pub(crate) fn extension_support(name: &str, required: bool) -> (&'static str, String) {
    let convert = |what: &str, command: &str| {
        if required {
            (
                "unsupported",
                format!(
                    "the editor cannot load {what}; convert the file with `{command}` (gltf-transform, npm @gltf-transform/cli)"
                ),
            )
        } else {
            (
                "ignored",
                format!("{what} are not used; the file's fallback data is loaded"),
            )
        }
    };
    match name {
        "KHR_draco_mesh_compression" => convert(
            "Draco-compressed meshes",
            "gltf-transform copy in.glb out.glb",
        ),
        "EXT_meshopt_compression" | "KHR_meshopt_compression" => (
            "supported",
            "decoded on load (meshoptimizer)".into(),
        ),
        "KHR_mesh_quantization" => (
            "supported",
            "quantized vertex attributes turned into float32 on load".into(),
        ),
        "KHR_texture_basisu" => convert(
            "KTX2/Basis textures",
            "gltf-transform png in.glb out.glb",
        ),
        "EXT_texture_webp" => (
            "supported",
            "the PNG/JPEG fallback is used when there is one, else the WebP image is decoded to PNG on load".into(),
        ),
        "EXT_mesh_gpu_instancing" => (
            "supported",
            "every instance becomes a node on load (picking, coverage and rendering see each one)".into(),
        ),
        "CESIUM_RTC" => (
            "supported",
            "relative-to-centre coordinates: the centre is reported and stored as the origin".into(),
        ),
        n if gltf::json::extensions::ENABLED_EXTENSIONS.contains(&n) => {
            ("supported", "read by the glTF loader".into())
        }
        _ if required => (
            "unsupported",
            "required by the file and unknown to the editor's glTF loader; re-export without it"
                .into(),
        ),
        _ => (
            "ignored",
            "not used by the editor; the rest of the file loads".into(),
        ),
    }
}

/// What to do about a required extension the editor's glTF loader lacks (`None` when it
/// has it).
pub fn unsupported_required(name: &str) -> Option<String> {
    match extension_support(name, true) {
        ("unsupported", note) => Some(note),
        _ => None,
    }
}
