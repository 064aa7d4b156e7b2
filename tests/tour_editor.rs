//! The Tour window's "Record the view as a step": what the editor shows becomes a step (the
//! view or the camera looked through, the overlays, the enlarged preview and its model, the
//! scenario's time), and a tour of recorded steps saves, validates and reads back.

use bevy::prelude::*;
use twincity::editor::cameras::OverlaySettings;
use twincity::editor::coverage::CoverageView;
use twincity::editor::inference::InferencePanel;
use twincity::editor::previews::CameraPreviews;
use twincity::editor::tour_editor::record_step;
use twincity::editor::viewport::ViewState;
use twincity::render::crowd::CrowdPlayer;
use twincity::render::document::Document;
use twincity::render::scenario::ScenarioPlayer;
use twincity_model::project::EditorView;
use twincity_model::tour::{StepView, Text, Tour};
use twincity_model::{CameraId, Project};

/// A world holding what the editor shows: the demo project, a view, overlays and previews.
fn editor_world() -> World {
    let mut world = World::new();
    world.insert_resource(Document::new(Project::demo().unwrap(), None));
    world.insert_resource(ViewState::default());
    world.insert_resource(CameraPreviews::default());
    world.insert_resource(OverlaySettings::default());
    world.insert_resource(CoverageView::default());
    world.insert_resource(CrowdPlayer::default());
    world.insert_resource(ScenarioPlayer::default());
    world.insert_resource(InferencePanel::default());
    world
}

#[test]
fn a_recorded_step_holds_what_the_editor_shows() {
    let mut world = editor_world();
    let view = EditorView {
        focus: Vec3::new(12.0, 0.0, -7.5),
        yaw_deg: 75.0,
        pitch_deg: 28.0,
        distance: 64.0,
    };
    world.resource_mut::<ViewState>().view = view.clone();
    world.resource_mut::<CoverageView>().show = true;
    world.resource_mut::<OverlaySettings>().frustums = false;
    world.resource_mut::<CrowdPlayer>().heatmap = true;
    let card =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/models/yolox_nano.ron");
    world.resource_mut::<CameraPreviews>().enlarged = Some(CameraId(2));
    world
        .resource_mut::<InferencePanel>()
        .run_everywhere(card.clone(), &[CameraId(2)]);

    let step = record_step(&mut world, 3).unwrap();
    assert_eq!(step.view, StepView::Orbit(view));
    assert!(step.show.coverage && step.show.heatmap && !step.show.frustums);
    assert_eq!(step.show.preview.as_deref(), Some("Carrefour est - mat"));
    assert_eq!(
        step.show
            .model
            .as_deref()
            .map(|p| p.canonicalize().unwrap()),
        Some(card.canonicalize().unwrap())
    );
    assert_eq!(step.title, Text::new("Étape 3", "Step 3"));
    assert_eq!(step.time, None, "no scenario or crowd is open");

    // Looking through a camera records the camera, not the orbit pose.
    world.resource_mut::<CameraPreviews>().look_through = Some(CameraId(1));
    let through = record_step(&mut world, 4).unwrap();
    assert_eq!(through.view, StepView::Through("Mairie - parvis".into()));

    // The recorded steps make a tour that saves, validates against the project and reads back.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recorded.tour.ron");
    let mut tour = Tour::new(Text::new("Visite enregistrée", "Recorded tour"));
    tour.steps = vec![step, through];
    tour.save(&path).unwrap();
    let back = Tour::load(&path).unwrap();
    back.check_references(&Project::demo().unwrap(), None)
        .unwrap();
    assert_eq!(back.steps.len(), 2);
    assert_eq!(
        back.steps[1].view,
        StepView::Through("Mairie - parvis".into())
    );
}
