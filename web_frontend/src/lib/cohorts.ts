// What the cohort pages show, worked out from the contract's fields.

/** Milliseconds in a half-hour week slot. */
const SLOT_MS = 30 * 60 * 1000;

/**
 * When a group first meets: `slot` half-hours after Monday 00:00 UTC of the
 * week holding the cohort's `startDate` (YYYY-MM-DD), as the core counts it.
 */
export function firstMeeting(startDate: string, slot: number): Date {
  const [year, month, day] = startDate.split("-").map(Number);
  const start = Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1);
  const weekday = (new Date(start).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(start - weekday * 24 * 3600 * 1000 + slot * SLOT_MS);
}

/** "Mondays at 19:00" in `timeZone` (the reader's own by default), with the zone's short name. */
export function weeklyTime(at: Date, timeZone?: string, locale?: string): string {
  const day = new Intl.DateTimeFormat(locale, { weekday: "long", timeZone }).format(at);
  const time = new Intl.DateTimeFormat(locale, {
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
    timeZone,
  }).format(at);
  return `${day}s at ${time}`;
}

/** A cohort's start date in words ("Monday, 1 March 2027"), read as a calendar date. */
export function startDay(startDate: string, locale?: string): string {
  const [year, month, day] = startDate.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1)));
}
