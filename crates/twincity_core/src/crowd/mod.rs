//! Crowd simulation: the pedestrian model, walkable areas, path planning and crowd scenarios.
//! See `docs/crowd-model.md` for the equations, parameters and their sources.

pub mod area;
pub mod bench;
pub mod city;
pub mod density;
pub mod model;
pub mod nav;
pub mod run;
pub mod scenario;
pub mod simple;
pub mod validation;

pub use area::WalkableArea;
pub use model::{Agent, AgentId, CfsmParams, Crowd, Wall};
pub use nav::NavGraph;
pub use run::{Activity, SimRun, SimSummary, Timeline};
pub use scenario::{CrowdScenario, WalkableSpec};
