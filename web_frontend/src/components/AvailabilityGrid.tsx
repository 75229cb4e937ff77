// The weekly grid: drag with a mouse, finger or pen to paint a rectangle;
// with the keyboard, arrows move, Space paints one cell and Shift+arrows
// paint as they move.

import { type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from "react";
import {
  type Cell,
  DAY_NAMES,
  DAYS,
  Mark,
  SLOTS_PER_DAY,
  type Week,
  cellLabel,
  dragMark,
  moveCell,
  paintRect,
  slotOf,
  timeOf,
} from "../lib/availability";

interface Props {
  week: Week;
  brush: Mark;
  onChange: (week: Mark[]) => void;
}

const MARK_WORDS = ["not marked", "available", "if needed"] as const;

interface Drag {
  from: Cell;
  base: Week;
  mark: Mark;
}

function cellAt(x: number, y: number): Cell | null {
  const element = document.elementFromPoint(x, y)?.closest<HTMLElement>("[data-day]");
  if (!element) return null;
  return { day: Number(element.dataset.day), slot: Number(element.dataset.slot) };
}

/** The grid, Monday to Sunday across, midnight to midnight down. */
export function AvailabilityGrid({ week, brush, onChange }: Props) {
  const [focus, setFocus] = useState<Cell>({ day: 0, slot: 18 });
  const drag = useRef<Drag | null>(null);
  const table = useRef<HTMLTableElement>(null);

  useEffect(() => {
    const end = () => {
      drag.current = null;
    };
    window.addEventListener("pointerup", end);
    window.addEventListener("pointercancel", end);
    return () => {
      window.removeEventListener("pointerup", end);
      window.removeEventListener("pointercancel", end);
    };
  }, []);

  const onPointerDown = (event: PointerEvent) => {
    const cell = cellAt(event.clientX, event.clientY);
    if (!cell || event.button !== 0) return;
    // No text selection or native drag while painting; focus follows the
    // pointer so the keyboard carries on from where the mouse was.
    event.preventDefault();
    (event.target as HTMLElement).closest<HTMLElement>("[data-day]")?.focus();
    drag.current = { from: cell, base: week, mark: dragMark(week, cell, brush) };
    setFocus(cell);
    onChange(paintRect(week, cell, cell, drag.current.mark));
  };
  const onPointerMove = (event: PointerEvent) => {
    const current = drag.current;
    if (!current) return;
    const cell = cellAt(event.clientX, event.clientY);
    if (cell) onChange(paintRect(current.base, current.from, cell, current.mark));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      onChange(paintRect(week, focus, focus, dragMark(week, focus, brush)));
      return;
    }
    const next = moveCell(focus, event.key);
    if (!next) return;
    event.preventDefault();
    setFocus(next);
    table.current?.querySelector<HTMLElement>(`[data-day="${next.day}"][data-slot="${next.slot}"]`)?.focus();
    if (event.shiftKey) onChange(paintRect(week, next, next, brush));
  };

  return (
    <table
      ref={table}
      className="availability-grid"
      role="grid"
      aria-label="Weekly availability. Arrow keys move, Space marks, Shift and arrows mark as they move."
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onKeyDown={onKeyDown}
    >
      <thead>
        <tr>
          <th scope="col" className="time-head">
            <span className="visually-hidden">Time</span>
          </th>
          {DAY_NAMES.map((day) => (
            <th key={day} scope="col" abbr={day}>
              {day.slice(0, 3)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: SLOTS_PER_DAY }, (_, slot) => (
          <tr key={slot} className={slot % 2 === 0 ? "hour" : undefined}>
            <th scope="row" className="time">
              {slot % 2 === 0 ? timeOf(slot) : <span className="visually-hidden">{timeOf(slot)}</span>}
            </th>
            {Array.from({ length: DAYS }, (_, day) => {
              const mark = week[slotOf({ day, slot })] ?? Mark.None;
              const focused = focus.day === day && focus.slot === slot;
              return (
                <td
                  key={day}
                  role="gridcell"
                  data-day={day}
                  data-slot={slot}
                  data-mark={mark}
                  tabIndex={focused ? 0 : -1}
                  aria-label={`${cellLabel({ day, slot })}, ${MARK_WORDS[mark]}`}
                  aria-selected={mark !== Mark.None}
                  onFocus={() => setFocus({ day, slot })}
                />
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
