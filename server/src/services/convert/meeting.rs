//! Meetings as the contract carries them.

use lens_proto::v1;

use super::timestamp;
use crate::content::model::Snapshot;
use crate::domain::{MeetingStatus, Rsvp};
use crate::store::MeetingRecord;

/// A meeting of group `group_name` of course `course_slug`, with the
/// modules to read before it.
pub fn meeting(
    m: &MeetingRecord,
    group_name: &str,
    course_slug: &str,
    content: &Snapshot,
) -> v1::Meeting {
    let number = m.number.unwrap_or_default().max(0) as u32;
    v1::Meeting {
        id: m.id.0,
        group_id: m.group_id.0,
        group_name: group_name.to_owned(),
        number,
        starts_at: Some(timestamp(m.starts_at)),
        minutes: m.minutes.max(0) as u32,
        status: match m.status {
            MeetingStatus::Scheduled => v1::MeetingStatus::Scheduled,
            MeetingStatus::Postponed => v1::MeetingStatus::Postponed,
        }
        .into(),
        due_modules: due_modules(content, course_slug, number),
    }
}

/// The modules a course has read before meeting `number`.
pub fn due_modules(content: &Snapshot, course_slug: &str, number: u32) -> Vec<v1::DueModule> {
    let Some(course) = content.course(course_slug) else {
        return Vec::new();
    };
    course
        .units
        .iter()
        .filter(|u| number > 0 && u.meeting == Some(number))
        .flat_map(|u| {
            u.modules.iter().map(|slug| v1::DueModule {
                slug: slug.clone(),
                title: content
                    .modules
                    .get(slug)
                    .map_or_else(|| slug.clone(), |m| m.title.clone()),
                optional: u.optional.contains(slug),
            })
        })
        .collect()
}

/// An answer as the contract names it.
pub fn rsvp(rsvp: Option<Rsvp>) -> v1::RsvpStatus {
    match rsvp {
        None | Some(Rsvp::Pending) => v1::RsvpStatus::Pending,
        Some(Rsvp::Attending) => v1::RsvpStatus::Attending,
        Some(Rsvp::NotAttending) => v1::RsvpStatus::NotAttending,
        Some(Rsvp::Tentative) => v1::RsvpStatus::Tentative,
    }
}

/// Attendance as the contract names it.
pub fn attendance(attended: Option<bool>) -> v1::Attendance {
    match attended {
        None => v1::Attendance::Unspecified,
        Some(true) => v1::Attendance::Present,
        Some(false) => v1::Attendance::Absent,
    }
}
