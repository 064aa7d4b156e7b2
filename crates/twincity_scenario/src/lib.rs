//! Scenarios: the file format (`format`, re-exported here), compiling incidents into the
//! crowd, playing them (`run`) into the world's state (`world`), and the people drawn in it:
//! looks (`look`), rigs and clips (`people`) and the posed figures (`figures`).

pub mod figures;
pub mod format;
pub mod look;
pub mod people;
pub mod props;
pub mod run;
pub mod sun;
pub mod vehicles;
pub mod world;

pub use format::*;
