//! Slash commands: their definitions, and what each answers. The answers
//! come from the core; these modules only word them for Discord.

pub mod whoami;

use serenity::all::CreateCommand;

/// Every command the bot registers.
pub fn definitions() -> Vec<CreateCommand> {
    vec![whoami::definition()]
}
