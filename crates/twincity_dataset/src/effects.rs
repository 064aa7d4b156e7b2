//! The camera effects of the domain randomisation, applied to a rendered (and already
//! privacy-blurred) image: linear motion blur, sensor noise, JPEG compression. Lower
//! resolution is not an effect here: those images are rendered at the lower size, so their
//! ground truth stays exact.

use image::RgbaImage;
use rand_distr::{Distribution, Normal};

use crate::records::{SensorDraw, image_rng};

/// Applies `draw` to `img` in place; the noise comes from the seed, frame and camera.
pub fn apply(img: &mut RgbaImage, draw: &SensorDraw, seed: u64, frame: u32, camera: u32) {
    if draw.motion_blur_px >= 0.5 {
        motion_blur(img, draw.motion_blur_px, draw.motion_blur_angle_deg);
    }
    if draw.noise_sigma > 0.0 {
        let mut rng = image_rng(seed, frame, camera, 2);
        if let Ok(normal) = Normal::new(0.0f64, draw.noise_sigma) {
            for p in img.pixels_mut() {
                for c in &mut p.0[..3] {
                    *c = (*c as f64 + normal.sample(&mut rng))
                        .round()
                        .clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
    if let Some(q) = draw.jpeg_quality {
        jpeg_round_trip(img, q);
    }
}

/// Averages each pixel along a line of `length` pixels centred on it, at `angle_deg` from
/// the image's x axis (the smear of a camera moving during the exposure).
pub fn motion_blur(img: &mut RgbaImage, length: f64, angle_deg: f64) {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return;
    }
    let taps = length.ceil() as i64 + 1;
    let (s, c) = angle_deg.to_radians().sin_cos();
    let offsets: Vec<(i64, i64)> = (0..taps)
        .map(|k| {
            let t = -length / 2.0 + length * k as f64 / (taps - 1) as f64;
            ((t * c).round() as i64, (t * s).round() as i64)
        })
        .collect();
    let src = img.clone();
    for y in 0..h as i64 {
        for x in 0..w as i64 {
            let mut sum = [0u32; 3];
            for &(dx, dy) in &offsets {
                let sx = (x + dx).clamp(0, w as i64 - 1) as u32;
                let sy = (y + dy).clamp(0, h as i64 - 1) as u32;
                let p = src.get_pixel(sx, sy).0;
                for (acc, v) in sum.iter_mut().zip(p) {
                    *acc += v as u32;
                }
            }
            let n = offsets.len() as u32;
            let p = img.get_pixel_mut(x as u32, y as u32);
            for (c, acc) in p.0.iter_mut().zip(sum) {
                *c = ((acc + n / 2) / n) as u8;
            }
        }
    }
}

/// Encodes as JPEG at `quality` and decodes again: the blocks and ringing of a compressed
/// stream.
pub fn jpeg_round_trip(img: &mut RgbaImage, quality: u8) {
    let rgb = image::DynamicImage::ImageRgba8(img.clone()).to_rgb8();
    let mut bytes = Vec::new();
    let encoder =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality.clamp(1, 100));
    if rgb.write_with_encoder(encoder).is_err() {
        return;
    }
    if let Ok(decoded) = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg) {
        *img = decoded.to_rgba8();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::detail_energy;

    fn stripes(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, _| {
            if (x / 2) % 2 == 0 {
                image::Rgba([240, 240, 240, 255])
            } else {
                image::Rgba([20, 20, 20, 255])
            }
        })
    }

    #[test]
    fn blur_along_the_stripes_keeps_them_and_across_removes_them() {
        let full = [0, 0, 64, 64];
        let mut along = stripes(64, 64);
        motion_blur(&mut along, 6.0, 90.0);
        assert_eq!(along, stripes(64, 64), "vertical smear of vertical stripes");
        let mut across = stripes(64, 64);
        motion_blur(&mut across, 6.0, 0.0);
        assert!(detail_energy(&across, full) < 0.2 * detail_energy(&stripes(64, 64), full));
    }

    #[test]
    fn noise_has_the_drawn_spread_and_is_reproducible() {
        let grey = RgbaImage::from_pixel(100, 100, image::Rgba([128, 128, 128, 255]));
        let draw = SensorDraw {
            noise_sigma: 6.0,
            ..SensorDraw::NONE
        };
        let mut a = grey.clone();
        apply(&mut a, &draw, 1, 2, 3);
        let mut b = grey.clone();
        apply(&mut b, &draw, 1, 2, 3);
        assert_eq!(a, b);
        let values: Vec<f64> = a.pixels().map(|p| p.0[0] as f64 - 128.0).collect();
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!(mean.abs() < 0.3 && (sd - 6.0).abs() < 0.3, "{mean} {sd}");
        let mut c = grey.clone();
        apply(&mut c, &draw, 1, 2, 4);
        assert_ne!(a, c, "another camera, other noise");
    }

    #[test]
    fn low_jpeg_quality_loses_more_than_high() {
        let img = RgbaImage::from_fn(96, 96, |x, y| {
            image::Rgba([
                (x * 7 % 256) as u8,
                (y * 13 % 256) as u8,
                ((x ^ y) * 5 % 256) as u8,
                255,
            ])
        });
        let err = |q: u8| {
            let mut j = img.clone();
            jpeg_round_trip(&mut j, q);
            j.pixels()
                .zip(img.pixels())
                .map(|(a, b)| (a.0[0] as f64 - b.0[0] as f64).abs())
                .sum::<f64>()
        };
        let (low, high) = (err(15), err(95));
        assert!(high > 0.0 && low > 2.0 * high, "{low} {high}");
    }
}
