//! Reading glTF/GLB files without a renderer: the container and the files it refers to
//! (`container`), the decode budget and node-tree bounds every reader keeps (`budget`), triangles (`mesh`), rewriting extensions the editor's loader lacks into
//! plain GLB (`unpack`) and `twincity inspect` with the check run before every import
//! (`inspect`).

pub mod budget;
pub mod container;
pub mod inspect;
pub mod mesh;
pub mod unpack;
