//! The core's own metrics, beside the per-RPC ones every process counts
//! (`lens_runtime::RequestMetricsLayer`). All are no-ops unless
//! `LENS_METRICS_ADDR` is set. Names and labels live here, once.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::chat::failure::LlmFailure;
use crate::content::Catalogue;
use crate::store::Store;

/// How often the database-backed gauges are read.
const SAMPLE_EVERY: Duration = Duration::from_secs(30);

/// The name an RPC is counted under: its method path for Lens's and the
/// standard gRPC services, `other` for anything else (so a caller cannot
/// make new series).
pub fn rpc_name(uri: &http::Uri) -> Cow<'static, str> {
    let path = uri.path();
    let known = path.starts_with("/lens.v1.") || path.starts_with("/grpc.");
    if known && path.len() <= 120 {
        Cow::Owned(path.to_owned())
    } else {
        Cow::Borrowed("other")
    }
}

/// A tutor stream being answered; counted in `lens_tutor_streams_open`
/// until dropped.
pub struct OpenStream(());

impl OpenStream {
    /// Counts one more open stream.
    pub fn open() -> Self {
        metrics::gauge!("lens_tutor_streams_open").increment(1.0);
        Self(())
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        metrics::gauge!("lens_tutor_streams_open").decrement(1.0);
    }
}

/// Tokens an answer used (as reported, or estimated when cut short).
pub fn tutor_tokens(input: i64, output: i64) {
    metrics::counter!("lens_tutor_tokens_total", "direction" => "input")
        .increment(input.max(0) as u64);
    metrics::counter!("lens_tutor_tokens_total", "direction" => "output")
        .increment(output.max(0) as u64);
}

/// One lookup the tutor made, by tool and whether it failed.
pub fn tutor_tool(tool: &str, failed: bool) {
    let tool = match tool {
        crate::chat::tools::SEARCH_COURSE => crate::chat::tools::SEARCH_COURSE,
        crate::chat::tools::READ_LENS => crate::chat::tools::READ_LENS,
        // The model may name any tool; the label set stays bounded.
        _ => "unknown",
    };
    let outcome = if failed { "failed" } else { "ok" };
    metrics::counter!("lens_tutor_tool_uses_total", "tool" => tool, "outcome" => outcome)
        .increment(1);
}

/// One failed attempt at the model, by kind.
pub fn provider_failure(failure: &LlmFailure) {
    metrics::counter!("lens_tutor_provider_failures_total", "kind" => failure.kind()).increment(1);
}

/// Reads the gauges that live in the database and the content every 30 s
/// until `stop`: jobs by family (`discord`, `calendar`, …) and state
/// (pending, running, failed), and the age of the content version served.
pub async fn sample(
    store: Store,
    content: Arc<Catalogue>,
    stop: tokio_util::sync::CancellationToken,
) {
    let mut ticks = tokio::time::interval(SAMPLE_EVERY);
    // Families seen before stay at zero when their jobs are gone, rather
    // than keeping their last count.
    let mut seen: BTreeMap<(String, String), f64> = BTreeMap::new();
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = stop.cancelled() => return,
        }
        match store.job_counts().await {
            Ok(counts) => {
                for value in seen.values_mut() {
                    *value = 0.0;
                }
                for (kind, state, count) in counts {
                    let family = kind.split('.').next().unwrap_or("other").to_owned();
                    *seen.entry((family, state.as_str().to_owned())).or_default() += count as f64;
                }
                for ((family, state), count) in &seen {
                    metrics::gauge!("lens_jobs", "family" => family.clone(), "state" => state.clone())
                        .set(*count);
                }
            }
            Err(error) => tracing::warn!(%error, "reading job counts for metrics failed"),
        }
        if let Some(loaded_at) = content.current().loaded_at {
            let age = (crate::clock::now() - loaded_at).num_seconds().max(0);
            metrics::gauge!("lens_content_version_age_seconds").set(age as f64);
        }
    }
}
