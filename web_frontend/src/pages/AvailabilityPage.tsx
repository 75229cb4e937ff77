// Availability: when the learner can meet each week, in their own timezone,
// saved through UserService. Changing the timezone keeps the painted local
// times ("evenings where I live"); matching converts them to UTC per week.

import { useEffect, useId, useState } from "react";
import { users } from "../api/client";
import { useSession } from "../api/session";
import { SignInLink } from "../components/SignIn";
import { AvailabilityGrid } from "../components/AvailabilityGrid";
import { Loading, Problem } from "../components/Status";
import {
  Mark,
  detectTimezone,
  emptyWeek,
  slotsFromWeek,
  summary,
  timezoneChoices,
  weekFromSlots,
} from "../lib/availability";
import { describeError } from "../lib/errors";
import { track } from "../observability/analytics";

type SaveState = "clean" | "dirty" | "saving" | "saved";

/** The availability page. */
export default function AvailabilityPage() {
  const { loading, user } = useSession();
  const zoneId = useId();
  const detected = detectTimezone();
  const [week, setWeek] = useState<Mark[] | null>(null);
  const [timezone, setTimezone] = useState(detected);
  const [brush, setBrush] = useState<Mark>(Mark.Available);
  const [save, setSave] = useState<SaveState>("clean");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.title = "Availability · Lens";
    if (!user) return;
    users
      .getAvailability({})
      .then((r) => {
        const a = r.availability;
        setWeek(a ? weekFromSlots(a.availableSlots, a.ifNeededSlots) : emptyWeek());
        if (a?.timezone) setTimezone(a.timezone);
      })
      .catch((e: unknown) => setError(describeError(e)));
  }, [user]);

  if (loading) return <Loading what="your account" />;
  if (!user)
    return (
      <p>
        <SignInLink>Sign in</SignInLink> to tell us when you can meet.
      </p>
    );
  if (error && !week) return <Problem message={error} />;
  if (!week) return <Loading what="your availability" />;

  const change = (next: Mark[]) => {
    setWeek(next);
    setSave("dirty");
  };
  const submit = () => {
    setSave("saving");
    setError(null);
    const { available, ifNeeded } = slotsFromWeek(week);
    users
      .setAvailability({ availability: { timezone, availableSlots: available, ifNeededSlots: ifNeeded } })
      .then(() => {
        setSave("saved");
        track({ name: "availability_saved", slots: available.length + ifNeeded.length });
      })
      .catch((e: unknown) => {
        setSave("dirty");
        setError(describeError(e));
      });
  };
  const hours = summary(week);

  return (
    <div className="availability">
      <h1>When can you meet?</h1>
      <p>
        Mark the times you could join a weekly discussion. We use them to put you in a group whose meeting time suits
        everyone. Mark “if needed” for times you could make but would rather not.
      </p>
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
      <div className="save-bar">
        <span role="status" data-testid="availability-summary">
          {hours.available} h available, {hours.ifNeeded} h if needed
          {save === "saved" && " · Saved"}
          {save === "dirty" && " · Unsaved changes"}
        </span>
        <button type="button" onClick={submit} disabled={save === "saving" || save === "clean" || save === "saved"}>
          {save === "saving" ? "Saving…" : "Save availability"}
        </button>
      </div>
      {error && <Problem message={error} />}
    </div>
  );
}
