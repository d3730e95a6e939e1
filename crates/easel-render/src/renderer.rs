//! The wgpu side: device, pipelines, images, frame targets, passes and readback.

use crate::adapter::{self, AdapterSummary, Backend};
use crate::display_list::{DisplayList, ImageHandle};
use crate::prepare::{
    self, Binding, Blend, Draw, ImageSizes, Op, PreparedFrame, RAMP_WIDTH, Vertex,
};
use crate::readback;
use crate::tessellate::TessellationCache;
use crate::{Error, Result};
use image::RgbaImage;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

const FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// How to build a [`Renderer`].
#[derive(Clone, Debug, PartialEq)]
pub struct RendererOptions {
    /// Force a backend; `None` tries all, or the one named by `EASEL_BACKEND`.
    pub backend: Option<Backend>,
    /// Use 4× MSAA when the adapter supports it (default true).
    pub msaa: bool,
    /// Curve flattening tolerance in output pixels (default 0.25, as coarse as the reference
    /// engine: finer costs triangles without a visible difference under anti-aliasing).
    pub tolerance: f32,
    /// Largest tile side in rendered pixels; canvases beyond it render in tiles (default 4096).
    pub max_tile_size: u32,
    /// Supersampling factor 1–4 on top of MSAA: the frame renders at this multiple of its
    /// size and is box-filtered down, giving 4·k² coverage samples per pixel. 0 (the
    /// default) chooses per frame: 2 for canvases up to 512 × 512 pixels, where each pixel
    /// is a large share of the picture and the cost is small, 1 above.
    pub supersample: u32,
}

impl Default for RendererOptions {
    fn default() -> Self {
        RendererOptions {
            backend: None,
            msaa: true,
            tolerance: 0.25,
            max_tile_size: 4096,
            supersample: 0,
        }
    }
}

/// The largest canvas side [`Renderer::render`] accepts (it tiles beyond the adapter limit).
pub const MAX_CANVAS_SIZE: u32 = 16384;

struct GpuImage {
    _texture: wgpu::Texture,
    bind_group: wgpu::BindGroup,
    size: (u32, u32),
    bytes: u64,
}

struct Targets {
    size: (u32, u32),
    msaa: Option<wgpu::TextureView>,
    resolve: wgpu::Texture,
    resolve_view: wgpu::TextureView,
    layer_msaa: Option<wgpu::TextureView>,
    layer_view: wgpu::TextureView,
    layer_bind: wgpu::BindGroup,
    readback: wgpu::Buffer,
}

#[derive(Default)]
struct State {
    tess: TessellationCache,
    images: HashMap<u64, GpuImage>,
    targets: Option<Targets>,
    vertex_buffer: Option<wgpu::Buffer>,
    index_buffer: Option<wgpu::Buffer>,
}

/// Counters for tests and monitoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RendererStats {
    /// Meshes served from the tessellation cache.
    pub tessellation_hits: u64,
    /// Meshes tessellated.
    pub tessellation_misses: u64,
    /// Images held on the GPU.
    pub images: usize,
    /// Bytes of image texels held on the GPU (with mipmaps).
    pub image_bytes: u64,
}

/// An offscreen renderer on one adapter. `Send + Sync`: share it behind an `Arc`. Frames
/// from several threads are accepted; they are prepared and submitted one at a time.
pub struct Renderer {
    device: wgpu::Device,
    queue: wgpu::Queue,
    adapter: AdapterSummary,
    limits: wgpu::Limits,
    sample_count: u32,
    options: RendererOptions,
    /// Pipelines for multisampled frames, and for frames that need no anti-aliasing.
    msaa_pipelines: Pipelines,
    single_pipelines: Pipelines,
    globals_layout: wgpu::BindGroupLayout,
    image_layout: wgpu::BindGroupLayout,
    ramp_sampler: wgpu::Sampler,
    image_sampler: wgpu::Sampler,
    dummy_image: wgpu::BindGroup,
    globals: wgpu::Buffer,
    state: Mutex<State>,
    lost: Arc<Mutex<Option<String>>>,
    uncaptured: Arc<Mutex<Option<String>>>,
    next_image: AtomicU64,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("adapter", &self.adapter)
            .field("sample_count", &self.sample_count)
            .finish()
    }
}

