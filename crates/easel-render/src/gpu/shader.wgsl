// Easel's one shader: solid colours, gradients (via a ramp texture), images and layers.
// Colours are premultiplied sRGB; blending happens in sRGB space like browsers do.

struct Globals {
    // Tile origin and size in canvas pixels, and the render target's size in its own
    // pixels (larger by the supersampling factor).
    origin: vec2<f32>,
    size: vec2<f32>,
    target_size: vec2<f32>,
    pad: vec2<f32>,
};

@group(0) @binding(0) var<uniform> globals: Globals;
@group(0) @binding(1) var ramp_tex: texture_2d<f32>;
@group(0) @binding(2) var ramp_sampler: sampler;
@group(1) @binding(0) var image_tex: texture_2d<f32>;
@group(1) @binding(1) var image_sampler: sampler;

struct VertexIn {
    @location(0) pos: vec2<f32>,
    @location(1) uv: vec2<f32>,
    @location(2) color: vec4<f32>,
    @location(3) info: u32,
};

struct VertexOut {
    @builtin(position) pos: vec4<f32>,
    @location(0) uv: vec2<f32>,
    @location(1) color: vec4<f32>,
    @location(2) @interpolate(flat) info: u32,
};

@vertex
fn vs_main(v: VertexIn) -> VertexOut {
    var out: VertexOut;
    let p = (v.pos - globals.origin) / globals.size;
    out.pos = vec4<f32>(p.x * 2.0 - 1.0, 1.0 - p.y * 2.0, 0.0, 1.0);
    out.uv = v.uv;
    out.color = v.color;
    out.info = v.info;
    return out;
}

const KIND_SOLID: u32 = 0u;
const KIND_LINEAR: u32 = 1u;
const KIND_RADIAL: u32 = 2u;
const KIND_CONICAL: u32 = 3u;
const KIND_IMAGE: u32 = 4u;
const KIND_LAYER: u32 = 5u;
const TAU: f32 = 6.283185307179586;

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let kind = in.info & 0xffu;
    let row = f32(in.info >> 8u);
    // Layers are sampled at the fragment's own position in the tile.
    let image_uv = select(in.uv, in.pos.xy / globals.target_size, kind == KIND_LAYER);
    // Sampled before any branch: implicit-derivative sampling needs uniform control flow.
    let image = textureSampleBias(image_tex, image_sampler, image_uv, -0.5);
    // An image is transparent outside its rectangle, with an anti-aliased edge: the
    // distance to the edge in pixels gives the coverage.
    let uv_per_pixel = max(fwidth(in.uv), vec2<f32>(1e-6));
    let edge = clamp(min(in.uv, vec2<f32>(1.0) - in.uv) / uv_per_pixel + 0.5, vec2<f32>(0.0), vec2<f32>(1.0));

    var t = 0.0;
    if kind == KIND_LINEAR {
        t = in.uv.x;
    } else if kind == KIND_RADIAL {
        t = length(in.uv);
    } else if kind == KIND_CONICAL {
        // Clockwise on screen (y down) from +x.
        t = fract(atan2(in.uv.y, in.uv.x) / TAU + 1.0);
    }
    let ramp_size = vec2<f32>(textureDimensions(ramp_tex));
    let ramp_uv = vec2<f32>((clamp(t, 0.0, 1.0) * (ramp_size.x - 1.0) + 0.5) / ramp_size.x, (row + 0.5) / ramp_size.y);
    let ramp = textureSampleLevel(ramp_tex, ramp_sampler, ramp_uv, 0.0);

    if kind == KIND_SOLID {
        return in.color;
    }
    if kind == KIND_IMAGE {
        return image * in.color.a * edge.x * edge.y;
    }
    if kind == KIND_LAYER {
        return image * in.color.a;
    }
    return ramp * in.color.a;
}

// Flat colours: no texture reads, the common case for shapes and strokes.
@fragment
fn fs_solid(in: VertexOut) -> @location(0) vec4<f32> {
    return in.color;
}
