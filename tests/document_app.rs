//! The document plugin in a minimal app: commands, undo/redo (one drag = one step), save/open,
//! and bad input that must leave the project untouched.

use bevy::prelude::*;
use twincity::render::city::CitySpec;
use twincity::render::document::{
    DocCommand, Document, DocumentPlugin, Interaction, Notifications,
};
use twincity_model::project::{CityImport, Project};

fn app(project: Project) -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .init_resource::<CitySpec>()
        .add_plugins(DocumentPlugin {
            initial: Document::new(project, None),
        });
    app.update();
    app
}

fn send(app: &mut App, c: DocCommand) {
    app.world_mut().write_message(c);
    app.update();
}

fn project(app: &App) -> Project {
    app.world().resource::<Document>().project.clone()
}

#[test]
fn a_drag_is_one_undo_step_and_redo_restores_it() {
    let start = Project::demo().unwrap();
    let mut app = app(start.clone());
    // A slider drag over five frames.
    app.world_mut().resource_mut::<Interaction>().dragging = true;
    for f in [3.0, 3.5, 4.0, 5.0, 6.0] {
        app.world_mut().resource_mut::<Document>().project.cameras[0]
            .lens
            .focal_length_mm = f;
        app.update();
    }
    app.world_mut().resource_mut::<Interaction>().dragging = false;
    app.update();
    assert!(app.world().resource::<Document>().is_dirty());
    send(&mut app, DocCommand::Undo);
    assert_eq!(project(&app), start, "one undo reverts the whole drag");
    send(&mut app, DocCommand::Redo);
    assert_eq!(project(&app).cameras[0].lens.focal_length_mm, 6.0);
}

#[test]
fn city_spec_follows_the_project() {
    let mut app = app(Project::demo().unwrap());
    assert!(app.world().resource::<CitySpec>().demo_city);
    app.world_mut().resource_mut::<Document>().project.demo_city = false;
    app.update();
    assert!(!app.world().resource::<CitySpec>().demo_city);
}

#[test]
fn save_as_then_open_round_trips_and_clears_dirty() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("site.twin.ron");
    let mut app = app(Project::demo().unwrap());
    app.world_mut().resource_mut::<Document>().project.name = "Site A".into();
    app.update();
    send(&mut app, DocCommand::SaveAs(file.clone()));
    let doc = app.world().resource::<Document>();
    assert!(!doc.is_dirty());
    assert_eq!(doc.path.as_deref(), Some(file.as_path()));
    assert_eq!(Project::load(&file).unwrap().name, "Site A");

    send(&mut app, DocCommand::New);
    assert!(project(&app).cameras.is_empty());
    send(&mut app, DocCommand::Open(file.clone()));
    assert_eq!(project(&app).name, "Site A");
    assert_eq!(project(&app).cameras.len(), 3);
}

#[test]
fn opening_a_broken_file_reports_and_keeps_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.twin.ron");
    std::fs::write(&file, "(version: 1, name: 12)").unwrap();
    let mut app = app(Project::demo().unwrap());
    let before = project(&app);
    send(&mut app, DocCommand::Open(file));
    assert_eq!(project(&app), before);
    let notes = app.world().resource::<Notifications>();
    assert_eq!(notes.unread_errors.len(), 1);
    assert!(
        notes.unread_errors[0].contains("broken.twin.ron:1:"),
        "{}",
        notes.unread_errors[0]
    );
}

#[test]
fn importing_a_missing_file_is_refused() {
    let mut app = app(Project::demo().unwrap());
    send(
        &mut app,
        DocCommand::Import(CityImport {
            path: "/nonexistent/city.glb".into(),
            z_up: false,
        }),
    );
    assert!(project(&app).imports.is_empty());
    assert_eq!(
        app.world().resource::<Notifications>().unread_errors.len(),
        1
    );
}

#[test]
fn importing_a_real_glb_adds_it_to_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let glb = dir.path().join("box.glb");
    let (p, i) = twincity_gltf::mesh::fixtures::cuboid([0.0; 3], [1.0; 3]);
    twincity_gltf::mesh::fixtures::write_glb(&glb, &[("box", [0.0; 3], p, i)]);
    let mut app = app(Project::empty("t"));
    send(
        &mut app,
        DocCommand::Import(CityImport {
            path: glb.clone(),
            z_up: true,
        }),
    );
    assert_eq!(project(&app).imports.len(), 1);
    assert_eq!(app.world().resource::<CitySpec>().imports[0].path, glb);
    // Near zero: no origin is needed.
    assert_eq!(project(&app).origin, None);

    // A file that only starts like a GLB is refused before the loader sees it, with an error
    // naming it; the project is unchanged.
    let fake = dir.path().join("fake.glb");
    std::fs::write(&fake, b"glTF").unwrap();
    send(
        &mut app,
        DocCommand::Import(CityImport {
            path: fake.clone(),
            z_up: false,
        }),
    );
    assert_eq!(project(&app).imports.len(), 1);
    let errors = &app.world().resource::<Notifications>().unread_errors;
    assert!(
        errors.iter().any(|e| format!("{e:?}").contains("fake.glb")),
        "{errors:?}"
    );
}
