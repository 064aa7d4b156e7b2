//! Renders the demo district offscreen (software Vulkan in CI) and checks the picture against
//! expectations worked out by hand from the layout and a pinhole camera, not from the code
//! under test.

mod common;

use common::{EYE_Y, EYE_Z, is_sky};
use twincity::render::city::CitySpec;
use twincity::render::headless::{OffscreenOptions, OffscreenRenderer};
use twincity_model::VirtualCamera;

const W: u32 = 160;
const H: u32 = 120;

fn camera() -> VirtualCamera {
    common::level_camera(W, H)
}

/// Pixel row of a point `height` metres up at `depth` metres in front of the camera.
fn row_of(height: f32, depth: f32) -> f32 {
    let f = W as f32 / 2.0;
    H as f32 / 2.0 - f * (height - EYE_Y) / depth
}

fn col_of(east: f32, depth: f32) -> f32 {
    let f = W as f32 / 2.0;
    W as f32 / 2.0 + f * east / depth
}

fn mean_patch(img: &image::RgbaImage, cx: u32, cy: u32) -> [u8; 4] {
    let mut acc = [0u32; 4];
    let mut n = 0;
    for y in cy - 1..=cy + 1 {
        for x in cx - 1..=cx + 1 {
            let p = img.get_pixel(x, y).0;
            for i in 0..4 {
                acc[i] += p[i] as u32;
            }
            n += 1;
        }
    }
    acc.map(|v| (v / n) as u8)
}

#[test]
fn demo_district_renders_sky_ground_and_the_town_hall_where_geometry_says() {
    let spec = CitySpec {
        demo_city: true,
        imports: vec![],
        ..CitySpec::default()
    };
    let mut renderer = OffscreenRenderer::new(spec, OffscreenOptions::default()).unwrap();
    let img = renderer.render(&camera()).unwrap();
    assert_eq!(img.dimensions(), (W, H));
    if let Ok(dir) = std::env::var("TWINCITY_TEST_OUT") {
        img.save(format!("{dir}/headless_demo.png")).unwrap();
    }

    // Sky across the top centre: rays 30+ degrees up clear every building in this direction.
    for x in [60, 80, 100] {
        let p = img.get_pixel(x, 3).0;
        assert!(is_sky(p), "expected sky at ({x}, 3), got {p:?}");
    }
    // Ground at the bottom: a ray 34 degrees down meets the square 2.5 m ahead.
    for x in [20, 80, 140] {
        let p = img.get_pixel(x, H - 3).0;
        assert!(!is_sky(p), "expected paving at ({x}, {}), got {p:?}", H - 3);
    }

    // The Mairie: south facade at 46 m north of the centre (66 m ahead), 34 m wide, roof 16.15 m.
    let depth = 46.0 + EYE_Z;
    let roof_row = row_of(16.15, depth);
    let right_edge = col_of(17.0, depth);
    let x = col_of(12.0, depth).round() as u32;
    let below_roof = (roof_row + 4.0).round() as u32;
    let above_roof = (roof_row - 5.0).round() as u32;
    assert!(x + 1 < right_edge as u32);
    let facade = mean_patch(&img, x, below_roof);
    let sky = mean_patch(&img, x, above_roof);
    assert!(
        !is_sky(facade),
        "expected the Mairie facade at ({x}, {below_roof}), got {facade:?}"
    );
    assert!(
        is_sky(sky),
        "expected sky above the Mairie roof at ({x}, {above_roof}), got {sky:?}"
    );

    // Without the city, the same facade pixel shows sky: the building made the difference.
    let mut empty =
        OffscreenRenderer::new(CitySpec::default(), OffscreenOptions::default()).unwrap();
    let bare = empty.render(&camera()).unwrap();
    let p = mean_patch(&bare, x, below_roof);
    assert!(
        is_sky(p),
        "expected sky with no city at ({x}, {below_roof}), got {p:?}"
    );
}

