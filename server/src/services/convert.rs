//! Conversions from stored records to contract messages.

use chrono::{DateTime, Utc};
use lens_proto::v1;

use crate::store::UserRecord;

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
        id: record.id,
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

/// A cohort role as the contract names it.
pub fn cohort_role(role: crate::domain::CohortRole) -> v1::SignupRole {
    match role {
        crate::domain::CohortRole::Learner => v1::SignupRole::Learner,
        crate::domain::CohortRole::Facilitator => v1::SignupRole::Facilitator,
    }
}

/// A group status as the contract names it.
pub fn group_status(status: crate::domain::GroupStatus) -> v1::GroupStatus {
    use crate::domain::GroupStatus;
    match status {
        GroupStatus::Preview => v1::GroupStatus::Preview,
        GroupStatus::Active => v1::GroupStatus::Active,
        GroupStatus::Completed => v1::GroupStatus::Completed,
        GroupStatus::Merged => v1::GroupStatus::Merged,
        GroupStatus::Cancelled => v1::GroupStatus::Cancelled,
    }
}
