//! Executing a prepared frame: render targets, passes per tile, and readback.

use super::GpuState;
use super::device::GpuDevice;
use super::images::GpuImage;
use super::pipelines::{Globals, PipelineSet, Pipelines, image_bind_group, texture_desc};
use super::readback;
use crate::prepare::{Binding, Blend, Draw, GpuFrame, Op, RAMP_WIDTH};
use crate::{Error, Result};
use image::RgbaImage;
use std::collections::HashMap;

/// One render target: the canvas (index 0) or a layer above it, multisampled or not.
struct Surface {
    msaa: Option<wgpu::TextureView>,
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    /// Samples this target (for the composite into the one below).
    bind: wgpu::BindGroup,
}

/// The textures one tile renders into, reused while the tile size stays the same: the
/// canvas, as many layer targets as the deepest frame so far nested, and the backdrop copy
/// blend layers mix with.
pub(crate) struct Targets {
    size: (u32, u32),
    surfaces: Vec<Surface>,
    backdrop: Option<(wgpu::Texture, wgpu::BindGroup)>,
    readback: wgpu::Buffer,
}

impl Targets {
    fn new(gpu: &GpuDevice, (w, h): (u32, u32)) -> Targets {
        Targets {
            size: (w, h),
            surfaces: Vec::new(),
            backdrop: None,
            readback: readback::buffer(&gpu.device, w, h),
        }
    }

    /// Makes sure targets `0..=deepest` exist, and the backdrop copy when `backdrop`.
    fn reserve(&mut self, gpu: &GpuDevice, p: &PipelineSet, deepest: u32, backdrop: bool) {
        let device = &gpu.device;
        let (w, h) = self.size;
        while self.surfaces.len() <= deepest as usize {
            let msaa = (p.sample_count > 1).then(|| {
                device
                    .create_texture(&texture_desc(
                        w,
                        h,
                        1,
                        p.sample_count,
                        wgpu::TextureUsages::RENDER_ATTACHMENT,
                    ))
                    .create_view(&Default::default())
            });
            let texture = device.create_texture(&texture_desc(
                w,
                h,
                1,
                1,
                wgpu::TextureUsages::RENDER_ATTACHMENT
                    | wgpu::TextureUsages::TEXTURE_BINDING
                    | wgpu::TextureUsages::COPY_SRC,
            ));
            let view = texture.create_view(&Default::default());
            let bind = image_bind_group(device, &p.image_layout, &view, &p.image_sampler);
            self.surfaces.push(Surface {
                msaa,
                texture,
                view,
                bind,
            });
        }
        if backdrop && self.backdrop.is_none() {
            let texture = device.create_texture(&texture_desc(
                w,
                h,
                1,
                1,
                wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            ));
            let bind = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("backdrop"),
                layout: &p.backdrop_layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(
                        &texture.create_view(&Default::default()),
                    ),
                }],
            });
            self.backdrop = Some((texture, bind));
        }
    }
}

/// Returns a buffer holding `bytes`, reusing the cached one when it is large enough.
fn fill_buffer(
    gpu: &GpuDevice,
    slot: &mut Option<wgpu::Buffer>,
    bytes: &[u8],
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    let needed = (bytes.len() as u64).max(256).next_multiple_of(4);
    let buffer = match slot {
        Some(b) if b.size() >= needed => b.clone(),
        _ => {
            // Grow geometrically, so a growing workload reallocates rarely.
            let b = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("geometry"),
                size: needed.next_power_of_two(),
                usage: usage | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            *slot = Some(b.clone());
            b
        }
    };
    if !bytes.is_empty() {
        gpu.queue.write_buffer(&buffer, 0, bytes);
    }
    buffer
}

/// Consecutive draws into one target.
struct Pass<'a> {
    /// The target: 0 is the canvas.
    surface: u32,
    /// Starts from transparent (a layer) instead of what the target holds.
    clear: bool,
    /// Copies the target to the backdrop texture first (a blend layer's composite).
    backdrop: bool,
    draws: Vec<&'a Draw>,
}

