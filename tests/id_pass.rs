//! The renderer's id pass: labels come from the same frame's geometry. A person's id mask is
//! the pixels the colour image drew for them, and a person under a tree's canopy is hidden in
//! the labels (the canopy is drawn, so it hides; no list of occluders to keep up to date).

mod common;

use bevy::math::Vec3;
use twincity::cli::render::{Drawing, render_image, scenario_renderer, world_at};
use twincity::render::scenario::ScenarioPlayer;
use twincity_dataset::annotate::{annotate_rendered, instance_id};
use twincity_dataset::{Frame, Privacy, Settings};
use twincity_scenario::Scenario;
use twincity_scenario::figures::FigureKind;
use twincity_scenario::world::{Pose, WorldState};

use common::root;

const START: f64 = 30.0;

fn settings(scenario: &Scenario) -> Settings {
    common::busy_square_frame_settings(scenario, START, Privacy::opted_out("tests of the labels"))
}

/// A renderer showing `busy_square` (with or without the demo district) whose world is then
/// reduced to one person standing at plan `at`, facing south, in dry weather.
fn one_person(
    demo_city: bool,
    at: [f64; 2],
) -> (
    twincity::render::headless::OffscreenRenderer,
    WorldState,
    Settings,
) {
    let path = root().join("scenarios/busy_square.scenario.ron");
    let scenario = Scenario::load(&path).unwrap();
    let mut project = twincity_model::Project::demo().unwrap();
    project.demo_city = demo_city;
    project.coverage.privacy_masks.clear();
    let mut renderer = scenario_renderer(
        &project,
        Some(&(path, scenario.clone())),
        START,
        Drawing::default(),
    )
    .unwrap();
    let settings = settings(&scenario);
    let frame = Frame {
        index: 0,
        time_s: START,
    };
    let mut state = world_at(&mut renderer, &settings, Some(&scenario), None, frame);
    let mut person = state
        .people
        .first()
        .expect("busy_square has people")
        .clone();
    person.position = at;
    person.heading = -std::f64::consts::FRAC_PI_2;
    person.pose = Pose::Standing;
    person.carrying = false;
    person.speed = 0.0;
    state.people = vec![person];
    state.objects.clear();
    state.vehicles.clear();
    state.environment.rain = 0.0;
    state.environment.fog_visibility_m = None;
    show(&mut renderer, &state);
    (renderer, state, settings)
}

/// Makes `state` the world the renderer draws.
fn show(renderer: &mut twincity::render::headless::OffscreenRenderer, state: &WorldState) {
    renderer.world_mut().resource_mut::<ScenarioPlayer>().state = Some(state.clone());
    renderer.update();
}

/// How a figure's id mask and the pixels the colour image drew for it (those that differ
/// from the same view without it) agree.
struct Agreement {
    both: u32,
    colour_only: u32,
    id_only: u32,
    /// Drawn pixels neither in the mask nor in the one-pixel band around it (where
    /// multisampling blends the figure with the background).
    stray: u32,
}

fn agreement(
    img: &image::RgbaImage,
    background: &image::RgbaImage,
    ids: &twincity_dataset::annotate::IdImage,
    id: u32,
) -> Agreement {
    let (w, h) = img.dimensions();
    let (mut both, mut colour_only, mut id_only, mut stray) = (0u32, 0u32, 0u32, 0u32);
    let in_mask = |x: i64, y: i64| {
        (0..w as i64).contains(&x)
            && (0..h as i64).contains(&y)
            && ids.ids[(y * w as i64 + x) as usize] == id
    };
    for (x, y, p) in img.enumerate_pixels() {
        let q = background.get_pixel(x, y);
        let drawn = (0..3).any(|k| (p[k] as i32 - q[k] as i32).abs() > 6);
        let here = ids.ids[(y * w + x) as usize];
        assert!(here == 0 || here == id, "unknown id {here} at ({x}, {y})");
        match (drawn, here == id) {
            (true, true) => both += 1,
            (true, false) => colour_only += 1,
            (false, true) => id_only += 1,
            (false, false) => {}
        }
        let (x, y) = (x as i64, y as i64);
        let near = (-1..=1).any(|dy| (-1..=1).any(|dx| in_mask(x + dx, y + dy)));
        if drawn && !near {
            stray += 1;
        }
    }
    Agreement {
        both,
        colour_only,
        id_only,
        stray,
    }
}

fn camera(position: Vec3, target: Vec3, size: (u32, u32)) -> twincity_model::VirtualCamera {
    let mut c =
        twincity_model::VirtualCamera::new(twincity_model::CameraId(1), "id", position, 0.0);
    c.aim_at(target);
    c.resolution = size;
    c
}

