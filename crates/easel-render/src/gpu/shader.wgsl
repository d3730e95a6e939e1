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

// Blend layers: the layer (group 1) mixed with a copy of what lies under it (group 2) by
// the mode in `info >> 8` (`BlendMode`'s order), at the opacity in the vertex alpha, and
// written over the target (the pipeline does not blend). Formulas as `blend.rs`.
@group(2) @binding(0) var backdrop_tex: texture_2d<f32>;

fn lum(c: vec3<f32>) -> f32 {
    return dot(c, vec3<f32>(0.3, 0.59, 0.11));
}

fn clip_color(c: vec3<f32>) -> vec3<f32> {
    let l = lum(c);
    let n = min(min(c.r, c.g), c.b);
    let x = max(max(c.r, c.g), c.b);
    var o = c;
    if n < 0.0 {
        o = l + (o - l) * l / (l - n);
    }
    if x > 1.0 {
        o = l + (o - l) * (1.0 - l) / (x - l);
    }
    return o;
}

fn set_lum(c: vec3<f32>, l: f32) -> vec3<f32> {
    return clip_color(c + (l - lum(c)));
}

fn sat(c: vec3<f32>) -> f32 {
    return max(max(c.r, c.g), c.b) - min(min(c.r, c.g), c.b);
}

fn set_sat(c: vec3<f32>, s: f32) -> vec3<f32> {
    let hi = max(max(c.r, c.g), c.b);
    let lo = min(min(c.r, c.g), c.b);
    if hi <= lo {
        return vec3<f32>(0.0);
    }
    // The middle channel scales; the largest becomes `s`, the smallest 0.
    return (c - lo) * s / (hi - lo);
}

fn burn(b: f32, s: f32) -> f32 {
    if b >= 1.0 {
        return 1.0;
    }
    if s <= 0.0 {
        return 0.0;
    }
    return 1.0 - min((1.0 - b) / s, 1.0);
}

fn dodge(b: f32, s: f32) -> f32 {
    if b <= 0.0 {
        return 0.0;
    }
    if s >= 1.0 {
        return 1.0;
    }
    return min(b / (1.0 - s), 1.0);
}

fn hard_light(b: f32, s: f32) -> f32 {
    if s <= 0.5 {
        return b * 2.0 * s;
    }
    let t = 2.0 * s - 1.0;
    return b + t - b * t;
}

fn soft_light(b: f32, s: f32) -> f32 {
    if s <= 0.5 {
        return b - (1.0 - 2.0 * s) * b * (1.0 - b);
    }
    var d = sqrt(b);
    if b <= 0.25 {
        d = ((16.0 * b - 12.0) * b + 4.0) * b;
    }
    return b + (2.0 * s - 1.0) * (d - b);
}

fn vivid_light(b: f32, s: f32) -> f32 {
    if s <= 0.5 {
        return burn(b, 2.0 * s);
    }
    return dodge(b, 2.0 * (s - 0.5));
}

fn separable(mode: u32, b: f32, s: f32) -> f32 {
    switch mode {
        case 2u: { return min(b, s); }                          // Darken
        case 3u: { return b * s; }                              // Multiply
        case 4u: { return burn(b, s); }                         // ColorBurn
        case 5u: { return max(b + s - 1.0, 0.0); }              // LinearBurn
        case 7u: { return max(b, s); }                          // Lighten
        case 8u: { return b + s - b * s; }                      // Screen
        case 9u: { return dodge(b, s); }                        // ColorDodge
        case 10u: { return min(b + s, 1.0); }                   // LinearDodge
        case 12u: { return hard_light(s, b); }                  // Overlay
        case 13u: { return soft_light(b, s); }                  // SoftLight
        case 14u: { return hard_light(b, s); }                  // HardLight
        case 15u: { return vivid_light(b, s); }                 // VividLight
        case 16u: { return clamp(b + 2.0 * s - 1.0, 0.0, 1.0); } // LinearLight
        case 17u: {                                             // PinLight
            if s <= 0.5 {
                return min(b, 2.0 * s);
            }
            return max(b, 2.0 * s - 1.0);
        }
        case 18u: { return select(0.0, 1.0, vivid_light(b, s) >= 0.5); } // HardMix
        case 19u: { return abs(b - s); }                        // Difference
        case 20u: { return b + s - 2.0 * b * s; }               // Exclusion
        case 21u: { return max(b - s, 0.0); }                   // Subtract
        case 22u: {                                             // Divide
            if s <= 0.0 {
                return 1.0;
            }
            return min(b / s, 1.0);
        }
        default: { return s; }
    }
}

fn mix_colors(mode: u32, b: vec3<f32>, s: vec3<f32>) -> vec3<f32> {
    switch mode {
        case 6u: { return select(b, s, lum(s) < lum(b)); }     // DarkenColor
        case 11u: { return select(b, s, lum(s) > lum(b)); }    // LightenColor
        case 23u: { return set_lum(set_sat(s, sat(b)), lum(b)); } // Hue
        case 24u: { return set_lum(set_sat(b, sat(s)), lum(b)); } // Saturation
        case 25u: { return set_lum(s, lum(b)); }               // Color
        case 26u: { return set_lum(b, lum(s)); }               // Luminosity
        default: {
            return vec3<f32>(separable(mode, b.r, s.r), separable(mode, b.g, s.g), separable(mode, b.b, s.b));
        }
    }
}

@fragment
fn fs_mix(in: VertexOut) -> @location(0) vec4<f32> {
    let at = vec2<i32>(in.pos.xy);
    let src = textureLoad(image_tex, at, 0) * in.color.a;
    let dst = textureLoad(backdrop_tex, at, 0);
    if src.a <= 0.0 {
        return dst;
    }
    var color = src.rgb;
    if dst.a > 0.0 {
        let sc = src.rgb / src.a;
        let bc = dst.rgb / dst.a;
        let m = clamp(mix_colors(in.info >> 8u, bc, sc), vec3<f32>(0.0), vec3<f32>(1.0));
        color = src.a * ((1.0 - dst.a) * sc + dst.a * m);
    }
    return vec4<f32>(color + (1.0 - src.a) * dst.rgb, src.a + (1.0 - src.a) * dst.a);
}