/// Groups a frame's ops into passes once; every tile replays them.
fn passes(frame: &GpuFrame) -> Vec<Pass<'_>> {
    fn draw_into<'a>(passes: &mut Vec<Pass<'a>>, surface: u32, d: &'a Draw) {
        match passes.last_mut() {
            Some(p) if p.surface == surface => p.draws.push(d),
            _ => passes.push(Pass {
                surface,
                clear: false,
                backdrop: false,
                draws: vec![d],
            }),
        }
    }
    fn walk<'a>(passes: &mut Vec<Pass<'a>>, ops: &'a [Op], surface: u32) {
        for op in ops {
            match op {
                Op::Draw(d) => draw_into(passes, surface, d),
                Op::Layer { content, composite } => {
                    passes.push(Pass {
                        surface: surface + 1,
                        clear: true,
                        backdrop: false,
                        draws: content.iter().collect(),
                    });
                    draw_into(passes, surface, composite);
                }
                Op::Group { ops, composite } => {
                    passes.push(Pass {
                        surface: surface + 1,
                        clear: true,
                        backdrop: false,
                        draws: Vec::new(),
                    });
                    walk(passes, ops, surface + 1);
                    let mix = composite.blend == Blend::Mix;
                    if mix {
                        passes.push(Pass {
                            surface,
                            clear: false,
                            backdrop: true,
                            draws: vec![composite],
                        });
                    } else {
                        draw_into(passes, surface, composite);
                    }
                }
            }
        }
    }
    // The first pass clears the canvas to the background.
    let mut passes = vec![Pass {
        surface: 0,
        clear: true,
        backdrop: false,
        draws: Vec::new(),
    }];
    walk(&mut passes, &frame.ops, 0);
    passes
}

fn missing(what: &str) -> Error {
    Error::Gpu {
        context: "rendering".into(),
        message: format!("{what} missing"),
    }
}

/// Records draws into a render pass, switching pipelines and image bindings as needed.
struct DrawRecorder<'a> {
    pipelines: &'a Pipelines,
    dummy_image: &'a wgpu::BindGroup,
    images: &'a HashMap<u64, GpuImage>,
    targets: &'a Targets,
}

impl DrawRecorder<'_> {
    fn record(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        globals: &wgpu::BindGroup,
        vb: &wgpu::Buffer,
        ib: &wgpu::Buffer,
        draws: &[&Draw],
    ) -> Result<()> {
        pass.set_bind_group(0, globals, &[]);
        pass.set_vertex_buffer(0, vb.slice(..));
        pass.set_index_buffer(ib.slice(..), wgpu::IndexFormat::Uint32);
        let mut current: Option<(Blend, Binding)> = None;
        for d in draws {
            if d.indices.is_empty() {
                continue;
            }
            let solid = d.binding == Binding::Solid;
            if current.map(|c| (c.0, c.1 == Binding::Solid)) != Some((d.blend, solid)) {
                let p = self.pipelines;
                pass.set_pipeline(match (d.blend, solid) {
                    (Blend::Over, false) => &p.over,
                    (Blend::Replace, false) => &p.replace,
                    (Blend::Over, true) => &p.over_solid,
                    (Blend::Replace, true) => &p.replace_solid,
                    (Blend::Mix, _) => &p.mix,
                });
                if d.blend == Blend::Mix
                    && let Some((_, backdrop)) = &self.targets.backdrop
                {
                    pass.set_bind_group(2, backdrop, &[]);
                }
            }
            if current.map(|c| c.1) != Some(d.binding) {
                let group = match d.binding {
                    Binding::Solid | Binding::Gradient => self.dummy_image,
                    Binding::Layer(i) => {
                        &self
                            .targets
                            .surfaces
                            .get(i as usize)
                            .ok_or_else(|| missing("layer target"))?
                            .bind
                    }
                    Binding::Image(id) => {
                        &self
                            .images
                            .get(&id)
                            .ok_or(Error::UnknownImage(id))?
                            .bind_group
                    }
                };
                pass.set_bind_group(1, group, &[]);
            }
            current = Some((d.blend, d.binding));
            pass.draw_indexed(d.indices.clone(), 0, 0..1);
        }
        Ok(())
    }
}

