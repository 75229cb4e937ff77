//! `/whoami`: which Lens account this Discord user is.

use lens_proto::v1;
use serenity::all::CreateCommand;
use tonic::Code;

use crate::core_client::CoreClient;

/// The command's name.
pub const NAME: &str = "whoami";

/// The command as registered with Discord.
pub fn definition() -> CreateCommand {
    CreateCommand::new(NAME)
        .description("Show which Lens account your Discord account is linked to")
}

/// The reply for Discord user `discord_user`.
pub async fn answer(core: &CoreClient, discord_user: u64, public_url: &str) -> String {
    match core
        .auth_for(discord_user)
        .who_am_i(v1::WhoAmIRequest {})
        .await
    {
        Ok(response) => describe(&response.into_inner(), public_url),
        Err(status) if status.code() == Code::Unavailable => {
            "Lens is not reachable right now; try again in a minute.".to_owned()
        }
        Err(status) => format!("Lens could not answer: {}", status.message()),
    }
}

/// Words a WhoAmI answer for Discord.
pub fn describe(who: &v1::WhoAmIResponse, public_url: &str) -> String {
    match &who.user {
        Some(user) => {
            let name = if user.nickname.is_empty() {
                &user.discord_username
            } else {
                &user.nickname
            };
            let mut text = format!("You are **{name}** on Lens (user {}", user.id);
            if user.is_admin {
                text.push_str(", admin");
            }
            text.push(')');
            if !user.timezone.is_empty() {
                text.push_str(&format!(", timezone {}", user.timezone));
            }
            text.push('.');
            text
        }
        None => {
            format!("Your Discord account has no Lens account yet: sign in once at {public_url}.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_users_and_strangers() {
        let who = v1::WhoAmIResponse {
            user: Some(v1::User {
                id: 3,
                nickname: "Ada".into(),
                is_admin: true,
                timezone: "Europe/London".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            describe(&who, "https://lens.example"),
            "You are **Ada** on Lens (user 3, admin), timezone Europe/London."
        );
        let stranger = describe(&v1::WhoAmIResponse::default(), "https://lens.example");
        assert!(
            stranger.contains("sign in once at https://lens.example"),
            "{stranger}"
        );
    }
}
