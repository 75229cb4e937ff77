//! The states and roles of cohorts, groups, tutor messages and jobs, as types: the database keeps
//! them as lower-case TEXT (checked by the schema), the code compares
//! variants, not strings.

/// Where a cohort is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum CohortStatus {
    /// Taking sign-ups; groups may be proposed and rearranged.
    Planned,
    /// Groups are committed and meeting.
    Active,
    /// Over.
    Completed,
    /// Called off.
    Cancelled,
}

/// Where a group is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum GroupStatus {
    /// Proposed, not committed: admins may still move people.
    Preview,
    /// Committed and meeting.
    Active,
    /// Finished its meetings.
    Completed,
    /// Folded into another group.
    Merged,
    /// Called off.
    Cancelled,
}

/// Whether a meeting happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum MeetingStatus {
    /// It happens at its time.
    Scheduled,
    /// It was put off: the later meetings took its place.
    Postponed,
}

/// What someone said about coming to a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum Rsvp {
    /// Not answered.
    Pending,
    /// Coming.
    Attending,
    /// Not coming.
    NotAttending,
    /// Maybe.
    Tentative,
}

/// Why someone is no longer in a group (kept with the membership).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum LeaveReason {
    /// The meeting time no longer works for them.
    TimeConstraints,
    /// Personal reasons.
    PersonalReasons,
    /// The course is not what they need.
    CourseFit,
    /// They stopped answering (an admin's call).
    Unresponsive,
    /// An admin moved them to another group.
    Moved,
    /// Anything else.
    Other,
}

/// What someone is in a cohort: in their sign-up and in their group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum CohortRole {
    /// Takes part.
    Learner,
    /// Leads a group.
    Facilitator,
}

/// Who wrote a tutor message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum ChatRole {
    /// The learner.
    User,
    /// The tutor.
    Assistant,
}

/// Whether a stored tutor message is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum MessageStatus {
    /// Whole.
    Complete,
    /// An answer that stopped early, or is still streaming (its row then
    /// holds a lease in `streaming_until`).
    Partial,
}

/// Where a durable job (a side effect to deliver) is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for its `run_at`, or for a worker.
    Pending,
    /// Claimed by a worker under a lease.
    Running,
    /// Delivered.
    Done,
    /// Gave up after its last attempt, or refused for good; keeps the error.
    Failed,
    /// Called off by an admin.
    Cancelled,
}

impl JobState {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

impl ChatRole {
    /// As stored, and as a model provider names the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

impl CohortStatus {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
}

impl GroupStatus {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preview => "preview",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Merged => "merged",
            Self::Cancelled => "cancelled",
        }
    }
}

impl CohortRole {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Learner => "learner",
            Self::Facilitator => "facilitator",
        }
    }
}

impl std::fmt::Display for CohortStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
