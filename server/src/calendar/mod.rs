//! Google Calendar: one recurring weekly event per group, on the calendar
//! of the configured user, with the members as guests (who cannot see each
//! other) and Google sending the invitations.
//!
//! Like a group's Discord state, a group's event is *made to match the
//! data* by one job per group ([`CalendarJob::SyncGroup`]), asked for again
//! whenever the group's members or meetings change: it creates the event
//! (or remakes one deleted in Google), patches guests and the series'
//! length, and cancels the instance of each postponed meeting. A second job
//! ([`CalendarJob::PullRsvps`]) reads the guests' answers back, every six
//! hours and on demand.

pub mod google;
pub mod rsvp;
pub mod series;
pub mod sync;

use serde::{Deserialize, Serialize};

use crate::domain::GroupId;

/// The prefix every calendar job kind shares.
pub const CALENDAR_PREFIX: &str = "calendar.";

/// How often the guests' answers are read back from the calendar.
pub const RSVP_PULL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// One calendar job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarJob {
    /// Make the group's event match its members and meetings.
    SyncGroup(GroupId),
    /// Read the guests' answers into their RSVPs.
    PullRsvps(GroupId),
}

#[derive(Serialize, Deserialize)]
struct GroupPayload {
    group_id: GroupId,
}

const SYNC_GROUP: &str = "calendar.sync_group";
const PULL_RSVPS: &str = "calendar.pull_rsvps";

impl CalendarJob {
    /// The job's kind, as stored.
    pub fn kind(self) -> &'static str {
        match self {
            Self::SyncGroup(_) => SYNC_GROUP,
            Self::PullRsvps(_) => PULL_RSVPS,
        }
    }

    /// The job's input, as stored (JSON).
    pub fn payload(self) -> String {
        let (Self::SyncGroup(group_id) | Self::PullRsvps(group_id)) = self;
        serde_json::to_string(&GroupPayload { group_id }).unwrap_or_default()
    }

    /// One job per group and kind, asked for again when the data changes.
    pub fn key(self) -> String {
        let (Self::SyncGroup(group) | Self::PullRsvps(group)) = self;
        format!("group:{group}:{}", self.kind())
    }

    /// The job a stored kind and payload describe.
    pub fn parse(kind: &str, payload: &str) -> Option<Self> {
        let group = serde_json::from_str::<GroupPayload>(payload).ok()?.group_id;
        match kind {
            SYNC_GROUP => Some(Self::SyncGroup(group)),
            PULL_RSVPS => Some(Self::PullRsvps(group)),
            _ => None,
        }
    }
}

/// Asks for every calendar group's answers to be read, every `interval`
/// from start-up until `stop`. Every replica may run this: the jobs are
/// keyed per group, so a pull already pending is not queued twice.
pub async fn pull_rsvps_every(
    store: crate::store::Store,
    interval: std::time::Duration,
    stop: tokio_util::sync::CancellationToken,
) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = stop.cancelled() => return,
        }
        let groups = match store.groups_with_calendar_events().await {
            Ok(groups) => groups,
            Err(error) => {
                tracing::warn!(%error, "listing calendar groups failed; trying at the next tick");
                continue;
            }
        };
        for group in groups {
            let job = CalendarJob::PullRsvps(group);
            if let Err(error) = store
                .ask_again_job(job.kind(), &job.payload(), &job.key(), crate::clock::now())
                .await
            {
                tracing::warn!(%error, %group, "queueing a calendar answers pull failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reads_back_as_itself_and_is_keyed_by_group_and_kind() {
        for job in [
            CalendarJob::SyncGroup(GroupId(7)),
            CalendarJob::PullRsvps(GroupId(7)),
        ] {
            assert_eq!(CalendarJob::parse(job.kind(), &job.payload()), Some(job));
            assert!(job.kind().starts_with(CALENDAR_PREFIX));
        }
        assert_eq!(
            CalendarJob::SyncGroup(GroupId(7)).key(),
            "group:7:calendar.sync_group"
        );
        assert_ne!(
            CalendarJob::SyncGroup(GroupId(7)).key(),
            CalendarJob::PullRsvps(GroupId(7)).key()
        );
    }
}
