//! The one place where the editor's system sets are ordered.
//!
//! Per frame, in `Update`: commands from the previous frame's UI are applied to the document
//! ([`DocumentSet`]), the scene is brought in line with the document ([`CitySet`]), the crowd
//! advances ([`CrowdSet::Step`]), the 3D view reacts to input ([`ViewportSet`]), camera overlays
//! and crowd areas are drawn ([`CameraSet`], [`CrowdSet::Draw`]), the DORI coverage overlay is
//! computed in the background and drawn ([`CoverageSet`]), camera read-backs go to the model
//! inference worker and its results come back ([`InferenceSet`]), and finally the
//! capture logic looks at what is on screen ([`CaptureSet`]). The UI runs in bevy_egui's
//! `EguiPrimaryContextPass` ([`UiSet`]) and only *sends* commands, so it never races the scene.

use bevy::prelude::*;

pub use crate::cameras::CameraSet;
pub use crate::city::CitySet;
pub use crate::coverage_view::CoverageSet;
pub use crate::crowds::CrowdSet;
pub use crate::document::DocumentSet;
pub use crate::export_ui::ExportSet;
pub use crate::inference::InferenceSet;
pub use crate::previews::PreviewSet;
pub use crate::readiness::CaptureSet;
pub use crate::scenario_view::ScenarioSet;
pub use crate::viewport::ViewportSet;
pub use crate::widgets::UiSet;

/// Orders every editor set. Added once by [`crate::editor::EditorPlugins`].
pub struct SchedulePlugin;

impl Plugin for SchedulePlugin {
    fn build(&self, app: &mut App) {
        app.configure_sets(
            Update,
            (
                DocumentSet::ApplyCommands,
                DocumentSet::RecordHistory,
                CitySet::Sync,
                CoverageSet::Compute,
                CrowdSet::Step,
                ScenarioSet::Step,
                CameraSet::Place,
                CoverageSet::Edit,
                PreviewSet::Sync,
                ViewportSet::Input,
                ViewportSet::ApplyCamera,
                CameraSet::Draw,
                CrowdSet::Draw,
                ScenarioSet::Draw,
                CoverageSet::Draw,
                ExportSet::Poll,
                InferenceSet::Exchange,
                CaptureSet::Watch,
            )
                .chain(),
        );
    }
}
