//! Which photographed texture covers which surface of the demo district, and how large one
//! tile of each is in the real world.
//!
//! The maps are CC0 scans from Poly Haven shipped in `assets/textures/<slug>/` (see the
//! `LICENSE.md` there and docs/demo-city.md). Texture coordinates of the demo district's
//! meshes are in metres divided by a map's [`TextureMap::tile`], so a brick course or a
//! paving sett has its real size whatever the surface's size.
//!
//! Also here, because the image loader makes none: [`mip_chain`], the smaller copies of an
//! image that keep far asphalt and brick from shimmering.

use crate::demo_city::{Building, SurfaceKind};

/// One photographed map: its albedo file, optional roughness file (paths under the bundled
/// `assets` folder) and the real size one repetition of it covers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextureMap {
    /// Poly Haven's name for the scan (also the folder under `assets/textures/`).
    pub slug: &'static str,
    /// Colour map (sRGB JPEG), relative to the `assets` folder.
    pub albedo: &'static str,
    /// Roughness map (linear grey JPEG), relative to the `assets` folder, when shipped.
    pub roughness: Option<&'static str>,
    /// Metres covered by one repetition of the map: across (`u`) and down (`v`).
    pub tile: [f32; 2],
}

/// Asphalt with fine aggregate and a few cracks; 4 m per tile.
pub const ASPHALT: TextureMap = TextureMap {
    slug: "asphalt_02",
    albedo: "textures/asphalt_02/asphalt_02_diff_1k.jpg",
    roughness: Some("textures/asphalt_02/asphalt_02_rough_1k_from2k.jpg"),
    tile: [4.0, 4.0],
};

/// Brushed concrete paving, for the sidewalks; 3 m per tile.
pub const CONCRETE: TextureMap = TextureMap {
    slug: "brushed_concrete",
    albedo: "textures/brushed_concrete/brushed_concrete_diff_1k.jpg",
    roughness: None,
    tile: [3.0, 3.0],
};

/// Granite setts laid in arcs, for the square: about 20 setts across a tile, so 2 m per tile
/// makes each sett the usual 10 cm.
pub const SETTS: TextureMap = TextureMap {
    slug: "floor_pattern_02",
    albedo: "textures/floor_pattern_02/floor_pattern_02_diff_1k_from2k.jpg",
    roughness: None,
    tile: [2.0, 2.0],
};

/// Pinkish-brown brick: 30 courses per tile, so 2.25 m gives 7.5 cm courses.
pub const BRICK_PALE: TextureMap = TextureMap {
    slug: "brick_wall_09",
    albedo: "textures/brick_wall_09/brick_wall_09_diff_1k.jpg",
    roughness: None,
    tile: [2.25, 2.25],
};

/// Weathered red brick: 14 courses per tile, so 1.05 m gives 7.5 cm courses.
pub const BRICK_RED: TextureMap = TextureMap {
    slug: "brick_wall_001",
    albedo: "textures/brick_wall_001/brick_wall_001_diff_1k.jpg",
    roughness: None,
    tile: [1.05, 1.05],
};

/// Fine beige plaster; 2 m per tile.
pub const PLASTER_FINE: TextureMap = TextureMap {
    slug: "beige_wall_001",
    albedo: "textures/beige_wall_001/beige_wall_001_diff_1k.jpg",
    roughness: None,
    tile: [2.0, 2.0],
};

/// Coarser beige render; the image is 4:1 (1024 × 256 px), so 4 m across and 1 m down.
pub const PLASTER_COARSE: TextureMap = TextureMap {
    slug: "beige_wall_002",
    albedo: "textures/beige_wall_002/beige_wall_002_diff_1k.jpg",
    roughness: None,
    tile: [4.0, 1.0],
};

/// Every map the demo district uses.
pub const ALL_MAPS: [TextureMap; 7] = [
    ASPHALT,
    CONCRETE,
    SETTS,
    BRICK_PALE,
    BRICK_RED,
    PLASTER_FINE,
    PLASTER_COARSE,
];

/// Mean linear colour of each plaster map, measured over its pixels: a plaster facade is
/// tinted by the building's colour divided by this, so that it keeps its colour on average.
const PLASTER_FINE_MEAN: [f32; 3] = [0.340, 0.262, 0.188];
const PLASTER_COARSE_MEAN: [f32; 3] = [0.227, 0.158, 0.092];

/// The map on a ground surface, if it has one (lawns and paint keep flat colours: paint must
/// stay crisp on top of the asphalt).
pub fn surface_map(kind: SurfaceKind) -> Option<TextureMap> {
    match kind {
        SurfaceKind::Road => Some(ASPHALT),
        SurfaceKind::Sidewalk => Some(CONCRETE),
        SurfaceKind::Square => Some(SETTS),
        SurfaceKind::Courtyard | SurfaceKind::Crossing | SurfaceKind::LaneMarking => None,
    }
}

/// How a building's walls are finished: a map and the colour (linear RGB) multiplying it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finish {
    pub map: TextureMap,
    pub tint: [f32; 3],
}

