// The weekly availability form: timezone, brush, grid, advice on whether a
// meeting fits, and a save button. Used by the availability page and by
// signing up for a cohort, where saving is the first step of the sign-up.

import { useEffect, useId, useState } from "react";
import { users } from "../api/client";
import { AvailabilityGrid } from "./AvailabilityGrid";
import { Loading, Problem } from "./Status";
import {
  Mark,
  detectTimezone,
  emptyWeek,
  meetingAdvice,
  slotsFromWeek,
  summary,
  timezoneChoices,
  weekFromSlots,
} from "../lib/availability";
import { describeError } from "../lib/errors";
import { track } from "../observability/analytics";

type SaveState = "clean" | "dirty" | "saving" | "saved";

interface Props {
  /** The button's words ("Save availability", "Sign up"). */
  action: string;
  /** Runs once the availability is saved (the sign-up itself); a failure is shown. */
  then?: () => Promise<void>;
  /** Length of a meeting, for the advice (minutes). */
  meetingMinutes?: number;
  /** Whether the button works with nothing changed (signing up with availability given before). */
  submitUnchanged?: boolean;
}

/** Availability, loaded, edited and saved. */
export function AvailabilityEditor({ action, then, meetingMinutes = 60, submitUnchanged = false }: Props) {
  const zoneId = useId();
  const adviceId = useId();
  const detected = detectTimezone();
  const [week, setWeek] = useState<Mark[] | null>(null);
  const [timezone, setTimezone] = useState(detected);
  const [brush, setBrush] = useState<Mark>(Mark.Available);
  const [save, setSave] = useState<SaveState>("clean");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    users
      .getAvailability({})
      .then((r) => {
        const a = r.availability;
        setWeek(a ? weekFromSlots(a.availableSlots, a.ifNeededSlots) : emptyWeek());
        if (a?.timezone) setTimezone(a.timezone);
      })
      .catch((e: unknown) => setError(describeError(e)));
  }, []);

  if (error && !week) return <Problem message={error} />;
  if (!week) return <Loading what="your availability" />;

  const change = (next: Mark[]) => {
    setWeek(next);
    setSave("dirty");
  };
  const advice = meetingAdvice(week, meetingMinutes);
  const submit = async () => {
    setSave("saving");
    setError(null);
    const { available, ifNeeded } = slotsFromWeek(week);
    try {
      await users.setAvailability({ availability: { timezone, availableSlots: available, ifNeededSlots: ifNeeded } });
      track({ name: "availability_saved", slots: available.length + ifNeeded.length });
      await then?.();
      setSave("saved");
    } catch (e: unknown) {
      setSave("dirty");
      setError(describeError(e));
    }
  };
  const hours = summary(week);
  const idle = save === "clean" || save === "saved";
  const disabled = save === "saving" || (idle && !submitUnchanged) || advice.level === "none";

  return (
    <div className="availability-editor">
      <div className="availability-controls">
        <label htmlFor={zoneId}>Timezone</label>
        <select
          id={zoneId}
          value={timezone}
          onChange={(e) => {
            setTimezone(e.target.value);
            setSave("dirty");
          }}
        >
          {timezoneChoices(timezone).map((zone) => (
            <option key={zone} value={zone}>
              {zone.replaceAll("_", " ")}
            </option>
          ))}
        </select>
        {timezone !== detected && (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setTimezone(detected);
              setSave("dirty");
            }}
          >
            Use this device’s timezone ({detected})
          </button>
        )}
      </div>
      <fieldset className="brush">
        <legend>Paint with</legend>
        {(
          [
            [Mark.Available, "Available"],
            [Mark.IfNeeded, "If needed"],
          ] as const
        ).map(([mark, label]) => (
          <label key={mark} className={`swatch mark-${mark}`}>
            <input type="radio" name="brush" checked={brush === mark} onChange={() => setBrush(mark)} />
            {label}
          </label>
        ))}
        <button type="button" className="link-button" onClick={() => change(emptyWeek())}>
          Clear all
        </button>
      </fieldset>
      <AvailabilityGrid week={week} brush={brush} onChange={change} />
      <p id={adviceId} className={`advice advice-${advice.level}`} data-testid="meeting-advice" aria-live="polite">
        {advice.message}
      </p>
      <div className="save-bar">
        <span role="status" data-testid="availability-summary">
          {hours.available} h available, {hours.ifNeeded} h if needed
          {save === "saved" && " · Saved"}
          {save === "dirty" && " · Unsaved changes"}
        </span>
        <button type="button" onClick={() => void submit()} disabled={disabled} aria-describedby={adviceId}>
          {save === "saving" ? "Saving…" : action}
        </button>
      </div>
      {error && <Problem message={error} />}
    </div>
  );
}
