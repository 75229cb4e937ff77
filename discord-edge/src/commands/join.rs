//! `/join`: groups of a running cohort the caller can still join, as
//! buttons; pressing one joins it.

use lens_proto::v1;
use serenity::all::{
    ButtonStyle, CommandInteraction, CommandOptionType, ComponentInteraction, Context,
    CreateActionRow, CreateButton, CreateCommand, CreateCommandOption, CreateInteractionResponse,
    CreateInteractionResponseMessage,
};

use super::{Asked, integer_option, reply, words};

/// The command's name.
pub const NAME: &str = "join";

/// Buttons' ids: this prefix and the group id.
const BUTTON: &str = "join:";

/// Discord's most buttons in one message (5 rows of 5).
const MOST_BUTTONS: usize = 25;

/// The command as registered with Discord.
pub fn definition() -> CreateCommand {
    CreateCommand::new(NAME)
        .description("Join a discussion group that still has room")
        .add_option(
            CreateCommandOption::new(CommandOptionType::Integer, "cohort", "The cohort")
                .required(true)
                .set_autocomplete(true),
        )
}

/// Lists the joinable groups as buttons.
pub async fn answer(asked: &Asked<'_>, ctx: &Context, command: &CommandInteraction) {
    let user = command.user.id.get();
    let Some(cohort_id) = integer_option(&command.data.options, "cohort") else {
        return reply(ctx, command, "Choose a cohort.".to_owned()).await;
    };
    let groups = match asked
        .core
        .cohorts_for(user)
        .list_joinable_groups(v1::ListJoinableGroupsRequest { cohort_id })
        .await
    {
        Ok(answer) => answer.into_inner().groups,
        Err(status) => return reply(ctx, command, words(&status, asked.public_url)).await,
    };
    if groups.is_empty() {
        return reply(
            ctx,
            command,
            "No group of this cohort can take you now: none has room at a time your availability covers every week, or their first meetings are past. Update your availability on the website and try again.".to_owned(),
        )
        .await;
    }
    let buttons: Vec<CreateButton> = groups
        .iter()
        .take(MOST_BUTTONS)
        .map(|g| {
            CreateButton::new(format!("{BUTTON}{}", g.id))
                .label(format!(
                    "{} · {} · {} members",
                    g.name,
                    g.meeting_time,
                    g.members.len()
                ))
                .style(ButtonStyle::Primary)
        })
        .collect();
    let rows = buttons
        .chunks(5)
        .map(|row| CreateActionRow::Buttons(row.to_vec()))
        .collect();
    let message = CreateInteractionResponseMessage::new()
        .content("These groups have room at a time you can make every week. Press one to join it:")
        .components(rows)
        .ephemeral(true);
    if let Err(error) = command
        .create_response(&ctx.http, CreateInteractionResponse::Message(message))
        .await
    {
        tracing::warn!(%error, "answering /join failed");
    }
}

/// A pressed join button: joins that group.
pub async fn pressed(asked: &Asked<'_>, ctx: &Context, pressed: &ComponentInteraction) {
    let Some(group_id) = pressed
        .data
        .custom_id
        .strip_prefix(BUTTON)
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return;
    };
    let text = match asked
        .core
        .cohorts_for(pressed.user.id.get())
        .join_group(v1::JoinGroupRequest {
            group_id,
            switch_group: false,
        })
        .await
    {
        Ok(joined) => {
            let group = joined.into_inner().group.unwrap_or_default();
            format!(
                "You joined **{}**, meeting {}. Its channel opens to you in a moment; /group shows the details.",
                group.name, group.meeting_time
            )
        }
        Err(status) => words(&status, asked.public_url),
    };
    let message = CreateInteractionResponseMessage::new()
        .content(text)
        .components(Vec::new());
    if let Err(error) = pressed
        .create_response(&ctx.http, CreateInteractionResponse::UpdateMessage(message))
        .await
    {
        tracing::warn!(%error, "answering a join button failed");
    }
}
