//! Property-based fuzzing (proptest) of what TwinCity reads from files others made: glTF/GLB
//! (inspection, triangle loading, unpacking), crowd and scenario files, project files and
//! dataset records. Each target mutates a valid file towards the values hostile files use
//! (counts and offsets near the integer limits, coordinates of 1e300, infinities, file names
//! that leave the folder) and requires an answer — `Ok` or a clear `Err` — never a panic.
//!
//! The number of cases per target is bounded (`PROPTEST_CASES`, default 96 here) so the suite
//! stays within CI's time.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Value, json};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

fn shipped(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name)
}

/// Numbers hostile files use: integer limits and their neighbours, and ordinary small ones.
fn hostile_integer() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        json!(0u64),
        json!(1u64),
        json!(3u64),
        json!(255u64),
        json!(1u64 << 31),
        json!(1u64 << 32),
        json!((1u64 << 62) - 1),
        json!(1u64 << 62),
        json!(u64::MAX / 4),
        json!(i64::MAX as u64),
        json!(u64::MAX - 3),
        json!(u64::MAX),
        json!(-1i64),
    ])
}

/// A GLB holding one triangle: its JSON document and binary chunk.
fn triangle() -> (Value, Vec<u8>) {
    let mut bin = Vec::new();
    for v in [0.0f32, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0] {
        bin.extend_from_slice(&v.to_le_bytes());
    }
    for i in [0u32, 1, 2] {
        bin.extend_from_slice(&i.to_le_bytes());
    }
    let doc = json!({
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
             "min": [0, 0, 0], "max": [1, 1, 0]},
            {"bufferView": 1, "componentType": 5125, "count": 3, "type": "SCALAR"}
        ],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": 36},
            {"buffer": 0, "byteOffset": 36, "byteLength": 12}
        ],
        "buffers": [{"byteLength": 48}]
    });
    (doc, bin)
}

fn glb(doc: &Value, bin: &[u8]) -> Vec<u8> {
    twincity_gltf::container::glb_container(&serde_json::to_vec(doc).unwrap(), bin)
}

/// The numeric fields of [`triangle`] a hostile file changes.
const GLTF_FIELDS: [&str; 12] = [
    "/accessors/0/count",
    "/accessors/0/byteOffset",
    "/accessors/1/count",
    "/accessors/1/byteOffset",
    "/bufferViews/0/byteOffset",
    "/bufferViews/0/byteLength",
    "/bufferViews/0/byteStride",
    "/bufferViews/1/byteOffset",
    "/bufferViews/1/byteLength",
    "/buffers/0/byteLength",
    "/meshes/0/primitives/0/indices",
    "/scenes/0/nodes/0",
];

fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = doc.pointer_mut(parent).unwrap();
    match target {
        Value::Array(a) => {
            let i: usize = key.parse().unwrap();
            a[i] = value;
        }
        _ => target[key] = value,
    }
}

/// Runs every reader of glTF files on `bytes`; a panic fails the property.
fn read_gltf(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.glb");
    std::fs::write(&path, bytes).unwrap();
    let runs = std::panic::catch_unwind(|| {
        let _ = twincity_gltf::inspect::inspect(&path);
        let _ = twincity_gltf::mesh::load_triangles(&path, false);
        let _ = twincity_gltf::unpack::unpack(&path, bytes);
        let _ = twincity_gltf::inspect::check_import_uncached(&path, false);
    });
    prop_assert!(runs.is_ok(), "a glTF reader panicked");
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Up to three numeric fields of a valid GLB set to hostile values.
    #[test]
    fn gltf_readers_never_panic(
        edits in prop::collection::vec(
            (prop::sample::select(GLTF_FIELDS.to_vec()), hostile_integer()),
            1..=3,
        )
    ) {
        let (mut doc, bin) = triangle();
        for (field, value) in edits {
            set(&mut doc, field, value);
        }
        read_gltf(&glb(&doc, &bin))?;
    }

    /// A valid GLB with bytes overwritten anywhere (header, JSON, binary chunk).
    #[test]
    fn damaged_glb_bytes_never_panic(
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let (doc, bin) = triangle();
        let mut bytes = glb(&doc, &bin);
        for (at, byte) in damage {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        read_gltf(&bytes)?;
    }
}

/// A packed GLB: quantized positions and indices compressed with meshopt, drawn through
/// `EXT_mesh_gpu_instancing` (three instances), with a WebP texture required through
/// `EXT_texture_webp` — every path of the rewrite ([`twincity_gltf::unpack`]).
fn packed() -> (Value, Vec<u8>) {
    use twincity_gltf::unpack::fixtures::write_packed_glb;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("packed.glb");
    let positions = [[0, 0, 0], [100, 0, 0], [0, 100, 0], [0, 0, 100]];
    let indices = [0, 1, 2, 0, 2, 3];
    let one = ([0.0; 3], [0.0, 0.0, 0.0, 1.0], [1.0; 3]);
    write_packed_glb(&path, &positions, &indices, &[one, one, one]);
    let (mut doc, bin) = twincity_gltf::unpack::split(&std::fs::read(&path).unwrap()).unwrap();
    let mut bin = bin.unwrap();
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .encode(&[200u8; 4 * 4 * 4], 4, 4, image::ExtendedColorType::Rgba8)
        .unwrap();
    let at = bin.len();
    bin.extend_from_slice(&webp);
    bin.resize(bin.len().next_multiple_of(4), 0);
    doc["buffers"][0]["byteLength"] = json!(bin.len());
    doc["bufferViews"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "buffer": 0, "byteOffset": at, "byteLength": webp.len() }));
    doc["images"] = json!([{ "bufferView": 5, "mimeType": "image/webp" }]);
    doc["textures"] = json!([{ "extensions": { "EXT_texture_webp": { "source": 0 } } }]);
    doc["materials"] = json!([{ "pbrMetallicRoughness": { "baseColorTexture": { "index": 0 } } }]);
    doc["meshes"][0]["primitives"][0]["material"] = json!(0);
    for list in ["extensionsUsed", "extensionsRequired"] {
        doc[list]
            .as_array_mut()
            .unwrap()
            .push(json!("EXT_texture_webp"));
    }
    (doc, bin)
}

