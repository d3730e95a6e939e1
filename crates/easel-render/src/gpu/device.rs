//! The wgpu device of one adapter: opening it, and turning its errors and losses into
//! typed errors instead of panics.

use crate::adapter::AdapterSummary;
use crate::{Error, Result};
use std::sync::{Arc, Mutex, MutexGuard};

pub(crate) fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A wgpu error's full description: its `Display` is often just "Validation Error".
pub(crate) fn describe(e: &wgpu::Error) -> String {
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

/// A device with the adapter's full limits, and what its callbacks reported.
pub(crate) struct GpuDevice {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub limits: wgpu::Limits,
    lost: Arc<Mutex<Option<String>>>,
    uncaptured: Arc<Mutex<Option<String>>>,
}

impl GpuDevice {
    pub fn open(adapter: &wgpu::Adapter, summary: &AdapterSummary) -> Result<GpuDevice> {
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
        Ok(GpuDevice {
            device,
            queue,
            limits,
            lost,
            uncaptured,
        })
    }

    pub fn check_health(&self) -> Result<()> {
        if let Some(reason) = locked(&self.lost).clone() {
            return Err(Error::DeviceLost(reason));
        }
        Ok(())
    }

    /// Runs `f` inside out-of-memory and validation error scopes, turning GPU errors into
    /// typed errors instead of panics.
    pub fn scoped<T>(&self, context: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
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

    /// Destroys the device as a driver reset would.
    pub fn simulate_loss(&self) {
        self.device.destroy();
        let _ = self.device.poll(wgpu::PollType::Poll);
    }
}
