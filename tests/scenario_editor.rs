//! Scenarios in the editor's scenario plugin, as the timeline panel drives it: loaded and
//! played to a time, drawn (a fallen person lying, vehicles, night), edited with one undo step
//! per drag, saved, and reloaded when the file changes on disk.

mod common;

use bevy::prelude::*;
use twincity::editor::timeline::shift_start;
use twincity::render::city::CitySpec;
use twincity::render::figure::ScenarioFigure;
use twincity::render::headless::{OffscreenOptions, OffscreenRenderer};
use twincity::render::scenario::ScenarioCommand;
use twincity_scenario::world::{Pose, Role};
use twincity_scenario::{Num, Scenario, Start};

fn shipped(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn renderer(scenario: std::path::PathBuf, at: f64) -> OffscreenRenderer {
    let mut r = OffscreenRenderer::new(
        CitySpec::default(),
        OffscreenOptions {
            scenario: Some((scenario, at)),
            ..OffscreenOptions::default()
        },
    )
    .unwrap();
    r.update();
    r.update();
    r
}

/// The speed-camera scenario played to `at`, its state, and the index of the cloned Clio.
fn cloned_clio(
    at: f64,
) -> (
    OffscreenRenderer,
    twincity_scenario::world::WorldState,
    usize,
) {
    clio_in(shipped("speed_camera_cloned_plate.scenario.ron"), at)
}

/// `scenario` (the speed-camera scenario or a variant of it) played to `at`, its state, and
/// the index of the cloned Clio.
fn clio_in(
    scenario: std::path::PathBuf,
    at: f64,
) -> (
    OffscreenRenderer,
    twincity_scenario::world::WorldState,
    usize,
) {
    let r = renderer(scenario, at);
    let state = r.scenario().unwrap().state.clone().unwrap();
    let car = state
        .vehicles
        .iter()
        .position(|v| v.event == "cloned clio")
        .unwrap();
    (r, state, car)
}

/// The centre of a vehicle's rear plate in the world.
fn rear_plate(v: &twincity_scenario::world::VehicleState) -> Vec3 {
    let q = twincity_scenario::figures::plate_quads(v)[1];
    q.iter().copied().sum::<Vec3>() / 4.0
}

/// What the instance-id pass says `camera` sees of vehicle `car` (on the demo district).
fn car_annotation(
    state: &twincity_scenario::world::WorldState,
    camera: &twincity_model::VirtualCamera,
    car: usize,
) -> Option<twincity_dataset::annotate::Annotation> {
    use twincity_scene::coverage::{Occluders, scene_model};
    let model = scene_model(&twincity_model::Project::demo().unwrap()).unwrap();
    let city = Occluders::new(&model.triangles);
    let cast = twincity_scenario::people::Cast::bundled().unwrap();
    let figs =
        twincity_scenario::figures::figures(state, twincity_scene::demo_city::KERB_HEIGHT, cast);
    twincity_dataset::annotate::IdScene::new(&city, &figs)
        .annotate(camera)
        .into_iter()
        .find(|a| a.figure == twincity_scenario::figures::FigureKind::Vehicle(car))
}

/// Figures of one kind in the world, with their transforms.
fn figures(r: &mut OffscreenRenderer) -> Vec<(ScenarioFigure, Transform)> {
    let world = r.world_mut();
    let mut q = world.query::<(&ScenarioFigure, &Transform)>();
    q.iter(world).map(|(f, t)| (*f, *t)).collect()
}

/// The world position of joint `name` of the drawn person `person`.
fn drawn_joint(r: &mut OffscreenRenderer, person: usize, name: &str) -> Vec3 {
    let world = r.world_mut();
    let root = world
        .query::<(Entity, &ScenarioFigure)>()
        .iter(world)
        .find(|(_, f)| **f == ScenarioFigure::Person(person))
        .map(|(e, _)| e)
        .expect("the person is drawn");
    let mut names = world.query::<(&Name, &GlobalTransform)>();
    let mut children = world.query::<&Children>();
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        if let Ok((n, t)) = names.get(world, e)
            && n.as_str() == name
        {
            return t.translation();
        }
        if let Ok(c) = children.get(world, e) {
            stack.extend(c.iter());
        }
    }
    panic!("person {person} has no joint {name}");
}

