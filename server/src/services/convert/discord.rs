//! Discord work as the contract carries it: the desired state of a group
//! or a member, and the ids the bot reports back.

use lens_proto::v1;

use super::timestamp;
use crate::cohorts::discord::{GENERAL_CHANNEL, GroupLayout};
use crate::domain::CohortRole;
use crate::store::{DiscordGroup, RealizedIds};

/// Group `group`, laid out as `layout`, as the bot is to make it.
pub fn group_spec(group: &DiscordGroup, layout: GroupLayout, course_title: &str) -> v1::GroupSpec {
    let id = |stored: &Option<String>| stored.clone().unwrap_or_default();
    v1::GroupSpec {
        group_id: group.id.0,
        cohort: Some(v1::CohortSpec {
            cohort_id: group.cohort_id.0,
            category_name: layout.category_name,
            general_channel_name: GENERAL_CHANNEL.to_owned(),
            category_id: id(&group.discord_category_id),
            general_channel_id: id(&group.discord_general_channel_id),
        }),
        name: group.name.clone(),
        text_channel_name: layout.text_channel_name,
        voice_channel_name: layout.voice_channel_name,
        role_name: layout.role_name,
        text_channel_id: id(&group.discord_channel_id),
        voice_channel_id: id(&group.discord_voice_channel_id),
        role_id: id(&group.discord_role_id),
        members: layout
            .members
            .into_iter()
            .map(|m| v1::SpecMember {
                discord_id: m.discord_id,
                name: m.name,
                facilitator: m.role == CohortRole::Facilitator,
            })
            .collect(),
        welcome: Some(v1::Welcome {
            cohort_name: group.cohort_name.clone(),
            course_title: course_title.to_owned(),
            meeting_time: layout.meeting_time,
            first_meeting: layout.first_meeting.map(timestamp),
            meeting_count: group.meeting_count.max(0) as u32,
        }),
        welcome_posted_in: id(&group.discord_welcome_channel_id),
    }
}

/// The ids a bot's report names.
pub fn realized_ids(realized: &v1::GroupRealized) -> RealizedIds {
    RealizedIds {
        category_id: realized.category_id.clone(),
        general_channel_id: realized.general_channel_id.clone(),
        text_channel_id: realized.text_channel_id.clone(),
        voice_channel_id: realized.voice_channel_id.clone(),
        role_id: realized.role_id.clone(),
        welcome_channel_id: realized.welcome_posted_in.clone(),
    }
}
