// Words for answers and attendance, one place for every meetings view.

import { Attendance, RsvpStatus } from "../../gen/lens/v1/meeting_pb";

/** The answers a member can give, as buttons say them. */
export const ANSWERS: [RsvpStatus, string][] = [
  [RsvpStatus.ATTENDING, "I'll be there"],
  [RsvpStatus.TENTATIVE, "Maybe"],
  [RsvpStatus.NOT_ATTENDING, "Can't make it"],
];

/** An answer as the group sees it. */
export function answerLabel(rsvp: RsvpStatus): string {
  switch (rsvp) {
    case RsvpStatus.ATTENDING:
      return "coming";
    case RsvpStatus.TENTATIVE:
      return "maybe";
    case RsvpStatus.NOT_ATTENDING:
      return "not coming";
    default:
      return "no answer yet";
  }
}

/** Attendance as a facilitator sees it. */
export function attendanceLabel(attendance: Attendance): string {
  switch (attendance) {
    case Attendance.PRESENT:
      return "came";
    case Attendance.ABSENT:
      return "missed";
    default:
      return "not recorded";
  }
}
