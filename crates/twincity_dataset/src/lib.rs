//! Datasets: labels from the renderer's id pass (`annotate`), the privacy blur (`privacy`),
//! per-image records (`records`, re-exported here), export formats (`formats`), sensor effects
//! (`effects`), the dataset folder (`store`) and its check (`check`), COCO evaluation
//! (`metrics`) and object crops for classifiers (`crops`).

pub mod annotate;
pub mod check;
pub mod coco_in;
pub mod crops;
pub mod effects;
pub mod formats;
pub mod metrics;
pub mod privacy;
pub mod records;
pub mod store;

pub use records::*;
