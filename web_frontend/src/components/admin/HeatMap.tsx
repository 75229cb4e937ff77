// When the cohort's sign-ups can meet: a week of half-hours shaded by how
// many learners are free, in UTC or a chosen timezone, with the best times
// said in words (the shading is for the eye; the list is for everyone).

import { useId, useState } from "react";
import { DAY_NAMES, SLOTS_PER_DAY, detectTimezone, timeOf, timezoneChoices } from "../../lib/availability";
import { type Heat, bestSlots, inZone, localSlot, offsetMinutes } from "../../lib/heatmap";

interface Props {
  heat: Heat;
  /** The first meeting week's Monday: offsets are taken then. */
  firstWeek: Date;
}

/** The heat map with its timezone choice. */
export function HeatMap({ heat, firstWeek }: Props) {
  const zoneId = useId();
  const [zone, setZone] = useState("UTC");
  const offset = offsetMinutes(zone, firstWeek);
  const learners = inZone(heat.learners, offset);
  const facilitators = inZone(heat.facilitators, offset);
  const most = Math.max(1, ...learners);
  const slotName = (slot: number) => `${DAY_NAMES[Math.floor(slot / SLOTS_PER_DAY)]} ${timeOf(slot % SLOTS_PER_DAY)}`;
  const best = bestSlots(heat, 5).map((utc) => localSlot(utc, offset));
  return (
    <figure className="heat-map">
      <div className="availability-controls">
        <label htmlFor={zoneId}>Show times in</label>
        <select id={zoneId} value={zone} onChange={(e) => setZone(e.target.value)}>
          {["UTC", ...timezoneChoices(detectTimezone()).filter((z) => z !== "UTC")].map((z) => (
            <option key={z} value={z}>
              {z.replaceAll("_", " ")}
            </option>
          ))}
        </select>
      </div>
      <figcaption>
        {best.length === 0 ? (
          "No time yet has both learners and a facilitator free."
        ) : (
          <>
            Best times ({zone}, first week):{" "}
            <span data-testid="best-times">
              {best
                .map((slot) => `${slotName(slot)} (${learners[slot]} learners, ${facilitators[slot]} facilitators)`)
                .join("; ")}
            </span>
          </>
        )}
      </figcaption>
      <div className="heat-grid" role="img" aria-label={`Learners free per half-hour, in ${zone}; darker is more.`}>
        <span />
        {DAY_NAMES.map((d) => (
          <span key={d} className="heat-day">
            {d.slice(0, 3)}
          </span>
        ))}
        {Array.from({ length: SLOTS_PER_DAY }, (_, row) => (
          <Row key={row} row={row} learners={learners} facilitators={facilitators} most={most} />
        ))}
      </div>
    </figure>
  );
}

function Row({ row, learners, facilitators, most }: { row: number; learners: number[]; facilitators: number[]; most: number }) {
  return (
    <>
      <span className="heat-time">{row % 2 === 0 ? timeOf(row) : ""}</span>
      {DAY_NAMES.map((_, day) => {
        const slot = day * SLOTS_PER_DAY + row;
        const count = learners[slot] ?? 0;
        const lead = facilitators[slot] ?? 0;
        return (
          <span
            key={day}
            className="heat-cell"
            data-learners={count}
            data-lead={lead > 0}
            style={{ background: `color-mix(in srgb, var(--available) ${Math.round((count / most) * 100)}%, white)` }}
            title={`${count} learners, ${lead} facilitators`}
          />
        );
      })}
    </>
  );
}
