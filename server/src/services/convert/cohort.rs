//! Cohorts, groups and roles.

use lens_proto::v1;

use crate::domain::CohortStatus;
use crate::store::CohortRecord;

/// A cohort.
pub fn cohort(c: CohortRecord) -> v1::Cohort {
    let status = match c.status {
        CohortStatus::Planned => v1::CohortStatus::Planned,
        CohortStatus::Active => v1::CohortStatus::Active,
        CohortStatus::Completed => v1::CohortStatus::Completed,
        CohortStatus::Cancelled => v1::CohortStatus::Cancelled,
    };
    v1::Cohort {
        id: c.id.0,
        name: c.name,
        course_slug: c.course_slug,
        start_date: c.start_date.to_string(),
        meeting_count: c.meeting_count as u32,
        duration_days: c.duration_days as u32,
        status: status.into(),
        signup_count: c.signup_count as u32,
        my_role: v1::SignupRole::Unspecified.into(),
        meeting_minutes: crate::meetings::schedule::MEETING_MINUTES as u32,
    }
}

/// A cohort role as the contract names it.
pub fn role(role: crate::domain::CohortRole) -> v1::SignupRole {
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
