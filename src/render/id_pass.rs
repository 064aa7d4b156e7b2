//! The id pass: a second camera, beside a render's colour camera, that draws every surface's
//! instance id ([`twincity_dataset::annotate::instance_id`]) and depth instead of its colour, in
//! the same frame, from the same meshes, skinning and levels of detail. The labels of a
//! dataset image come from it ([`twincity_dataset::annotate::annotate_rendered`]).
//!
//! Every mesh drawn with a [`StandardMaterial`] gets a *twin*: a child entity with the same
//! mesh (and skin) and an [`IdMaterial`], on [`ID_LAYER`], which only the id camera sees.
//! Alpha-masked surfaces (hair cards, leaves) keep their texture's cut-outs; see-through
//! surfaces (blended glass, rain) get no twin, as nothing behind them is hidden.
//!
//! The target is half-float RGBA: r, g hold the id's low and high 11 bits (exact up to 2047),
//! b + a the depth along the optical axis (a half float and its remainder). The sky stays 0.

use std::collections::HashMap;

use bevy::camera::visibility::{
    DynamicSkinnedMeshBounds, NoFrustumCulling, RenderLayers, VisibilityRange,
};
use bevy::light::{NotShadowCaster, NotShadowReceiver};
use bevy::mesh::MeshVertexBufferLayoutRef;
use bevy::mesh::skinning::SkinnedMesh;
use bevy::pbr::{MaterialPipeline, MaterialPipelineKey, MaterialPlugin};
use bevy::prelude::*;
use bevy::render::render_resource::{
    AsBindGroup, Face, RenderPipelineDescriptor, SpecializedMeshPipelineError,
};
use bevy::shader::ShaderRef;
use twincity_dataset::annotate::{IdImage, instance_id};
use twincity_scenario::figures::FigureKind;

use crate::render::figure::ScenarioFigure;

/// The render layer of the id twins: only the id camera sees it (the rain curtains use
/// layers 16–47, the editor's overlays layer 1).
pub const ID_LAYER: usize = 60;

/// System sets of [`IdPassPlugin`].
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdPassSet {
    /// Gives new meshes their twins and keeps twins' meshes in step (PostUpdate, before
    /// transforms propagate).
    Twins,
}

/// Draws every mesh a second time, for an [`IdCamera`], as ids and depths.
pub struct IdPassPlugin;

impl Plugin for IdPassPlugin {
    fn build(&self, app: &mut App) {
        bevy::asset::embedded_asset!(app, "id_pass.wgsl");
        app.add_plugins(MaterialPlugin::<IdMaterial>::default())
            .init_resource::<IdMaterials>()
            .configure_sets(
                PostUpdate,
                IdPassSet::Twins
                    .before(bevy::transform::TransformSystems::Propagate)
                    .before(bevy::camera::visibility::VisibilitySystems::CalculateBounds),
            )
            .add_systems(
                PostUpdate,
                (retwin_renumbered, add_twins, follow_originals)
                    .chain()
                    .in_set(IdPassSet::Twins),
            );
    }
}

/// The camera of an id pass (it sees [`ID_LAYER`] only). Systems that dress the colour
/// cameras (rain curtains) leave it alone.
#[derive(Component)]
pub struct IdCamera;

/// A mesh's id twin.
#[derive(Component)]
struct IdTwin;

/// A mesh that has been given its twin (`None`: it needs none, being see-through).
#[derive(Component)]
struct Twinned(Option<Entity>);

/// The id pass's material: the id, and the alpha mask of the surface it stands for.
#[derive(Asset, TypePath, AsBindGroup, Clone, Debug)]
#[bind_group_data(IdMaterialKey)]
pub struct IdMaterial {
    /// x, y: the id's low and high 11 bits; z: the alpha cut-off (0: opaque); w: the base
    /// colour's alpha.
    #[uniform(0)]
    pub id: Vec4,
    /// The base colour texture of an alpha-masked surface.
    #[texture(1)]
    #[sampler(2)]
    pub mask: Option<Handle<Image>>,
    /// The faces the colour pass culls.
    pub cull_mode: Option<Face>,
}

/// The pipeline key of an [`IdMaterial`]: which faces are culled.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdMaterialKey {
    cull: u8,
}

impl From<&IdMaterial> for IdMaterialKey {
    fn from(m: &IdMaterial) -> Self {
        let cull = match m.cull_mode {
            None => 0,
            Some(Face::Front) => 1,
            Some(Face::Back) => 2,
        };
        Self { cull }
    }
}

impl Material for IdMaterial {
    fn fragment_shader() -> ShaderRef {
        "embedded://twincity/render/id_pass.wgsl".into()
    }

    fn enable_prepass() -> bool {
        false
    }

    fn enable_shadows() -> bool {
        false
    }

    fn specialize(
        _pipeline: &MaterialPipeline,
        descriptor: &mut RenderPipelineDescriptor,
        _layout: &MeshVertexBufferLayoutRef,
        key: MaterialPipelineKey<Self>,
    ) -> Result<(), SpecializedMeshPipelineError> {
        descriptor.primitive.cull_mode = match key.bind_group_data.cull {
            1 => Some(Face::Front),
            2 => Some(Face::Back),
            _ => None,
        };
        Ok(())
    }
}

