// TwinCity's id pass: every surface writes its instance id and its depth instead of a colour,
// into a half-float target (see `src/render/id_pass.rs`):
//   r, g: the id's low and high 11 bits (integers up to 2047 are exact in half floats);
//   b, a: the depth along the optical axis, metres, as a half float and the remainder.
// Alpha-masked surfaces (hair cards, leaves) are cut where their texture is, as the colour
// pass cuts them.

#import bevy_pbr::{forward_io::VertexOutput, mesh_view_bindings::view}

// x, y: id halves; z: alpha cutoff (0: opaque); w: the base colour's alpha.
@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> id: vec4<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var mask_texture: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(2) var mask_sampler: sampler;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
#ifdef VERTEX_UVS_A
    let alpha = textureSample(mask_texture, mask_sampler, in.uv).a * id.w;
    if id.z > 0.0 && alpha < id.z {
        discard;
    }
#endif
    let depth = -(view.view_from_world * vec4(in.world_position.xyz, 1.0)).z;
    let coarse = quantizeToF16(depth);
    return vec4(id.x, id.y, coarse, depth - coarse);
}
