//! What a group looks like in Discord: the names of its category, channels
//! and role, who holds the role, and what its welcome says. The bot makes
//! the server match this; the rules for it live here.

use chrono::{DateTime, Utc};

use crate::domain::CohortRole;
use crate::matching::availability::meeting_weeks;
use crate::matching::times::MeetingTime;
use crate::store::{DiscordGroup, DiscordMember};

/// Discord's longest channel and role name.
const MAX_NAME: usize = 100;

/// The cohort-wide channel in each cohort's category.
pub const GENERAL_CHANNEL: &str = "general";

/// A group as it should be in the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLayout {
    /// The cohort's category: `{course title} - {cohort name}`.
    pub category_name: String,
    /// The group's text channel: its name in lower case with dashes.
    pub text_channel_name: String,
    /// The group's voice channel, for meetings.
    pub voice_channel_name: String,
    /// The group's role: `Cohort {cohort} - Group {group}`.
    pub role_name: String,
    /// The weekly time as people read it.
    pub meeting_time: String,
    /// The first meeting, if the cohort has any.
    pub first_meeting: Option<DateTime<Utc>>,
    /// Members with Discord accounts, facilitator first.
    pub members: Vec<DiscordMember>,
}

impl GroupLayout {
    /// The layout of `group` (titled `course_title`) with `members`.
    pub fn of(group: &DiscordGroup, course_title: &str, members: Vec<DiscordMember>) -> Self {
        let weeks = meeting_weeks(group.start_date, group.meeting_count.max(1) as u32);
        let time = MeetingTime::stored(
            group.meeting_start_slot as usize,
            &group.meeting_anchor,
            group.meeting_local_slot.map(|s| s as usize),
            &weeks,
        );
        Self {
            category_name: clip(&format!("{course_title} - {}", group.cohort_name)),
            text_channel_name: channel_name(&group.name),
            voice_channel_name: clip(&format!("{} meetings", group.name)),
            role_name: clip(&format!(
                "Cohort {} - Group {}",
                group.cohort_name, group.name
            )),
            meeting_time: time.describe(),
            first_meeting: time.starts(&weeks).first().copied(),
            // Development sign-ins (`dev:name`) have no Discord account.
            members: members
                .into_iter()
                .filter(|m| is_snowflake(&m.discord_id))
                .collect(),
        }
    }

    /// The group's facilitator, if they have a Discord account.
    pub fn facilitator(&self) -> Option<&DiscordMember> {
        self.members
            .iter()
            .find(|m| m.role == CohortRole::Facilitator)
    }
}

/// A text channel's name for `name`: lower case, runs of anything but
/// letters and digits as one dash (Discord's own rule for text channels).
pub fn channel_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = clip(out.trim_end_matches('-'));
    if out.is_empty() {
        "group".to_owned()
    } else {
        out
    }
}

/// Whether `id` is a Discord id (digits).
pub fn is_snowflake(id: &str) -> bool {
    !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
}

fn clip(name: &str) -> String {
    name.chars().take(MAX_NAME).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_are_lower_case_with_dashes() {
        assert_eq!(channel_name("Hypatia"), "hypatia");
        assert_eq!(channel_name("Ada Lovelace"), "ada-lovelace");
        assert_eq!(
            channel_name("  Émilie du Châtelet!! "),
            "émilie-du-châtelet"
        );
        assert_eq!(channel_name("!!!"), "group");
    }
}