#[test]
fn a_loaded_scenario_is_drawn_with_animated_people_posed_as_annotated() {
    let mut r = renderer(shipped("collapse_in_crowd.scenario.ron"), 110.0);
    // A render waits until every character is in the world and posed.
    r.render(&common::level_camera(64, 48)).unwrap();
    let state = r.scenario().unwrap().state.clone().unwrap();
    assert!((state.time_s - 110.0).abs() < 1e-9);
    let people = figures(&mut r)
        .into_iter()
        .filter(|(f, _)| matches!(f, ScenarioFigure::Person(_)))
        .count();
    assert_eq!(people, state.people.len());
    let fallen = state
        .people
        .iter()
        .position(|p| p.role == Role::Fallen("malaise".into()))
        .unwrap();
    assert_eq!(state.people[fallen].pose, Pose::Lying);
    let walking = state
        .people
        .iter()
        .position(|p| p.pose == Pose::Walking)
        .unwrap();
    // Lying: the head near the ground; a walking neighbour's head stays up.
    let head = drawn_joint(&mut r, fallen, "head");
    assert!(head.y < 0.6, "head at {head}");
    assert!(drawn_joint(&mut r, walking, "head").y > 1.2);
    // The drawn joints are where the annotation pass puts them (same pose, same place).
    let cast = twincity_scenario::people::Cast::bundled().unwrap();
    let ground = twincity_scene::demo_city::KERB_HEIGHT;
    for (i, joint) in [
        (fallen, "head"),
        (walking, "head"),
        (walking, "ball_l"),
        (walking, "hand_r"),
    ] {
        let pose =
            twincity_scenario::figures::person_pose(&state.people[i], state.time_s, ground, cast);
        let k = pose.rig.node(joint).unwrap();
        let expected = pose
            .world_from_character
            .transform_point3(pose.rig.world(&pose.local)[k].w_axis.truncate());
        let drawn = drawn_joint(&mut r, i, joint);
        assert!(
            drawn.distance(expected) < 0.002,
            "person {i} {joint}: drawn at {drawn}, annotated at {expected}"
        );
    }
}

#[test]
fn a_drag_on_the_timeline_is_one_undo_step_and_the_run_follows() {
    let mut r = renderer(shipped("market_gathering.scenario.ron"), 20.0);
    let before = r.scenario().unwrap().scenario.clone().unwrap();
    let first_start = r.scenario().unwrap().compiled.as_ref().unwrap().events[0].start_s;
    // A drag: the panel sends the edited scenario once, on release (moved 12 s later).
    let mut moved = before.clone();
    shift_start(&mut moved.events[0], 12.0);
    assert!(matches!(&moved.events[0].start, Start::At(Num::Drawn(_))));
    r.scenario_command(ScenarioCommand::Replace(Box::new(moved.clone())));
    r.update(); // edits paused: recorded and replayed
    {
        let p = r.scenario().unwrap();
        assert!(p.dirty);
        assert_eq!(p.scenario.as_ref(), Some(&moved));
        let start = p.compiled.as_ref().unwrap().events[0].start_s;
        assert!(
            (start - first_start - 12.0).abs() < 1e-9,
            "{start} vs {first_start}"
        );
        // The dispersal is timed from the gathering's end: it moved too.
        assert!((p.time() - 20.0).abs() < 1e-9, "stays at the same time");
        assert_eq!(p.history.as_ref().unwrap().undo_depth(), 1);
    }
    r.scenario_command(ScenarioCommand::Undo);
    {
        let p = r.scenario().unwrap();
        assert_eq!(p.scenario.as_ref(), Some(&before));
        let start = p.compiled.as_ref().unwrap().events[0].start_s;
        assert!((start - first_start).abs() < 1e-9);
    }
    r.scenario_command(ScenarioCommand::Redo);
    assert_eq!(r.scenario().unwrap().scenario.as_ref(), Some(&moved));
    // An edit that breaks the scenario stops it with the reason; the last run is dropped.
    let mut broken = moved.clone();
    broken.events[1].start = Start::AfterEnd {
        event: "nobody".into(),
        delay_s: Num::Fixed(0.0),
    };
    r.scenario_command(ScenarioCommand::Replace(Box::new(broken)));
    r.update();
    let p = r.scenario().unwrap();
    assert!(p.run.is_none());
    assert!(
        p.problem.as_deref().unwrap().contains("nobody"),
        "{:?}",
        p.problem
    );
}