/// The numeric fields of [`packed`] a hostile file changes: meshopt's counts, strides and
/// places, the instances' accessors, the WebP image's view.
const PACKED_FIELDS: [&str; 12] = [
    "/bufferViews/0/extensions/EXT_meshopt_compression/count",
    "/bufferViews/0/extensions/EXT_meshopt_compression/byteStride",
    "/bufferViews/0/extensions/EXT_meshopt_compression/byteOffset",
    "/bufferViews/0/extensions/EXT_meshopt_compression/byteLength",
    "/bufferViews/1/extensions/EXT_meshopt_compression/count",
    "/bufferViews/1/byteLength",
    "/accessors/0/count",
    "/accessors/2/count",
    "/accessors/3/count",
    "/bufferViews/5/byteLength",
    "/bufferViews/5/byteOffset",
    "/textures/0/extensions/EXT_texture_webp/source",
];

proptest! {
    #![proptest_config(config())]

    /// The packed file as written reads; with up to three of its numeric fields set to hostile
    /// values, or bytes overwritten anywhere, no reader panics.
    #[test]
    fn packed_gltf_readers_never_panic(
        edits in prop::collection::vec(
            (prop::sample::select(PACKED_FIELDS.to_vec()), hostile_integer()),
            0..=3,
        ),
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4)
    ) {
        let (mut doc, bin) = packed();
        for (field, value) in edits {
            set(&mut doc, field, value);
        }
        let mut bytes = glb(&doc, &bin);
        for (at, byte) in damage {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        read_gltf(&bytes)?;
    }
}

/// The fuzz target's seed file is sound and goes through every path of the rewrite
/// (otherwise the fuzzing above would only exercise the early errors).
#[test]
fn the_packed_seed_file_uses_every_rewrite() {
    let (doc, bin) = packed();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("packed.glb");
    std::fs::write(&path, glb(&doc, &bin)).unwrap();
    let check = twincity_gltf::inspect::check_import_uncached(&path, false).unwrap();
    for ext in [
        "EXT_meshopt_compression",
        "EXT_mesh_gpu_instancing",
        "EXT_texture_webp",
    ] {
        assert!(
            check.decoded.iter().any(|d| d == ext),
            "{ext}: {:?}",
            check.decoded
        );
    }
    let soup = twincity_gltf::mesh::load_triangles(&path, false).unwrap();
    assert_eq!(
        soup.parts.len(),
        3,
        "one part per instance: {:?}",
        soup.skipped
    );
}

/// Tokens a hostile document puts where a number or a file name stood.
const HOSTILE_TOKENS: [&str; 14] = [
    "1e300",
    "-1e300",
    "1e15",
    "inf",
    "-inf",
    "NaN",
    "-0.0",
    "0",
    "99999999999999999999",
    "18446744073709551615",
    "\"/dev/zero\"",
    "\"../../../../etc/passwd\"",
    "\"\"",
    "[]",
];

/// The spans of `text` holding number literals.
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i].is_ascii_digit()
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        if starts {
            let s = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_digit() || matches!(bytes[i], b'.' | b'e' | b'-'))
            {
                i += 1;
            }
            spans.push((s, i));
        } else {
            i += 1;
        }
    }
    spans
}