/// A wgpu error's full description: its `Display` is often just "Validation Error".
fn describe(e: &wgpu::Error) -> String {
    let mut text = match e {
        wgpu::Error::Validation { description, .. } | wgpu::Error::Internal { description, .. } => {
            description.clone()
        }
        other => other.to_string(),
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Renderer {
    /// Picks the best adapter (discrete GPU, then integrated, then software) on the allowed
    /// backends and opens a device with the adapter's full limits.
    ///
    /// ```no_run
    /// let renderer = easel_render::Renderer::new(Default::default())?;
    /// println!("rendering on {:?}", renderer.adapter());
    /// # Ok::<(), easel_render::Error>(())
    /// ```
    pub fn new(options: RendererOptions) -> Result<Renderer> {
        let forced = match options.backend {
            Some(b) => Some(b),
            None => Backend::from_env()?,
        };
        let backends = forced.map_or(
            wgpu::Backends::VULKAN
                | wgpu::Backends::GL
                | wgpu::Backends::METAL
                | wgpu::Backends::DX12,
            Backend::to_wgpu,
        );
        let (_instance, adapters) = adapter::candidates(backends);
        let mut last_error = None;
        for adapter in adapters {
            match Self::open(adapter, options.clone()) {
                Ok(r) => return Ok(r),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or(Error::NoAdapter {
            backends: adapter::describe(backends),
        }))
    }

    fn open(adapter: wgpu::Adapter, options: RendererOptions) -> Result<Renderer> {
        let info = adapter.get_info();
        let summary = AdapterSummary::of(&info);
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("easel"),
            required_features: wgpu::Features::empty(),
            required_limits: limits.clone(),
            memory_hints: wgpu::MemoryHints::MemoryUsage,
            ..Default::default()
        }))
        .map_err(|e| Error::DeviceCreation {
            adapter: summary.name.clone(),
            message: e.to_string(),
        })?;
        let lost = Arc::new(Mutex::new(None));
        let lost_flag = lost.clone();
        device.set_device_lost_callback(move |reason, message| {
            *locked(&lost_flag) = Some(format!("{reason:?}: {message}"));
        });
        // The default handler panics; record the error and report it from the next call.
        let uncaptured = Arc::new(Mutex::new(None));
        let uncaptured_slot = uncaptured.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            locked(&uncaptured_slot).get_or_insert(describe(&e));
        }));
        let sample_count = if options.msaa
            && adapter
                .get_texture_format_features(FORMAT)
                .flags
                .sample_count_supported(4)
        {
            4
        } else {
            1
        };
        // Catch shader and pipeline errors here, so a bad driver fails `new`, not a render.
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("easel shader"),
            source: wgpu::ShaderSource::Wgsl(include_str!("shader.wgsl").into()),
        });
        let globals_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("globals"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
                texture_entry(1),
                sampler_entry(2),
            ],
        });
        let image_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("image"),
            entries: &[texture_entry(0), sampler_entry(1)],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("easel"),
            bind_group_layouts: &[Some(&globals_layout), Some(&image_layout)],
            immediate_size: 0,
        });
        let pipeline = |blend: Option<wgpu::BlendState>, fragment: &str, sample_count: u32| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(fragment),
                layout: Some(&layout),
                vertex: wgpu::VertexState {
                    module: &shader,
                    entry_point: Some("vs_main"),
                    compilation_options: Default::default(),
                    buffers: &[Some(wgpu::VertexBufferLayout {
                        array_stride: std::mem::size_of::<Vertex>() as u64,
                        step_mode: wgpu::VertexStepMode::Vertex,
                        attributes: &wgpu::vertex_attr_array![
                            0 => Float32x2, 1 => Float32x2, 2 => Unorm8x4, 3 => Uint32
                        ],
                    })],
                },
                primitive: wgpu::PrimitiveState::default(),
                depth_stencil: None,
                multisample: wgpu::MultisampleState {
                    count: sample_count,
                    mask: !0,
                    alpha_to_coverage_enabled: false,
                },
                fragment: Some(wgpu::FragmentState {
                    module: &shader,
                    entry_point: Some(fragment),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format: FORMAT,
                        blend,
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let over_blend = Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING);
        let pipelines = |count: u32| Pipelines {
            over: pipeline(over_blend, "fs_main", count),
            replace: pipeline(None, "fs_main", count),
            over_solid: pipeline(over_blend, "fs_solid", count),
            replace_solid: pipeline(None, "fs_solid", count),
        };
        let msaa_pipelines = pipelines(sample_count);
        let single_pipelines = pipelines(1);
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(Error::DeviceCreation {
                adapter: summary.name.clone(),
                message: describe(&e),
            });
        }
        let ramp_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("ramp"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        let image_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("image"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            mipmap_filter: wgpu::MipmapFilterMode::Linear,
            ..Default::default()
        });
        let globals = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("globals"),
            size: 32,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let dummy = device.create_texture(&texture_desc(
            1,
            1,
            1,
            1,
            wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        ));
        queue.write_texture(
            dummy.as_image_copy(),
            &[0, 0, 0, 0],
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(4),
                rows_per_image: None,
            },
            wgpu::Extent3d {
                width: 1,
                height: 1,
                depth_or_array_layers: 1,
            },
        );
        let dummy_image = image_bind_group(
            &device,
            &image_layout,
            &dummy.create_view(&Default::default()),
            &image_sampler,
        );
        Ok(Renderer {
            device,
            queue,
            adapter: summary,
            limits,
            sample_count,
            options,
            msaa_pipelines,
            single_pipelines,
            globals_layout,
            image_layout,
            ramp_sampler,
            image_sampler,
            dummy_image,
            globals,
            state: Mutex::new(State::default()),
            lost,
            uncaptured,
            next_image: AtomicU64::new(1),
        })
    }

    /// The adapter this renderer runs on.
    pub fn adapter(&self) -> &AdapterSummary {
        &self.adapter
    }

    /// 4 with MSAA, 1 without.
    pub fn sample_count(&self) -> u32 {
        self.sample_count
    }

    /// Cache and memory counters.
    pub fn stats(&self) -> RendererStats {
        let s = locked(&self.state);
        RendererStats {
            tessellation_hits: s.tess.hits,
            tessellation_misses: s.tess.misses,
            images: s.images.len(),
            image_bytes: s.images.values().map(|i| i.bytes).sum(),
        }
    }

    fn check_health(&self) -> Result<()> {
        if let Some(reason) = locked(&self.lost).clone() {
            return Err(Error::DeviceLost(reason));
        }
        Ok(())
    }

    /// Runs `f` inside out-of-memory and validation error scopes, turning GPU errors into
    /// typed errors instead of panics.
    fn scoped<T>(&self, context: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.check_health()?;
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let result = f();
        let validation = pollster::block_on(validation.pop());
        let oom = pollster::block_on(oom.pop());
        if let Some(e) = oom {
            return Err(Error::OutOfMemory(format!("{context}: {}", describe(&e))));
        }
        if let Some(e) = validation {
            return Err(Error::Gpu {
                context: context.to_string(),
                message: describe(&e),
            });
        }
        if let Some(e) = locked(&self.uncaptured).take() {
            return Err(Error::Gpu {
                context: context.to_string(),
                message: e,
            });
        }
        self.check_health()?;
        result
    }

    /// Uploads an image (straight-alpha RGBA) with a mipmap chain, so it samples cleanly at
    /// any scale. Images larger than the adapter's texture limit are scaled down to fit.
    pub fn add_image(&self, image: &RgbaImage) -> Result<ImageHandle> {
        let original = image.dimensions();
        let (w, h) = original;
        if w == 0 || h == 0 {
            return Err(Error::InvalidImage {
                width: w,
                height: h,
                reason: "the image is empty".into(),
            });
        }
        let max = self.limits.max_texture_dimension_2d;
        let fitted;
        let image = if w > max || h > max {
            let k = max as f32 / w.max(h) as f32;
            let (nw, nh) = (
                ((w as f32 * k) as u32).max(1),
                ((h as f32 * k) as u32).max(1),
            );
            fitted = image::imageops::resize(image, nw, nh, image::imageops::FilterType::Triangle);
            &fitted
        } else {
            image
        };
        let levels = crate::mipmap::premultiplied_chain(image);
        let (w, h) = image.dimensions();
        let id = self.next_image.fetch_add(1, Ordering::Relaxed);
        let gpu = self.scoped("uploading an image", || {
            let texture = self.device.create_texture(&texture_desc(
                w,
                h,
                levels.len() as u32,
                1,
                wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            ));
            let mut bytes = 0;
            for (level, img) in levels.iter().enumerate() {
                let (lw, lh) = img.dimensions();
                bytes += img.as_raw().len() as u64;
                self.queue.write_texture(
                    wgpu::TexelCopyTextureInfo {
                        texture: &texture,
                        mip_level: level as u32,
                        origin: wgpu::Origin3d::ZERO,
                        aspect: wgpu::TextureAspect::All,
                    },
                    img.as_raw(),
                    wgpu::TexelCopyBufferLayout {
                        offset: 0,
                        bytes_per_row: Some(lw * 4),
                        rows_per_image: None,
                    },
                    wgpu::Extent3d {
                        width: lw,
                        height: lh,
                        depth_or_array_layers: 1,
                    },
                );
            }
            let view = texture.create_view(&Default::default());
            let bind_group =
                image_bind_group(&self.device, &self.image_layout, &view, &self.image_sampler);
            Ok(GpuImage {
                _texture: texture,
                bind_group,
                size: (w, h),
                bytes,
            })
        })?;
        locked(&self.state).images.insert(id, gpu);
        // The handle keeps the caller's size even when the texture was scaled down to fit:
        // paint transforms are written in the caller's pixels, and UVs are relative.
        Ok(ImageHandle {
            id,
            width: original.0,
            height: original.1,
        })
    }

    /// Destroys the GPU device as a driver reset would, so embedders can test their recovery:
    /// every later call returns [`Error::DeviceLost`]; a new `Renderer` works.
    pub fn simulate_device_loss(&self) {
        self.device.destroy();
        let _ = self.device.poll(wgpu::PollType::Poll);
    }

    /// Drops every cached mesh (the next frames tessellate again).
    pub fn clear_tessellation_cache(&self) {
        locked(&self.state).tess = TessellationCache::default();
    }

    /// Frees an image's GPU memory. Unknown handles are ignored.
    pub fn remove_image(&self, handle: ImageHandle) {
        locked(&self.state).images.remove(&handle.id);
    }

    /// Validates, tessellates and builds vertex data for a display list.
    pub fn prepare(&self, list: &DisplayList) -> Result<PreparedFrame> {
        if list.width == 0
            || list.height == 0
            || list.width > MAX_CANVAS_SIZE
            || list.height > MAX_CANVAS_SIZE
        {
            return Err(Error::InvalidCanvasSize {
                width: list.width,
                height: list.height,
                max: MAX_CANVAS_SIZE,
            });
        }
        let mut state = locked(&self.state);
        let sizes: ImageSizes = state.images.iter().map(|(id, i)| (*id, i.size)).collect();
        let max_rows = self.limits.max_texture_dimension_2d;
        // Supersampled frames are rasterised finer, so curves are flattened finer too.
        let k = self.supersample_for(list.width, list.height);
        let tolerance = self.options.tolerance / k as f32;
        let mut frame = prepare::prepare(list, &mut state.tess, &sizes, tolerance, max_rows)?;
        frame.supersample = k;
        Ok(frame)
    }

    /// Renders a display list to straight-alpha sRGB RGBA pixels, exactly width × height.
    pub fn render(&self, list: &DisplayList) -> Result<RgbaImage> {
        let frame = self.prepare(list)?;
        self.render_prepared(&frame)
    }

    /// Renders a frame made by [`Self::prepare`].
    pub fn render_prepared(&self, frame: &PreparedFrame) -> Result<RgbaImage> {
        let mut state = locked(&self.state);
        self.scoped("rendering", || self.execute(&mut state, frame))
    }

    /// The supersampling factor for a `width × height` canvas.
    pub fn supersample_for(&self, width: u32, height: u32) -> u32 {
        match self.options.supersample {
            0 if u64::from(width) * u64::from(height) <= 512 * 512 => 2,
            0 => 1,
            k => k.min(4),
        }
    }

    /// Tile side in canvas pixels (the rendered tile is `k` times larger).
    fn tile_size(&self, k: u32) -> u32 {
        let rendered = self
            .options
            .max_tile_size
            .clamp(64, self.limits.max_texture_dimension_2d.max(64));
        (rendered / k).max(16)
    }

    fn execute(&self, state: &mut State, frame: &PreparedFrame) -> Result<RgbaImage> {
        let k = frame.supersample;
        let tile = self.tile_size(k);
        let target = (frame.width.min(tile) * k, frame.height.min(tile) * k);
        if state.targets.as_ref().is_none_or(|t| t.size != target) {
            state.targets = None;
            state.targets = Some(self.create_targets(target));
        }
        let vertex_bytes: &[u8] = bytemuck::cast_slice(&frame.vertices);
        let index_bytes: &[u8] = bytemuck::cast_slice(&frame.indices);
        let vb = self.buffer(
            &mut state.vertex_buffer,
            vertex_bytes,
            wgpu::BufferUsages::VERTEX,
        );
        let ib = self.buffer(
            &mut state.index_buffer,
            index_bytes,
            wgpu::BufferUsages::INDEX,
        );
        let ramp = self.device.create_texture(&texture_desc(
            RAMP_WIDTH,
            frame.ramp_rows,
            1,
            1,
            wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        ));
        self.queue.write_texture(
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
        let globals_bind = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("globals"),
            layout: &self.globals_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: self.globals.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(
                        &ramp.create_view(&Default::default()),
                    ),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::Sampler(&self.ramp_sampler),
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
        // Group the ops into passes once; every tile replays them.
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
        // Frames of pixel-aligned rectangles only (a page with a photo filling it) have no
        // edge to smooth: they skip MSAA, which saves clearing and resolving 4× the pixels.
        let multisample = frame.antialias && self.sample_count > 1;
        let pipelines = if multisample {
            &self.msaa_pipelines
        } else {
            &self.single_pipelines
        };
        let bindings = Bindings {
            renderer: self,
            pipelines,
            images: &state.images,
            targets,
        };
        for ty in (0..frame.height).step_by(tile as usize) {
            for tx in (0..frame.width).step_by(tile as usize) {
                let (tw, th) = ((frame.width - tx).min(tile), (frame.height - ty).min(tile));
                // Vertices are in canvas pixels; the target covers `target / k` of them.
                let g = [
                    tx as f32,
                    ty as f32,
                    (target.0 / k) as f32,
                    (target.1 / k) as f32,
                    target.0 as f32,
                    target.1 as f32,
                    0.0,
                    0.0,
                ];
                self.queue
                    .write_buffer(&self.globals, 0, bytemuck::cast_slice(&g));
                let mut encoder = self.device.create_command_encoder(&Default::default());
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
                    bindings.record(&mut rpass, &globals_bind, &vb, &ib, &draws)?;
                }
                readback::copy_region(
                    &mut encoder,
                    &targets.resolve,
                    &targets.readback,
                    tw * k,
                    th * k,
                );
                self.queue.submit([encoder.finish()]);
                readback::read_into(
                    &self.device,
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

    /// Returns a buffer holding `bytes`, reusing the cached one when it is large enough.
    fn buffer(
        &self,
        slot: &mut Option<wgpu::Buffer>,
        bytes: &[u8],
        usage: wgpu::BufferUsages,
    ) -> wgpu::Buffer {
        let needed = (bytes.len() as u64).max(256).next_multiple_of(4);
        if slot.as_ref().is_none_or(|b| b.size() < needed) {
            // Grow geometrically, but shrink back when a frame needs far less (bounded memory).
            *slot = Some(self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("geometry"),
                size: needed.next_power_of_two(),
                usage: usage | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }));
        }
        let buffer = slot.clone().unwrap_or_else(|| unreachable!("set above"));
        if !bytes.is_empty() {
            self.queue.write_buffer(&buffer, 0, bytes);
        }
        buffer
    }

    fn create_targets(&self, (w, h): (u32, u32)) -> Targets {
        let msaa_usage = wgpu::TextureUsages::RENDER_ATTACHMENT;
        let multisampled = |label: &str| {
            (self.sample_count > 1).then(|| {
                let mut desc = texture_desc(w, h, 1, self.sample_count, msaa_usage);
                desc.label = Some(label);
                self.device
                    .create_texture(&desc)
                    .create_view(&Default::default())
            })
        };
        let resolve = self.device.create_texture(&texture_desc(
            w,
            h,
            1,
            1,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
        ));
        let layer = self.device.create_texture(&texture_desc(
            w,
            h,
            1,
            1,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
        ));
        let layer_view = layer.create_view(&Default::default());
        let layer_bind = image_bind_group(
            &self.device,
            &self.image_layout,
            &layer_view,
            &self.image_sampler,
        );
        Targets {
            size: (w, h),
            msaa: multisampled("canvas msaa"),
            resolve_view: resolve.create_view(&Default::default()),
            resolve,
            layer_msaa: multisampled("layer msaa"),
            layer_view,
            layer_bind,
            readback: readback::buffer(&self.device, w, h),
        }
    }
}

enum Pass<'a> {
    Canvas(Vec<&'a Draw>),
    Layer(&'a [Draw]),
}

/// The pipeline variants of one sample count: blending over or replacing, with the full
/// paint shader or the flat-colour one (no texture reads: much cheaper on software rasterisers).
struct Pipelines {
    over: wgpu::RenderPipeline,
    replace: wgpu::RenderPipeline,
    over_solid: wgpu::RenderPipeline,
    replace_solid: wgpu::RenderPipeline,
}

struct Bindings<'a> {
    renderer: &'a Renderer,
    pipelines: &'a Pipelines,
    images: &'a HashMap<u64, GpuImage>,
    targets: &'a Targets,
}

impl Bindings<'_> {
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
                let p = &self.pipelines;
                pass.set_pipeline(match (d.blend, solid) {
                    (Blend::Over, false) => &p.over,
                    (Blend::Replace, false) => &p.replace,
                    (Blend::Over, true) => &p.over_solid,
                    (Blend::Replace, true) => &p.replace_solid,
                });
            }
            if current.map(|c| c.1) != Some(d.binding) {
                let group = match d.binding {
                    Binding::Solid | Binding::Gradient => &self.renderer.dummy_image,
                    Binding::Layer => &self.targets.layer_bind,
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

fn texture_desc(
    w: u32,
    h: u32,
    mips: u32,
    samples: u32,
    usage: wgpu::TextureUsages,
) -> wgpu::TextureDescriptor<'static> {
    wgpu::TextureDescriptor {
        label: None,
        size: wgpu::Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
        mip_level_count: mips,
        sample_count: samples,
        dimension: wgpu::TextureDimension::D2,
        format: FORMAT,
        usage,
        view_formats: &[],
    }
}

fn texture_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Texture {
            sample_type: wgpu::TextureSampleType::Float { filterable: true },
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    }
}

fn sampler_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
        count: None,
    }
}

fn image_bind_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    view: &wgpu::TextureView,
    sampler: &wgpu::Sampler,
) -> wgpu::BindGroup {
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("image"),
        layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(view),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::Sampler(sampler),
            },
        ],
    })
}
