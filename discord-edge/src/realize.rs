//! Makes the server match what the core says a group or member should look
//! like: read the server, compare, change only the difference. Run twice,
//! the second run only reads. What an earlier attempt made but could not
//! report is found again by name in its place, so nothing is made twice.

use std::collections::HashSet;

use lens_proto::v1;
use serenity::all::{ChannelId, ChannelType, GuildId, Permissions, RoleId, UserId};

use crate::rest::{Channel, Overwrite, Rest, RestError, RestResult};

/// Discord's cap on roles in a server.
pub const ROLE_CAP: usize = 250;

/// From this many roles on, each new group role is logged as a warning.
pub const ROLE_WARNING: usize = 240;

/// Where the bot works: the course server, and the bot's own account
/// (which keeps access to the channels it hides from everyone else).
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// The course server.
    pub guild: GuildId,
    /// The bot's account.
    pub bot: UserId,
}

/// The outcome of syncing one group: what exists now (reported whatever
/// happened, so a retry does not make it again) and how it ended.
#[derive(Debug)]
pub struct Synced {
    /// The ids of what exists.
    pub realized: v1::GroupRealized,
    /// Done, or why not.
    pub result: RestResult<()>,
}

/// Why a group cannot be realized as things are.
fn role_cap_reached(roles: usize) -> RestError {
    RestError::Refused {
        call: "POST /guilds/{guild}/roles".to_owned(),
        reason: format!(
            "the server has {roles} roles and Discord allows {ROLE_CAP}: delete roles no longer used"
        ),
    }
}

const GROUP_ACCESS: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::READ_MESSAGE_HISTORY)
    .union(Permissions::CONNECT)
    .union(Permissions::SPEAK);

const BOT_ACCESS: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::READ_MESSAGE_HISTORY)
    .union(Permissions::CONNECT)
    .union(Permissions::MANAGE_CHANNELS)
    .union(Permissions::MANAGE_ROLES);

fn overwrite(id: u64, kind: u8, allow: Permissions, deny: Permissions) -> Overwrite {
    Overwrite {
        id: id.to_string(),
        kind,
        allow: allow.bits().to_string(),
        deny: deny.bits().to_string(),
    }
}

/// What every channel the bot makes carries: hidden from @everyone, open
/// to the bot.
fn hidden(place: Place) -> Vec<Overwrite> {
    vec![
        overwrite(
            place.guild.get(),
            0,
            Permissions::empty(),
            Permissions::VIEW_CHANNEL,
        ),
        overwrite(place.bot.get(), 1, BOT_ACCESS, Permissions::empty()),
    ]
}

fn group_access(role: RoleId) -> Overwrite {
    overwrite(role.get(), 0, GROUP_ACCESS, Permissions::empty())
}

fn id_of(raw: &str) -> Option<u64> {
    raw.parse::<u64>().ok().filter(|id| *id > 0)
}

/// The server as one sync reads it.
struct Server {
    channels: Vec<Channel>,
}

impl Server {
    /// The channel with `id` if it still exists as `kind`, else one named
    /// `name` of `kind` under `parent` (made by an attempt that could not
    /// report it).
    fn find(&self, id: &str, name: &str, kind: u8, parent: Option<ChannelId>) -> Option<&Channel> {
        let by_id = id_of(id).and_then(|id| {
            self.channels
                .iter()
                .find(|c| c.id.get() == id && c.kind == kind)
        });
        by_id.or_else(|| {
            self.channels
                .iter()
                .find(|c| c.kind == kind && c.name == name && c.parent_id == parent)
        })
    }
}

/// Syncs one group.
pub async fn sync_group(rest: &Rest, place: Place, spec: &v1::GroupSpec) -> Synced {
    let mut realized = v1::GroupRealized::default();
    let result = sync_into(rest, place, spec, &mut realized).await;
    Synced { realized, result }
}

