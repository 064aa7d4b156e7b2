//! The component that tags each drawn part of a scenario's world with what it is, read by
//! the scenario view, the people and the id pass.

use bevy::prelude::*;

/// A drawn part of the scenario's world.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScenarioFigure {
    Person(usize),
    Object(usize),
    /// A vehicle, with everything drawn under it (body, plates, lamps).
    Vehicle(usize),
}
