import { describe, expect, it } from "vitest";
import {
  Mark,
  SLOTS_PER_DAY,
  WEEK_SLOTS,
  meetingAdvice,
  meetingWindows,
  cellLabel,
  dragMark,
  emptyWeek,
  moveCell,
  paintRect,
  slotOf,
  slotsFromWeek,
  summary,
  weekFromSlots,
} from "./availability";

describe("availability grid", () => {
  it("numbers slots as the contract does", () => {
    expect(slotOf({ day: 0, slot: 0 })).toBe(0);
    expect(slotOf({ day: 0, slot: 19 })).toBe(19);
    expect(slotOf({ day: 6, slot: 47 })).toBe(335);
    expect(cellLabel({ day: 0, slot: 19 })).toBe("Monday 09:30–10:00");
    expect(cellLabel({ day: 6, slot: 47 })).toBe("Sunday 23:30–24:00");
  });

  it("round-trips the contract's slot lists, available winning a clash", () => {
    const week = weekFromSlots([1, 2, 300], [2, 3, 999]);
    expect(week[2]).toBe(Mark.Available);
    expect(slotsFromWeek(week)).toEqual({ available: [1, 2, 300], ifNeeded: [3] });
  });

  it("paints a rectangle of days × times over the week the drag began on", () => {
    const base = weekFromSlots([], [slotOf({ day: 2, slot: 20 })]);
    const painted = paintRect(base, { day: 3, slot: 21 }, { day: 1, slot: 18 }, Mark.Available);
    const { available, ifNeeded } = slotsFromWeek(painted);
    expect(available).toHaveLength(3 * 4);
    expect(available).toContain(slotOf({ day: 2, slot: 20 }));
    expect(ifNeeded).toEqual([]);
    // Shrinking the drag restores what it no longer covers.
    const shrunk = paintRect(base, { day: 3, slot: 21 }, { day: 3, slot: 21 }, Mark.Available);
    expect(shrunk[slotOf({ day: 2, slot: 20 })]).toBe(Mark.IfNeeded);
    expect(base[slotOf({ day: 3, slot: 21 })]).toBe(Mark.None);
  });

  it("erases when a drag starts on a cell already holding the brush", () => {
    const week = weekFromSlots([5], []);
    expect(dragMark(week, { day: 0, slot: 5 }, Mark.Available)).toBe(Mark.None);
    expect(dragMark(week, { day: 0, slot: 5 }, Mark.IfNeeded)).toBe(Mark.IfNeeded);
    expect(dragMark(emptyWeek(), { day: 0, slot: 5 }, Mark.Available)).toBe(Mark.Available);
  });

  it("moves by arrow keys without leaving the grid", () => {
    expect(moveCell({ day: 0, slot: 0 }, "ArrowUp")).toEqual({ day: 0, slot: 0 });
    expect(moveCell({ day: 0, slot: 0 }, "ArrowDown")).toEqual({ day: 0, slot: 1 });
    expect(moveCell({ day: 6, slot: 47 }, "ArrowRight")).toEqual({ day: 6, slot: 47 });
    expect(moveCell({ day: 3, slot: 4 }, "ArrowLeft")).toEqual({ day: 2, slot: 4 });
    expect(moveCell({ day: 3, slot: 4 }, "Enter")).toBeNull();
  });

  it("sums hours", () => {
    expect(summary(weekFromSlots([0, 1, 2], [10]))).toEqual({ available: 1.5, ifNeeded: 0.5 });
  });
});

describe("meeting windows and advice", () => {
  const hour = (week: Mark[], day: number, hour: number, hours: number, mark: Mark = Mark.Available) => {
    for (let slot = 0; slot < hours * 2; slot++) week[(day * SLOTS_PER_DAY + hour * 2 + slot) % WEEK_SLOTS] = mark;
    return week;
  };

  it("finds no window in an empty week, and says a meeting needs one", () => {
    const advice = meetingAdvice(emptyWeek(), 60);
    expect(advice.level).toBe("none");
    expect(advice.message).toMatch(/1 hour in one stretch/);
  });

  it("does not count half an hour as a window for an hour's meeting", () => {
    const week = emptyWeek();
    week[10] = Mark.Available;
    expect(meetingWindows(week, 60)).toEqual([]);
  });

  it("warns that a single window often cannot be placed", () => {
    const advice = meetingAdvice(hour(emptyWeek(), 0, 19, 1), 60);
    expect(advice.level).toBe("one");
    expect(advice.message).toMatch(/single window often cannot be placed/);
  });

  it("counts separate stretches, with if-needed time", () => {
    const week = hour(hour(emptyWeek(), 0, 19, 2), 3, 18, 1, Mark.IfNeeded);
    expect(meetingWindows(week, 60)).toEqual([
      [0 * SLOTS_PER_DAY + 38, 4],
      [3 * SLOTS_PER_DAY + 36, 2],
    ]);
    expect(meetingAdvice(week, 60).level).toBe("enough");
  });

  it("counts a stretch over Sunday midnight once", () => {
    const week = hour(emptyWeek(), 6, 23, 2);
    expect(meetingWindows(week, 60)).toEqual([[6 * SLOTS_PER_DAY + 46, 4]]);
  });
});
