//! The bundled demo district, generated procedurally so the editor works offline with no
//! external asset.
//!
//! Layout (plan coordinates, metres, `x` east, `y` north): a 220 m × 220 m district cut by two
//! north–south and two east–west streets (8 m carriageways centred on ±32 m). The nine blocks
//! between them are raised 0.15 m (kerb height); each has a 3.5 m sidewalk along its edge. The
//! central block is a paved square with a fountain, trees and benches; the eight others hold
//! fourteen buildings from 7 m to 42 m high. Zebra crossings join the square to its neighbours.

use glam::{Vec2, Vec3};

use twincity_model::geometry::{Aabb3, Rect2, world_from_plan};

/// Half the side of the district.
pub const HALF_EXTENT: f32 = 110.0;
/// Street centre lines, in plan coordinates (both axes).
pub const STREET_CENTRES: [f32; 2] = [-32.0, 32.0];
/// Carriageway width.
pub const CARRIAGEWAY_WIDTH: f32 = 8.0;
/// Sidewalk width along every block edge.
pub const SIDEWALK_WIDTH: f32 = 3.5;
/// Height of sidewalks, the square and block interiors above the carriageway.
pub const KERB_HEIGHT: f32 = 0.15;

/// What a flat surface of the city is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SurfaceKind {
    /// Asphalt carriageway (not walkable except at crossings).
    Road,
    /// Raised kerbside pavement around every block.
    Sidewalk,
    /// The paved central square.
    Square,
    /// Block interiors between buildings (courtyards, lawns).
    Courtyard,
    /// Zebra crossing stripes painted on the road.
    Crossing,
    /// Painted lane markings.
    LaneMarking,
}

impl SurfaceKind {
    /// Whether pedestrians may walk on this surface.
    pub fn walkable(self) -> bool {
        !matches!(self, SurfaceKind::Road | SurfaceKind::LaneMarking)
    }
}

/// A flat slab of the ground: from `base` up to `top`.
#[derive(Clone, Debug, PartialEq)]
pub struct Surface {
    pub kind: SurfaceKind,
    pub rect: Rect2,
    pub base: f32,
    pub top: f32,
}

/// A building: an extruded rectangular footprint.
#[derive(Clone, Debug, PartialEq)]
pub struct Building {
    pub id: u32,
    pub name: String,
    pub usage: &'static str,
    pub footprint: Rect2,
    /// Height of the roof above the block surface, metres.
    pub height: f32,
    /// Facade colour, sRGB in 0..1.
    pub facade: [f32; 3],
}

impl Building {
    /// Ground level of the building (blocks are raised to kerb height).
    pub const BASE: f32 = KERB_HEIGHT;

    /// World-space bounding box.
    pub fn aabb(&self) -> Aabb3 {
        let a = world_from_plan(self.footprint.min, Self::BASE);
        let b = world_from_plan(self.footprint.max, Self::BASE + self.height);
        Aabb3 {
            min: a.min(b),
            max: a.max(b),
        }
    }

    /// Approximate number of storeys (3 m each), for display.
    pub fn storeys(&self) -> u32 {
        (self.height / 3.0).floor().max(1.0) as u32
    }
}

/// Kinds of street furniture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FurnitureKind {
    StreetLight,
    Tree,
    Bench,
    Bin,
    Bollard,
    Fountain,
    BusShelter,
}

impl FurnitureKind {
    /// Radius of the footprint that pedestrians must walk around, metres.
    pub fn obstacle_radius(self) -> f32 {
        match self {
            FurnitureKind::StreetLight => 0.15,
            FurnitureKind::Tree => 0.4,
            FurnitureKind::Bench => 0.9,
            FurnitureKind::Bin => 0.3,
            FurnitureKind::Bollard => 0.12,
            FurnitureKind::Fountain => 4.0,
            FurnitureKind::BusShelter => 2.0,
        }
    }
}

/// One piece of street furniture standing on the ground at `position`.
#[derive(Clone, Debug, PartialEq)]
pub struct Furniture {
    pub kind: FurnitureKind,
    pub position: Vec2,
    /// Bearing the piece faces, degrees (0 = north).
    pub heading_deg: f32,
}

impl Furniture {
    /// World position of the base of this piece.
    pub fn world_base(&self) -> Vec3 {
        world_from_plan(self.position, KERB_HEIGHT)
    }
}