/// `text` with up to three of its numbers replaced by hostile tokens.
fn mutated(text: &str, edits: &[(prop::sample::Index, usize)]) -> String {
    let spans = number_spans(text);
    let mut chosen: Vec<((usize, usize), &str)> = edits
        .iter()
        .map(|(at, token)| (spans[at.index(spans.len())], HOSTILE_TOKENS[*token]))
        .collect();
    chosen.sort_by_key(|((s, _), _)| std::cmp::Reverse(*s));
    chosen.dedup_by_key(|((s, _), _)| *s);
    let mut out = text.to_string();
    for ((s, e), token) in chosen {
        out.replace_range(s..e, token);
    }
    out
}

fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, usize)>> {
    prop::collection::vec(
        (any::<prop::sample::Index>(), 0..HOSTILE_TOKENS.len()),
        1..=3,
    )
}

fn loads_without_panic(
    what: &str,
    load: impl FnOnce() + std::panic::UnwindSafe,
) -> Result<(), TestCaseError> {
    prop_assert!(
        std::panic::catch_unwind(load).is_ok(),
        "loading a {} panicked",
        what
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Crowd files with numbers replaced: loading checks them (and builds the navigation
    /// graph) without panicking.
    #[test]
    fn crowd_files_never_panic(which in 0..3usize, edits in edits()) {
        let name = ["corner.ron", "demo_quiet_night.ron", "rimea9_room.ron"][which];
        let text = std::fs::read_to_string(shipped(name)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, mutated(&text, &edits)).unwrap();
        loads_without_panic("crowd file", || {
            if let Ok(s) = twincity_crowd::scenario::CrowdScenario::load(&path) {
                let _ = twincity_crowd::run::SimRun::new(s);
            }
        })?;
    }

    /// Scenario files with numbers replaced, their crowd file beside them: loading and
    /// compiling them does not panic.
    #[test]
    fn scenario_files_never_panic(which in 0..3usize, edits in edits()) {
        let name = [
            "collapse_in_crowd.scenario.ron",
            "night_dumping.scenario.ron",
            "speed_camera_cloned_plate.scenario.ron",
        ][which];
        let text = std::fs::read_to_string(shipped(name)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for crowd in ["demo_busy_square.ron", "demo_quiet_night.ron", "demo_square_life.ron"] {
            std::fs::copy(shipped(crowd), dir.path().join(crowd)).unwrap();
        }
        let path = dir.path().join(name);
        std::fs::write(&path, mutated(&text, &edits)).unwrap();
        loads_without_panic("scenario", || {
            if let Ok(s) = twincity_scenario::Scenario::load(&path) {
                let _ = s.compile(None);
            }
        })?;
    }

    /// Project files with numbers replaced.
    #[test]
    fn project_files_never_panic(edits in edits()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.twincity.ron");
        twincity_model::Project::demo().unwrap().save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, mutated(&text, &edits)).unwrap();
        loads_without_panic("project", || {
            let _ = twincity_model::Project::load(&path);
        })?;
    }

    /// Dataset records naming any file: reading the dataset never panics, and a name that
    /// leaves the folder is refused.
    #[test]
    fn dataset_records_never_leave_the_dataset(
        name in prop::sample::select(vec![
            "images/cam/000000.png", "../outside.png", "/etc/passwd", "", ".",
            "images/../../x.png", "images/./000000.png", "a\\b.png", "//x",
        ]),
        frame in hostile_integer(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ds");
        std::fs::create_dir_all(root.join("annotations/cam")).unwrap();
        std::fs::create_dir_all(root.join("images/cam")).unwrap();
        std::fs::write(root.join("images/cam/000000.png"), b"png").unwrap();
        std::fs::write(dir.path().join("outside.png"), b"not yours").unwrap();
        let record = json!({"file": name, "frame": frame, "time_s": 0.0, "camera": "cam",
            "camera_id": 1, "width": 4, "height": 4, "objects": [], "heads": []});
        std::fs::write(root.join("annotations/cam/000000.json"), record.to_string()).unwrap();
        let manifest = json!({"format": "twincity-dataset", "format_version": 2,
            "images": [{"file": name, "annotation": "annotations/cam/000000.json"}]});
        std::fs::write(root.join("manifest.json"), manifest.to_string()).unwrap();
        let loaded = std::panic::catch_unwind(|| twincity_dataset::store::load_dataset(&root));
        prop_assert!(loaded.is_ok(), "reading the dataset panicked");
        if let Ok(Ok((_, records))) = loaded {
            for r in records {
                prop_assert!(
                    twincity_dataset::store::inside(&root, &r.file).is_some(),
                    "accepted {:?}", r.file
                );
            }
        }
    }
}