#[test]
fn saving_keeps_a_readable_file_and_changes_on_disk_are_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("speed_camera_cloned_plate.scenario.ron");
    std::fs::copy(shipped("speed_camera_cloned_plate.scenario.ron"), &file).unwrap();
    // Its project, which it names relative to itself.
    std::fs::copy(
        shipped("south_street.twin.ron"),
        dir.path().join("south_street.twin.ron"),
    )
    .unwrap();
    let mut r = renderer(file.clone(), 5.0);
    let mut s = r.scenario().unwrap().scenario.clone().unwrap();
    s.name = "Renamed".into();
    r.scenario_command(ScenarioCommand::Replace(Box::new(s.clone())));
    r.update();
    let out = dir.path().join("saved.scenario.ron");
    r.scenario_command(ScenarioCommand::Save(Some(out.clone())));
    let p = r.scenario().unwrap();
    assert!(!p.dirty, "{:?}", p.saved);
    let text = std::fs::read_to_string(&out).unwrap();
    // Hand-editable: one field per line, indented, the incidents by name.
    assert!(text.contains("\n    name: \"Renamed\",\n"), "{text}");
    assert!(text.contains("Vehicle("), "{text}");
    assert_eq!(Scenario::load(&out).unwrap().name, "Renamed");

    // Someone edits the saved file by hand: the editor reloads it (nothing unsaved here).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(&out, text.replace("Renamed", "Edited by hand")).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while r.scenario().unwrap().scenario.as_ref().unwrap().name != "Edited by hand" {
        assert!(std::time::Instant::now() < deadline, "not reloaded");
        std::thread::sleep(std::time::Duration::from_millis(100));
        r.update();
    }
    let p = r.scenario().unwrap();
    assert!(p.saved.as_deref().unwrap().contains("Reloaded"));
    assert!((p.time() - 5.0).abs() < 1e-9, "the time is kept");
}

/// The night scenario darkens the scene: a camera sees a darker picture at 23:40 than the
/// same camera at 14:00.
#[test]
fn night_is_darker_than_day() {
    let camera = {
        let mut c = common::level_camera(160, 90);
        c.position = Vec3::new(0.0, 12.0, 40.0);
        c.tilt_deg = -20.0;
        c
    };
    let mean = |img: &image::RgbaImage| {
        img.pixels()
            .map(|p| p.0[..3].iter().map(|&c| c as f64).sum::<f64>())
            .sum::<f64>()
            / (img.width() * img.height() * 3) as f64
    };
    let mut night = renderer(shipped("night_dumping.scenario.ron"), 10.0);
    let dark = mean(&night.render(&camera).unwrap());
    let mut day = renderer(shipped("speed_camera_cloned_plate.scenario.ron"), 10.0);
    let bright = mean(&day.render(&camera).unwrap());
    assert!(dark * 2.5 < bright, "night {dark:.1}, day {bright:.1}");
}

/// The cloned Clio seen from behind as it passes the radar: its plate is white with the text
/// in black, readable (left to right) in the camera's image.
#[test]
fn a_vehicle_carries_its_plate_text() {
    let (mut r, state, car) = cloned_clio(10.8);
    // The car heads east; its rear plate where the catalogue puts it on its body.
    let rear = rear_plate(&state.vehicles[car]);
    let mut camera = common::level_camera(320, 180);
    camera.position = rear + Vec3::new(-2.0, 0.1, 0.0);
    camera.aim_at(rear);
    camera.lens.focal_length_mm = 8.0;
    let img = r.render(&camera).unwrap();
    // Bright plate pixels around the centre, with dark strokes among them (grey: not the
    // red car body, not the blue bands).
    let (cx, cy) = (160i32, 90i32);
    let mut bright = 0;
    let mut dark = 0;
    for y in cy - 12..cy + 12 {
        for x in cx - 60..cx + 60 {
            let p = img.get_pixel(x as u32, y as u32).0;
            let l = p[0] as u32 + p[1] as u32 + p[2] as u32;
            if l > 600 {
                bright += 1;
            } else if l < 330 && p[0] < 120 && p[2] < 150 {
                dark += 1;
            }
        }
    }
    assert!(bright > 300 && dark > 100, "bright {bright}, dark {dark}");
}