/// The id materials made so far, by what they hold (one per figure and alpha mask).
#[derive(Resource, Default)]
struct IdMaterials(HashMap<MaterialKey, Handle<IdMaterial>>);

#[derive(Clone, PartialEq, Eq, Hash)]
struct MaterialKey {
    id: u32,
    mask: Option<AssetId<Image>>,
    cutoff_bits: u32,
    alpha_bits: u32,
    cull_mode: Option<Face>,
}

/// The two halves of an id as the shader writes them.
fn id_halves(id: u32) -> (f32, f32) {
    ((id & 0x7ff) as f32, (id >> 11) as f32)
}

/// The figure a mesh is part of: its own or its nearest ancestor's [`ScenarioFigure`] (a
/// vehicle's plate is part of the vehicle).
fn figure_id(e: Entity, parents: &Query<&ChildOf>, figures: &Query<&ScenarioFigure>) -> u32 {
    let mut at = Some(e);
    while let Some(entity) = at {
        if let Ok(f) = figures.get(entity) {
            let kind = match *f {
                ScenarioFigure::Person(i) => FigureKind::Person(i),
                ScenarioFigure::Object(i) => FigureKind::Object(i),
                ScenarioFigure::Vehicle(i) => FigureKind::Vehicle(i),
            };
            return instance_id(kind);
        }
        at = parents.get(entity).ok().map(ChildOf::parent);
    }
    0
}

type Fresh<'a> = (
    Entity,
    &'a Mesh3d,
    &'a MeshMaterial3d<StandardMaterial>,
    Option<&'a SkinnedMesh>,
    Option<&'a RenderLayers>,
    Option<&'a VisibilityRange>,
    Has<DynamicSkinnedMeshBounds>,
    Has<NoFrustumCulling>,
);

#[allow(clippy::too_many_arguments)]
fn add_twins(
    mut commands: Commands,
    fresh: Query<Fresh, (Without<Twinned>, Without<IdTwin>)>,
    parents: Query<&ChildOf>,
    figures: Query<&ScenarioFigure>,
    standard: Res<Assets<StandardMaterial>>,
    mut ids: ResMut<Assets<IdMaterial>>,
    mut made: ResMut<IdMaterials>,
) {
    for (e, mesh, material, skin, layers, range, dynamic_bounds, no_culling) in &fresh {
        // Only what the colour cameras draw (layer 0): not rain curtains, not overlays.
        if layers.is_some_and(|l| !l.intersects(&RenderLayers::layer(0))) {
            commands.entity(e).insert(Twinned(None));
            continue;
        }
        let Some(m) = standard.get(&material.0) else {
            continue; // not loaded yet: next frame
        };
        let (cutoff, mask) = match m.alpha_mode {
            AlphaMode::Opaque | AlphaMode::AlphaToCoverage => (0.0, None),
            AlphaMode::Mask(c) => (c.max(1e-4), m.base_color_texture.clone()),
            AlphaMode::Blend | AlphaMode::Premultiplied | AlphaMode::Add | AlphaMode::Multiply => {
                commands.entity(e).insert(Twinned(None));
                continue;
            }
        };
        let id = figure_id(e, &parents, &figures);
        let alpha = m.base_color.alpha();
        let key = MaterialKey {
            id,
            mask: mask.as_ref().map(Handle::id),
            cutoff_bits: cutoff.to_bits(),
            alpha_bits: alpha.to_bits(),
            cull_mode: m.cull_mode,
        };
        let handle = made
            .0
            .entry(key)
            .or_insert_with(|| {
                let (lo, hi) = id_halves(id);
                ids.add(IdMaterial {
                    id: Vec4::new(lo, hi, cutoff, alpha),
                    mask,
                    cull_mode: m.cull_mode,
                })
            })
            .clone();
        let mut twin = commands.spawn((
            Name::new("Id twin"),
            IdTwin,
            Mesh3d(mesh.0.clone()),
            MeshMaterial3d(handle),
            Transform::IDENTITY,
            RenderLayers::layer(ID_LAYER),
            NotShadowCaster,
            NotShadowReceiver,
            ChildOf(e),
        ));
        if let Some(skin) = skin {
            twin.insert(SkinnedMesh {
                inverse_bindposes: skin.inverse_bindposes.clone(),
                joints: skin.joints.clone(),
            });
        }
        if let Some(range) = range {
            twin.insert(range.clone());
        }
        if dynamic_bounds {
            twin.insert(DynamicSkinnedMeshBounds);
        }
        if no_culling {
            twin.insert(NoFrustumCulling);
        }
        let twin = twin.id();
        commands.entity(e).insert(Twinned(Some(twin)));
    }
}

