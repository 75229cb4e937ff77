//! `/ping`: whether the bot and Lens answer, and how fast.

use lens_proto::v1;
use serenity::all::CreateCommand;

use crate::core_client::CoreClient;

/// The command's name.
pub const NAME: &str = "ping";

/// The command as registered with Discord.
pub fn definition() -> CreateCommand {
    CreateCommand::new(NAME).description("Check that the bot and Lens are answering")
}

/// The reply: the bot is here, and the core's round trip.
pub async fn answer(core: &CoreClient, discord_user: u64) -> String {
    let started = std::time::Instant::now();
    match core
        .auth_for(discord_user)
        .who_am_i(v1::WhoAmIRequest {})
        .await
    {
        Ok(_) => format!(
            "Pong! Lens answered in {} ms.",
            started.elapsed().as_millis()
        ),
        Err(_) => "Pong! The bot is here, but Lens is not answering right now.".to_owned(),
    }
}