/// Rain falls in front of each camera: the same view with rain has light streaks the dry one
/// has not, and the streaks are where the scenario's time puts them.
#[test]
fn rain_falls_in_front_of_the_camera() {
    let dir = tempfile::tempdir().unwrap();
    let dry_file = shipped("speed_camera_cloned_plate.scenario.ron");
    let text = std::fs::read_to_string(&dry_file).unwrap();
    let wet_file = dir.path().join("wet.scenario.ron");
    std::fs::copy(
        shipped("south_street.twin.ron"),
        dir.path().join("south_street.twin.ron"),
    )
    .unwrap();
    std::fs::write(
        &wet_file,
        text.replace("environment: (", "environment: (rain: 0.9, "),
    )
    .unwrap();
    let mut camera = common::level_camera(200, 120);
    camera.position = Vec3::new(-20.0, 6.0, 50.0);
    camera.tilt_deg = -15.0;
    let mut wet = renderer(wet_file, 30.0);
    assert!(
        (wet.scenario()
            .unwrap()
            .state
            .as_ref()
            .unwrap()
            .environment
            .rain
            - 0.9)
            .abs()
            < 1e-9
    );
    let rainy = wet.render(&camera).unwrap();
    let curtains = {
        let world = wet.world_mut();
        world
            .query::<&twincity::render::scenario::RainCurtain>()
            .iter(world)
            .count()
    };
    assert!(curtains >= 1, "no rain curtain");
    let mut dry = renderer(dry_file, 30.0);
    let clear = dry.render(&camera).unwrap();
    // Streak pixels: lighter than both their left and right neighbours (thin vertical lines);
    // the dry view (ground, sky, a few edges) has few of those.
    let streaks = |img: &image::RgbaImage| {
        let lum = |x: u32, y: u32| {
            img.get_pixel(x, y).0[..3]
                .iter()
                .map(|&c| c as i32)
                .sum::<i32>()
        };
        (0..img.height())
            .flat_map(|y| (1..img.width() - 1).map(move |x| (x, y)))
            .filter(|&(x, y)| lum(x, y) > lum(x - 1, y) + 12 && lum(x, y) > lum(x + 1, y) + 12)
            .count()
    };
    let (wet_lines, dry_lines) = (streaks(&rainy), streaks(&clear));
    assert!(
        wet_lines > 5 * dry_lines + 40,
        "rain {wet_lines} line pixels, dry {dry_lines}"
    );
    let share = wet_lines as f64 / (200.0 * 120.0);
    assert!(share < 0.3, "{:.2} % of pixels are streaks", share * 100.0);
}

/// The annotation pass and the renderer agree: the pixels the instance-id pass gives the red
/// car are the car's pixels in the rendered image (its red body; the plate, windows, lamps and
/// tyres aside).
#[test]
fn the_id_pass_finds_the_rendered_pixels() {
    let (mut r, state, car) = cloned_clio(8.0);
    let at = state.vehicles[car].position;
    let mut camera = common::level_camera(240, 160);
    camera.position = Vec3::new(at[0] as f32 + 3.0, 3.0, -(at[1] as f32) + 7.0);
    camera.aim_at(Vec3::new(at[0] as f32, 0.7, -(at[1] as f32)));
    let (img, ids) = r.render_with_ids(&camera).unwrap();
    let cast = twincity_scenario::people::Cast::bundled().unwrap();
    let figs =
        twincity_scenario::figures::figures(&state, twincity_scene::demo_city::KERB_HEIGHT, cast);
    let a = twincity_dataset::annotate::annotate_rendered(&camera, &figs, &ids)
        .into_iter()
        .find(|a| a.figure == twincity_scenario::figures::FigureKind::Vehicle(car))
        .expect("the car is in view");
    assert!(a.visibility > 0.95, "{}", a.visibility);
    let red = |p: [u8; 4]| p[0] as i32 > p[1] as i32 + 40 && p[0] as i32 > p[2] as i32 + 40;
    let mask: std::collections::HashSet<(u32, u32)> = a.mask.iter().copied().collect();
    let red_pixels: Vec<(u32, u32)> = img
        .enumerate_pixels()
        .filter(|(_, _, p)| red(p.0))
        .map(|(x, y, _)| (x, y))
        .collect();
    let inside = red_pixels.iter().filter(|p| mask.contains(p)).count();
    // Every red pixel is the car's; most of the mask is its red paint.
    assert!(red_pixels.len() > 500, "{} red pixels", red_pixels.len());
    assert!(
        inside as f64 >= 0.97 * red_pixels.len() as f64,
        "{inside} of {}",
        red_pixels.len()
    );
    assert!(
        inside as f64 >= 0.5 * mask.len() as f64,
        "{inside} of the mask's {}",
        mask.len()
    );
}

