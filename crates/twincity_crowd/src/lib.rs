//! Crowd simulation: the pedestrian model, path planning, walkable areas derived from the
//! city, crowd scenarios and their runs, densities and the model's validation.
//! See `docs/crowd-model.md` for the equations, parameters and their sources.
//!
//! The walkable area's polygon type lives in `twincity_model::area` (coverage uses it too).

pub mod bench;
pub mod city;
pub mod density;
pub mod model;
pub mod nav;
pub mod run;
pub mod scenario;
pub mod validation;

pub use model::{Agent, AgentId, CfsmParams, Crowd};
pub use nav::NavGraph;
pub use run::{Activity, SimRun, SimSummary, Timeline};
pub use scenario::{CrowdScenario, WalkableSpec};
pub use twincity_model::area::{WalkableArea, Wall};
