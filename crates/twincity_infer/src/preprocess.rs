//! From a camera frame (RGBA, 8 bits, rows packed) to the model's input tensor: crop (for a
//! tile), resize (stretch or letterbox), channel order, layout, element type, normalisation —
//! and the mapping back from input pixels to image pixels for the decoded boxes.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::card::{Colour, Element, InputSize, InputSpec, Layout, Resize};

/// A frame: 8 bits per channel, four channels (RGBA, or BGRA as GPU read-backs of the
/// editor's previews come), rows of `stride` pixels (read-backs pad rows to 256 bytes) of which
/// the first `width` are the image.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    pub width: u32,
    pub height: u32,
    pub stride: u32,
    pub bgra: bool,
    pub pixels: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Tightly packed RGBA.
    pub fn rgba(width: u32, height: u32, pixels: &'a [u8]) -> Self {
        Self {
            width,
            height,
            stride: width,
            bgra: false,
            pixels,
        }
    }

    /// A GPU read-back of a BGRA texture, as it comes: rows padded to a multiple of 256 bytes
    /// (or tight). `None` when the buffer does not fit the size.
    pub fn bgra_readback(width: u32, height: u32, pixels: &'a [u8]) -> Option<Self> {
        let row = width as usize * 4;
        let padded = row.div_ceil(256) * 256;
        let h = height as usize;
        let stride = if pixels.len() == row * h {
            width
        } else if pixels.len() >= padded * h {
            (padded / 4) as u32
        } else {
            return None;
        };
        Some(Self {
            width,
            height,
            stride,
            bgra: true,
            pixels,
        })
    }
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