/// With nothing else in the world, the pixels the colour image gives a person (those that
/// differ from the same view without them) and the id pass's mask of that person are the
/// same pixels: ≥ 98 % of the mask is drawn, nothing is drawn outside the mask but in the
/// one-pixel band multisampling blends at its edge, and the two agree on ≥ 95 % of their
/// union counting that band.
#[test]
fn a_persons_id_mask_is_the_colour_images_person_pixels() {
    let (mut r, state, _) = one_person(false, [0.0, 0.0]);
    let ground = twincity_scene::demo_city::KERB_HEIGHT;
    // 5 m south of the person, at chest height, looking at their middle: ~300 px tall.
    let cam = camera(
        Vec3::new(0.0, ground + 1.2, 5.0),
        Vec3::new(0.0, ground + 0.9, 0.0),
        (640, 480),
    );
    // An 8 mm lens: the person is about 330 px tall.
    let mut cam = cam;
    cam.lens.focal_length_mm = 8.0;
    let empty = WorldState {
        people: Vec::new(),
        ..state.clone()
    };
    show(&mut r, &empty);
    let background = r.render(&cam).unwrap();
    show(&mut r, &state);
    let (img, ids) = r.render_with_ids(&cam).unwrap();
    let person = instance_id(FigureKind::Person(0));
    let Agreement {
        both,
        colour_only,
        id_only,
        stray,
    } = agreement(&img, &background, &ids, person);
    assert!(both > 10_000, "the person covers {both} px");
    // Every pixel of the mask shows the person ...
    let drawn_share = both as f64 / (both + id_only) as f64;
    assert!(
        drawn_share >= 0.98,
        "{:.2} % of the mask drawn",
        100.0 * drawn_share
    );
    // ... and every pixel drawn for the person is in the mask, or in the one-pixel band at
    // its edge where multisampling blends the person with the background.
    let stray_share = stray as f64 / both as f64;
    assert!(stray_share <= 0.005, "{stray} px drawn away from the mask");
    // Counting that band against the mask still gives 95 %.
    let iou = both as f64 / (both + colour_only + id_only) as f64;
    assert!(
        iou >= 0.95,
        "id mask and colour pixels agree on {:.2} % ({both} both, {colour_only} colour only, \
         {id_only} id only)",
        100.0 * iou
    );
    // The depth under the person is their distance along the optical axis (about 5 m); the
    // background is sky.
    let centre = ids.ids.iter().position(|&i| i == person).unwrap();
    assert!(
        (4.5..5.5).contains(&ids.depth[centre]),
        "{}",
        ids.depth[centre]
    );
    assert!(ids.depth[0].is_infinite());
    // The labels built on it: one person, fully visible, box = the mask's extent.
    let cast = twincity_scenario::people::Cast::bundled().unwrap();
    let figures = twincity_scenario::figures::figures(&state, ground, cast);
    let labels = annotate_rendered(&cam, &figures, &ids);
    assert_eq!(labels.len(), 1);
    let a = &labels[0];
    assert_eq!(a.visible_pixels, both + id_only);
    assert!(a.visibility > 0.97, "{}", a.visibility);
    assert!(a.head.is_some_and(|h| h.visible));
}

/// A person just beside a tree of the square, seen from above through its canopy, is hidden
/// in the labels; seen from the side, under the canopy, visible. The image written agrees.
#[test]
fn a_person_under_a_tree_canopy_is_hidden_in_the_labels() {
    // The square's first tree stands 15 m from the centre at a bearing of 22.5° from east.
    let a = std::f64::consts::FRAC_PI_8;
    let tree = [15.0 * a.cos(), 15.0 * a.sin()];
    let at = [tree[0] + 0.6, tree[1]];
    let (mut r, state, settings) = one_person(true, at);
    let ground = twincity_scene::demo_city::KERB_HEIGHT;
    let body = Vec3::new(at[0] as f32, ground + 0.9, -at[1] as f32);
    let frame = Frame {
        index: 0,
        time_s: START,
    };
    let cast = twincity_scenario::people::Cast::bundled().unwrap();
    let figures = twincity_scenario::figures::figures(&state, ground, cast);
    let person = instance_id(FigureKind::Person(0));
    // The person's label from the id pass, and the object the dataset records for them.
    let label = |r: &mut twincity::render::headless::OffscreenRenderer, from: Vec3| {
        let cam = camera(from, body, (480, 360));
        let (_, ids) = r.render_with_ids(&cam).unwrap();
        let a = annotate_rendered(&cam, &figures, &ids)
            .into_iter()
            .find(|a| instance_id(a.figure) == person)
            .expect("the person is in view");
        let written = render_image(r, &state, ground, &cam, &settings, frame, true).unwrap();
        let record = written
            .record
            .objects
            .into_iter()
            .find(|o| o.category_id == 1)
            .map(|o| (o.visibility, o.bbox));
        (a, record)
    };
    // From 13 m above the person's middle and 4 m south: every ray to them crosses the
    // canopy (radius 2 m, 4 m above the trunk's foot, 0.6 m away).
    let (above, record) = label(&mut r, body + Vec3::new(0.0, 13.0, 4.0));
    assert!(above.amodal_pixels > 100, "{above:?}");
    assert!(
        above.visibility < 0.05,
        "seen through the canopy: {above:?}"
    );
    assert!(above.head.is_some_and(|h| !h.visible));
    assert!(
        record.is_none_or(|(v, _)| v < 0.05),
        "written as visible: {record:?}"
    );
    // From 8 m south at eye height the canopy is above the line of sight.
    let (side, record) = label(&mut r, Vec3::new(body.x, ground + 1.6, body.z + 8.0));
    assert!(side.visibility > 0.8, "{side:?}");
    let (v, bbox) = record.expect("the person seen from the side is written");
    assert!(v > 0.8 && bbox[3] > 60, "{v} {bbox:?}");
}