/// A figure whose index changed (a vehicle kept on screen while one ahead of it in the
/// world's list left): its meshes' twins carry the old id, so they are dropped and made anew
/// (by [`add_twins`], in the same frame) with the new one.
fn retwin_renumbered(
    mut commands: Commands,
    renumbered: Query<Entity, (Changed<ScenarioFigure>, Without<IdTwin>)>,
    added: Query<(), Added<ScenarioFigure>>,
    children: Query<&Children>,
    twinned: Query<&Twinned>,
) {
    for e in &renumbered {
        if added.contains(e) {
            continue;
        }
        for d in std::iter::once(e).chain(children.iter_descendants(e)) {
            if let Ok(Twinned(twin)) = twinned.get(d) {
                if let Some(t) = twin
                    && let Ok(mut t) = commands.get_entity(*t)
                {
                    t.despawn();
                }
                commands.entity(d).remove::<Twinned>();
            }
        }
    }
}

/// What a twinned mesh draws: its mesh and distance band.
type Original<'a> = (
    Ref<'a, Mesh3d>,
    Option<Ref<'a, VisibilityRange>>,
    &'a Twinned,
);
/// A twinned mesh whose mesh or band changed.
type Redrawn = Or<(Changed<Mesh3d>, Changed<VisibilityRange>)>;
/// What its twin draws.
type TwinDrawn<'a> = (&'a mut Mesh3d, Option<&'a mut VisibilityRange>);

/// Keeps each twin's mesh and distance band those of its original (a level of detail or an
/// edit may swap the mesh; people's levels of detail move their bands with the views' focal
/// length).
fn follow_originals(
    originals: Query<Original, Redrawn>,
    mut twins: Query<TwinDrawn, (With<IdTwin>, Without<Twinned>)>,
) {
    for (mesh, range, twinned) in &originals {
        let Some(Ok((mut m, twin_range))) = twinned.0.map(|t| twins.get_mut(t)) else {
            continue;
        };
        if m.0 != mesh.0 {
            m.0 = mesh.0.clone();
        }
        if let (Some(range), Some(mut r)) = (range, twin_range)
            && *r != *range
        {
            *r = (*range).clone();
        }
    }
}

/// Decodes an id pass read back from the GPU: half-float RGBA rows (padded to 256 bytes) of
/// a `width`×`height` target.
pub fn decode(data: &[u8], width: u32, height: u32) -> anyhow::Result<IdImage> {
    let row = width as usize * 8;
    let h = height as usize;
    let Some(stride) = crate::render::readback::readback_stride(data.len(), row, h) else {
        anyhow::bail!(
            "id pass: read back {} bytes for a {width}x{height} image (expected {} or {})",
            data.len(),
            row * h,
            row.div_ceil(256) * 256 * h
        );
    };
    let n = width as usize * h;
    let mut ids = Vec::with_capacity(n);
    let mut depth = Vec::with_capacity(n);
    let half = |b: &[u8]| half::f16::from_le_bytes([b[0], b[1]]).to_f32();
    for y in 0..h {
        let r = &data[y * stride..y * stride + row];
        for px in r.chunks_exact(8) {
            let (lo, hi) = (half(&px[0..2]), half(&px[2..4]));
            let d = half(&px[4..6]) + half(&px[6..8]);
            ids.push(lo.round().max(0.0) as u32 | ((hi.round().max(0.0) as u32) << 11));
            depth.push(if d > 0.0 { d } else { f32::INFINITY });
        }
    }
    Ok(IdImage {
        width,
        height,
        ids,
        depth,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texel(id: u32, depth: f32) -> [u8; 8] {
        let (lo, hi) = id_halves(id);
        let coarse = half::f16::from_f32(depth);
        let rest = half::f16::from_f32(depth - coarse.to_f32());
        let mut out = [0u8; 8];
        for (i, v) in [
            half::f16::from_f32(lo),
            half::f16::from_f32(hi),
            coarse,
            rest,
        ]
        .into_iter()
        .enumerate()
        {
            out[2 * i..2 * i + 2].copy_from_slice(&v.to_le_bytes());
        }
        out
    }

    #[test]
    fn ids_and_depths_survive_half_floats_and_row_padding() {
        let person = instance_id(FigureKind::Person(1_000_000));
        let vehicle = instance_id(FigureKind::Vehicle(3));
        // 3 px wide: 24 bytes per row, padded to 256; the last pixel is sky.
        let mut data = vec![0u8; 256 * 2];
        data[0..8].copy_from_slice(&texel(person, 123.456));
        data[8..16].copy_from_slice(&texel(vehicle, 0.1234));
        data[256..264].copy_from_slice(&texel(0, 4321.5));
        let img = decode(&data, 3, 2).unwrap();
        assert_eq!(img.ids, vec![person, vehicle, 0, 0, 0, 0]);
        assert!((img.depth[0] - 123.456).abs() < 1e-3, "{}", img.depth[0]);
        assert!((img.depth[1] - 0.1234).abs() < 1e-5, "{}", img.depth[1]);
        assert!((img.depth[3] - 4321.5).abs() < 0.01, "{}", img.depth[3]);
        assert!(img.depth[2].is_infinite() && img.depth[5].is_infinite());
        assert!(decode(&data[..100], 3, 2).is_err());
    }
}
