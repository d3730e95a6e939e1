//! The render pipelines, bind group layouts, samplers and the uniform block they share.

use super::device::{GpuDevice, describe};
use crate::adapter::AdapterSummary;
use crate::prepare::Vertex;
use crate::{Error, Result};

pub(crate) const FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// The uniform block, field for field as `Globals` in `shader.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Globals {
    /// Tile origin in canvas pixels.
    pub origin: [f32; 2],
    /// Tile size in canvas pixels.
    pub size: [f32; 2],
    /// Render target size in its own pixels (larger by the supersampling factor).
    pub target_size: [f32; 2],
    /// Uniform blocks are sized in multiples of 16 bytes.
    pub _pad: [f32; 2],
}

/// The pipeline variants of one sample count: blending over or replacing, with the full
/// paint shader or the flat-colour one (no texture reads: much cheaper on software rasterisers).
pub(crate) struct Pipelines {
    pub over: wgpu::RenderPipeline,
    pub replace: wgpu::RenderPipeline,
    pub over_solid: wgpu::RenderPipeline,
    pub replace_solid: wgpu::RenderPipeline,
    /// Blend layers: the layer and the backdrop mixed in the shader, written unblended.
    pub mix: wgpu::RenderPipeline,
}

/// Everything a frame binds besides its own buffers and images.
pub(crate) struct PipelineSet {
    /// Pipelines for multisampled frames, and for frames that need no anti-aliasing.
    pub msaa: Pipelines,
    pub single: Pipelines,
    pub sample_count: u32,
    pub globals_layout: wgpu::BindGroupLayout,
    pub image_layout: wgpu::BindGroupLayout,
    /// The copy of the backdrop a blend layer mixes with.
    pub backdrop_layout: wgpu::BindGroupLayout,
    pub ramp_sampler: wgpu::Sampler,
    pub image_sampler: wgpu::Sampler,
    /// Bound where a draw samples no image.
    pub dummy_image: wgpu::BindGroup,
    pub globals: wgpu::Buffer,
}

impl PipelineSet {
    pub fn new(
        gpu: &GpuDevice,
        adapter: &wgpu::Adapter,
        summary: &AdapterSummary,
        msaa: bool,
    ) -> Result<PipelineSet> {
        let device = &gpu.device;
        let sample_count = if msaa
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
        let backdrop_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("backdrop"),
            entries: &[texture_entry(0)],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("easel"),
            bind_group_layouts: &[Some(&globals_layout), Some(&image_layout)],
            immediate_size: 0,
        });
        let mix_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("easel mix"),
            bind_group_layouts: &[
                Some(&globals_layout),
                Some(&image_layout),
                Some(&backdrop_layout),
            ],
            immediate_size: 0,
        });
        let pipeline = |blend: Option<wgpu::BlendState>, fragment: &str, sample_count: u32| {
            let layout = if fragment == "fs_mix" {
                &mix_layout
            } else {
                &layout
            };
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(fragment),
                layout: Some(layout),
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
            mix: pipeline(None, "fs_mix", count),
        };
        let msaa = pipelines(sample_count);
        let single = pipelines(1);
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
            size: std::mem::size_of::<Globals>() as u64,
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
        gpu.queue.write_texture(
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
            device,
            &image_layout,
            &dummy.create_view(&Default::default()),
            &image_sampler,
        );
        Ok(PipelineSet {
            msaa,
            single,
            sample_count,
            globals_layout,
            image_layout,
            backdrop_layout,
            ramp_sampler,
            image_sampler,
            dummy_image,
            globals,
        })
    }
}

pub(crate) fn texture_desc(
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

pub(crate) fn image_bind_group(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globals_match_the_shader_layout() {
        // Four vec2<f32> in shader.wgsl: 32 bytes, a multiple of 16 as uniforms need.
        assert_eq!(std::mem::size_of::<Globals>(), 32);
        let wgsl = include_str!("shader.wgsl");
        for field in [
            "origin: vec2<f32>",
            "size: vec2<f32>",
            "target_size: vec2<f32>",
        ] {
            assert!(wgsl.contains(field), "shader.wgsl lacks `{field}`");
        }
    }
}