/// Size and offset of a `w × h` region resized into `input`: `(width, height, left, top)`.
/// Letterboxing into a `Multiple` size (the region's own size, rounded up) never enlarges:
/// the image keeps its pixels and only the rounding is padded.
fn fit(spec: &InputSpec, (w, h): (u32, u32), (iw, ih): (u32, u32)) -> (u32, u32, u32, u32) {
    if spec.resize == Resize::Stretch {
        return (iw, ih, 0, 0);
    }
    let most = match spec.size {
        InputSize::Multiple { .. } => 1.0,
        InputSize::Fixed(..) => f32::INFINITY,
    };
    let k = (iw as f32 / w as f32).min(ih as f32 / h as f32).min(most);
    let nw = ((w as f32 * k).round() as u32).clamp(1, iw);
    let nh = ((h as f32 * k).round() as u32).clamp(1, ih);
    match spec.resize {
        Resize::LetterboxTopLeft => (nw, nh, 0, 0),
        _ => (nw, nh, (iw - nw) / 2, (ih - nh) / 2),
    }
}

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
        if frame.stride < frame.width
            || frame.pixels.len() < frame.stride as usize * frame.height as usize * 4
        {
            return Err(format!(
                "the frame holds {} bytes, too few for {}×{} pixels of 4 bytes ({} a row)",
                frame.pixels.len(),
                frame.width,
                frame.height,
                frame.stride
            ));
        }
        if rw == 0 || rh == 0 || rx + rw > frame.width || ry + rh > frame.height {
            return Err(format!(
                "region {region:?} is not inside the {}×{} frame",
                frame.width, frame.height
            ));
        }
        let (iw, ih) = input;
        let (nw, nh, ox, oy) = fit(spec, (rw, rh), input);
        // The resized image fills the whole input: no padding to write.
        let filled = nw == iw && nh == ih;
        // The whole buffer (padding included) as the source; the crop keeps to the image.
        let src = ImageRef::new(
            frame.stride,
            frame.height,
            &frame.pixels[..frame.stride as usize * frame.height as usize * 4],
            PixelType::U8x4,
        )
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
        // Where each input channel is in a source pixel.
        let red_first = !frame.bgra;
        let order: [usize; 3] = match (spec.colour == Colour::Rgb) == red_first {
            true => [0, 1, 2],
            false => [2, 1, 0],
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
        let data = match spec.element {
            Element::U8 => {
                let mut out = vec![0u8; w * h * 3];
                if spec.layout == Layout::Nhwc && filled {
                    for (o, p) in out.chunks_exact_mut(3).zip(pixels.chunks_exact(4)) {
                        o[0] = p[order[0]];
                        o[1] = p[order[1]];
                        o[2] = p[order[2]];
                    }
                } else {
                    out.fill(PAD);
                    for y in 0..nh as usize {
                        let row = &pixels[y * nw as usize * 4..(y + 1) * nw as usize * 4];
                        for (x, p) in row.chunks_exact(4).enumerate() {
                            for c in 0..3 {
                                out[index(x + ox as usize, y + oy as usize, c)] = p[order[c]];
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
                if filled {
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
                    // Letterbox: the padding's value, then the image's rows in place.
                    for (i, v) in out.iter_mut().enumerate() {
                        let c = match spec.layout {
                            Layout::Nchw => i / (w * h),
                            Layout::Nhwc => i % 3,
                        };
                        *v = lut[c][PAD as usize];
                    }
                    for y in 0..nh as usize {
                        let row = &pixels[y * nw as usize * 4..(y + 1) * nw as usize * 4];
                        for (x, p) in row.chunks_exact(4).enumerate() {
                            for c in 0..3 {
                                out[index(x + ox as usize, y + oy as usize, c)] =
                                    lut[c][p[order[c]] as usize];
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
        let f = Frame::rgba(8, 2, &rgba);
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
    fn padded_bgra_read_backs_are_read_in_place() {
        // 2 × 2 BGRA, rows padded to 256 bytes; the second row's first pixel is pure blue.
        let mut data = vec![0u8; 512];
        data[..8].copy_from_slice(&[10, 20, 30, 255, 40, 50, 60, 255]);
        data[256..264].copy_from_slice(&[255, 0, 0, 255, 70, 80, 90, 255]);
        let f = Frame::bgra_readback(2, 2, &data).unwrap();
        assert_eq!((f.stride, f.bgra), (64, true));
        assert!(Frame::bgra_readback(2, 2, &data[..300]).is_none());
        let mut s = spec(Layout::Nhwc, Element::U8, Resize::Stretch);
        s.colour = Colour::Rgb;
        let out = Preprocessor::default()
            .prepare(&s, &f, [0, 0, 2, 2], (2, 2))
            .unwrap();
        let TensorData::U8(d) = out.data else {
            panic!()
        };
        assert_eq!(d, vec![30, 20, 10, 60, 50, 40, 0, 0, 255, 90, 80, 70]);
    }

    #[test]
    fn letterbox_pads_and_maps_back() {
        let rgba = frame(8, 2);
        let f = Frame::rgba(8, 2, &rgba);
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
    fn top_left_letterbox_pads_right_and_below_only() {
        // Native sizes rounded up to multiples of 4: each image keeps its own pixels at the
        // top left of the 8×4 input (6×4: the last two columns are padding; 8×3: the last
        // row; 6×3: both, nothing enlarged).
        let mut s = spec(Layout::Nchw, Element::F32, Resize::LetterboxTopLeft);
        (s.scale, s.mean) = (1.0, [0.0; 3]);
        s.size = InputSize::Multiple {
            of: 4,
            max_side: 64,
        };
        let mut p = Preprocessor::default();
        for ((w, h), padding) in [
            ((6, 4), [(0, 6), (3, 7)]),
            ((8, 3), [(3, 0), (3, 7)]),
            ((6, 3), [(0, 7), (3, 0)]),
        ] {
            let rgba = frame(w, h);
            let out = p
                .prepare(&s, &Frame::rgba(w, h, &rgba), [0, 0, w, h], (8, 4))
                .unwrap();
            assert_eq!(out.shape, [1, 3, 4, 8]);
            assert_eq!(out.placement.inner, [0.0, 0.0, w as f32, h as f32]);
            assert_eq!(out.placement.to_frame(5.0, 2.0), (5.0, 2.0));
            let TensorData::F32(d) = out.data else {
                panic!()
            };
            let at = |c: usize, y: usize, x: usize| d[(c * 4 + y) * 8 + x];
            // Blue (channel 0) is 51 in the image; red (channel 2) 255 at its top left.
            assert_eq!((at(0, 0, 0), at(0, 2, 5), at(2, 0, 0)), (51.0, 51.0, 255.0));
            for (c, (y, x)) in (0..3).flat_map(|c| padding.map(|yx| (c, yx))) {
                assert_eq!(at(c, y, x), 114.0, "{w}×{h}: channel {c} at ({x}, {y})");
            }
        }
    }

    #[test]
    fn bad_regions_and_short_buffers_are_errors_not_panics() {
        let rgba = frame(8, 4);
        let mut p = Preprocessor::default();
        let s = spec(Layout::Nhwc, Element::U8, Resize::Stretch);
        let f = Frame::rgba(8, 4, &rgba);
        assert!(p.prepare(&s, &f, [6, 0, 4, 4], (4, 2)).is_err());
        let short = Frame::rgba(8, 5, &rgba);
        assert!(
            p.prepare(&s, &short, [0, 0, 8, 5], (4, 2))
                .unwrap_err()
                .contains("too few")
        );
    }
}