/// A privacy mask (a 10 m × 6 m window zone 40 m ahead, centred on the optical axis at eye
/// height) is black in the render, where the pinhole model puts it; the sky above it is not.
#[test]
fn privacy_masks_are_black_in_renders() {
    let cam = camera();
    let ahead = cam.position + cam.forward() * 40.0;
    let mask = twincity_model::coverage_setup::PrivacyMask {
        name: "Flats".into(),
        min: [ahead.x - 5.0, ahead.y - 3.0, ahead.z - 0.1],
        max: [ahead.x + 5.0, ahead.y + 3.0, ahead.z + 0.1],
    };
    let spec = CitySpec {
        demo_city: true,
        ..CitySpec::default()
    };
    let mut renderer = OffscreenRenderer::new(
        spec,
        OffscreenOptions {
            privacy_masks: vec![mask],
            ..OffscreenOptions::default()
        },
    )
    .unwrap();
    let img = renderer.render(&cam).unwrap();
    // Half-widths in pixels: 80 * 5 / 40 = 10 across, 80 * 3 / 40 = 6 up and down.
    for (x, y) in [(80, 60), (72, 56), (88, 64)] {
        assert_eq!(
            &img.get_pixel(x, y).0[..3],
            &[0, 0, 0],
            "({x}, {y}) is masked"
        );
    }
    for (x, y) in [(80, 50), (95, 60), (80, 10)] {
        assert_ne!(
            &img.get_pixel(x, y).0[..3],
            &[0, 0, 0],
            "({x}, {y}) is outside the mask"
        );
    }
}

/// The cameras of one request are drawn in the same app frame and read back together; each
/// view, colour and id pass, is the one a request of its own gives, and once the scene is
/// complete a request draws exactly one frame (none drawn again while read-backs arrive).
#[test]
fn views_drawn_together_match_views_drawn_one_by_one_in_one_frame_each() {
    let spec = CitySpec {
        demo_city: true,
        imports: vec![],
        ..CitySpec::default()
    };
    let mut r = OffscreenRenderer::new(spec, OffscreenOptions::default()).unwrap();
    let ahead = camera();
    let mut turned = VirtualCamera::new(
        twincity_model::camera::CameraId(2),
        "turned",
        bevy::math::Vec3::new(4.0, EYE_Y + 3.0, EYE_Z),
        70.0,
    );
    turned.tilt_deg = 10.0;
    turned.resolution = (96, 64);
    let mut small = camera();
    small.resolution = (W / 2, H / 2);
    let cameras = [ahead, turned, small];
    // Warm-up: every pipeline of both passes compiled, targets made.
    r.render_many(&cameras, true).unwrap();

    let before = r.frames_drawn();
    let together = r.render_many(&cameras, true).unwrap();
    assert_eq!(r.frames_drawn() - before, 1, "three views, one frame drawn");
    let before = r.frames_drawn();
    let alone: Vec<_> = cameras
        .iter()
        .map(|c| r.render_with_ids(c).unwrap())
        .collect();
    assert_eq!(r.frames_drawn() - before, 3, "one frame drawn per request");
    for ((img, ids), (img1, ids1)) in together.iter().zip(&alone) {
        assert_eq!(img.dimensions(), img1.dimensions());
        assert!(
            img == img1,
            "the colour image differs when drawn with others"
        );
        assert_eq!(
            ids.as_ref(),
            Some(ids1),
            "the id pass differs when drawn with others"
        );
    }
    // The views differ from one another (each camera saw its own view).
    assert_ne!(together[0].0.dimensions(), together[1].0.dimensions());
    let sky = |img: &image::RgbaImage| {
        img.pixels().filter(|p| is_sky(p.0)).count() as f64 / (img.width() * img.height()) as f64
    };
    assert!(
        (sky(&together[0].0) - sky(&together[1].0)).abs() > 0.02,
        "the turned camera sees another share of sky"
    );
    // Plain colour renders, without the id pass, also draw one frame each.
    let before = r.frames_drawn();
    let plain = r.render(&cameras[0]).unwrap();
    assert_eq!(r.frames_drawn() - before, 1);
    assert!(plain == together[0].0);
}
