//! Privacy in exported images: what the annotation pass says is a face or a plate is blurred
//! beyond recognition before an image leaves the program, and a measure of how much detail
//! is left in a region (what tests check the blur against).

use image::RgbaImage;

use crate::annotate::PixelBox;

/// Blurs each box of `img` (grown by a quarter of its size on every side, so a box a pixel
/// off still covers the face or plate) with a Gaussian whose width follows the box's size.
pub fn blur_boxes(img: &mut RgbaImage, boxes: &[PixelBox]) {
    let (w, h) = img.dimensions();
    for &[x, y, bw, bh] in boxes {
        let grow_x = (bw / 4).max(2);
        let grow_y = (bh / 4).max(2);
        let x0 = x.saturating_sub(grow_x);
        let y0 = y.saturating_sub(grow_y);
        let x1 = (x + bw + grow_x).min(w);
        let y1 = (y + bh + grow_y).min(h);
        if x1 <= x0 || y1 <= y0 {
            continue;
        }
        let region = image::imageops::crop_imm(img, x0, y0, x1 - x0, y1 - y0).to_image();
        let sigma = (bw.max(bh) as f32 / 3.0).max(2.0);
        let blurred = image::imageops::blur(&region, sigma);
        image::imageops::replace(img, &blurred, x0 as i64, y0 as i64);
    }
}

/// Mean squared Laplacian of the luminance inside `b` (0 for a flat region): fine detail such
/// as the edges of eyes or characters.
pub fn detail_energy(img: &RgbaImage, b: PixelBox) -> f64 {
    let (w, h) = img.dimensions();
    let lum = |x: u32, y: u32| {
        let p = img.get_pixel(x, y).0;
        0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64
    };
    let [x, y, bw, bh] = b;
    let mut sum = 0.0;
    let mut n = 0.0;
    for yy in y.max(1)..(y + bh).min(h - 1) {
        for xx in x.max(1)..(x + bw).min(w - 1) {
            let l = 4.0 * lum(xx, yy)
                - lum(xx - 1, yy)
                - lum(xx + 1, yy)
                - lum(xx, yy - 1)
                - lum(xx, yy + 1);
            sum += l * l;
            n += 1.0;
        }
    }
    if n > 0.0 { sum / n } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A checkerboard of 2-pixel squares (the finest detail a face or a plate shows).
    fn detailed(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            let v = if ((x / 2) + (y / 2)) % 2 == 0 {
                20
            } else {
                235
            };
            image::Rgba([v, v, v, 255])
        })
    }

    #[test]
    fn blurred_boxes_lose_their_detail_and_nothing_else_changes() {
        let mut img = detailed(120, 80);
        let original = img.clone();
        let face = [40, 20, 16, 20];
        let before = detail_energy(&img, face);
        blur_boxes(&mut img, &[face]);
        let after = detail_energy(&img, face);
        assert!(after < before * 0.01, "{before} -> {after}");
        // Far from the box (beyond its margin) nothing changed.
        for (x, y) in [(5, 5), (110, 70), (20, 60), (100, 10)] {
            assert_eq!(img.get_pixel(x, y), original.get_pixel(x, y));
        }
        // Boxes at the image's edge are fine.
        blur_boxes(&mut img, &[[110, 70, 20, 20], [0, 0, 3, 3]]);
    }
}