async fn sync_into(
    rest: &Rest,
    place: Place,
    spec: &v1::GroupSpec,
    realized: &mut v1::GroupRealized,
) -> RestResult<()> {
    let cohort = spec.cohort.clone().unwrap_or_default();
    let mut server = Server {
        channels: rest.channels(place.guild).await?,
    };
    let roles = rest.roles(place.guild).await?;

    // The role first: the channels grant it access.
    let role = match roles
        .iter()
        .find(|r| id_of(&spec.role_id) == Some(r.id.get()))
        .or_else(|| roles.iter().find(|r| r.name == spec.role_name))
    {
        Some(role) => role.id,
        None => {
            if roles.len() >= ROLE_CAP {
                return Err(role_cap_reached(roles.len()));
            }
            if roles.len() + 1 >= ROLE_WARNING {
                tracing::warn!(
                    roles = roles.len() + 1,
                    cap = ROLE_CAP,
                    "the server is close to Discord's cap on roles"
                );
            }
            rest.create_role(place.guild, &spec.role_name).await?
        }
    };
    realized.role_id = role.to_string();

    let category = ensure_channel(
        rest,
        place,
        &mut server,
        (&cohort.category_id, &cohort.category_name),
        ChannelType::Category,
        None,
        hidden(place),
    )
    .await?;
    realized.category_id = category.0.to_string();

    let general = ensure_channel(
        rest,
        place,
        &mut server,
        (&cohort.general_channel_id, &cohort.general_channel_name),
        ChannelType::Text,
        Some(category.0),
        [hidden(place), vec![group_access(role)]].concat(),
    )
    .await?;
    realized.general_channel_id = general.0.to_string();

    let text = ensure_channel(
        rest,
        place,
        &mut server,
        (&spec.text_channel_id, &spec.text_channel_name),
        ChannelType::Text,
        Some(category.0),
        [hidden(place), vec![group_access(role)]].concat(),
    )
    .await?;
    realized.text_channel_id = text.0.to_string();

    let voice = ensure_channel(
        rest,
        place,
        &mut server,
        (&spec.voice_channel_id, &spec.voice_channel_name),
        ChannelType::Voice,
        Some(category.0),
        [hidden(place), vec![group_access(role)]].concat(),
    )
    .await?;
    realized.voice_channel_id = voice.0.to_string();

    sync_members(rest, place, spec, role).await?;

    // A new channel, or one the welcome was never recorded in, gets it;
    // unless an attempt that could not report it posted it already.
    let (text_id, text_made) = text;
    if spec.welcome_posted_in != text_id.to_string() {
        let message = welcome(spec, voice.0);
        let heading = message.lines().next().unwrap_or_default();
        if text_made || !rest.has_posted(text_id, place.bot, heading).await? {
            rest.post(text_id, &message, &[]).await?;
        }
    }
    realized.welcome_posted_in = text_id.to_string();
    Ok(())
}

/// The channel (and whether it was made now): found by id or by name and
/// place, else made; its overwrites for the targets in `wanted` set to
/// them (other overwrites, an admin's own, are left alone).
async fn ensure_channel(
    rest: &Rest,
    place: Place,
    server: &mut Server,
    (id, name): (&str, &str),
    kind: ChannelType,
    parent: Option<ChannelId>,
    wanted: Vec<Overwrite>,
) -> RestResult<(ChannelId, bool)> {
    let kind_code = u8::from(kind);
    if let Some(existing) = server.find(id, name, kind_code, parent) {
        let existing = existing.clone();
        for overwrite in &wanted {
            if !existing.permission_overwrites.contains(overwrite) {
                rest.set_overwrite(existing.id, overwrite).await?;
            }
        }
        return Ok((existing.id, false));
    }
    let made = rest
        .create_channel(place.guild, name, kind, parent, &wanted)
        .await?;
    server.channels.push(Channel {
        id: made,
        name: name.to_owned(),
        kind: kind_code,
        parent_id: parent,
        permission_overwrites: wanted,
    });
    Ok((made, true))
}