/// Privacy: the annotation pass finds the plate in the rendered image, and blurring that box
/// leaves no readable detail (the text's fine edges) while the rest of the image is kept.
#[test]
fn plates_found_by_the_annotation_pass_are_blurred_unreadable() {
    use twincity_dataset::privacy::{blur_boxes, detail_energy};
    let (mut r, state, car) = cloned_clio(10.8);
    let rear = rear_plate(&state.vehicles[car]);
    let mut camera = common::level_camera(320, 180);
    camera.position = rear + Vec3::new(-3.0, 0.6, 0.4);
    camera.aim_at(rear);
    camera.lens.focal_length_mm = 8.0;
    let mut img = r.render(&camera).unwrap();
    let a = car_annotation(&state, &camera, car).unwrap();
    let plate = a.private_box.expect("the plate is seen");
    // The plate's dark characters lie inside the box.
    let [px, py, pw, ph] = plate;
    // The text: dark strokes with the plate's white on both sides along the row (windows and
    // tyres are dark too, but not set in white).
    let lum = |x: u32, y: u32| {
        let p = img.get_pixel(x, y).0;
        p[0] as u32 + p[1] as u32 + p[2] as u32
    };
    let w = img.width();
    let text: Vec<(u32, u32)> = img
        .enumerate_pixels()
        .filter(|&(x, y, p)| {
            let l = p.0[0] as u32 + p.0[1] as u32 + p.0[2] as u32;
            let white_left = (x.saturating_sub(4)..x).any(|i| lum(i, y) > 600);
            let white_right = (x + 1..(x + 5).min(w)).any(|i| lum(i, y) > 600);
            l < 330 && p.0[0] < 120 && p.0[2] < 150 && white_left && white_right
        })
        .map(|(x, y, _)| (x, y))
        .collect();
    assert!(text.len() > 50, "{} text pixels", text.len());
    assert!(
        text.iter()
            .all(|&(x, y)| (px..px + pw).contains(&x) && (py..py + ph).contains(&y)),
        "text outside the plate box {plate:?}"
    );
    let corner = img.get_pixel(2, 2).0;
    let before = detail_energy(&img, plate);
    blur_boxes(&mut img, &[plate]);
    let after = detail_energy(&img, plate);
    assert!(after < before * 0.05, "detail {before:.0} -> {after:.0}");
    assert_eq!(img.get_pixel(2, 2).0, corner, "the rest is kept");
}

/// The drawn car's wheels turn with the distance driven: between two times, a front wheel has
/// turned by the distance covered over the wheel's radius (rolling without slipping).
#[test]
fn wheels_turn_by_the_distance_driven() {
    let (mut r, before, car) = cloned_clio(8.0);
    // A render waits for the models to load and spawn.
    let wheel = |r: &mut OffscreenRenderer| -> Quat {
        r.render(&common::level_camera(32, 18)).unwrap();
        let world = r.world_mut();
        let mut q = world.query::<(&Name, &Transform)>();
        let found: Vec<Quat> = q
            .iter(world)
            .filter(|(n, _)| n.as_str() == "wheel-front-left")
            .map(|(_, t)| t.rotation)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one car on the street, one front-left wheel"
        );
        found[0]
    };
    let a = wheel(&mut r);
    r.scenario_command(ScenarioCommand::Seek(8.05));
    let b = wheel(&mut r);
    let after = r.scenario().unwrap().state.clone().unwrap();
    let driven = after.vehicles[car].distance_m - before.vehicles[car].distance_m;
    let model = before.vehicles[car].vehicle.body().model();
    let expected = (driven / model.wheel_radius_m()) as f32;
    // 68 km/h for 0.05 s: 0.94 m, about 3.2 rad on a 0.29 m wheel (compared modulo a turn).
    assert!(driven > 0.8, "{driven} m");
    let turn = a.inverse() * b;
    let (axis, angle) = turn.to_axis_angle();
    let signed = if axis.x >= 0.0 { angle } else { -angle };
    let tau = std::f32::consts::TAU;
    let diff = (signed - expected).rem_euclid(tau);
    assert!(
        diff.min(tau - diff) < 0.02,
        "turned {signed} rad, expected {expected} (mod 2π)"
    );
    assert!(axis.x.abs() > 0.99, "about the axle: {axis:?}");
}

