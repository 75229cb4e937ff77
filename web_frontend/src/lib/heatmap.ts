// The admin console's heat map: how many people can meet at each half-hour
// of the week, from their UTC availability, seen in any timezone.

import { WEEK_SLOTS } from "./availability";

/** A sign-up as the heat map needs it. */
export interface HeatSignup {
  facilitator: boolean;
  availableUtcSlots: readonly number[];
  ifNeededUtcSlots: readonly number[];
}

/** Per week slot: learners and facilitators available, and those only if needed. */
export interface Heat {
  learners: number[];
  facilitators: number[];
  ifNeeded: number[];
}

/** Counts per UTC week slot. */
export function heatOf(signups: readonly HeatSignup[]): Heat {
  const heat: Heat = {
    learners: new Array<number>(WEEK_SLOTS).fill(0),
    facilitators: new Array<number>(WEEK_SLOTS).fill(0),
    ifNeeded: new Array<number>(WEEK_SLOTS).fill(0),
  };
  for (const s of signups) {
    const into = s.facilitator ? heat.facilitators : heat.learners;
    for (const slot of s.availableUtcSlots) if (slot < WEEK_SLOTS) into[slot] = (into[slot] ?? 0) + 1;
    for (const slot of s.ifNeededUtcSlots) if (slot < WEEK_SLOTS) heat.ifNeeded[slot] = (heat.ifNeeded[slot] ?? 0) + 1;
  }
  return heat;
}

/** Minutes `timeZone` is ahead of UTC at `at` (negative west of Greenwich). */
export function offsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  const utc = Math.floor(at.getTime() / 60000) * 60000;
  return Math.round((local - utc) / 60000);
}

/** The local week slot of UTC week slot `slot`, `offset` minutes ahead (wrapping round the week). */
export function localSlot(slot: number, offset: number): number {
  const shifted = slot + Math.round(offset / 30);
  return ((shifted % WEEK_SLOTS) + WEEK_SLOTS) % WEEK_SLOTS;
}

/** `counts` per UTC slot, re-indexed by local slot. */
export function inZone(counts: readonly number[], offset: number): number[] {
  const out = new Array<number>(WEEK_SLOTS).fill(0);
  counts.forEach((count, slot) => {
    out[localSlot(slot, offset)] = count;
  });
  return out;
}

/** The `n` slots where most learners can meet with a facilitator available, best first. */
export function bestSlots(heat: Heat, n: number): number[] {
  return heat.learners
    .map((count, slot) => ({ slot, count, lead: heat.facilitators[slot] ?? 0 }))
    .filter((s) => s.count > 0 && s.lead > 0)
    .sort((a, b) => b.count - a.count || b.lead - a.lead || a.slot - b.slot)
    .slice(0, n)
    .map((s) => s.slot);
}
