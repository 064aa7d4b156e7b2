//! People's levels of detail: a distant person drawn with the simplified meshes covers the
//! same pixels' extent as with the full meshes (within 1 px), so the labels — made from the
//! posed skeleton, whatever the level of detail — fit either; and the level follows the size
//! a person takes on screen, so a long lens sees the full meshes at a distance where a wide
//! one sees simplified ones.

mod common;

use twincity::render::city::CitySpec;
use twincity::render::crowd::{CrowdCommand, CrowdItem};
use twincity::render::headless::{OffscreenOptions, OffscreenRenderer};
use twincity_crowd::WalkableSpec;
use twincity_crowd::scenario::Area;

const W: u32 = 640;
const H: u32 = 360;

/// A camera 1.85 m up at plan (50, 5 − `distance`), looking north with a `focal_mm` lens
/// (8 mm: focal length 914 px): a person at plan (50, 5) is `distance` metres ahead.
fn camera(distance: f32, focal_mm: f32) -> twincity_model::VirtualCamera {
    let mut c = common::level_camera(W, H);
    c.lens.focal_length_mm = focal_mm;
    c.position = bevy::math::Vec3::new(50.0, common::EYE_Y, -(5.0 - distance));
    c
}

/// An empty plain and the same plain with one standing person, seen from `distance` metres
/// with a `focal_mm` lens, levels of detail on or off.
fn renders(
    levels_of_detail: bool,
    distance: f32,
    focal_mm: f32,
) -> (image::RgbaImage, image::RgbaImage) {
    let corridor = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/corridor.ron"
    ));
    let mut r = OffscreenRenderer::new(
        CitySpec {
            demo_city: false,
            ..CitySpec::default()
        },
        OffscreenOptions {
            crowd: Some((corridor, 0.0)),
            full_meshes: !levels_of_detail,
            ..OffscreenOptions::default()
        },
    )
    .unwrap();
    r.crowd_command(CrowdCommand::New(WalkableSpec::Polygon {
        outer: vec![(0.0, 0.0), (100.0, 0.0), (100.0, 10.0), (0.0, 10.0)],
        holes: vec![],
    }));
    r.crowd_command(CrowdCommand::Add(CrowdItem::Exit(Area {
        min: (98.0, 0.0),
        max: (100.0, 10.0),
    })));
    let empty = r.render(&camera(distance, focal_mm)).unwrap();
    r.crowd_command(CrowdCommand::Add(CrowdItem::Person((50.0, 5.0))));
    let img = r.render(&camera(distance, focal_mm)).unwrap();
    let world = r.world_mut();
    let simplified = world
        .query::<&bevy::prelude::Name>()
        .iter(world)
        .filter(|n| n.as_str() == "Person level of detail")
        .count();
    // Five meshes (body, hair, eyes, outfit, shoes), two simplified levels each.
    assert_eq!(simplified, if levels_of_detail { 10 } else { 0 });
    (empty, img)
}

/// The pixel box of what one standing person adds to an empty plain, seen from `distance`
/// metres through the 8 mm lens, with levels of detail on or off.
fn person_box(levels_of_detail: bool, distance: f32) -> [u32; 4] {
    let (empty, img) = renders(levels_of_detail, distance, 8.0);
    let (mut x0, mut y0, mut x1, mut y1) = (W, H, 0, 0);
    for (x, y, p) in img.enumerate_pixels() {
        let q = empty.get_pixel(x, y);
        let d = (0..3)
            .map(|k| (p[k] as i32 - q[k] as i32).abs())
            .max()
            .unwrap_or(0);
        if d > 24 {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
    }
    assert!(x1 >= x0 && y1 >= y0, "no person drawn at {distance} m");
    [x0, y0, x1, y1]
}

#[test]
fn distant_people_keep_their_extent_with_levels_of_detail() {
    // 20 m: the first simplified level (a quarter of the triangles); 50 m: the second.
    for distance in [20.0, 50.0] {
        let full = person_box(false, distance);
        let lod = person_box(true, distance);
        let height = full[3] - full[1];
        // 1.5–1.9 m at 914 px focal length.
        assert!(
            height as f32 > 1.4 * 914.0 / distance,
            "{distance} m: {height} px tall"
        );
        for k in 0..4 {
            assert!(
                (full[k] as i32 - lod[k] as i32).abs() <= 1,
                "{distance} m: box {full:?} with full meshes, {lod:?} with levels of detail"
            );
        }
    }
}

#[test]
fn a_long_lens_sees_full_meshes_where_a_wide_one_sees_simplified_ones() {
    // 50 m away: under 35 px tall through the 8 mm lens (914 px), the second simplified
    // level; about 190 px tall through a 50 mm lens (5 714 px), the full meshes.
    let differing = |a: &image::RgbaImage, b: &image::RgbaImage| {
        a.pixels().zip(b.pixels()).filter(|(p, q)| p != q).count()
    };
    let (_, wide_full) = renders(false, 50.0, 8.0);
    let (_, wide_lod) = renders(true, 50.0, 8.0);
    assert!(
        differing(&wide_full, &wide_lod) > 0,
        "the wide lens should see the simplified meshes at 50 m"
    );
    let (_, long_full) = renders(false, 50.0, 50.0);
    let (_, long_lod) = renders(true, 50.0, 50.0);
    assert_eq!(
        differing(&long_full, &long_lod),
        0,
        "the long lens should see the full meshes at 50 m"
    );
}