/// Vehicles keep their drawn models while others leave the street, so their place in the
/// world's list changes: the id pass follows (each vehicle's id mask is where the geometry
/// says that vehicle is, after the renumbering as before).
#[test]
fn vehicle_ids_follow_their_place_in_the_list() {
    use twincity_scenario::figures::FigureKind;
    use twincity_scene::coverage::{Occluders, scene_model};
    let mut r = renderer(shipped("street_traffic.scenario.ron"), 14.0);
    let project = twincity_model::Project::load(&shipped("south_street.twin.ron")).unwrap();
    let model = scene_model(&project).unwrap();
    let city = Occluders::new(&model.triangles);
    let cast = twincity_scenario::people::Cast::bundled().unwrap();
    let mut first_index: std::collections::HashMap<String, usize> = Default::default();
    let (mut compared, mut renumbered) = (0, 0);
    for step in 0..12 {
        r.scenario_command(ScenarioCommand::Seek(14.0 + 2.0 * step as f64));
        for camera in &project.cameras[..2] {
            let mut camera = camera.clone();
            camera.resolution = (480, 270);
            let (_, ids) = r.render_with_ids(&camera).unwrap();
            let state = r.scenario().unwrap().state.clone().unwrap();
            let figs = twincity_scenario::figures::figures(
                &state,
                twincity_scene::demo_city::KERB_HEIGHT,
                cast,
            );
            let gpu = twincity_dataset::annotate::annotate_rendered(&camera, &figs, &ids);
            let cpu = twincity_dataset::annotate::IdScene::new(&city, &figs).annotate(&camera);
            for g in &gpu {
                let FigureKind::Vehicle(i) = g.figure else {
                    continue;
                };
                let (Some(gb), Some(cb)) = (
                    g.visible_box,
                    cpu.iter()
                        .find(|c| c.figure == g.figure)
                        .and_then(|c| c.visible_box),
                ) else {
                    continue;
                };
                if cb[2] * cb[3] < 150 || g.visibility < 0.9 {
                    continue;
                }
                let event = &state.vehicles[i].event;
                let first = *first_index.entry(event.clone()).or_insert(i);
                // The mask's centre lies in the box of the vehicle's geometry (a box around the
                // body model, a little larger than its silhouette).
                let (cx, cy) = (gb[0] + gb[2] / 2, gb[1] + gb[3] / 2);
                assert!(
                    (cb[0]..cb[0] + cb[2]).contains(&cx) && (cb[1]..cb[1] + cb[3]).contains(&cy),
                    "{event} (index {i}, first drawn as {first}): id-pass box {gb:?}, \
                     geometry's box {cb:?}"
                );
                compared += 1;
                if first != i {
                    renumbered += 1;
                }
            }
        }
        for (i, v) in r
            .scenario()
            .unwrap()
            .state
            .as_ref()
            .unwrap()
            .vehicles
            .iter()
            .enumerate()
        {
            first_index.entry(v.event.clone()).or_insert(i);
        }
    }
    assert!(compared >= 10, "{compared} vehicles compared");
    assert!(renumbered >= 1, "no vehicle seen after its place changed");
}