/// A city as plain data: what the editor turns into meshes and crowds walk on.
#[derive(Clone, Debug, PartialEq)]
pub struct CityLayout {
    pub name: String,
    pub extent: Rect2,
    pub surfaces: Vec<Surface>,
    /// Pedestrian crossings: the part of the road that is walkable, kerb to kerb.
    pub crossings: Vec<Rect2>,
    pub buildings: Vec<Building>,
    pub furniture: Vec<Furniture>,
}

impl CityLayout {
    pub fn building(&self, name: &str) -> Option<&Building> {
        self.buildings.iter().find(|b| b.name == name)
    }

    /// The first building hit by a world-space ray, with the distance.
    pub fn ray_cast_buildings(&self, origin: Vec3, dir: Vec3) -> Option<(&Building, f32)> {
        self.buildings
            .iter()
            .filter_map(|b| b.aabb().ray_hit(origin, dir).map(|t| (b, t)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Bands of the street grid along one axis: `(from, to, is_road)`.
fn grid_bands() -> Vec<(f32, f32, bool)> {
    let h = CARRIAGEWAY_WIDTH * 0.5;
    let [a, b] = STREET_CENTRES;
    vec![
        (-HALF_EXTENT, a - h, false),
        (a - h, a + h, true),
        (a + h, b - h, false),
        (b - h, b + h, true),
        (b + h, HALF_EXTENT, false),
    ]
}

fn rect(x0: f32, y0: f32, x1: f32, y1: f32) -> Rect2 {
    Rect2::from_corners(Vec2::new(x0, y0), Vec2::new(x1, y1))
}

/// The bundled demo district.
pub fn demo_district() -> CityLayout {
    let mut surfaces = Vec::new();
    let bands = grid_bands();
    for (i, &(x0, x1, xroad)) in bands.iter().enumerate() {
        for (j, &(y0, y1, yroad)) in bands.iter().enumerate() {
            let r = rect(x0, y0, x1, y1);
            if xroad || yroad {
                surfaces.push(Surface {
                    kind: SurfaceKind::Road,
                    rect: r,
                    base: -0.2,
                    top: 0.0,
                });
                continue;
            }
            let centre = i == 2 && j == 2;
            let s = SIDEWALK_WIDTH;
            if centre {
                surfaces.push(Surface {
                    kind: SurfaceKind::Square,
                    rect: r,
                    base: -0.2,
                    top: KERB_HEIGHT,
                });
            } else {
                // Sidewalk slab under the whole block, courtyard on top of its interior.
                surfaces.push(Surface {
                    kind: SurfaceKind::Sidewalk,
                    rect: r,
                    base: -0.2,
                    top: KERB_HEIGHT,
                });
                surfaces.push(Surface {
                    kind: SurfaceKind::Courtyard,
                    rect: rect(x0 + s, y0 + s, x1 - s, y1 - s),
                    base: KERB_HEIGHT,
                    top: KERB_HEIGHT + 0.02,
                });
            }
        }
    }
    // Zebra crossings joining the square to the four neighbouring blocks, and four more so
    // that every block can be reached on foot.
    let h = CARRIAGEWAY_WIDTH * 0.5;
    let mut crossings = Vec::new();
    let mut crossing = |along_x: bool, road: f32, at: f32| {
        crossings.push(if along_x {
            rect(road - h, at - 4.5, road + h, at + 5.5)
        } else {
            rect(at - 4.5, road - h, at + 5.5, road + h)
        });
        for k in 0..5 {
            let off = -4.0 + k as f32 * 2.0;
            let r = if along_x {
                // Road runs north-south at x = road; stripes are parallel to it.
                rect(road - h + 0.5, at + off, road + h - 0.5, at + off + 0.9)
            } else {
                rect(at + off, road - h + 0.5, at + off + 0.9, road + h - 0.5)
            };
            surfaces.push(Surface {
                kind: SurfaceKind::Crossing,
                rect: r,
                base: 0.0,
                top: 0.01,
            });
        }
    };
    for road in STREET_CENTRES {
        crossing(true, road, 0.0);
        crossing(false, road, 0.0);
    }
    crossing(true, 32.0, 70.0);
    crossing(false, -32.0, -70.0);
    crossing(false, 32.0, -70.0);
    crossing(false, -32.0, 70.0);
    // Dashed centre lines.
    for road in STREET_CENTRES {
        let mut t = -HALF_EXTENT + 2.0;
        while t < HALF_EXTENT - 4.0 {
            let in_crossroad = STREET_CENTRES.iter().any(|c| (t + 1.5 - c).abs() < h + 2.0);
            let near_square_crossing = (t + 1.5).abs() < 6.0;
            if !in_crossroad && !near_square_crossing {
                for r in [
                    rect(road - 0.08, t, road + 0.08, t + 3.0),
                    rect(t, road - 0.08, t + 3.0, road + 0.08),
                ] {
                    surfaces.push(Surface {
                        kind: SurfaceKind::LaneMarking,
                        rect: r,
                        base: 0.0,
                        top: 0.01,
                    });
                }
            }
            t += 6.0;
        }
    }

    let buildings = demo_buildings();
    let furniture = demo_furniture();
    CityLayout {
        name: "Demo district".into(),
        extent: rect(-HALF_EXTENT, -HALF_EXTENT, HALF_EXTENT, HALF_EXTENT),
        surfaces,
        crossings,
        buildings,
        furniture,
    }
}

/// One demo building: name, usage, centre, size, height, facade colour.
type BuildingSpec = (
    &'static str,
    &'static str,
    [f32; 2],
    [f32; 2],
    f32,
    [f32; 3],
);

fn demo_buildings() -> Vec<Building> {
    let specs: [BuildingSpec; 14] = [
        (
            "Tour Horizon",
            "offices",
            [60.0, 60.0],
            [24.0, 24.0],
            42.0,
            [0.55, 0.62, 0.70],
        ),
        (
            "Résidence Nord-Est",
            "housing",
            [92.0, 55.0],
            [20.0, 28.0],
            15.0,
            [0.86, 0.78, 0.62],
        ),
        (
            "Immeuble Lafayette",
            "housing",
            [-60.0, 75.0],
            [36.0, 20.0],
            21.0,
            [0.80, 0.52, 0.40],
        ),
        (
            "Parking silo",
            "parking",
            [-88.0, 50.0],
            [24.0, 16.0],
            12.0,
            [0.60, 0.60, 0.58],
        ),
        (
            "Hôtel de police",
            "public",
            [65.0, -60.0],
            [30.0, 26.0],
            18.0,
            [0.75, 0.74, 0.70],
        ),
        (
            "Entrepôt",
            "warehouse",
            [92.0, -92.0],
            [22.0, 18.0],
            9.0,
            [0.50, 0.45, 0.42],
        ),
        (
            "Résidence Les Tilleuls",
            "housing",
            [-70.0, -65.0],
            [40.0, 22.0],
            27.0,
            [0.90, 0.86, 0.76],
        ),
        (
            "École Jules Ferry",
            "school",
            [-55.0, -95.0],
            [26.0, 14.0],
            11.0,
            [0.85, 0.64, 0.45],
        ),
        (
            "Mairie",
            "public",
            [0.0, 55.0],
            [34.0, 18.0],
            16.0,
            [0.93, 0.90, 0.80],
        ),
        (
            "Médiathèque",
            "public",
            [0.0, 90.0],
            [30.0, 20.0],
            13.0,
            [0.45, 0.55, 0.60],
        ),
        (
            "Centre commercial",
            "retail",
            [0.0, -65.0],
            [36.0, 30.0],
            10.0,
            [0.70, 0.68, 0.75],
        ),
        (
            "Immeuble Gambetta",
            "housing",
            [65.0, 0.0],
            [26.0, 34.0],
            24.0,
            [0.78, 0.70, 0.58],
        ),
        (
            "Immeuble Voltaire",
            "housing",
            [-62.0, 8.0],
            [30.0, 16.0],
            30.0,
            [0.68, 0.45, 0.38],
        ),
        (
            "Boulangerie",
            "retail",
            [-60.0, -13.0],
            [12.0, 10.0],
            7.0,
            [0.95, 0.85, 0.65],
        ),
    ];
    specs
        .iter()
        .enumerate()
        .map(|(i, (name, usage, c, s, h, facade))| Building {
            id: i as u32 + 1,
            name: (*name).to_string(),
            usage,
            footprint: Rect2::from_center_size(Vec2::from(*c), Vec2::from(*s)),
            height: *h,
            facade: *facade,
        })
        .collect()
}

fn demo_furniture() -> Vec<Furniture> {
    let mut out = Vec::new();
    let mut put = |kind, x: f32, y: f32, heading_deg: f32| {
        out.push(Furniture {
            kind,
            position: Vec2::new(x, y),
            heading_deg,
        })
    };
    // The square: a fountain, a ring of trees, benches facing the fountain, bins, bollards.
    put(FurnitureKind::Fountain, 0.0, 0.0, 0.0);
    for k in 0..8 {
        let a = k as f32 * std::f32::consts::TAU / 8.0 + std::f32::consts::FRAC_PI_8;
        put(FurnitureKind::Tree, 15.0 * a.cos(), 15.0 * a.sin(), 0.0);
    }
    for k in 0..4 {
        let a = k as f32 * std::f32::consts::FRAC_PI_2;
        let (s, c) = a.sin_cos();
        // Bench 9 m from the centre, facing it.
        let heading = (-c).atan2(-s).to_degrees();
        put(FurnitureKind::Bench, 9.0 * c, 9.0 * s, heading);
        put(
            FurnitureKind::Bin,
            9.0 * c - 1.6 * s,
            9.0 * s + 1.6 * c,
            0.0,
        );
    }
    for (x, y) in [(-23.0, -23.0), (23.0, -23.0), (23.0, 23.0), (-23.0, 23.0)] {
        for d in [-1.5f32, 0.0, 1.5] {
            put(FurnitureKind::Bollard, x + d, y, 0.0);
        }
    }
    // Street lights along every sidewalk, 0.6 m from the kerb, every 24 m.
    let kerb = CARRIAGEWAY_WIDTH * 0.5 + 0.6;
    for road in STREET_CENTRES {
        let mut t = -HALF_EXTENT + 8.0;
        while t < HALF_EXTENT - 4.0 {
            let clear = STREET_CENTRES
                .iter()
                .all(|c| (t - c).abs() > CARRIAGEWAY_WIDTH * 0.5 + 2.0);
            if clear {
                for side in [-1.0f32, 1.0] {
                    put(FurnitureKind::StreetLight, road + side * kerb, t, 0.0);
                    put(FurnitureKind::StreetLight, t, road + side * kerb, 0.0);
                }
            }
            t += 24.0;
        }
    }
    // Street trees on the east avenue and a bus shelter.
    for y in [-100.0f32, -84.0, -52.0, 48.0, 84.0, 100.0] {
        put(FurnitureKind::Tree, 38.0, y, 0.0);
    }
    put(FurnitureKind::BusShelter, 26.6, -12.0, 90.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buildings_stand_inside_block_interiors_and_do_not_overlap() {
        let city = demo_district();
        assert_eq!(city.buildings.len(), 14);
        let courtyards: Vec<_> = city
            .surfaces
            .iter()
            .filter(|s| s.kind == SurfaceKind::Courtyard)
            .collect();
        for b in &city.buildings {
            let inside = courtyards
                .iter()
                .any(|c| c.rect.contains(b.footprint.min) && c.rect.contains(b.footprint.max));
            assert!(inside, "{} leaves its block interior", b.name);
            for o in &city.buildings {
                if o.id != b.id {
                    assert!(
                        !b.footprint.overlaps(&o.footprint),
                        "{} overlaps {}",
                        b.name,
                        o.name
                    );
                }
            }
        }
        let heights: Vec<f32> = city.buildings.iter().map(|b| b.height).collect();
        let max = heights.iter().cloned().fold(0.0, f32::max);
        let min = heights.iter().cloned().fold(f32::MAX, f32::min);
        assert!(
            min <= 9.0 && max >= 40.0,
            "heights should vary: {min}..{max}"
        );
    }

    #[test]
    fn furniture_stands_on_walkable_ground_clear_of_buildings() {
        let city = demo_district();
        for f in &city.furniture {
            let on_walkable = city.surfaces.iter().any(|s| {
                matches!(s.kind, SurfaceKind::Sidewalk | SurfaceKind::Square)
                    && s.rect.contains(f.position)
            });
            assert!(
                on_walkable,
                "{:?} at {} is not on a pavement",
                f.kind, f.position
            );
            for b in &city.buildings {
                assert!(
                    !b.footprint.contains(f.position),
                    "{:?} inside {}",
                    f.kind,
                    b.name
                );
            }
        }
    }

    #[test]
    fn ray_cast_finds_the_nearest_building() {
        let city = demo_district();
        // From the square looking north at 5 m height: the Mairie's south facade at y = 46.
        let (b, t) = city
            .ray_cast_buildings(Vec3::new(0.0, 5.0, 0.0), Vec3::NEG_Z)
            .unwrap();
        assert_eq!(b.name, "Mairie");
        assert!((t - 46.0).abs() < 1e-4, "{t}");
    }
}
