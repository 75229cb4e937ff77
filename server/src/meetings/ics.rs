//! "Add to calendar" when Google Calendar is off: a person's meetings as
//! an iCalendar file (RFC 5545), one event per meeting. Each event's UID
//! names the meeting, so importing a newer file (after a postponement)
//! updates the events already imported instead of adding copies.

use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

use crate::store::MyMeetingRecord;

/// The file's name.
pub const FILE_NAME: &str = "lens-meetings.ics";

/// `meetings` as an iCalendar file written at `now`; `course_title` names
/// a course by slug, `public_url` is where the meetings page is.
pub fn calendar_file(
    meetings: &[MyMeetingRecord],
    course_title: impl Fn(&str) -> String,
    public_url: &str,
    now: DateTime<Utc>,
) -> String {
    let public_url = public_url.trim_end_matches('/');
    let host = url::Url::parse(public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "lens".to_owned());
    let page = format!("{public_url}/meetings");
    let mut calendar = Calendar::new();
    calendar.name("Lens meetings");
    for m in meetings {
        let course = course_title(&m.course_slug);
        let number = m.meeting.number.unwrap_or_default();
        calendar.push(
            Event::new()
                .uid(&format!("meeting-{}@{host}", m.meeting.id))
                .timestamp(now)
                .summary(&format!("{course}: {} — meeting {number}", m.group_name))
                .description(&format!(
                    "Meeting {number} of {} ({course}). What to read before it, and whether you can come: {page}",
                    m.group_name
                ))
                .url(&page)
                .starts(m.meeting.starts_at)
                .ends(m.meeting.starts_at + Duration::minutes(m.meeting.minutes))
                .done(),
        );
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::{GroupId, MeetingId, MeetingStatus};
    use crate::store::MeetingRecord;

    #[test]
    fn each_meeting_is_an_event_in_utc_named_for_its_meeting() {
        let starts_at = Utc.with_ymd_and_hms(2026, 12, 3, 17, 0, 0).unwrap();
        let mine = MyMeetingRecord {
            meeting: MeetingRecord {
                id: MeetingId(12),
                group_id: GroupId(3),
                number: Some(2),
                starts_at,
                minutes: 90,
                status: MeetingStatus::Scheduled,
            },
            group_name: "Group Ada".into(),
            course_slug: "intro".into(),
            rsvp: None,
            attended: None,
        };
        let file = calendar_file(
            &[mine],
            |_| "Intro to AI Safety".into(),
            "https://lens.example/",
            starts_at,
        );
        assert!(file.starts_with("BEGIN:VCALENDAR\r\n"), "{file}");
        assert!(file.contains("UID:meeting-12@lens.example\r\n"), "{file}");
        assert!(file.contains("DTSTART:20261203T170000Z\r\n"), "{file}");
        assert!(file.contains("DTEND:20261203T183000Z\r\n"), "{file}");
        assert!(
            file.contains("SUMMARY:Intro to AI Safety: Group Ada — meeting 2"),
            "{file}"
        );
        assert_eq!(file.matches("BEGIN:VEVENT").count(), 1);
    }
}
