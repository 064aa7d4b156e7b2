//! Importing glTF files from anywhere on disk: a GLB written by this test (so its geometry is
//! known exactly) renders where its coordinates say; a broken file fails cleanly.

mod common;

use common::is_sky;
use twincity::render::city::{CitySpec, ImportState};
use twincity::render::headless::{OffscreenOptions, OffscreenRenderer};
use twincity_gltf::mesh::fixtures::write_glb;
use twincity_model::VirtualCamera;
use twincity_model::project::{CityImport, Project};

const W: u32 = 160;
const H: u32 = 120;

/// Writes `name`: a quad facing +Z (x in [-10, 10], y in [0, 30], z = -30) and a smaller one
/// 10 m behind the test camera (z = +30, out of view) so the model's centre is its node's
/// translation `at`.
fn wall_glb(dir: &std::path::Path, name: &str, at: [f32; 3]) -> std::path::PathBuf {
    let path = dir.join(name);
    let positions = vec![
        [-10.0, 0.0, -30.0],
        [10.0, 0.0, -30.0],
        [10.0, 30.0, -30.0],
        [-10.0, 30.0, -30.0],
        [-10.0, 0.0, 30.0],
        [10.0, 0.0, 30.0],
        [10.0, 30.0, 30.0],
        [-10.0, 30.0, 30.0],
    ];
    let indices = vec![0, 1, 2, 0, 2, 3, 4, 6, 5, 4, 7, 6];
    write_glb(&path, &[("wall", at, positions, indices)]);
    path
}

fn camera() -> VirtualCamera {
    common::level_camera(W, H)
}

fn spec(path: std::path::PathBuf) -> CitySpec {
    CitySpec {
        demo_city: false,
        imports: vec![CityImport { path, z_up: false }],
        ..CitySpec::default()
    }
}

#[test]
fn imported_glb_outside_the_asset_folder_renders_at_its_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let file = wall_glb(dir.path(), "wall.glb", [0.0; 3]);
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
    let file = wall_glb(dir.path(), "broken.glb", [0.0; 3]);
    let mut bytes = std::fs::read(&file).unwrap();
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

/// A file in Lambert-93-like coordinates (6.9 million metres north) is re-centred: importing
/// it sets the project's origin to its centre, and it renders exactly where the same wall at
/// the origin does, without the jitter float32 would give at those coordinates.
#[test]
fn a_far_away_file_is_recentred_on_the_projects_origin() {
    let dir = tempfile::tempdir().unwrap();
    let file = wall_glb(dir.path(), "far.glb", [651_000.0, 0.0, -6_862_000.0]);
    let mut project = Project::demo().unwrap();
    project.demo_city = false;
    project.origin = None;
    let note = twincity::render::document::adopt_import(
        &mut project,
        CityImport {
            path: file.clone(),
            z_up: false,
        },
    )
    .unwrap();
    assert!(note.contains("re-centred"), "{note}");
    let origin = project.origin.clone().unwrap();
    // Easting 651000, northing 6862000, height 0.
    assert_eq!(
        (origin.x, origin.y, origin.z),
        (651_000.0, 6_862_000.0, 0.0)
    );
    let far_spec = CitySpec {
        demo_city: false,
        imports: project.imports.clone(),
        origin: Some(origin),
    };
    let mut r = OffscreenRenderer::new(far_spec, OffscreenOptions::default()).unwrap();
    let far = r.render(&camera()).unwrap();
    assert_eq!(r.city_status().imports, vec![(file, ImportState::Loaded)]);
    let near_file = wall_glb(dir.path(), "near.glb", [0.0; 3]);
    let mut r = OffscreenRenderer::new(spec(near_file), OffscreenOptions::default()).unwrap();
    let near = r.render(&camera()).unwrap();
    let differing = far
        .pixels()
        .zip(near.pixels())
        .filter(|(a, b)| a.0.iter().zip(b.0.iter()).any(|(x, y)| x.abs_diff(*y) > 2))
        .count();
    assert!(!is_sky(far.get_pixel(80, 31).0), "the wall is in view");
    assert!(
        differing == 0,
        "{differing} pixels differ from the wall at the origin"
    );
}