/// Gives the role to members who should have it and are in the server,
/// and takes it from those who have it and should not.
async fn sync_members(
    rest: &Rest,
    place: Place,
    spec: &v1::GroupSpec,
    role: RoleId,
) -> RestResult<()> {
    let should: HashSet<u64> = spec
        .members
        .iter()
        .filter_map(|m| id_of(&m.discord_id))
        .collect();
    for member in rest.members(place.guild).await? {
        let id = member.user.id;
        let has = member.roles.contains(&role);
        let wanted = should.contains(&id.get());
        if has != wanted {
            rest.set_role(place.guild, id, role, wanted).await?;
        }
    }
    Ok(())
}

/// The welcome for a group, in Discord's markdown: members and facilitator
/// mentioned, the weekly time in words and as a Discord timestamp that
/// each reader sees in their own time.
pub fn welcome(spec: &v1::GroupSpec, voice: ChannelId) -> String {
    let welcome = spec.welcome.clone().unwrap_or_default();
    let mention = |m: &v1::SpecMember| format!("<@{}>", m.discord_id);
    let facilitator = spec.members.iter().find(|m| m.facilitator);
    let learners: Vec<String> = spec
        .members
        .iter()
        .filter(|m| !m.facilitator)
        .map(mention)
        .collect();
    let mut text = format!(
        "**Welcome to {}!** This is your group's channel for {} ({}).\n",
        spec.name, welcome.course_title, welcome.cohort_name
    );
    if let Some(facilitator) = facilitator {
        text.push_str(&format!("Facilitator: {}\n", mention(facilitator)));
    }
    if !learners.is_empty() {
        text.push_str(&format!("Members: {}\n", learners.join(", ")));
    }
    text.push_str(&format!(
        "You meet every week at **{}**, {} meetings in all, in <#{voice}>.",
        welcome.meeting_time, welcome.meeting_count
    ));
    if let Some(first) = welcome
        .first_meeting
        .and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
    {
        text.push_str(&format!(
            "\nFirst meeting: {} (<t:{}:F> in your time).",
            first.format("%a %-d %b %Y, %H:%M UTC"),
            first.timestamp()
        ));
    }
    text
}

/// Sets a member's nickname to what their profile says, if they are in
/// the server and it differs. Whether a change was made.
pub async fn sync_nickname(rest: &Rest, place: Place, spec: &v1::NicknameSpec) -> RestResult<bool> {
    let Some(user) = id_of(&spec.discord_id) else {
        return Ok(false);
    };
    let user = UserId::new(user);
    let Some(member) = rest.member(place.guild, user).await? else {
        // Not in the server: they get it when they join.
        return Ok(false);
    };
    let wanted = (!spec.nickname.is_empty()).then_some(spec.nickname.as_str());
    if member.nick.as_deref() == wanted {
        return Ok(false);
    }
    rest.set_nickname(place.guild, user, wanted).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_names_everyone_and_shows_each_reader_their_own_time() {
        let spec = v1::GroupSpec {
            name: "Hypatia".into(),
            members: vec![
                v1::SpecMember {
                    discord_id: "11".into(),
                    name: "Fay".into(),
                    facilitator: true,
                },
                v1::SpecMember {
                    discord_id: "12".into(),
                    name: "Lu".into(),
                    facilitator: false,
                },
            ],
            welcome: Some(v1::Welcome {
                cohort_name: "Spring 2027".into(),
                course_title: "AI Safety".into(),
                meeting_time: "Mon 18:00 UTC".into(),
                first_meeting: Some(prost_types::Timestamp {
                    seconds: 1_803_924_000,
                    nanos: 0,
                }),
                meeting_count: 8,
            }),
            ..Default::default()
        };
        let text = welcome(&spec, ChannelId::new(99));
        assert!(text.contains("Facilitator: <@11>"), "{text}");
        assert!(text.contains("Members: <@12>"), "{text}");
        assert!(
            text.contains("**Mon 18:00 UTC**, 8 meetings in all, in <#99>"),
            "{text}"
        );
        assert!(
            text.contains("Mon 1 Mar 2027, 18:00 UTC (<t:1803924000:F>"),
            "{text}"
        );
    }
}
