//! Model inference for TwinCity Studio, without Bevy: finding ONNX Runtime at run time,
//! model cards, pre-processing camera frames, decoding outputs, tiling, the ONNX Runtime
//! session itself, and the list of models trained here.

pub mod card;
pub mod decode;
pub mod model;
pub mod preprocess;
pub mod runtime;
pub mod trained;

pub use card::{ModelCard, Task, Tiling, bundled_dir, cards_in};
pub use decode::{Detection, iou, nms, ranked};
pub use model::{InferError, Inference, Model, Timing};
pub use preprocess::Frame;
pub use runtime::{RuntimeError, runtime};
pub use trained::{register_trained, trained_cards};
