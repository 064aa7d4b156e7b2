//! The DORI coverage overlay plugin in a minimal app: it computes in the background once edits
//! settle, draws the best class per cell on the ground, follows camera edits, and says when
//! there is nothing to compute.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use twincity::editor::coverage::{CoveragePlugin, CoverageView, class_colour};
use twincity::render::document::Document;
use twincity_model::Project;

fn app(project: Project) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Image>()
        .init_asset::<Mesh>()
        .init_asset::<StandardMaterial>()
        .insert_resource(Document::new(project, None))
        .add_plugins(CoveragePlugin);
    app.world_mut().resource_mut::<CoverageView>().show = true;
    app
}

/// Runs frames until the overlay has nothing left to do.
fn settle(app: &mut App) {
    let start = Instant::now();
    loop {
        app.update();
        if app.world().resource::<CoverageView>().settled() {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "coverage never settled"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn overlay(app: &mut App) -> Vec<Image> {
    let world = app.world_mut();
    let handles: Vec<Handle<StandardMaterial>> = world
        .query::<&MeshMaterial3d<StandardMaterial>>()
        .iter(world)
        .map(|m| m.0.clone())
        .collect();
    handles
        .iter()
        .filter_map(|h| {
            let tex = world
                .resource::<Assets<StandardMaterial>>()
                .get(h)?
                .base_color_texture
                .clone()?;
            world.resource::<Assets<Image>>().get(&tex).cloned()
        })
        .collect()
}

#[test]
fn the_overlay_follows_the_cameras() {
    let mut app = app(Project::demo().unwrap());
    settle(&mut app);
    let first = {
        let view = app.world().resource::<CoverageView>();
        assert!(view.status.starts_with("computed"), "{}", view.status);
        view.summary.clone().unwrap()
    };
    // One overlay whose texels are the classes of the summary's cells: count texels per
    // class and compare with the areas (cells of 0.5 m: 4 per m²).
    let images = overlay(&mut app);
    assert_eq!(images.len(), 1);
    let data = images[0].data.clone().unwrap();
    let blue = class_colour(30.0);
    let detection_only = data.chunks(4).filter(|p| *p == blue).count() as f64 / 4.0;
    let a = first.all.as_array();
    assert!(
        (detection_only - (a[0] - a[1])).abs() < 1e-6,
        "{detection_only} m² drawn as Detection, summary says {}",
        a[0] - a[1]
    );

    // Turn the town-hall camera to face north: the result changes once the edit settles.
    app.world_mut().resource_mut::<Document>().project.cameras[0].pan_deg = 0.0;
    settle(&mut app);
    let second = app
        .world()
        .resource::<CoverageView>()
        .summary
        .clone()
        .unwrap();
    assert_ne!(second.cameras[0].areas, first.cameras[0].areas);
    assert_eq!(
        second.cameras[1].areas, first.cameras[1].areas,
        "others unchanged"
    );
    assert_eq!(overlay(&mut app).len(), 1, "the old overlay was replaced");

    // No cameras: nothing to compute, the overlay goes.
    app.world_mut()
        .resource_mut::<Document>()
        .project
        .cameras
        .clear();
    settle(&mut app);
    let view = app.world().resource::<CoverageView>();
    assert!(view.status.contains("no cameras"), "{}", view.status);
    assert!(overlay(&mut app).is_empty());
}
