//! How each person looks: the bundled characters, the clothing and skin palettes and the
//! seeded draw of a person's look.

/// A character file and whether it is a woman's figure (for the height distribution).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CharacterFile {
    pub file: &'static str,
    pub woman: bool,
}

/// The bundled characters, in a fixed order (a person's `Look::character` indexes it).
pub const CHARACTERS: [CharacterFile; 8] = [
    CharacterFile {
        file: "mh_female_casual.glb",
        woman: true,
    },
    CharacterFile {
        file: "mh_female_elegant.glb",
        woman: true,
    },
    CharacterFile {
        file: "mh_female_sport.glb",
        woman: true,
    },
    CharacterFile {
        file: "mh_male_casual_a.glb",
        woman: false,
    },
    CharacterFile {
        file: "mh_male_casual_b_lowpoly.glb",
        woman: false,
    },
    CharacterFile {
        file: "mh_male_old_casual.glb",
        woman: false,
    },
    CharacterFile {
        file: "mh_male_suit.glb",
        woman: false,
    },
    CharacterFile {
        file: "mh_male_work_heavy.glb",
        woman: false,
    },
];

/// Skin tones of the face texture (sRGB).
pub const SKIN_TONES: [[f32; 3]; 6] = [
    [0.96, 0.80, 0.69],
    [0.90, 0.72, 0.58],
    [0.80, 0.60, 0.45],
    [0.65, 0.45, 0.32],
    [0.48, 0.32, 0.22],
    [0.33, 0.22, 0.15],
];

/// Clothing colours of the fixed palette (sRGB).
pub const CLOTHING: [[f32; 3]; 6] = [
    [0.70, 0.20, 0.20],
    [0.20, 0.30, 0.60],
    [0.25, 0.50, 0.30],
    [0.80, 0.65, 0.25],
    [0.30, 0.30, 0.32],
    [0.85, 0.85, 0.82],
];

/// How a person looks: which character ([`crate::look::CHARACTERS`]), height factor
/// (times the mean height of the character's sex), clothing tint (sRGB), skin tone (index
/// into [`SKIN_TONES`], for figures without a textured face) and the phase (0–1) their
/// idle and walking cycles start at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub character: usize,
    pub height: f32,
    pub clothing: [f32; 3],
    pub skin: usize,
    pub phase: f32,
}

/// The look of the person with stable key `key`: from a fixed palette, or with `randomised`
/// drawn from the seed and the key (any of the characters, heights within 8 % of the mean,
/// any clothing colour, every skin tone), the same in every frame.
pub fn look(seed: u64, key: u64, randomised: bool) -> Look {
    let characters = crate::look::CHARACTERS.len();
    // The golden ratio spreads the phases of consecutive people evenly.
    let phase = (key as f64 * 0.618_033_988_75).fract() as f32;
    if !randomised {
        return Look {
            character: (key as usize * 5 + 2) % characters,
            height: 1.0,
            clothing: CLOTHING[(key as usize * 7 + 3) % CLOTHING.len()],
            skin: (key as usize * 5 + 1) % SKIN_TONES.len(),
            phase,
        };
    }
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(
        seed.rotate_left(17) ^ key.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED,
    );
    let height = rng.random_range(0.92f32..=1.08);
    let hue = rng.random_range(0.0f32..6.0);
    let sat = rng.random_range(0.0f32..0.85);
    let val = rng.random_range(0.15f32..0.95);
    // HSV to RGB.
    let c = val * sat;
    let x = c * (1.0 - ((hue % 2.0) - 1.0).abs());
    let (r, g, b) = match hue as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = val - c;
    let skin = rng.random_range(0..SKIN_TONES.len());
    Look {
        character: rng.random_range(0..characters),
        height,
        clothing: [r + m, g + m, b + m],
        skin,
        phase,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_are_stable_per_person_and_varied_across_people() {
        let fixed = look(3, 17, false);
        assert_eq!(fixed.height, 1.0);
        assert_eq!(fixed, look(99, 17, false), "the palette ignores the seed");
        let a = look(3, 17, true);
        assert_eq!(
            a,
            look(3, 17, true),
            "the same person looks the same in every frame"
        );
        assert_ne!(a, look(4, 17, true));
        let all: Vec<Look> = (0..500).map(|k| look(3, k, true)).collect();
        assert!(all.iter().all(|l| (0.92..=1.08).contains(&l.height)));
        for c in 0..crate::look::CHARACTERS.len() {
            assert!(
                all.iter().any(|l| l.character == c),
                "character {c} never drawn"
            );
        }
        assert!(
            all.iter()
                .all(|l| l.clothing.iter().all(|c| (0.0..=1.0).contains(c)))
        );
        for s in 0..SKIN_TONES.len() {
            assert!(all.iter().any(|l| l.skin == s), "skin tone {s} never drawn");
        }
        let mean = all.iter().map(|l| l.height as f64).sum::<f64>() / 500.0;
        assert!((mean - 1.0).abs() < 0.02, "{mean}");
    }
}
