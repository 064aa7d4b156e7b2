//! From a camera frame (RGBA, 8 bits, rows packed) to the model's input tensor: crop (for a
//! tile), resize (stretch or letterbox), channel order, layout, element type, normalisation —
//! and the mapping back from input pixels to image pixels for the decoded boxes.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::card::{Colour, Element, InputSpec, Layout, Resize};

/// A frame as the renderer reads it back: RGBA, 8 bits per channel, `width × 4` bytes a row.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    pub width: u32,
    pub height: u32,
    pub rgba: &'a [u8],
}

/// A region of the frame in pixels: left, top, width, height.
pub type Region = [u32; 4];

/// Where the frame's region went in the input tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// The region of the frame that was fed.
    pub region: Region,
    /// Input size (width, height).
    pub input: (u32, u32),
    /// Where the region's pixels lie in the input: left, top, width, height (letterbox
    /// padding around them).
    pub inner: [f32; 4],
}

impl Placement {
    /// Input-pixel coordinates to frame pixels.
    pub fn to_frame(&self, x: f32, y: f32) -> (f32, f32) {
        let [rx, ry, rw, rh] = self.region;
        let [ix, iy, iw, ih] = self.inner;
        (
            rx as f32 + (x - ix) * rw as f32 / iw,
            ry as f32 + (y - iy) * rh as f32 / ih,
        )
    }
}

/// An input tensor's data.
#[derive(Clone, Debug, PartialEq)]
pub enum TensorData {
    U8(Vec<u8>),
    F32(Vec<f32>),
}

/// A prepared input: shape (`[1, C, H, W]` or `[1, H, W, C]`), data and placement.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub shape: [usize; 4],
    pub data: TensorData,
    pub placement: Placement,
}

/// Reusable buffers for [`prepare`] (the resizer keeps its own scratch space).
#[derive(Default)]
pub struct Preprocessor {
    resizer: Resizer,
}

impl std::fmt::Debug for Preprocessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Preprocessor")
    }
}

/// Grey used around a letterboxed image.
const PAD: u8 = 114;

