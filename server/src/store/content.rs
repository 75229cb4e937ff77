//! Content refresh requests, shared by all replicas.

use super::{Store, StoreResult, on_backend};
use crate::clock;

impl Store {
    /// Records a request to reload content; returns its id.
    pub async fn request_content_refresh(&self, reason: &str) -> StoreResult<i64> {
        let sql = "INSERT INTO content_refresh_requests (reason, requested_at) VALUES ($1, $2) RETURNING id";
        let id = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(reason)
                .bind(clock::now())
                .fetch_one(pool)
                .await?
        });
        Ok(id)
    }

    /// The newest refresh request id (0 when there is none).
    pub async fn latest_content_refresh(&self) -> StoreResult<i64> {
        let sql = "SELECT COALESCE(MAX(id), 0) FROM content_refresh_requests";
        let id = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?
        });
        Ok(id)
    }
}
