//! Conversions from domain values and stored records to contract messages:
//! one home, a module per area.

pub mod answer;
pub mod chat;
pub mod cohort;
pub mod content;
pub mod delivery;
pub mod discord;
pub mod meeting;

use chrono::{DateTime, Utc};
use lens_proto::v1;

use crate::store::{AvailabilityRecord, UserRecord};

/// A protobuf timestamp for a UTC instant.
pub fn timestamp(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: at.timestamp_subsec_nanos() as i32,
    }
}

/// Discord's CDN URL for a user's avatar.
pub fn avatar_url(discord_id: &str, avatar_hash: Option<&str>) -> String {
    match avatar_hash {
        Some(hash) if !discord_id.starts_with("dev:") => {
            format!("https://cdn.discordapp.com/avatars/{discord_id}/{hash}.png")
        }
        _ => String::new(),
    }
}

/// The contract's view of a user.
pub fn user(record: &UserRecord) -> v1::User {
    v1::User {
        id: record.id.0,
        discord_id: record.discord_id.clone(),
        discord_username: record.discord_username.clone(),
        avatar_url: avatar_url(&record.discord_id, record.avatar_hash.as_deref()),
        nickname: record.nickname.clone().unwrap_or_default(),
        email: record.email.clone().unwrap_or_default(),
        email_verified: record.email_verified_at.is_some(),
        timezone: record.timezone.clone().unwrap_or_default(),
        notifications: Some(v1::NotificationPreferences {
            email: record.notify_email,
            discord_dm: record.notify_discord_dm,
        }),
        is_admin: record.is_admin,
        created_at: Some(timestamp(record.created_at)),
        updated_at: Some(timestamp(record.updated_at)),
    }
}

/// Weekly availability; the default (empty) when none is stored.
pub fn availability(record: Option<AvailabilityRecord>) -> v1::WeeklyAvailability {
    match record {
        None => v1::WeeklyAvailability::default(),
        Some(r) => v1::WeeklyAvailability {
            timezone: r.timezone,
            available_slots: r.available.into_iter().map(u32::from).collect(),
            if_needed_slots: r.if_needed.into_iter().map(u32::from).collect(),
            updated_at: Some(timestamp(r.updated_at)),
        },
    }
}

/// What a progress record is about, as stored.
pub fn content_kind(kind: &str) -> v1::ContentKind {
    match kind {
        "module" => v1::ContentKind::Module,
        "learning_outcome" => v1::ContentKind::LearningOutcome,
        "lens" => v1::ContentKind::Lens,
        _ => v1::ContentKind::Unspecified,
    }
}