impl Preprocessor {
    /// Builds the input tensor for `region` of `frame` at `input` size.
    pub fn prepare(
        &mut self,
        spec: &InputSpec,
        frame: &Frame,
        region: Region,
        input: (u32, u32),
    ) -> Result<Prepared, String> {
        let [rx, ry, rw, rh] = region;
        if frame.rgba.len() < frame.width as usize * frame.height as usize * 4 {
            return Err(format!(
                "the frame holds {} bytes, too few for {}×{} RGBA",
                frame.rgba.len(),
                frame.width,
                frame.height
            ));
        }
        if rw == 0 || rh == 0 || rx + rw > frame.width || ry + rh > frame.height {
            return Err(format!(
                "region {region:?} is not inside the {}×{} frame",
                frame.width, frame.height
            ));
        }
        let (iw, ih) = input;
        let (nw, nh, ox, oy) = match spec.resize {
            Resize::Stretch => (iw, ih, 0, 0),
            Resize::Letterbox => {
                let k = (iw as f32 / rw as f32).min(ih as f32 / rh as f32);
                let nw = ((rw as f32 * k).round() as u32).clamp(1, iw);
                let nh = ((rh as f32 * k).round() as u32).clamp(1, ih);
                (nw, nh, (iw - nw) / 2, (ih - nh) / 2)
            }
        };
        let src = ImageRef::new(frame.width, frame.height, frame.rgba, PixelType::U8x4)
            .map_err(|e| e.to_string())?;
        let mut dst = Image::new(nw, nh, PixelType::U8x4);
        let options = ResizeOptions::new()
            .crop(rx as f64, ry as f64, rw as f64, rh as f64)
            .resize_alg(ResizeAlg::Convolution(FilterType::Bilinear))
            .use_alpha(false);
        self.resizer
            .resize(&src, &mut dst, &options)
            .map_err(|e| e.to_string())?;
        let pixels = dst.buffer();

        let (w, h) = (iw as usize, ih as usize);
        let order: [usize; 3] = match spec.colour {
            Colour::Rgb => [0, 1, 2],
            Colour::Bgr => [2, 1, 0],
        };
        // Per channel: value = pixel × a + b.
        let a: [f32; 3] = std::array::from_fn(|c| spec.scale / spec.std[c]);
        let b: [f32; 3] = std::array::from_fn(|c| -spec.mean[c] / spec.std[c]);
        let index = |x: usize, y: usize, c: usize| match spec.layout {
            Layout::Nchw => (c * h + y) * w + x,
            Layout::Nhwc => (y * w + x) * 3 + c,
        };
        let shape = match spec.layout {
            Layout::Nchw => [1, 3, h, w],
            Layout::Nhwc => [1, h, w, 3],
        };
        let source = |x: usize, y: usize, c: usize| -> u8 {
            let (x, y) = (x as i64 - ox as i64, y as i64 - oy as i64);
            if x < 0 || y < 0 || x >= nw as i64 || y >= nh as i64 {
                PAD
            } else {
                pixels[(y as usize * nw as usize + x as usize) * 4 + order[c]]
            }
        };
        let data = match spec.element {
            Element::U8 => {
                let mut out = vec![0u8; w * h * 3];
                if spec.layout == Layout::Nhwc && ox == 0 && oy == 0 {
                    for (o, p) in out.chunks_exact_mut(3).zip(pixels.chunks_exact(4)) {
                        o[0] = p[order[0]];
                        o[1] = p[order[1]];
                        o[2] = p[order[2]];
                    }
                } else {
                    for y in 0..h {
                        for x in 0..w {
                            for c in 0..3 {
                                out[index(x, y, c)] = source(x, y, c);
                            }
                        }
                    }
                }
                TensorData::U8(out)
            }
            Element::F32 => {
                let mut out = vec![0f32; w * h * 3];
                let lut: [[f32; 256]; 3] =
                    std::array::from_fn(|c| std::array::from_fn(|v| v as f32 * a[c] + b[c]));
                if ox == 0 && oy == 0 {
                    match spec.layout {
                        Layout::Nhwc => {
                            for (o, p) in out.chunks_exact_mut(3).zip(pixels.chunks_exact(4)) {
                                for c in 0..3 {
                                    o[c] = lut[c][p[order[c]] as usize];
                                }
                            }
                        }
                        Layout::Nchw => {
                            let plane = w * h;
                            for (i, p) in pixels.chunks_exact(4).enumerate() {
                                for c in 0..3 {
                                    out[c * plane + i] = lut[c][p[order[c]] as usize];
                                }
                            }
                        }
                    }
                } else {
                    for y in 0..h {
                        for x in 0..w {
                            for c in 0..3 {
                                out[index(x, y, c)] = lut[c][source(x, y, c) as usize];
                            }
                        }
                    }
                }
                TensorData::F32(out)
            }
        };
        Ok(Prepared {
            shape,
            data,
            placement: Placement {
                region,
                input,
                inner: [ox as f32, oy as f32, nw as f32, nh as f32],
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::InputSize;

    fn spec(layout: Layout, element: Element, resize: Resize) -> InputSpec {
        InputSpec {
            name: None,
            layout,
            size: InputSize::Fixed(4, 2),
            element,
            colour: Colour::Bgr,
            resize,
            scale: 1.0 / 127.5,
            mean: [1.0; 3],
            std: [1.0; 3],
        }
    }

    /// A frame of one colour per quadrant.
    fn frame(w: u32, h: u32) -> Vec<u8> {
        let mut v = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let left = x < w / 2;
                let top = y < h / 2;
                v.extend_from_slice(&[
                    if left { 255 } else { 0 },
                    if top { 255 } else { 0 },
                    51,
                    255,
                ]);
            }
        }
        v
    }

    #[test]
    fn layout_colour_order_and_normalisation_follow_the_card() {
        // 8×2 to 4×2: rows are kept, so each row keeps its colour.
        let rgba = frame(8, 2);
        let f = Frame {
            width: 8,
            height: 2,
            rgba: &rgba,
        };
        let mut p = Preprocessor::default();
        let out = p
            .prepare(
                &spec(Layout::Nchw, Element::F32, Resize::Stretch),
                &f,
                [0, 0, 8, 2],
                (4, 2),
            )
            .unwrap();
        assert_eq!(out.shape, [1, 3, 2, 4]);
        let TensorData::F32(d) = out.data else {
            panic!()
        };
        // Channel 0 is blue (BGR): 51 / 127.5 − 1 everywhere.
        assert!(
            d[..8]
                .iter()
                .all(|v| (v - (51.0 / 127.5 - 1.0)).abs() < 1e-6),
            "{d:?}"
        );
        // Channel 2 is red: +1 on the left half, −1 on the right (x = 0 and x = 3).
        assert!(
            (d[16] - 1.0).abs() < 1e-6 && (d[19] + 1.0).abs() < 1e-6,
            "{d:?}"
        );
        // Channel 1 is green: +1 on the top row, −1 on the bottom.
        assert!(
            (d[8] - 1.0).abs() < 1e-6 && (d[12] + 1.0).abs() < 1e-6,
            "{d:?}"
        );

        let out = p
            .prepare(
                &spec(Layout::Nhwc, Element::U8, Resize::Stretch),
                &f,
                [4, 0, 4, 2],
                (4, 2),
            )
            .unwrap();
        assert_eq!(out.shape, [1, 2, 4, 3]);
        let TensorData::U8(d) = out.data else {
            panic!()
        };
        // The right half only: no red; BGR order.
        assert_eq!(&d[..3], &[51, 255, 0]);
        assert_eq!(&d[d.len() - 3..], &[51, 0, 0]);
        assert_eq!(out.placement.to_frame(0.0, 0.0), (4.0, 0.0));
        assert_eq!(out.placement.to_frame(4.0, 2.0), (8.0, 2.0));
    }

    #[test]
    fn letterbox_pads_and_maps_back() {
        let rgba = frame(8, 2);
        let f = Frame {
            width: 8,
            height: 2,
            rgba: &rgba,
        };
        let mut p = Preprocessor::default();
        let out = p
            .prepare(
                &spec(Layout::Nhwc, Element::U8, Resize::Letterbox),
                &f,
                [0, 0, 8, 2],
                (4, 4),
            )
            .unwrap();
        // 8×2 into 4×4 keeps the aspect: 4×1 in the middle rows.
        assert_eq!(out.placement.inner, [0.0, 1.0, 4.0, 1.0]);
        let TensorData::U8(d) = out.data else {
            panic!()
        };
        assert_eq!(&d[..3], &[PAD; 3]);
        assert_eq!(out.placement.to_frame(0.0, 1.0), (0.0, 0.0));
        assert_eq!(out.placement.to_frame(4.0, 2.0), (8.0, 2.0));
    }

    #[test]
    fn bad_regions_and_short_buffers_are_errors_not_panics() {
        let rgba = frame(8, 4);
        let mut p = Preprocessor::default();
        let s = spec(Layout::Nhwc, Element::U8, Resize::Stretch);
        let f = Frame {
            width: 8,
            height: 4,
            rgba: &rgba,
        };
        assert!(p.prepare(&s, &f, [6, 0, 4, 4], (4, 2)).is_err());
        let short = Frame {
            width: 8,
            height: 5,
            rgba: &rgba,
        };
        assert!(
            p.prepare(&s, &short, [0, 0, 8, 5], (4, 2))
                .unwrap_err()
                .contains("too few")
        );
    }
}
