//! Helpers for images read back from the GPU (colour and id passes).

/// The distance in bytes between rows of a GPU read-back of `rows` rows of `row` bytes that
/// came back as `len` bytes: `row` when tight, else `row` padded to 256 bytes (as GPU copies
/// align them); `None` when `len` fits neither.
pub fn readback_stride(len: usize, row: usize, rows: usize) -> Option<usize> {
    let padded = row.div_ceil(256) * 256;
    if len == row * rows {
        Some(row)
    } else if len >= padded * rows {
        Some(padded)
    } else {
        None
    }
}
