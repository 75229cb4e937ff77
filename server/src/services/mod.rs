//! The RPC handlers, one module per lens.v1 service. Handlers parse input
//! into domain values, call the store and convert back; authorization was
//! already decided by the auth layer from the RPC's declared access rule.

mod answer;
mod auth;
mod chat;
mod cohort;
mod content;
pub mod convert;
mod delivery;
mod discord_work;
mod meeting;
mod progress;
mod system;
mod user;

pub use answer::AnswerApi;
pub use auth::AuthApi;
pub use chat::ChatApi;
pub use cohort::CohortApi;
pub use content::ContentApi;
pub use delivery::DeliveryApi;
pub use discord_work::DiscordWorkApi;
pub use meeting::MeetingApi;
pub use progress::ProgressApi;
pub use system::SystemApi;
pub use user::UserApi;

use crate::error::AppResult;

/// Finishes a handler: wraps the message, or maps the error to a status.
pub(crate) fn respond<T>(result: AppResult<T>) -> Result<tonic::Response<T>, tonic::Status> {
    result
        .map(tonic::Response::new)
        .map_err(tonic::Status::from)
}