/// Renders `frame` tile by tile (`tile` canvas pixels a side) and reads it back.
pub(crate) fn execute(
    gpu: &GpuDevice,
    p: &PipelineSet,
    state: &mut GpuState,
    frame: &GpuFrame,
    tile: u32,
) -> Result<RgbaImage> {
    let k = frame.supersample;
    let target = (frame.width.min(tile) * k, frame.height.min(tile) * k);
    if state.targets.as_ref().is_none_or(|t| t.size != target) {
        state.targets = None;
        state.targets = Some(Targets::new(gpu, target));
    }
    let passes = passes(frame);
    let deepest = passes.iter().map(|p| p.surface).max().unwrap_or(0);
    if let Some(t) = state.targets.as_mut() {
        t.reserve(gpu, p, deepest, passes.iter().any(|p| p.backdrop));
    }
    let vb = fill_buffer(
        gpu,
        &mut state.vertex_buffer,
        bytemuck::cast_slice(&frame.vertices),
        wgpu::BufferUsages::VERTEX,
    );
    let ib = fill_buffer(
        gpu,
        &mut state.index_buffer,
        bytemuck::cast_slice(&frame.indices),
        wgpu::BufferUsages::INDEX,
    );
    let ramp = gpu.device.create_texture(&texture_desc(
        RAMP_WIDTH,
        frame.ramp_rows,
        1,
        1,
        wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
    ));
    gpu.queue.write_texture(
        ramp.as_image_copy(),
        &frame.ramp,
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(RAMP_WIDTH * 4),
            rows_per_image: None,
        },
        wgpu::Extent3d {
            width: RAMP_WIDTH,
            height: frame.ramp_rows,
            depth_or_array_layers: 1,
        },
    );
    let globals_bind = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("globals"),
        layout: &p.globals_layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: p.globals.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::TextureView(
                    &ramp.create_view(&Default::default()),
                ),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: wgpu::BindingResource::Sampler(&p.ramp_sampler),
            },
        ],
    });
    let targets = state
        .targets
        .as_ref()
        .ok_or_else(|| missing("render targets"))?;
    let mut out = RgbaImage::new(frame.width, frame.height);
    let bg = frame.background;
    let clear = wgpu::Color {
        r: (bg.r * bg.a) as f64,
        g: (bg.g * bg.a) as f64,
        b: (bg.b * bg.a) as f64,
        a: bg.a as f64,
    };
    // Frames of pixel-aligned rectangles only (a page with a photo filling it) have no
    // edge to smooth: they skip MSAA, which saves clearing and resolving 4× the pixels.
    let multisample = frame.antialias && p.sample_count > 1;
    let recorder = DrawRecorder {
        pipelines: if multisample { &p.msaa } else { &p.single },
        dummy_image: &p.dummy_image,
        images: &state.images,
        targets,
    };
    for ty in (0..frame.height).step_by(tile as usize) {
        for tx in (0..frame.width).step_by(tile as usize) {
            let (tw, th) = ((frame.width - tx).min(tile), (frame.height - ty).min(tile));
            // Vertices are in canvas pixels; the target covers `target / k` of them.
            let globals = Globals {
                origin: [tx as f32, ty as f32],
                size: [(target.0 / k) as f32, (target.1 / k) as f32],
                target_size: [target.0 as f32, target.1 as f32],
                _pad: [0.0; 2],
            };
            gpu.queue
                .write_buffer(&p.globals, 0, bytemuck::bytes_of(&globals));
            let mut encoder = gpu.device.create_command_encoder(&Default::default());
            for pass in &passes {
                let surface = targets
                    .surfaces
                    .get(pass.surface as usize)
                    .ok_or_else(|| missing("layer target"))?;
                if pass.backdrop
                    && let Some((backdrop, _)) = &targets.backdrop
                {
                    encoder.copy_texture_to_texture(
                        surface.texture.as_image_copy(),
                        backdrop.as_image_copy(),
                        surface.texture.size(),
                    );
                }
                let load = match (pass.clear, pass.surface) {
                    (false, _) => wgpu::LoadOp::Load,
                    (true, 0) => wgpu::LoadOp::Clear(clear),
                    (true, _) => wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                };
                let (view, resolve_target) = match &surface.msaa {
                    Some(m) if multisample => (m, Some(&surface.view)),
                    _ => (&surface.view, None),
                };
                let mut rpass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("easel pass"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view,
                        depth_slice: None,
                        resolve_target,
                        ops: wgpu::Operations {
                            load,
                            store: wgpu::StoreOp::Store,
                        },
                    })],
                    ..Default::default()
                });
                recorder.record(&mut rpass, &globals_bind, &vb, &ib, &pass.draws)?;
            }
            let canvas = targets
                .surfaces
                .first()
                .ok_or_else(|| missing("canvas target"))?;
            readback::copy_region(
                &mut encoder,
                &canvas.texture,
                &targets.readback,
                tw * k,
                th * k,
            );
            gpu.queue.submit([encoder.finish()]);
            readback::read_into(
                &gpu.device,
                &targets.readback,
                (tw * k, th * k),
                k,
                &mut out,
                (tx, ty),
            )?;
        }
    }
    Ok(out)
}