/// The facade of a building. Brick for the warehouse, the school, the bakery and
/// every other housing block; plaster (tinted so it averages the building's own colour) for
/// the rest. Brick keeps its photographed colour, slightly varied per building.
pub fn facade_finish(b: &Building) -> Finish {
    let brick = match b.usage {
        "warehouse" | "school" => true,
        "housing" => b.id.is_multiple_of(2),
        _ => b.name == "Boulangerie",
    };
    if brick {
        // Two bricks alternate; a shade in 0.85..1.0 tells neighbours apart.
        let map = if b.id.is_multiple_of(3) {
            BRICK_RED
        } else {
            BRICK_PALE
        };
        let shade = 0.85 + 0.05 * (b.id % 4) as f32;
        return Finish {
            map,
            tint: [shade; 3],
        };
    }
    let (map, mean) = if b.id.is_multiple_of(2) {
        (PLASTER_COARSE, PLASTER_COARSE_MEAN)
    } else {
        (PLASTER_FINE, PLASTER_FINE_MEAN)
    };
    let linear = b.facade.map(srgb_to_linear);
    Finish {
        map,
        tint: std::array::from_fn(|i| (linear[i] / mean[i]).min(4.0)),
    }
}

fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb(c: f32) -> f32 {
    if c <= 0.003_130_8 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

/// Number of levels of a full mip chain for a `width` × `height` image.
pub fn mip_levels(width: u32, height: u32) -> u32 {
    32 - width.max(height).max(1).leading_zeros()
}

/// An RGBA8 image (`width` × `height`, rows packed) followed by each smaller level down to
/// 1 × 1, every level the 2 × 2 box average of the one above (averaged in linear light when
/// `srgb`). Odd sizes take the last row or column twice. Returns the levels concatenated, the
/// order GPUs read them in.
pub fn mip_chain(width: u32, height: u32, rgba: &[u8], srgb: bool) -> Vec<u8> {
    let to_linear: Vec<f32> = (0..=255u8)
        .map(|v| {
            let c = v as f32 / 255.0;
            if srgb { srgb_to_linear(c) } else { c }
        })
        .collect();
    let mut out = rgba.to_vec();
    let (mut w, mut h) = (width as usize, height as usize);
    let mut level = rgba.to_vec();
    while w > 1 || h > 1 {
        let (nw, nh) = ((w / 2).max(1), (h / 2).max(1));
        let mut next = vec![0u8; nw * nh * 4];
        for y in 0..nh {
            for x in 0..nw {
                let mut sum = [0f32; 4];
                for (sx, sy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let px = (2 * x + sx).min(w - 1);
                    let py = (2 * y + sy).min(h - 1);
                    let i = (py * w + px) * 4;
                    for c in 0..3 {
                        sum[c] += to_linear[level[i + c] as usize];
                    }
                    sum[3] += level[i + 3] as f32 / 255.0;
                }
                let o = (y * nw + x) * 4;
                for c in 0..4 {
                    let mean = sum[c] / 4.0;
                    let v = if c < 3 && srgb {
                        linear_to_srgb(mean)
                    } else {
                        mean
                    };
                    next[o + c] = (v * 255.0).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
        out.extend_from_slice(&next);
        level = next;
        (w, h) = (nw, nh);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_city::demo_district;

    #[test]
    fn brick_courses_are_seven_and_a_half_centimetres() {
        // Courses counted on the images: 30 per tile for brick_wall_09, 14 for brick_wall_001.
        for (map, courses) in [(BRICK_PALE, 30.0), (BRICK_RED, 14.0)] {
            let course = map.tile[1] / courses;
            assert!((course - 0.075).abs() < 1e-4, "{}: {course} m", map.slug);
        }
    }

    #[test]
    fn every_facade_gets_a_finish_and_both_kinds_are_used() {
        let city = demo_district();
        let finishes: Vec<Finish> = city.buildings.iter().map(facade_finish).collect();
        let used = |slug: &str| finishes.iter().any(|f| f.map.slug == slug);
        for map in [BRICK_PALE, BRICK_RED, PLASTER_FINE, PLASTER_COARSE] {
            assert!(used(map.slug), "{} is never used", map.slug);
        }
        for f in &finishes {
            assert!(f.tint.iter().all(|t| t.is_finite() && *t > 0.0), "{f:?}");
        }
    }

    #[test]
    fn every_shipped_map_is_in_the_assets_folder() {
        let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets");
        for map in ALL_MAPS {
            for file in std::iter::once(map.albedo).chain(map.roughness) {
                assert!(assets.join(file).is_file(), "{file} is missing");
            }
        }
    }

    #[test]
    fn mip_chain_halves_down_to_one_pixel_and_averages_in_linear_light() {
        assert_eq!(mip_levels(1024, 1024), 11);
        assert_eq!(mip_levels(1024, 256), 11);
        assert_eq!(mip_levels(1, 1), 1);
        // 4 × 2: black and white columns.
        let px = |v: u8| [v, v, v, 255];
        let rgba: Vec<u8> = [0, 255, 0, 255, 0, 255, 0, 255]
            .into_iter()
            .flat_map(px)
            .collect();
        let chain = mip_chain(4, 2, &rgba, true);
        // 4×2 + 2×1 + 1×1 pixels.
        assert_eq!(chain.len(), (8 + 2 + 1) * 4);
        // Half black, half white in linear light is sRGB 188, not 128.
        assert_eq!(&chain[32..36], &[188, 188, 188, 255]);
        assert_eq!(&chain[40..44], &[188, 188, 188, 255]);
        let plain = mip_chain(4, 2, &rgba, false);
        assert_eq!(&plain[32..36], &[128, 128, 128, 255]);
    }
}
