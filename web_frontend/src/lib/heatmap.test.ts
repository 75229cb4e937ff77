import { describe, expect, it } from "vitest";
import { bestSlots, heatOf, inZone, localSlot, offsetMinutes } from "./heatmap";

const learner = (slots: number[], ifNeeded: number[] = []) => ({
  facilitator: false,
  availableUtcSlots: slots,
  ifNeededUtcSlots: ifNeeded,
});
const facilitator = (slots: number[]) => ({ facilitator: true, availableUtcSlots: slots, ifNeededUtcSlots: [] });

describe("heat map", () => {
  it("counts learners, facilitators and if-needed time per slot", () => {
    const heat = heatOf([learner([36, 37]), learner([36], [38]), facilitator([36])]);
    expect(heat.learners[36]).toBe(2);
    expect(heat.learners[37]).toBe(1);
    expect(heat.facilitators[36]).toBe(1);
    expect(heat.ifNeeded[38]).toBe(1);
  });

  it("knows a zone's offset on a given day, daylight saving included", () => {
    expect(offsetMinutes("Europe/Berlin", new Date("2027-03-01T12:00:00Z"))).toBe(60);
    expect(offsetMinutes("Europe/Berlin", new Date("2027-04-05T12:00:00Z"))).toBe(120);
    expect(offsetMinutes("America/New_York", new Date("2027-03-01T12:00:00Z"))).toBe(-300);
    expect(offsetMinutes("Asia/Kolkata", new Date("2027-03-01T12:00:00Z"))).toBe(330);
  });

  it("moves slots into a zone, round the ends of the week", () => {
    expect(localSlot(36, 60)).toBe(38);
    expect(localSlot(0, -300)).toBe(336 - 10);
    expect(localSlot(335, 60)).toBe(1);
    const counts = new Array<number>(336).fill(0);
    counts[0] = 4;
    expect(inZone(counts, 330)[11]).toBe(4);
  });

  it("ranks the times where most learners meet a facilitator", () => {
    const heat = heatOf([learner([36, 40]), learner([36, 40]), learner([40]), facilitator([36])]);
    // Slot 40 has more learners but nobody to lead it.
    expect(bestSlots(heat, 3)).toEqual([36]);
  });
});
