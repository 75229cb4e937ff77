import { describe, expect, it } from "vitest";
import { firstMeeting, startDay, weeklyTime } from "./cohorts";

describe("cohort times", () => {
  it("counts slots from the Monday of the start date's week, in UTC", () => {
    // 2027-03-03 is a Wednesday; slot 36 is Monday 18:00 UTC.
    expect(firstMeeting("2027-03-03", 36).toISOString()).toBe("2027-03-01T18:00:00.000Z");
    expect(firstMeeting("2027-03-01", 48 + 39).toISOString()).toBe("2027-03-02T19:30:00.000Z");
  });

  it("says a weekly time in the reader's timezone, across midnight", () => {
    const at = firstMeeting("2027-03-01", 46); // Monday 23:00 UTC
    expect(weeklyTime(at, "UTC", "en-GB")).toBe("Mondays at 23:00 UTC");
    expect(weeklyTime(at, "Europe/Berlin", "en-GB")).toBe("Tuesdays at 00:00 CET");
  });

  it("reads a start date as a calendar day, whatever the reader's zone", () => {
    expect(startDay("2027-03-01", "en-GB")).toBe("Monday, 1 March 2027");
  });
});
