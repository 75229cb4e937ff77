//! Meeting reminders in a group's channel: the core says which meeting and
//! when; this words it and posts it, notifying the group's role.

use lens_proto::v1;
use serenity::all::{ChannelId, RoleId};

use crate::rest::{Rest, RestError, RestResult};

/// Posts the reminder `spec` describes.
pub async fn post(rest: &Rest, spec: &v1::MeetingReminderSpec) -> RestResult<()> {
    let Some(channel) = spec.channel_id.parse::<u64>().ok().filter(|id| *id > 0) else {
        return Err(RestError::Refused {
            call: "a meeting reminder".to_owned(),
            reason: "the group has no channel".to_owned(),
        });
    };
    let role = spec
        .role_id
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .map(RoleId::new);
    rest.post(ChannelId::new(channel), &words(spec), role.as_slice())
        .await
}

/// The reminder in Discord's markdown: who, which meeting, when in each
/// reader's own time, where, what to read first, and who said they are
/// coming (with where to answer).
pub fn words(spec: &v1::MeetingReminderSpec) -> String {
    let starts = spec.starts_at.map_or(0, |t| t.seconds);
    let who = if spec.role_id.is_empty() {
        format!("**{}**", spec.group_name)
    } else {
        format!("<@&{}>", spec.role_id)
    };
    let when = if spec.hours_before <= 1 {
        "in an hour".to_owned()
    } else {
        "tomorrow".to_owned()
    };
    let mut text = format!(
        "{who}: meeting {} of {} is {when}, <t:{starts}:F> (<t:{starts}:R>)",
        spec.number, spec.meeting_count
    );
    if !spec.voice_channel_id.is_empty() {
        text.push_str(&format!(", in <#{}>", spec.voice_channel_id));
    }
    text.push('.');
    if !spec.reading.is_empty() {
        text.push_str(&format!(
            "\nTo read before it: {}.",
            spec.reading.join(", ")
        ));
    }
    let mut answers = Vec::new();
    for (names, said) in [
        (&spec.coming, "coming"),
        (&spec.maybe, "maybe"),
        (&spec.not_coming, "can't make it"),
    ] {
        if !names.is_empty() {
            answers.push(format!("{said}: {}", names.join(", ")));
        }
    }
    if spec.unanswered > 0 {
        answers.push(format!("{} not answered yet", spec.unanswered));
    }
    if !answers.is_empty() {
        text.push_str(&format!("\n{}.", capitalized(&answers.join("; "))));
    }
    if spec.unanswered > 0 && !spec.answer_url.is_empty() {
        text.push_str(&format!(" Answer at <{}>.", spec.answer_url));
    }
    text
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_says_which_meeting_when_where_and_what_to_read() {
        let spec = v1::MeetingReminderSpec {
            channel_id: "1".into(),
            role_id: "7".into(),
            voice_channel_id: "9".into(),
            group_name: "Hypatia".into(),
            number: 2,
            meeting_count: 8,
            starts_at: Some(prost_types::Timestamp {
                seconds: 1_803_924_000,
                nanos: 0,
            }),
            hours_before: 24,
            reading: vec!["Goals".into(), "Proxies".into()],
            ..Default::default()
        };
        assert_eq!(
            words(&spec),
            "<@&7>: meeting 2 of 8 is tomorrow, <t:1803924000:F> (<t:1803924000:R>), in <#9>.\nTo read before it: Goals, Proxies."
        );
    }

    #[test]
    fn a_reminder_shows_who_is_coming_and_where_the_rest_answer() {
        let spec = v1::MeetingReminderSpec {
            group_name: "Hypatia".into(),
            number: 1,
            meeting_count: 4,
            hours_before: 1,
            coming: vec!["ada".into(), "grace".into()],
            not_coming: vec!["alan".into()],
            unanswered: 2,
            answer_url: "https://lens.example/meetings".into(),
            ..Default::default()
        };
        let text = words(&spec);
        assert!(
            text.ends_with("\nComing: ada, grace; can't make it: alan; 2 not answered yet. Answer at <https://lens.example/meetings>."),
            "{text}"
        );
    }
}
