//! Editing a crowd scenario in the editor's crowd plugin, as the drawing tools and the Crowd
//! panel do: new scenario, drawn exit and spawn area, run, undo/redo, atomic save.

use twincity::render::city::CitySpec;
use twincity::render::crowd::{CrowdCommand, CrowdItem, ground_point};
use twincity::render::headless::{OffscreenOptions, OffscreenRenderer};
use twincity_crowd::CrowdScenario;
use twincity_crowd::WalkableSpec;
use twincity_crowd::scenario::Area;

fn area(min: (f64, f64), max: (f64, f64)) -> Area {
    Area { min, max }
}

/// An offscreen app with the crowd plugin (loaded with the corridor, which tests replace).
fn renderer_with_crowd_plugin() -> OffscreenRenderer {
    let corridor = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/corridor.ron"
    ));
    OffscreenRenderer::new(
        CitySpec::default(),
        OffscreenOptions {
            crowd: Some((corridor, 0.0)),
            ..OffscreenOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn draw_run_undo_and_save_a_new_scenario() {
    let mut r = renderer_with_crowd_plugin();
    r.crowd_command(CrowdCommand::New(WalkableSpec::Polygon {
        outer: vec![(0.0, 0.0), (40.0, 0.0), (40.0, 10.0), (0.0, 10.0)],
        holes: vec![],
    }));
    {
        let p = r.crowd().unwrap();
        assert!(p.run.is_none(), "nothing to run yet");
        assert!(
            p.problem.as_deref().unwrap().contains("exit"),
            "{:?}",
            p.problem
        );
        assert!(p.dirty && p.path.is_none());
    }
    // Drawn as the tools do: an exit at the east end, a spawn area at the west end (corners
    // in any order).
    r.crowd_command(CrowdCommand::Add(CrowdItem::Exit(area(
        (38.0, 0.0),
        (40.0, 10.0),
    ))));
    r.crowd_command(CrowdCommand::Add(CrowdItem::Spawn(Area::from_corners(
        bevy::math::DVec2::new(6.0, 9.0),
        bevy::math::DVec2::new(1.0, 1.0),
    ))));
    {
        let p = r.crowd().unwrap();
        assert_eq!(p.problem, None);
        let s = p.scenario.as_ref().unwrap();
        assert_eq!(s.spawns.len(), 1);
        assert_eq!(s.spawns[0].area, area((1.0, 1.0), (6.0, 9.0)));
        // With one exit, a new spawn heads for it.
        assert_eq!(s.spawns[0].exit, "Exit 1");
        assert!(p.run.is_some());
    }
    r.crowd_command(CrowdCommand::RunUntil(45.0));
    let exited = r.crowd().unwrap().exited();
    assert!(exited >= 5, "only {exited} reached the exit");

    // Undo removes the spawn area: the scenario cannot run; redo brings it back.
    r.crowd_command(CrowdCommand::Undo);
    assert!(
        r.crowd()
            .unwrap()
            .scenario
            .as_ref()
            .unwrap()
            .spawns
            .is_empty()
    );
    assert!(r.crowd().unwrap().run.is_none());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("drawn.ron");
    // A scenario that would not load is not saved.
    r.crowd_command(CrowdCommand::Save(Some(file.clone())));
    assert!(!file.exists());
    assert!(
        r.crowd()
            .unwrap()
            .saved
            .as_deref()
            .unwrap()
            .starts_with("Not saved")
    );
    r.crowd_command(CrowdCommand::Redo);
    assert_eq!(
        r.crowd().unwrap().scenario.as_ref().unwrap().spawns.len(),
        1
    );
    assert_eq!(r.crowd().unwrap().problem, None);

    // Panel edits replace the scenario; the run restarts with them.
    let mut edited = r.crowd().unwrap().scenario.clone().unwrap();
    edited.spawns[0].count = 7;
    edited.spawns[0].rate_per_s = 0.0;
    r.crowd_command(CrowdCommand::Replace(Box::new(edited.clone())));
    r.crowd_command(CrowdCommand::Step);
    assert_eq!(r.crowd().unwrap().walking(), 7);

    r.crowd_command(CrowdCommand::Save(Some(file.clone())));
    let p = r.crowd().unwrap();
    assert!(!p.dirty, "{:?}", p.saved);
    assert_eq!(p.path.as_deref(), Some(file.as_path()));
    assert_eq!(CrowdScenario::load(&file).unwrap(), edited);
}

#[test]
fn drawing_hits_the_ground_under_the_cursor() {
    use bevy::math::{Vec2, Vec3};
    // Straight down from 10 m over world (3, -4) = plan (3, 4).
    let p = ground_point(Vec3::new(3.0, 10.0, -4.0), Vec3::NEG_Y, 0.0).unwrap();
    assert!((p - Vec2::new(3.0, 4.0)).length() < 1e-5);
    // At 45 degrees towards -Z (north) from 10 m up, onto a 0.15 m kerb: 9.85 m further north.
    let d = Vec3::new(0.0, -1.0, -1.0).normalize();
    let p = ground_point(Vec3::new(0.0, 10.0, 0.0), d, 0.15).unwrap();
    assert!((p - Vec2::new(0.0, 9.85)).length() < 1e-4, "{p}");
    // Looking up or along the horizon never hits the ground.
    assert!(ground_point(Vec3::new(0.0, 10.0, 0.0), Vec3::Y, 0.0).is_none());
    assert!(ground_point(Vec3::new(0.0, 10.0, 0.0), Vec3::X, 0.0).is_none());
}

/// "New on FILE" for an imported city: the area comes from the file (a plaza tagged walkable,
/// 3 m up, with a kiosk on it), drawn spawns and exits run on it, and people stand on the
/// plaza, not at height 0.
#[test]
fn a_new_scenario_walks_an_imported_city_at_its_ground_height() {
    use bevy::prelude::{Transform, With};
    use twincity::render::crowd::Person;
    use twincity::render::people::CharactersLoaded;
    use twincity_gltf::mesh::fixtures::{cuboid, write_glb};
    let dir = tempfile::tempdir().unwrap();
    let glb = dir.path().join("plaza.glb");
    let plaza = vec![
        [0.0, 0.0, 0.0],
        [30.0, 0.0, 0.0],
        [30.0, 0.0, -20.0],
        [0.0, 0.0, -20.0],
    ];
    let (kp, ki) = cuboid([12.0, 0.0, -12.0], [18.0, 4.0, -8.0]);
    write_glb(
        &glb,
        &[
            (
                "Plaza walkable",
                [0.0, 3.0, 0.0],
                plaza,
                vec![0, 1, 2, 0, 2, 3],
            ),
            ("Kiosk", [0.0, 3.0, 0.0], kp, ki),
        ],
    );
    let mut r = renderer_with_crowd_plugin();
    r.crowd_command(CrowdCommand::New(WalkableSpec::Mesh {
        file: glb.clone(),
        z_up: false,
        origin: None,
    }));
    r.crowd_command(CrowdCommand::Add(CrowdItem::Exit(area(
        (28.0, 0.0),
        (30.0, 20.0),
    ))));
    r.crowd_command(CrowdCommand::Add(CrowdItem::Spawn(area(
        (0.5, 0.5),
        (4.0, 19.5),
    ))));
    assert_eq!(r.crowd().unwrap().problem, None);
    let s = r.crowd().unwrap().scenario.clone().unwrap();
    let resolved = s.walkable.resolve().unwrap();
    assert!((resolved.ground_height - 3.0).abs() < 1e-6);
    // 600 m2 of plaza less the 24 m2 kiosk.
    assert!(
        (resolved.area.area() - 576.0).abs() < 0.5,
        "{}",
        resolved.area.area()
    );
    r.crowd_command(CrowdCommand::RunUntil(5.0));
    // People are drawn once the characters have loaded (in the background).
    let started = std::time::Instant::now();
    while !r.world_mut().resource::<CharactersLoaded>().0 {
        assert!(
            started.elapsed().as_secs() < 120,
            "the characters never loaded"
        );
        r.update();
    }
    r.update();
    let world = r.world_mut();
    let heights: Vec<f32> = world
        .query_filtered::<&Transform, With<Person>>()
        .iter(world)
        .map(|t| t.translation.y)
        .collect();
    assert!(!heights.is_empty());
    assert!(
        heights.iter().all(|y| (y - 3.0).abs() < 0.01),
        "{heights:?}"
    );
}
