//! The bot's share of the delivery engine: it takes Discord jobs from the
//! core over a stream, performs each against the server and reports what
//! became of it. Jobs are done one at a time: Discord limits channel and
//! role changes per server anyway, and one at a time no two syncs of one
//! cohort can both make its category.

use std::time::Duration;

use lens_proto::v1;
use tokio_util::sync::CancellationToken;

use crate::core_client::CoreClient;
use crate::realize::{self, Place};
use crate::rest::{Rest, RestError};

/// The longest wait between two tries at reaching the core.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// Takes and performs Discord work until `stop` is cancelled, reconnecting
/// to the core after a growing wait when the stream ends.
pub async fn run(
    core: CoreClient,
    rest: Rest,
    place: Place,
    lease_seconds: u32,
    stop: CancellationToken,
) {
    let mut wait = Duration::from_millis(500);
    loop {
        let taken = tokio::select! {
            taken = take(&core, &rest, place, lease_seconds) => taken,
            () = stop.cancelled() => return,
        };
        match taken {
            Ok(()) => {
                tracing::info!("the core ended the work stream; taking work again");
                wait = Duration::from_millis(500);
            }
            Err(status) => {
                tracing::warn!(code = ?status.code(), message = status.message(), ?wait, "taking Discord work failed; trying again")
            }
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = stop.cancelled() => return,
        }
        wait = (wait * 2).min(LONGEST_WAIT);
    }
}

/// One work stream, until it ends.
async fn take(
    core: &CoreClient,
    rest: &Rest,
    place: Place,
    lease_seconds: u32,
) -> Result<(), tonic::Status> {
    let mut stream = core
        .work()
        .take_work(v1::TakeWorkRequest { lease_seconds })
        .await?
        .into_inner();
    tracing::info!("taking Discord work from the core");
    while let Some(work) = stream.message().await? {
        let report = perform(rest, place, &work).await;
        if let Err(status) = core.work().report_work(report).await {
            // Unreported, the job returns to the queue when its lease ends
            // and is done again, which changes nothing twice.
            tracing::warn!(job = work.job_id, code = ?status.code(), message = status.message(), "reporting a job failed");
        }
    }
    Ok(())
}

/// Performs one job; the report for the core.
pub async fn perform(
    rest: &Rest,
    place: Place,
    work: &v1::TakeWorkResponse,
) -> v1::ReportWorkRequest {
    use v1::take_work_response::Work;
    let mut report = v1::ReportWorkRequest {
        job_id: work.job_id,
        attempt: work.attempt,
        ..Default::default()
    };
    let result = match &work.work {
        Some(Work::Group(spec)) => {
            let synced = realize::sync_group(rest, place, spec).await;
            report.realized = Some(synced.realized);
            synced.result
        }
        Some(Work::Nickname(spec)) => realize::sync_nickname(rest, place, spec).await.map(drop),
        Some(Work::Reminder(spec)) => crate::reminders::post(rest, spec).await,
        Some(Work::DirectMessage(spec)) => match spec.discord_id.parse::<u64>() {
            Ok(id) if id > 0 => {
                rest.direct_message(serenity::all::UserId::new(id), &spec.text)
                    .await
            }
            _ => Err(RestError::Refused {
                call: "a direct message".to_owned(),
                reason: format!("{:?} is not a Discord user id", spec.discord_id),
            }),
        },
        None => Err(RestError::Refused {
            call: work.kind.clone(),
            reason: "this bot does not know this kind of job; update the bot".to_owned(),
        }),
    };
    let outcome = match &result {
        Ok(()) => v1::WorkOutcome::Done,
        Err(RestError::RateLimited { retry_after, .. }) => {
            report.retry_after_ms = u32::try_from(retry_after.as_millis()).unwrap_or(u32::MAX);
            v1::WorkOutcome::Retry
        }
        // Gone between reading and changing (someone deleted it): the next
        // attempt makes it again.
        Err(RestError::Unavailable { .. } | RestError::NotFound { .. }) => v1::WorkOutcome::Retry,
        Err(RestError::Forbidden { .. } | RestError::Refused { .. }) => v1::WorkOutcome::Fail,
    };
    report.outcome = outcome.into();
    if let Err(error) = result {
        tracing::warn!(job = work.job_id, kind = %work.kind, %error, ?outcome, "Discord job not done");
        report.error = error.to_string();
    }
    report
}
