//! People are drawn where the simulation puts them: the RiMEA corner scenario rendered
//! offscreen, with and without its crowd, from a camera standing behind the start area.

mod common;

use twincity::render::city::CitySpec;
use twincity::render::headless::{OffscreenOptions, OffscreenRenderer};

const W: u32 = 160;
const H: u32 = 120;

fn differs(a: [u8; 4], b: [u8; 4]) -> bool {
    (0..3)
        .map(|i| (a[i] as i32 - b[i] as i32).abs())
        .sum::<i32>()
        > 40
}

#[test]
fn people_appear_where_the_simulation_puts_them() {
    let scenario =
        std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/corner.ron"));
    // Camera: 1.85 m high at plan (3, -8), i.e. 8 m south of the corridor's start area, looking
    // north; level, 90 degrees, so focal length in pixels is W/2.
    let mut cam = common::level_camera(W, H);
    cam.position = bevy::math::Vec3::new(3.0, common::EYE_Y, 8.0);

    let mut empty =
        OffscreenRenderer::new(CitySpec::default(), OffscreenOptions::default()).unwrap();
    let bare = empty.render(&cam).unwrap();
    let mut with_crowd = OffscreenRenderer::new(
        CitySpec::default(),
        OffscreenOptions {
            crowd: Some((scenario, 0.0)),
            // People 15–30 px tall, each checked at one pixel of their chest: the full meshes,
            // as the simplified ones agree with them within a pixel only
            // (tests/people_render.rs).
            full_meshes: true,
            ..OffscreenOptions::default()
        },
    )
    .unwrap();
    let img = with_crowd.render(&cam).unwrap();
    if let Ok(dir) = std::env::var("TWINCITY_TEST_OUT") {
        img.save(format!("{dir}/crowd_render.png")).unwrap();
    }
    let player = with_crowd.crowd().unwrap();
    let agents = player.run.as_ref().unwrap().crowd().agents().to_vec();
    assert_eq!(agents.len(), 20);

    // Each person's chest (1.1 m above the floor) projects with the pinhole model to a pixel
    // that must differ from the empty scene (it shows this person or the one in front).
    let f = W as f32 / 2.0;
    let mut checked = 0;
    for a in &agents {
        let depth = 8.0 + a.position.y as f32; // plan north = distance ahead of the camera
        let east = a.position.x as f32 - 3.0;
        let u = W as f32 / 2.0 + f * east / depth;
        let v = H as f32 / 2.0 - f * (1.1 - common::EYE_Y) / depth;
        if !(1.0..W as f32 - 1.0).contains(&u) {
            continue;
        }
        let (x, y) = (u.round() as u32, v.round() as u32);
        assert!(
            differs(img.get_pixel(x, y).0, bare.get_pixel(x, y).0),
            "no person drawn at ({x}, {y}) for agent {:?} at {}",
            a.id,
            a.position
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} people in view");
    // Far above everyone's head (4 m up at 10 m) the picture is the same.
    let v_above = (H as f32 / 2.0 - f * (4.0 - common::EYE_Y) / 10.0) as u32;
    for x in (0..W).step_by(8) {
        assert!(!differs(
            img.get_pixel(x, v_above).0,
            bare.get_pixel(x, v_above).0
        ));
    }
}

#[test]
fn seeking_back_in_the_player_restores_the_exact_earlier_state() {
    let path =
        std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/corner.ron"));
    let mut r = OffscreenRenderer::new(
        CitySpec::default(),
        OffscreenOptions {
            crowd: Some((path.clone(), 20.0)),
            ..OffscreenOptions::default()
        },
    )
    .unwrap();
    r.render(&common::level_camera(32, 24)).unwrap();
    assert!((r.crowd().unwrap().time() - 20.0).abs() < 0.02);
    r.crowd_command(twincity::render::crowd::CrowdCommand::Seek(7.5));
    let player = r.crowd().unwrap();
    assert!((player.time() - 7.5).abs() < 0.011, "{}", player.time());
    let sought = player.run.as_ref().unwrap().crowd().state_hash();

    let scenario = twincity_crowd::CrowdScenario::load(&path).unwrap();
    let mut straight = twincity_crowd::SimRun::new(scenario).unwrap();
    while straight.time() + 1e-9 < player.time() {
        straight.step();
    }
    assert_eq!(sought, straight.crowd().state_hash());
}

#[test]
fn heatmap_texture_colours_each_cell_by_its_density() {
    use bevy::prelude::*;
    let path =
        std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/corner.ron"));
    let mut r = OffscreenRenderer::new(
        CitySpec::default(),
        OffscreenOptions {
            crowd: Some((path, 0.0)),
            ..OffscreenOptions::default()
        },
    )
    .unwrap();
    r.world_mut()
        .resource_mut::<twincity::render::crowd::CrowdPlayer>()
        .heatmap = true;
    r.render(&common::level_camera(32, 24)).unwrap();
    let agents = r
        .crowd()
        .unwrap()
        .run
        .as_ref()
        .unwrap()
        .crowd()
        .agents()
        .to_vec();
    let area = r.crowd().unwrap().run.as_ref().unwrap().area().clone();

    let world = r.world_mut();
    let mut q = world.query::<(&Name, &MeshMaterial3d<StandardMaterial>)>();
    let material = q
        .iter(world)
        .find(|(n, _)| n.as_str() == "Density heatmap")
        .map(|(_, m)| m.0.clone())
        .expect("no heatmap entity");
    let texture = world
        .resource::<Assets<StandardMaterial>>()
        .get(&material)
        .and_then(|m| m.base_color_texture.clone())
        .unwrap();
    let image = world.resource::<Assets<Image>>().get(&texture).unwrap();
    let (cols, rows) = (image.width() as usize, image.height() as usize);
    // The corner geometry spans x 0..12, y 0..12: 12 x 12 cells of 1 m.
    assert_eq!((cols, rows), (12, 12));
    let data = image.data.as_ref().unwrap();
    // Image row 0 is the north edge.
    let pixel = |col: usize, row: usize| {
        let i = ((rows - 1 - row) * cols + col) * 4;
        [data[i], data[i + 1], data[i + 2], data[i + 3]]
    };
    let mut counts = std::collections::HashMap::new();
    for a in &agents {
        *counts
            .entry((a.position.x.floor() as usize, a.position.y.floor() as usize))
            .or_insert(0u32) += 1;
    }
    // Each cell shows the level of the wall-corrected kernel density at its centre.
    let grid = twincity_crowd::density::DensityGrid::from_agents_in(
        &agents,
        &area,
        bevy::math::DVec2::ZERO,
        bevy::math::DVec2::splat(12.0),
        1.0,
    );
    for row in 0..rows {
        for col in 0..cols {
            let centre = bevy::math::DVec2::new(col as f64 + 0.5, row as f64 + 0.5);
            let px = pixel(col, row);
            assert_eq!(
                px,
                twincity::render::crowd::heatmap_colour(grid.values[row * cols + col]),
                "cell ({col}, {row})"
            );
            // Facts that do not depend on the estimate: the corridor is x 0..12, y 0..2 and
            // x 10..12, y 2..12; nothing is drawn outside it, every cell holding a person is
            // coloured, and a cell farther than the kernel's cut-off (3 m) from everyone is not.
            let in_corridor = centre.y < 2.0 || centre.x > 10.0;
            let nearest = agents
                .iter()
                .map(|a| a.position.distance(centre))
                .fold(f64::INFINITY, f64::min);
            if !in_corridor || nearest > 3.0 {
                assert_eq!(px[3], 0, "cell ({col}, {row}) must be transparent");
            }
            if counts.contains_key(&(col, row)) {
                assert!(px[3] > 0, "cell ({col}, {row}) holds people but is blank");
            }
        }
    }
    assert!(
        counts.values().any(|&n| n >= 2),
        "the test needs a crowded cell"
    );
}
