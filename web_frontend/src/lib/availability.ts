// The weekly availability grid: 7 days × 48 half-hours of the learner's own
// local week, as the contract numbers them (0 = Monday 00:00–00:30, 335 =
// Sunday 23:30–24:00). Pure functions, so painting is unit-tested.

/** Half-hour slots in a day. */
export const SLOTS_PER_DAY = 48;
/** Days in the week. */
export const DAYS = 7;
/** Slots in the week. */
export const WEEK_SLOTS = SLOTS_PER_DAY * DAYS;

/** What a slot holds. */
export const Mark = { None: 0, Available: 1, IfNeeded: 2 } as const;
/** One of {@link Mark}'s values. */
export type Mark = (typeof Mark)[keyof typeof Mark];

/** A week of marks, indexed by slot. */
export type Week = readonly Mark[];

/** A cell of the grid. */
export interface Cell {
  day: number;
  slot: number;
}

/** Day names, Monday first as in the contract. */
export const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** The slot number of a cell. */
export function slotOf(cell: Cell): number {
  return cell.day * SLOTS_PER_DAY + cell.slot;
}

/** An empty week. */
export function emptyWeek(): Mark[] {
  return new Array<Mark>(WEEK_SLOTS).fill(Mark.None);
}

/** A week from the contract's two slot lists ("available" wins a clash). */
export function weekFromSlots(available: readonly number[], ifNeeded: readonly number[]): Mark[] {
  const week = emptyWeek();
  for (const slot of ifNeeded) if (slot < WEEK_SLOTS) week[slot] = Mark.IfNeeded;
  for (const slot of available) if (slot < WEEK_SLOTS) week[slot] = Mark.Available;
  return week;
}

/** The contract's two slot lists for a week, each ascending. */
export function slotsFromWeek(week: Week): { available: number[]; ifNeeded: number[] } {
  const available: number[] = [];
  const ifNeeded: number[] = [];
  week.forEach((mark, slot) => {
    if (mark === Mark.Available) available.push(slot);
    else if (mark === Mark.IfNeeded) ifNeeded.push(slot);
  });
  return { available, ifNeeded };
}

/**
 * Paints the rectangle spanned by `from` and `to` (days × times) with
 * `mark`, on top of `base` (the week as it was when the drag began, so
 * shrinking a drag restores what it had covered).
 */
export function paintRect(base: Week, from: Cell, to: Cell, mark: Mark): Mark[] {
  const week = [...base];
  const [d0, d1] = [Math.min(from.day, to.day), Math.max(from.day, to.day)];
  const [s0, s1] = [Math.min(from.slot, to.slot), Math.max(from.slot, to.slot)];
  for (let day = d0; day <= d1; day++) {
    for (let slot = s0; slot <= s1; slot++) week[slotOf({ day, slot })] = mark;
  }
  return week;
}

/**
 * The mark a drag starting on `cell` paints with `brush`: starting on a cell
 * that already has the brush's mark erases, as in most schedulers.
 */
export function dragMark(week: Week, cell: Cell, brush: Mark): Mark {
  return week[slotOf(cell)] === brush ? Mark.None : brush;
}

/** `HH:MM` of the start of a slot in the day. */
export function timeOf(slot: number): string {
  const minutes = slot * 30;
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${minutes % 60 === 0 ? "00" : "30"}`;
}

/** "Monday 09:30–10:00", for screen readers and titles. */
export function cellLabel(cell: Cell): string {
  return `${DAY_NAMES[cell.day]} ${timeOf(cell.slot)}–${timeOf(cell.slot + 1)}`;
}

/** Moves a cell by an arrow key, staying inside the grid. */
export function moveCell(cell: Cell, key: string): Cell | null {
  const clamp = (n: number, max: number) => Math.max(0, Math.min(max - 1, n));
  switch (key) {
    case "ArrowUp":
      return { day: cell.day, slot: clamp(cell.slot - 1, SLOTS_PER_DAY) };
    case "ArrowDown":
      return { day: cell.day, slot: clamp(cell.slot + 1, SLOTS_PER_DAY) };
    case "ArrowLeft":
      return { day: clamp(cell.day - 1, DAYS), slot: cell.slot };
    case "ArrowRight":
      return { day: clamp(cell.day + 1, DAYS), slot: cell.slot };
    default:
      return null;
  }
}

/** Hours of the week marked, as "available" and "if needed". */
export function summary(week: Week): { available: number; ifNeeded: number } {
  const { available, ifNeeded } = slotsFromWeek(week);
  return { available: available.length / 2, ifNeeded: ifNeeded.length / 2 };
}

/** The browser's timezone, or UTC when it cannot tell. */
export function detectTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** IANA timezones the browser knows, with `current` always among them. */
export function timezoneChoices(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return known.includes(current) ? known : [current, ...known];
}

/**
 * The separate stretches of marked time (available or if needed) long
 * enough to hold a meeting of `minutes`, as [start slot, length in slots];
 * a stretch over Sunday midnight counts once.
 */
export function meetingWindows(week: Week, minutes: number): [number, number][] {
  const need = Math.max(1, Math.ceil(minutes / 30));
  const marked = (slot: number) => week[((slot % WEEK_SLOTS) + WEEK_SLOTS) % WEEK_SLOTS] !== Mark.None;
  if (week.every((mark) => mark !== Mark.None)) return [[0, WEEK_SLOTS]];
  // Start the walk just after an unmarked slot, so no stretch is split.
  const gap = week.findIndex((mark) => mark === Mark.None);
  const windows: [number, number][] = [];
  let run = 0;
  for (let step = 1; step <= WEEK_SLOTS; step++) {
    const slot = gap + step;
    if (marked(slot)) {
      run++;
    } else {
      if (run >= need) windows.push([(slot - run) % WEEK_SLOTS, run]);
      run = 0;
    }
  }
  return windows.sort((a, b) => a[0] - b[0]);
}

/** How likely matching can place someone with this week, and what to say. */
export interface MeetingAdvice {
  /** `none`: no meeting fits; `one`: a single window, often not enough; `enough`. */
  level: "none" | "one" | "enough";
  message: string;
}

/**
 * Advice on a week's availability for weekly meetings of `minutes`.
 * Matching places a learner only at a time their group's facilitator and
 * others share; with one window that often fails, so two are asked for.
 */
export function meetingAdvice(week: Week, minutes: number): MeetingAdvice {
  const windows = meetingWindows(week, minutes).length;
  const length = minutes % 60 === 0 ? `${minutes / 60} hour${minutes === 60 ? "" : "s"}` : `${minutes} minutes`;
  if (windows === 0)
    return {
      level: "none",
      message: `None of your times is long enough for a meeting: mark at least ${length} in one stretch, and better two such times on different days.`,
    };
  if (windows === 1)
    return {
      level: "one",
      message:
        "You have given one window. Learners with a single window often cannot be placed in a group: add a second time, on another day if you can (“if needed” times count).",
    };
  return { level: "enough", message: `${windows} separate times could hold a ${minutes}-minute meeting.` };
}
