//! Counters and latency histograms, written in Prometheus' text format at `/v1/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// How renders ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RenderOutcome {
    /// The image was sent.
    Ok,
    /// Refused: the pool was full.
    Overloaded,
    /// Past the render timeout.
    Timeout,
    /// The scene or the render failed.
    Failed,
}

impl RenderOutcome {
    fn name(self) -> &'static str {
        match self {
            RenderOutcome::Ok => "ok",
            RenderOutcome::Overloaded => "overloaded",
            RenderOutcome::Timeout => "timeout",
            RenderOutcome::Failed => "failed",
        }
    }
}

/// The server's metrics.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    renders: Mutex<BTreeMap<RenderOutcome, u64>>,
    /// Event streams open now.
    pub sse_clients: AtomicUsize,
    /// Events sent to event streams.
    pub sse_events: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Metrics {
    /// Records one answered request.
    pub fn request(&self, route: &str, status: u16, took: Duration) {
        *lock(&self.requests)
            .entry((route.to_string(), status))
            .or_default() += 1;
        let seconds = took.as_secs_f64();
        let mut latency = lock(&self.latency);
        let h = latency.entry(route.to_string()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// Records how a render ended.
    pub fn render(&self, outcome: RenderOutcome) {
        *lock(&self.renders).entry(outcome).or_default() += 1;
    }

    /// The metrics in Prometheus' text format, with the gauges passed in.
    pub fn render_text(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP easel_http_requests_total Requests answered, by route and status.\n");
        out.push_str("# TYPE easel_http_requests_total counter\n");
        for ((route, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "easel_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP easel_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE easel_http_request_duration_seconds histogram\n");
        for (route, h) in lock(&self.latency).iter() {
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "easel_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "easel_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "easel_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "easel_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        out.push_str("# HELP easel_renders_total Renders, by how they ended.\n");
        out.push_str("# TYPE easel_renders_total counter\n");
        for (outcome, n) in lock(&self.renders).iter() {
            let _ = writeln!(
                out,
                "easel_renders_total{{result=\"{}\"}} {n}",
                outcome.name()
            );
        }
        let mut gauge = |name: &str, help: &str, kind: &str, value: f64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        gauge(
            "easel_sse_clients",
            "Event streams open now.",
            "gauge",
            self.sse_clients.load(Ordering::Relaxed) as f64,
        );
        gauge(
            "easel_sse_events_total",
            "Events sent to event streams.",
            "counter",
            self.sse_events.load(Ordering::Relaxed) as f64,
        );
        for (name, help, value) in gauges {
            let kind = if name.ends_with("_total") {
                "counter"
            } else {
                "gauge"
            };
            gauge(name, help, kind, *value);
        }
        out
    }
}
