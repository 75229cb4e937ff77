//! Slash commands: their definitions, and what each answers. Every answer
//! comes from the core, asked as the Discord user who invoked the command
//! (the core decides who may do what: Discord admin rights are not Lens
//! admin rights); these modules only word the answers for Discord.
//! Answers are ephemeral: only the one who asked sees them.

pub mod cohort;
pub mod group;
pub mod join;
pub mod ping;
pub mod whoami;

use serenity::all::{
    CommandDataOption, CommandDataOptionValue, CommandInteraction, Context, CreateCommand,
    CreateInteractionResponse, CreateInteractionResponseMessage, GuildId, Interaction,
};
use tonic::Code;

use crate::core_client::CoreClient;
use crate::rest::Rest;

/// What a command's answer can draw on.
pub struct Asked<'a> {
    /// The core.
    pub core: &'a CoreClient,
    /// Discord's REST API.
    pub rest: &'a Rest,
    /// The course server, if configured.
    pub server: Option<GuildId>,
    /// The course website.
    pub public_url: &'a str,
}

/// `/availability`: where to set it.
pub const AVAILABILITY: &str = "availability";

/// Every command the bot registers.
pub fn definitions() -> Vec<CreateCommand> {
    vec![
        ping::definition(),
        whoami::definition(),
        group::definition(),
        join::definition(),
        CreateCommand::new(AVAILABILITY).description("Where to set the weekly times you can meet"),
        cohort::definition(),
    ]
}

/// Answers one interaction: a command, an autocompletion or a button.
pub async fn answer(asked: &Asked<'_>, ctx: &Context, interaction: Interaction) {
    match interaction {
        Interaction::Command(command) => {
            let user = command.user.id.get();
            let text = match command.data.name.as_str() {
                ping::NAME => ping::answer(asked.core, user).await,
                whoami::NAME => whoami::answer(asked.core, user, asked.public_url).await,
                group::NAME => group::answer(asked, user).await,
                AVAILABILITY => format!(
                    "Set the weekly times you can meet at {}/availability: matching uses them to place you in a group.",
                    asked.public_url
                ),
                join::NAME => return join::answer(asked, ctx, &command).await,
                cohort::NAME => return cohort::answer(asked, ctx, &command).await,
                other => format!("Unknown command /{other}."),
            };
            reply(ctx, &command, text).await;
        }
        Interaction::Autocomplete(completing) => cohort::complete(asked, ctx, &completing).await,
        Interaction::Component(pressed) => join::pressed(asked, ctx, &pressed).await,
        _ => {}
    }
}

/// Answers `command` with `text`, seen only by its user.
pub async fn reply(ctx: &Context, command: &CommandInteraction, text: String) {
    let reply = CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(text)
            .ephemeral(true),
    );
    if let Err(error) = command.create_response(&ctx.http, reply).await {
        tracing::warn!(%error, command = %command.data.name, "answering an interaction failed");
    }
}

/// A refusal from the core in words for the person who asked.
pub fn words(status: &tonic::Status, public_url: &str) -> String {
    match status.code() {
        Code::Unavailable | Code::DeadlineExceeded => {
            "Lens is not reachable right now; try again in a minute.".to_owned()
        }
        Code::Unauthenticated => {
            format!("Your Discord account has no Lens account yet: sign in once at {public_url}.")
        }
        Code::PermissionDenied => format!("You may not do this on Lens: {}", status.message()),
        _ => format!("Lens could not do this: {}", status.message()),
    }
}

/// The integer option `name`, looked for in sub-commands too.
pub fn integer_option(options: &[CommandDataOption], name: &str) -> Option<i64> {
    options.iter().find_map(|option| match &option.value {
        CommandDataOptionValue::Integer(value) if option.name == name => Some(*value),
        CommandDataOptionValue::SubCommand(inner) => integer_option(inner, name),
        _ => None,
    })
}