/// A file that requires meshopt compression, quantized positions and GPU instancing (which
/// Bevy's glTF loader refuses) is rewritten on import and renders exactly like the same two
/// walls written plainly.
#[test]
fn a_packed_file_renders_like_its_plain_twin() {
    use twincity_gltf::unpack::fixtures::write_packed_glb;
    let dir = tempfile::tempdir().unwrap();
    let positions: Vec<[i16; 3]> = vec![[-10, 0, -30], [10, 0, -30], [10, 30, -30], [-10, 30, -30]];
    let indices = vec![0, 1, 2, 0, 2, 3];
    let identity = [0.0, 0.0, 0.0, 1.0];
    let instances = [
        ([-15.0, 0.0, 0.0], identity, [1.0, 1.0, 1.0]),
        ([15.0, 0.0, 0.0], identity, [1.0, 0.5, 1.0]),
    ];
    let packed = dir.path().join("packed.glb");
    write_packed_glb(&packed, &positions, &indices, &instances);
    let plain = dir.path().join("plain.glb");
    let placed = |dx: f32, sy: f32| -> Vec<[f32; 3]> {
        positions
            .iter()
            .map(|p| [p[0] as f32 + dx, p[1] as f32 * sy, p[2] as f32])
            .collect()
    };
    write_glb(
        &plain,
        &[
            ("left", [0.0; 3], placed(-15.0, 1.0), indices.clone()),
            ("right", [0.0; 3], placed(15.0, 0.5), indices.clone()),
        ],
    );
    let mut r = OffscreenRenderer::new(spec(packed.clone()), OffscreenOptions::default()).unwrap();
    let from_packed = r.render(&camera()).unwrap();
    assert_eq!(r.city_status().imports, vec![(packed, ImportState::Loaded)]);
    let mut r = OffscreenRenderer::new(spec(plain), OffscreenOptions::default()).unwrap();
    let from_plain = r.render(&camera()).unwrap();
    // Both walls in view (left one full height, right one 15 m), sky between them.
    assert!(!is_sky(from_packed.get_pixel(58, 31).0));
    assert!(
        is_sky(from_packed.get_pixel(102, 31).0),
        "the right wall is 15 m high"
    );
    assert!(!is_sky(from_packed.get_pixel(102, 55).0));
    assert!(
        is_sky(from_packed.get_pixel(80, 50).0),
        "sky between the walls"
    );
    let differing = from_packed
        .pixels()
        .zip(from_plain.pixels())
        .filter(|(a, b)| a.0.iter().zip(b.0.iter()).any(|(x, y)| x.abs_diff(*y) > 2))
        .count();
    assert_eq!(differing, 0, "pixels differ from the plain file");
}

/// Writes `facade.gltf` with `facade.bin` and `facade.jpg`: the wall quad of [`wall_glb`]
/// (x in [-10, 10], y in [0, 30], z = -30, facing +Z) textured with a JPEG whose left half
/// is red and right half blue — as photogrammetry city meshes carry their textures.
fn jpeg_textured_wall(dir: &std::path::Path) -> std::path::PathBuf {
    let texture = image::RgbImage::from_fn(64, 64, |x, _| {
        if x < 32 {
            image::Rgb([220, 30, 30])
        } else {
            image::Rgb([30, 40, 220])
        }
    });
    texture.save(dir.join("facade.jpg")).unwrap();
    let positions: [[f32; 3]; 4] = [
        [-10.0, 0.0, -30.0],
        [10.0, 0.0, -30.0],
        [10.0, 30.0, -30.0],
        [-10.0, 30.0, -30.0],
    ];
    let uvs: [[f32; 2]; 4] = [[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]];
    let mut bin = Vec::new();
    for p in positions {
        p.iter().for_each(|v| bin.extend(v.to_le_bytes()));
    }
    for _ in 0..4 {
        [0.0f32, 0.0, 1.0]
            .iter()
            .for_each(|v| bin.extend(v.to_le_bytes()));
    }
    for t in uvs {
        t.iter().for_each(|v| bin.extend(v.to_le_bytes()));
    }
    for i in [0u16, 1, 2, 0, 2, 3] {
        bin.extend(i.to_le_bytes());
    }
    std::fs::write(dir.join("facade.bin"), &bin).unwrap();
    let json = serde_json::json!({
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "facade"}],
        "meshes": [{"primitives": [{
            "attributes": {"POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2},
            "indices": 3, "material": 0}]}],
        "materials": [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0},
            "metallicFactor": 0.0}}],
        "textures": [{"source": 0}],
        "images": [{"uri": "facade.jpg", "mimeType": "image/jpeg"}],
        "buffers": [{"uri": "facade.bin", "byteLength": bin.len()}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": 48},
            {"buffer": 0, "byteOffset": 48, "byteLength": 48},
            {"buffer": 0, "byteOffset": 96, "byteLength": 32},
            {"buffer": 0, "byteOffset": 128, "byteLength": 12}
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 4, "type": "VEC3",
             "min": [-10.0, 0.0, -30.0], "max": [10.0, 30.0, -30.0]},
            {"bufferView": 1, "componentType": 5126, "count": 4, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5126, "count": 4, "type": "VEC2"},
            {"bufferView": 3, "componentType": 5123, "count": 6, "type": "SCALAR"}
        ]
    });
    let path = dir.join("facade.gltf");
    std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    path
}

/// Most photogrammetry city meshes carry JPEG textures: such a file loads and its texture
/// is drawn (red on the left half of the wall, blue on the right).
#[test]
fn a_jpeg_textured_city_mesh_loads_with_its_texture() {
    let dir = tempfile::tempdir().unwrap();
    let file = jpeg_textured_wall(dir.path());
    let mut r = OffscreenRenderer::new(spec(file.clone()), OffscreenOptions::default()).unwrap();
    let img = r.render(&camera()).unwrap();
    assert_eq!(r.city_status().imports, vec![(file, ImportState::Loaded)]);
    // 20 m up the wall (row 31, see above); x = -5 m -> column 72, x = +5 m -> column 88.
    let left = img.get_pixel(72, 31).0;
    let right = img.get_pixel(88, 31).0;
    assert!(
        left[0] > left[2] + 60 && left[0] > left[1] + 60,
        "left half not red: {left:?}"
    );
    assert!(
        right[2] > right[0] + 60 && right[2] > right[1] + 40,
        "right half not blue: {right:?}"
    );
}
