//! The core's error type and its one mapping to gRPC status codes.

use std::time::Duration;

use tonic::{Code, Status};

use crate::answers::AnswerError;
use crate::chat::prompt::PromptError;
use crate::content::PlaceError;
use crate::domain::Invalid;
use crate::store::StoreError;

/// Everything an RPC handler can fail with. Messages are written for the
/// person who will read them: what went wrong and what to do next. None of
/// them may contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A request field failed validation.
    #[error("invalid {0}")]
    Invalid(#[from] Invalid),
    /// The request as a whole is malformed.
    #[error("{0}")]
    InvalidArgument(String),
    /// The named thing does not exist (or is not visible to the caller).
    #[error("{0}")]
    NotFound(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    PermissionDenied(String),
    /// The caller is not (validly) signed in.
    #[error("{0}")]
    Unauthenticated(String),
    /// The system is not in a state that allows this (for example an
    /// integration is switched off).
    #[error("{0}")]
    FailedPrecondition(String),
    /// A quota or rate limit was hit.
    #[error("{message}")]
    ResourceExhausted {
        /// What limit, and when to retry.
        message: String,
        /// When a retry can succeed.
        retry_after: Option<Duration>,
    },
    /// A dependency (database, Discord, an LLM) did not answer; retrying
    /// later can succeed.
    #[error("{0}")]
    Unavailable(String),
    /// A storage failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or an unexpected failure; details are logged, not returned.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<PlaceError> for AppError {
    fn from(error: PlaceError) -> Self {
        match error {
            PlaceError::NoSuchModule(_) => Self::NotFound(error.to_string()),
            PlaceError::NotInModule { .. } => Self::InvalidArgument(error.to_string()),
        }
    }
}

impl From<AnswerError> for AppError {
    fn from(error: AnswerError) -> Self {
        match error {
            AnswerError::NoContent(_) | AnswerError::NoQuestion { .. } => {
                Self::NotFound(error.to_string())
            }
            AnswerError::Length { .. } => Self::Invalid(Invalid::new("text", error.to_string())),
        }
    }
}

impl From<PromptError> for AppError {
    fn from(error: PromptError) -> Self {
        Self::InvalidArgument(error.to_string())
    }
}

/// Result of an RPC handler step.
pub type AppResult<T> = Result<T, AppError>;

/// Metadata key carrying the seconds until a retry can succeed, beside the
/// human message, for clients that back off automatically.
pub const RETRY_AFTER_METADATA: &str = "retry-after";

/// The longest message a status carries: messages quote input, and a
/// client must always be able to read why it was refused.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// `message`, cut at [`MAX_MESSAGE_CHARS`] with an ellipsis.
pub fn bounded(message: String) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => message,
        Some((end, _)) => format!("{}…", &message[..end]),
    }
}

impl From<AppError> for Status {
    fn from(error: AppError) -> Self {
        let message = bounded(error.to_string());
        match error {
            AppError::Invalid(_) | AppError::InvalidArgument(_) => {
                Status::invalid_argument(message)
            }
            AppError::NotFound(_) => Status::not_found(message),
            AppError::PermissionDenied(_) => Status::permission_denied(message),
            AppError::Unauthenticated(_) => Status::unauthenticated(message),
            AppError::FailedPrecondition(_) => Status::failed_precondition(message),
            AppError::ResourceExhausted { retry_after, .. } => {
                let mut status = Status::new(Code::ResourceExhausted, message);
                if let Some(after) = retry_after {
                    let seconds = after.as_secs().max(1).to_string();
                    if let Ok(value) = seconds.parse() {
                        status.metadata_mut().insert(RETRY_AFTER_METADATA, value);
                    }
                }
                status
            }
            AppError::Unavailable(_) => Status::unavailable(message),
            AppError::Store(store) => store_status(store),
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Status::internal("internal error; it has been logged")
            }
        }
    }
}

fn store_status(error: StoreError) -> Status {
    match error {
        StoreError::NotFound => Status::not_found("not found"),
        StoreError::Conflict(constraint) => {
            // The constraint's name is the schema's business, not the caller's.
            tracing::info!(%constraint, "refused a write that conflicts with a stored row");
            Status::already_exists(
                "this conflicts with something stored meanwhile; reload and try again",
            )
        }
        StoreError::Contended => Status::aborted("the record changed concurrently; try again"),
        StoreError::Unavailable(source) => {
            tracing::warn!(error = %source, "database unavailable");
            Status::unavailable("the database is unavailable; try again shortly")
        }
        other => {
            tracing::error!(error = %other, "database error");
            Status::internal("internal error; it has been logged")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_the_field() {
        let status = Status::from(AppError::from(Invalid::new(
            "timezone",
            "\"Mars\" is not an IANA timezone name",
        )));
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            status.message(),
            "invalid timezone: \"Mars\" is not an IANA timezone name"
        );
    }

    #[test]
    fn messages_quoting_huge_input_stay_readable() {
        let huge = "x".repeat(100_000);
        let status = Status::from(AppError::from(Invalid::new(
            "timezone",
            format!("{huge:?} is not an IANA timezone name"),
        )));
        assert_eq!(status.message().chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(status.message().starts_with("invalid timezone: \"xxx"));
        assert!(status.message().ends_with('…'));
    }

    #[test]
    fn quota_errors_say_when_to_retry() {
        let status = Status::from(AppError::ResourceExhausted {
            message: "limit".into(),
            retry_after: Some(Duration::from_secs(42)),
        });
        assert_eq!(status.code(), Code::ResourceExhausted);
        assert_eq!(status.metadata().get(RETRY_AFTER_METADATA).unwrap(), "42");
    }

    #[test]
    fn internal_details_stay_in_the_log() {
        let status = Status::from(AppError::Internal("secret detail".into()));
        assert!(!status.message().contains("secret detail"));
    }
}
