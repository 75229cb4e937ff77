//! Guests' answers in Google Calendar, as RSVPs.

use crate::domain::Rsvp;

/// The RSVP an attendee's `responseStatus` means; `None` for a value
/// Google may add later (it is then left alone).
pub fn from_response_status(status: &str) -> Option<Rsvp> {
    match status {
        "needsAction" => Some(Rsvp::Pending),
        "accepted" => Some(Rsvp::Attending),
        "declined" => Some(Rsvp::NotAttending),
        "tentative" => Some(Rsvp::Tentative),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_google_answer_maps_to_its_rsvp() {
        assert_eq!(from_response_status("needsAction"), Some(Rsvp::Pending));
        assert_eq!(from_response_status("accepted"), Some(Rsvp::Attending));
        assert_eq!(from_response_status("declined"), Some(Rsvp::NotAttending));
        assert_eq!(from_response_status("tentative"), Some(Rsvp::Tentative));
        assert_eq!(from_response_status("maybeLater"), None);
    }
}
