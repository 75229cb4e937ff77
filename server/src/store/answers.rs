//! Answers to questions, every version kept, with their assessments.

use chrono::{DateTime, Utc};

use super::locks::{BeginLocked, Lock};
use super::{Store, StoreError, StoreResult, on_backend};
use crate::answers::AssessJob;
use crate::domain::{AnswerId, JobState, UserId};

/// One version of an answer, with where its assessment is.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AnswerRecord {
    /// Id.
    pub id: AnswerId,
    /// The learner.
    pub user_id: UserId,
    /// The lens or learning outcome holding the question.
    pub content_id: String,
    /// The question's key.
    pub question_key: String,
    /// The question as asked.
    pub question: String,
    /// Its rubric, when it is assessed.
    pub rubric: Option<String>,
    /// 1, 2, …
    pub version: i32,
    /// The answer.
    pub text: String,
    /// As the browser measured.
    pub seconds_taken: Option<i32>,
    /// Submitted at.
    pub created_at: DateTime<Utc>,
    /// 1 to 5, once assessed.
    pub score: Option<i32>,
    /// Why, once assessed.
    pub reasoning: Option<String>,
    /// Notes per dimension, JSON.
    pub dimensions: Option<String>,
    /// The model that assessed it.
    pub assessed_by: Option<String>,
    /// The assessment's job, when there is one: where it is.
    pub job_state: Option<JobState>,
    /// The job's last error.
    pub job_error: Option<String>,
}

/// A version to store.
#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    /// The learner.
    pub user_id: UserId,
    /// The lens or learning outcome holding the question.
    pub content_id: &'a str,
    /// The question's key.
    pub question_key: &'a str,
    /// The question as asked.
    pub question: &'a str,
    /// Its rubric; the answer is assessed when there is one.
    pub rubric: Option<&'a str>,
    /// The checked answer.
    pub text: &'a str,
    /// As the browser measured.
    pub seconds_taken: Option<i32>,
}

/// An answer's columns with its assessment job's state.
const SELECT: &str = "SELECT a.id, a.user_id, a.content_id, a.question_key, a.question, a.rubric, a.version, \
       a.text, a.seconds_taken, a.created_at, a.score, a.reasoning, a.dimensions, a.assessed_by, \
       j.state AS job_state, j.last_error AS job_error \
     FROM answers a LEFT JOIN jobs j ON j.idempotency_key = 'answer:' || a.id || ':assess'";

impl Store {
    /// Stores `new` as the learner's next version of the answer (numbered
    /// under the learner's lock, so concurrent submits get 1, 2, … and
    /// never the same number) and, when the question has a rubric, queues
    /// its assessment in the same step.
    pub async fn submit_answer(
        &self,
        new: &NewAnswer<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<AnswerRecord> {
        let next = "SELECT COALESCE(MAX(version), 0) + 1 FROM answers WHERE user_id = $1 AND question_key = $2";
        let insert = "INSERT INTO answers (user_id, content_id, question_key, question, rubric, version, text, \
                        seconds_taken, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        let id = on_backend!(self, |pool| {
            let mut tx = pool.begin_locked(&[Lock::User(new.user_id)]).await?;
            let version: i32 = sqlx::query_scalar(next)
                .bind(new.user_id)
                .bind(new.question_key)
                .fetch_one(&mut *tx)
                .await?;
            let id: AnswerId = sqlx::query_scalar(insert)
                .bind(new.user_id)
                .bind(new.content_id)
                .bind(new.question_key)
                .bind(new.question)
                .bind(new.rubric)
                .bind(version)
                .bind(new.text)
                .bind(new.seconds_taken)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            if new.rubric.is_some() {
                super::jobs::write_job!(super::jobs::ENQUEUE, &mut *tx, AssessJob(id), now)?;
            }
            tx.commit().await?;
            id
        });
        self.answer(id).await?.ok_or(StoreError::NotFound)
    }

    /// One version by id.
    pub async fn answer(&self, id: AnswerId) -> StoreResult<Option<AnswerRecord>> {
        let sql = format!("{SELECT} WHERE a.id = $1");
        let found = on_backend!(self, |pool| {
            sqlx::query_as::<_, AnswerRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(found)
    }

    /// Every version of a learner's answers to the questions of a lens or
    /// learning outcome, newest version first within each question.
    pub async fn answers_of(
        &self,
        user_id: UserId,
        content_id: &str,
    ) -> StoreResult<Vec<AnswerRecord>> {
        let sql = format!(
            "{SELECT} WHERE a.user_id = $1 AND a.content_id = $2 ORDER BY a.question_key, a.version DESC"
        );
        let found = on_backend!(self, |pool| {
            sqlx::query_as::<_, AnswerRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(user_id)
                .bind(content_id)
                .fetch_all(pool)
                .await?
        });
        Ok(found)
    }

    /// Writes the assessment of answer `id`. Writing it again (a job run
    /// twice) overwrites it with the same kind of result.
    pub async fn save_assessment(
        &self,
        id: AnswerId,
        score: i32,
        reasoning: &str,
        dimensions: &str,
        model: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "UPDATE answers SET score = $2, reasoning = $3, dimensions = $4, assessed_by = $5, \
                     assessed_at = $6 WHERE id = $1";
        let updated = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(id)
                .bind(score)
                .bind(reasoning)
                .bind(dimensions)
                .bind(model)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
