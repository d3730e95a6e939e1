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

/// The textures one tile renders into, reused while the tile size stays the same.
pub(crate) struct Targets {
    size: (u32, u32),
    msaa: Option<wgpu::TextureView>,
    resolve: wgpu::Texture,
    resolve_view: wgpu::TextureView,
    layer_msaa: Option<wgpu::TextureView>,
    layer_view: wgpu::TextureView,
    layer_bind: wgpu::BindGroup,
    readback: wgpu::Buffer,
}

fn create_targets(gpu: &GpuDevice, p: &PipelineSet, (w, h): (u32, u32)) -> Targets {
    let device = &gpu.device;
    let multisampled = |label: &str| {
        (p.sample_count > 1).then(|| {
            let mut desc = texture_desc(
                w,
                h,
                1,
                p.sample_count,
                wgpu::TextureUsages::RENDER_ATTACHMENT,
            );
            desc.label = Some(label);
            device
                .create_texture(&desc)
                .create_view(&Default::default())
        })
    };
    let resolve = device.create_texture(&texture_desc(
        w,
        h,
        1,
        1,
        wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
    ));
    let layer = device.create_texture(&texture_desc(
        w,
        h,
        1,
        1,
        wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
    ));
    let layer_view = layer.create_view(&Default::default());
    let layer_bind = image_bind_group(device, &p.image_layout, &layer_view, &p.image_sampler);
    Targets {
        size: (w, h),
        msaa: multisampled("canvas msaa"),
        resolve_view: resolve.create_view(&Default::default()),
        resolve,
        layer_msaa: multisampled("layer msaa"),
        layer_view,
        layer_bind,
        readback: readback::buffer(device, w, h),
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
enum Pass<'a> {
    Canvas(Vec<&'a Draw>),
    Layer(&'a [Draw]),
}

/// Groups a frame's ops into passes once; every tile replays them.
fn passes(frame: &GpuFrame) -> Vec<Pass<'_>> {
    let mut passes: Vec<Pass<'_>> = Vec::new();
    for op in &frame.ops {
        match op {
            Op::Draw(d) => match passes.last_mut() {
                Some(Pass::Canvas(draws)) => draws.push(d),
                _ => passes.push(Pass::Canvas(vec![d])),
            },
            Op::Layer { content, composite } => {
                passes.push(Pass::Layer(content));
                passes.push(Pass::Canvas(vec![composite]));
            }
        }
    }
    if !matches!(passes.first(), Some(Pass::Canvas(_))) {
        passes.insert(0, Pass::Canvas(Vec::new()));
    }
    passes
}

/// Records draws into a render pass, switching pipelines and image bindings as needed.
struct DrawRecorder<'a> {
    pipelines: &'a Pipelines,
    dummy_image: &'a wgpu::BindGroup,
    images: &'a HashMap<u64, GpuImage>,
    layer: &'a wgpu::BindGroup,
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
                });
            }
            if current.map(|c| c.1) != Some(d.binding) {
                let group = match d.binding {
                    Binding::Solid | Binding::Gradient => self.dummy_image,
                    Binding::Layer => self.layer,
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
        state.targets = Some(create_targets(gpu, p, target));
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
    let targets = state.targets.as_ref().ok_or_else(|| Error::Gpu {
        context: "rendering".into(),
        message: "render targets missing".into(),
    })?;
    let mut out = RgbaImage::new(frame.width, frame.height);
    let bg = frame.background;
    let clear = wgpu::Color {
        r: (bg.r * bg.a) as f64,
        g: (bg.g * bg.a) as f64,
        b: (bg.b * bg.a) as f64,
        a: bg.a as f64,
    };
    let passes = passes(frame);
    // Frames of pixel-aligned rectangles only (a page with a photo filling it) have no
    // edge to smooth: they skip MSAA, which saves clearing and resolving 4× the pixels.
    let multisample = frame.antialias && p.sample_count > 1;
    let recorder = DrawRecorder {
        pipelines: if multisample { &p.msaa } else { &p.single },
        dummy_image: &p.dummy_image,
        images: &state.images,
        layer: &targets.layer_bind,
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
            let mut first_canvas = true;
            for pass in &passes {
                let (load, msaa, resolve_view, draws): (_, _, _, Vec<&Draw>) = match pass {
                    Pass::Canvas(draws) => {
                        let load = if first_canvas {
                            wgpu::LoadOp::Clear(clear)
                        } else {
                            wgpu::LoadOp::Load
                        };
                        first_canvas = false;
                        (load, &targets.msaa, &targets.resolve_view, draws.clone())
                    }
                    Pass::Layer(content) => (
                        wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                        &targets.layer_msaa,
                        &targets.layer_view,
                        content.iter().collect(),
                    ),
                };
                let (view, resolve_target) = match msaa {
                    Some(m) if multisample => (m, Some(resolve_view)),
                    _ => (resolve_view, None),
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
                recorder.record(&mut rpass, &globals_bind, &vb, &ib, &draws)?;
            }
            readback::copy_region(
                &mut encoder,
                &targets.resolve,
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