/// Headlights and rear lights at night: the same night street rendered with its lights on and
/// off (`street_lights`), the cloned Clio seen from ahead and from behind. With the lights on,
/// its mask holds glowing pixels — near-white at the front, saturated red at the back — that
/// the same car with its lights off lacks.
#[test]
fn vehicles_light_their_lamps_at_night() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(shipped("speed_camera_cloned_plate.scenario.ron")).unwrap();
    let night = |lights: &str| {
        let project = shipped("south_street.twin.ron");
        let t = text
            .replace(
                "environment: (time_of_day_h: 14.0, day_of_year: 90)",
                &format!(
                    "environment: (time_of_day_h: 22.5, day_of_year: 90, street_lights: {lights})"
                ),
            )
            .replace(
                "project: Some(\"south_street.twin.ron\")",
                &format!("project: Some({:?})", project.display().to_string()),
            );
        assert!(t.contains("22.5") && t.contains("street_lights"), "{t}");
        let path = dir.path().join(format!("night_{lights}.scenario.ron"));
        std::fs::write(&path, t).unwrap();
        path
    };
    // Glowing pixels of the car's mask, seen from `side` metres along its heading.
    let glow = |lights: &str, side: f32| -> (usize, usize) {
        let (mut r, state, car) = clio_in(night(lights), 8.0);
        let v = &state.vehicles[car];
        let at = Vec3::new(v.position[0] as f32, 0.6, -(v.position[1] as f32));
        let heading = Vec3::new(v.heading.cos() as f32, 0.0, -(v.heading.sin() as f32));
        let mut camera = common::level_camera(240, 160);
        camera.position = at + heading * side + Vec3::new(0.0, 0.6, 0.0);
        camera.aim_at(at);
        let (img, ids) = r.render_with_ids(&camera).unwrap();
        let cast = twincity_scenario::people::Cast::bundled().unwrap();
        let figs = twincity_scenario::figures::figures(
            &state,
            twincity_scene::demo_city::KERB_HEIGHT,
            cast,
        );
        let a = twincity_dataset::annotate::annotate_rendered(&camera, &figs, &ids)
            .into_iter()
            .find(|a| a.figure == twincity_scenario::figures::FigureKind::Vehicle(car))
            .expect("the car is in view");
        if let Ok(out) = std::env::var("TWINCITY_TEST_OUT") {
            img.save(format!("{out}/night_lights_{lights}_{side}.png"))
                .unwrap();
        }
        let pixels = || {
            a.mask
                .iter()
                .map(|&(x, y)| img.get_pixel(x, y).0.map(i32::from))
        };
        let white = pixels()
            .filter(|p| p[0] > 220 && p[1] > 210 && p[2] > 190)
            .count();
        let red = pixels()
            .filter(|p| p[0] > 200 && p[0] > p[1] + 80 && p[0] > p[2] + 80)
            .count();
        (white, red)
    };
    let (front_on, front_off) = (glow("On", 7.0), glow("Off", 7.0));
    assert!(
        front_on.0 >= 12 && front_on.0 > 4 * front_off.0,
        "headlights: {} white pixels lit, {} unlit",
        front_on.0,
        front_off.0
    );
    let (rear_on, rear_off) = (glow("On", -7.0), glow("Off", -7.0));
    assert!(
        rear_on.1 > rear_off.1 + 12,
        "rear lights: {} bright red pixels lit, {} unlit",
        rear_on.1,
        rear_off.1
    );
}

