//! Importing glTF files from anywhere on disk: a GLB written by this test (so its geometry is
//! known exactly) renders where its coordinates say; a broken file fails cleanly.

mod common;

use common::is_sky;
use twincity::city::{CitySpec, ImportState};
use twincity::headless::{OffscreenOptions, OffscreenRenderer};
use twincity_core::VirtualCamera;
use twincity_core::project::CityImport;

const W: u32 = 160;
const H: u32 = 120;

/// A GLB holding one quad facing +Z: x in [-10, 10], y in [0, 30], at z = -30.
fn wall_glb() -> Vec<u8> {
    let positions: [[f32; 3]; 4] = [
        [-10.0, 0.0, -30.0],
        [10.0, 0.0, -30.0],
        [10.0, 30.0, -30.0],
        [-10.0, 30.0, -30.0],
    ];
    let indices: [u16; 6] = [0, 1, 2, 0, 2, 3];
    let mut bin = Vec::new();
    for p in positions {
        for c in p {
            bin.extend_from_slice(&c.to_le_bytes());
        }
    }
    for i in indices {
        bin.extend_from_slice(&i.to_le_bytes());
    }
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let json = serde_json::json!({
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "wall"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "buffers": [{"byteLength": bin.len()}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": 48},
            {"buffer": 0, "byteOffset": 48, "byteLength": 12}
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 4, "type": "VEC3",
             "min": [-10.0, 0.0, -30.0], "max": [10.0, 30.0, -30.0]},
            {"bufferView": 1, "componentType": 5123, "count": 6, "type": "SCALAR"}
        ]
    });
    let mut json = serde_json::to_vec(&json).unwrap();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let total = 12 + 8 + json.len() + 8 + bin.len();
    let mut glb = Vec::new();
    glb.extend_from_slice(b"glTF");
    glb.extend_from_slice(&2u32.to_le_bytes());
    glb.extend_from_slice(&(total as u32).to_le_bytes());
    glb.extend_from_slice(&(json.len() as u32).to_le_bytes());
    glb.extend_from_slice(b"JSON");
    glb.extend_from_slice(&json);
    glb.extend_from_slice(&(bin.len() as u32).to_le_bytes());
    glb.extend_from_slice(b"BIN\0");
    glb.extend_from_slice(&bin);
    glb
}

fn camera() -> VirtualCamera {
    common::level_camera(W, H)
}

fn spec(path: std::path::PathBuf) -> CitySpec {
    CitySpec {
        demo_city: false,
        imports: vec![CityImport { path, z_up: false }],
    }
}

#[test]
fn imported_glb_outside_the_asset_folder_renders_at_its_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wall.glb");
    std::fs::write(&file, wall_glb()).unwrap();
    let mut r = OffscreenRenderer::new(spec(file.clone()), OffscreenOptions::default()).unwrap();
    let img = r.render(&camera()).unwrap();
    assert_eq!(r.city_status().imports, vec![(file, ImportState::Loaded)]);

    // The wall is 50 m ahead; focal length in pixels is W/2 = 80.
    // 20 m up the wall -> row 60 - 80 * (20 - 1.85) / 50 = 31; its edges at x = +-10 m -> columns
    // 80 -+ 16. Inside: wall; 8 px outside the right edge: sky.
    let row = 31;
    for x in [70, 80, 90] {
        let p = img.get_pixel(x, row).0;
        assert!(
            !is_sky(p),
            "expected the imported wall at ({x}, {row}), got {p:?}"
        );
    }
    let p = img.get_pixel(104, row).0;
    assert!(
        is_sky(p),
        "expected sky beside the wall at (104, {row}), got {p:?}"
    );
    // Above the wall's top (30 m -> row 60 - 80 * 28.15 / 50 = 15): sky.
    let p = img.get_pixel(80, 10).0;
    assert!(is_sky(p), "expected sky above the wall, got {p:?}");
}

#[test]
fn a_broken_glb_fails_with_a_message_and_renders_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.glb");
    let mut bytes = wall_glb();
    bytes.truncate(40);
    std::fs::write(&file, bytes).unwrap();
    let mut r = OffscreenRenderer::new(spec(file.clone()), OffscreenOptions::default()).unwrap();
    let img = r.render(&camera()).unwrap();
    let status = r.city_status();
    assert_eq!(status.imports.len(), 1);
    match &status.imports[0].1 {
        ImportState::Failed(msg) => assert!(!msg.is_empty()),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(is_sky(img.get_pixel(80, 31).0));
}