/// A dumped fridge (the third object of a dumping: an appliance drawn with the fridge model)
/// alone on the square: the id pass's mask of it is the pixels the colour image drew for it,
/// as for a person; and while it falls it is drawn, and labelled, above the ground.
#[test]
fn a_dumped_fridges_id_mask_is_its_pixels() {
    let (mut r, state, _) = one_person(false, [0.0, 0.0]);
    let ground = twincity_scene::demo_city::KERB_HEIGHT;
    let fridge = twincity_scenario::world::ObjectState {
        event: "dumping".into(),
        kind: twincity_scenario::ObjectKind::Appliance,
        position: [0.0, 0.0],
        yaw: 0.3,
        variant: 2,
        height_m: 0.0,
    };
    assert_eq!(
        twincity_scenario::props::model(fridge.kind, fridge.variant).file,
        "kenney_kitchenFridge.glb"
    );
    let empty = WorldState {
        people: Vec::new(),
        ..state.clone()
    };
    let with_fridge = WorldState {
        objects: vec![fridge.clone()],
        ..empty.clone()
    };
    let mut cam = camera(
        Vec3::new(0.0, ground + 1.4, 6.0),
        Vec3::new(0.0, ground + 1.2, 0.0),
        (480, 360),
    );
    cam.lens.focal_length_mm = 6.0;
    show(&mut r, &empty);
    let background = r.render(&cam).unwrap();
    show(&mut r, &with_fridge);
    let (img, ids) = r.render_with_ids(&cam).unwrap();
    let id = instance_id(FigureKind::Object(0));
    let Agreement {
        both,
        colour_only,
        id_only,
        stray,
    } = agreement(&img, &background, &ids, id);
    assert!(both > 5_000, "the fridge covers {both} px");
    let drawn_share = both as f64 / (both + id_only) as f64;
    assert!(
        drawn_share >= 0.97,
        "{:.2} % of the mask drawn",
        100.0 * drawn_share
    );
    assert!(
        stray as f64 <= 0.01 * both as f64,
        "{stray} px drawn away from the mask"
    );
    let iou = both as f64 / (both + colour_only + id_only) as f64;
    assert!(iou >= 0.93, "agreement {:.2} %", 100.0 * iou);
    // Its label: an appliance the size of the fridge (1.8 m tall), fully visible.
    let cast = twincity_scenario::people::Cast::bundled().unwrap();
    let figures = twincity_scenario::figures::figures(&with_fridge, ground, cast);
    let labels = annotate_rendered(&cam, &figures, &ids);
    assert_eq!(labels.len(), 1);
    assert!(labels[0].visibility > 0.97, "{}", labels[0].visibility);
    let [_, top, _, tall] = labels[0].visible_box.unwrap();
    // Falling, half a metre up: drawn higher in the image, labelled where it is drawn.
    let falling = WorldState {
        objects: vec![twincity_scenario::world::ObjectState {
            height_m: 0.5,
            ..fridge
        }],
        ..empty
    };
    show(&mut r, &falling);
    let (_, ids) = r.render_with_ids(&cam).unwrap();
    let figures = twincity_scenario::figures::figures(&falling, ground, cast);
    let labels = annotate_rendered(&cam, &figures, &ids);
    let [_, top_falling, _, _] = labels[0].visible_box.unwrap();
    assert!(
        top_falling + tall / 8 < top,
        "falling top {top_falling}, on the ground {top} (height {tall} px)"
    );
}