/// A parked bicycle of the street-traffic scenario is drawn on the pavement where its state
/// puts it, its wheels found by name, with no plate and no lamp; the instance-id pass gives it
/// a thin see-through mask within its geometry's box (not below: it stands on the kerb, not on
/// the road), and the dataset records it as a `bicycle` with its make, model and body and no
/// plate.
#[test]
fn a_parked_bicycle_is_drawn_on_the_pavement_and_annotated_as_a_bicycle() {
    use twincity_scenario::figures::FigureKind;
    use twincity_scenario::vehicles::VehicleKind;
    use twincity_scene::coverage::{Occluders, scene_model};
    use twincity_scene::demo_city::KERB_HEIGHT;
    let mut r = renderer(shipped("street_traffic.scenario.ron"), 1.0);
    let state = r.scenario().unwrap().state.clone().unwrap();
    let bike = state
        .vehicles
        .iter()
        .position(|v| v.event == "parked bicycle 4")
        .unwrap();
    let v = &state.vehicles[bike];
    assert!(v.parked && v.vehicle.kind == VehicleKind::Bicycle, "{v:?}");
    // Seen from the street, 3.4 m away, a little above the saddle.
    let at = Vec3::new(
        v.position[0] as f32,
        KERB_HEIGHT + 0.5,
        -(v.position[1] as f32),
    );
    let mut camera = common::level_camera(320, 240);
    camera.position = Vec3::new(at.x + 0.5, 1.5, at.z - 3.4);
    camera.aim_at(at);
    let (img, ids) = r.render_with_ids(&camera).unwrap();
    if let Ok(out) = std::env::var("TWINCITY_TEST_OUT") {
        img.save(format!("{out}/parked_bicycle.png")).unwrap();
    }

    // Drawn: its root on the pavement, its wheels, no plate, no lamp.
    let world = r.world_mut();
    let root = world
        .query::<(Entity, &ScenarioFigure, &Transform)>()
        .iter(world)
        .find(|(_, f, _)| **f == ScenarioFigure::Vehicle(bike))
        .map(|(e, _, t)| (e, *t))
        .expect("the bicycle is drawn");
    assert!(
        (root.1.translation.y - KERB_HEIGHT).abs() < 1e-6,
        "{:?}",
        root.1
    );
    let mut names = world.query::<&Name>();
    let mut children = world.query::<&Children>();
    let mut under = Vec::new();
    let mut stack = vec![root.0];
    while let Some(e) = stack.pop() {
        if let Ok(n) = names.get(world, e) {
            under.push(n.as_str().to_string());
        }
        if let Ok(c) = children.get(world, e) {
            stack.extend(c.iter());
        }
    }
    for wheel in ["wheel-front", "wheel-back"] {
        assert!(under.iter().any(|n| n == wheel), "no {wheel} in {under:?}");
    }
    for none in ["Plate", "Headlight", "Tail light"] {
        assert!(!under.iter().any(|n| n == none), "a {none} in {under:?}");
    }

    // Annotated from the id pass: a see-through mask inside its geometry's box.
    let cast = twincity_scenario::people::Cast::bundled().unwrap();
    let figs = twincity_scenario::figures::figures(&state, KERB_HEIGHT, cast);
    let annotations = twincity_dataset::annotate::annotate_rendered(&camera, &figs, &ids);
    let a = annotations
        .iter()
        .find(|a| a.figure == FigureKind::Vehicle(bike))
        .expect("the bicycle is in view");
    assert!(a.visible_pixels > 400, "{} pixels", a.visible_pixels);
    assert!(a.visibility > 0.9, "{}", a.visibility);
    assert_eq!(a.private_box, None, "no plate to blur");
    let project = twincity_model::Project::load(&shipped("south_street.twin.ron")).unwrap();
    let city = Occluders::new(&scene_model(&project).unwrap().triangles);
    let geometry = twincity_dataset::annotate::IdScene::new(&city, &figs)
        .annotate(&camera)
        .into_iter()
        .find(|c| c.figure == a.figure)
        .unwrap();
    let [gx, gy, gw, gh] = geometry.amodal_box;
    let [x, y, w, h] = a.visible_box.unwrap();
    assert!(
        x + 1 >= gx && y + 1 >= gy && x + w <= gx + gw + 1 && y + h <= gy + gh + 1,
        "mask box {:?} outside the geometry's box {:?}",
        a.visible_box,
        geometry.amodal_box
    );
    // Wheels, frame and bars, with the background between them.
    assert!(
        (a.visible_pixels as f64) < 0.6 * (w * h) as f64,
        "{} pixels fill the {w} × {h} box",
        a.visible_pixels
    );

    // The dataset's record: a bicycle, with its make, model and body, and no plate.
    let (objects, _, blur) = twincity_dataset::image_objects(
        &state,
        &annotations,
        camera.resolution,
        &twincity_dataset::Privacy::blurred(),
    );
    let o = objects
        .iter()
        .find(|o| o.event.as_deref() == Some("parked bicycle 4"))
        .unwrap();
    assert_eq!(o.category, "bicycle");
    assert_eq!(
        Some(o.category_id),
        twincity_dataset::category_id("bicycle")
    );
    assert_eq!(twincity_dataset::supercategory(&o.category), "vehicle");
    assert_eq!(o.bbox, [x, y, w, h]);
    assert_eq!(o.area, a.visible_pixels);
    assert_eq!(o.attributes["make"], "Decathlon");
    assert_eq!(o.attributes["body"], "square_frame_bicycle");
    assert!(!o.attributes.contains_key("plate"));
    assert!(!o.blurred && blur.is_empty(), "{blur:?}");
}
