//! `/group`: the caller's group: members, facilitator, meeting time,
//! channel and next meeting.

use lens_proto::v1;
use serenity::all::CreateCommand;

use super::{Asked, words};

/// The command's name.
pub const NAME: &str = "group";

/// The command as registered with Discord.
pub fn definition() -> CreateCommand {
    CreateCommand::new(NAME)
        .description("Show your discussion group: members, meeting time, channel")
}

/// The reply for Discord user `discord_user`.
pub async fn answer(asked: &Asked<'_>, discord_user: u64) -> String {
    match asked
        .core
        .cohorts_for(discord_user)
        .list_my_groups(v1::ListMyGroupsRequest {})
        .await
    {
        Ok(mine) if mine.get_ref().groups.is_empty() => {
            "You are not in a group yet. Sign up for a cohort on the website; try /join once its groups are running.".to_owned()
        }
        Ok(mine) => mine
            .get_ref()
            .groups
            .iter()
            .map(describe)
            .collect::<Vec<_>>()
            .join("\n\n"),
        Err(status) => words(&status, asked.public_url),
    }
}

/// One group, for Discord.
pub fn describe(mine: &v1::MyGroup) -> String {
    let group = mine.group.clone().unwrap_or_default();
    let cohort = mine.cohort.clone().unwrap_or_default();
    let role = |r: v1::SignupRole| {
        group
            .members
            .iter()
            .filter(|m| m.role() == r)
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = format!(
        "**{}** ({})\nFacilitator: {}\nMembers: {}\nMeets: {}",
        group.name,
        cohort.name,
        role(v1::SignupRole::Facilitator),
        role(v1::SignupRole::Learner),
        group.meeting_time
    );
    match &mine.next_meeting {
        Some(next) => text.push_str(&format!(
            "\nNext meeting: {} of {}, <t:{}:F> (<t:{}:R>)",
            mine.next_meeting_number, cohort.meeting_count, next.seconds, next.seconds
        )),
        None => text.push_str("\nAll meetings are over."),
    }
    if group.discord_channel_id.is_empty() {
        text.push_str("\nChannel: being set up.");
    } else {
        text.push_str(&format!("\nChannel: <#{}>", group.discord_channel_id));
    }
    text
}
