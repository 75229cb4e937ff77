//! Chat sessions and messages.

use lens_proto::v1;

use super::timestamp;
use crate::domain::{ChatRole, MessageStatus};
use crate::store::{MessageRecord, SessionRecord};

/// A chat session.
pub fn session(session: &SessionRecord) -> v1::ChatSession {
    v1::ChatSession {
        id: session.id.0,
        lens_id: session.lens_id.clone(),
        started_at: Some(timestamp(session.started_at)),
        archived_at: session.archived_at.map(timestamp),
        user_messages: session.user_messages.max(0) as u32,
        roleplay_id: session.roleplay_id.clone().unwrap_or_default(),
        finished_at: session.finished_at.map(timestamp),
    }
}

/// A stored message; an answer whose lease is alive reads as streaming.
pub fn message(message: MessageRecord) -> v1::ChatMessage {
    let streaming = message
        .streaming_until
        .is_some_and(|until| until > crate::clock::now());
    let status = match (streaming, message.status) {
        (true, _) => v1::MessageStatus::Streaming,
        (false, MessageStatus::Partial) => v1::MessageStatus::Partial,
        (false, MessageStatus::Complete) => v1::MessageStatus::Complete,
    };
    let role = match message.role {
        ChatRole::Assistant => v1::ChatRole::Assistant,
        ChatRole::User => v1::ChatRole::User,
    };
    v1::ChatMessage {
        id: message.id.0,
        role: role.into(),
        text: message.content,
        status: status.into(),
        error: if streaming {
            String::new()
        } else {
            message.error.unwrap_or_default()
        },
        created_at: Some(timestamp(message.created_at)),
        tool_uses: message
            .tool_uses
            .into_iter()
            .map(|t| v1::ToolUse {
                name: t.name,
                summary: t.summary,
                failed: t.failed,
            })
            .collect(),
        thinking: message.thinking.unwrap_or_default(),
    }
}
