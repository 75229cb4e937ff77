// A meeting's time in the reader's own timezone.

import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Meeting } from "../../gen/lens/v1/meeting_pb";

/** A meeting's start in the reader's own timezone. */
export function when(meeting: Meeting | undefined): string {
  if (!meeting?.startsAt) return "";
  return new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(timestampDate(meeting.startsAt));
}

/** Whether a meeting has begun. */
export function begun(meeting: Meeting | undefined, now = new Date()): boolean {
  return meeting?.startsAt !== undefined && timestampDate(meeting.startsAt) <= now;
}
