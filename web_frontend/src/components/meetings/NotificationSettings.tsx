// Which notifications the reader accepts: email (reminders, nudges, group
// news) and direct messages from the Discord bot.

import { useEffect, useState } from "react";
import { users } from "../../api/client";
import { describeError } from "../../lib/errors";
import { Problem } from "../Status";

interface Choice {
  email: boolean;
  discordDm: boolean;
}

/** Two switches, saved as soon as they change. */
export function NotificationSettings() {
  const [choice, setChoice] = useState<Choice | null>(null);
  const [hasEmail, setHasEmail] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    users.getProfile({}).then(
      (r) => {
        setHasEmail(Boolean(r.user?.email));
        setChoice({
          email: r.user?.notifications?.email ?? true,
          discordDm: r.user?.notifications?.discordDm ?? true,
        });
      },
      (e: unknown) => setError(describeError(e)),
    );
  }, []);
  const change = (next: Choice) => {
    const before = choice;
    setChoice(next);
    setSaved(false);
    setError(null);
    users.updateProfile({ notifications: next }).then(
      () => setSaved(true),
      (e: unknown) => {
        setChoice(before);
        setError(describeError(e));
      },
    );
  };
  return (
    <section aria-labelledby="notification-settings">
      <h2 id="notification-settings">Notifications</h2>
      {error && <Problem message={error} />}
      {choice && (
        <fieldset>
          <legend>Tell me about meetings and my group by</legend>
          <label>
            <input
              type="checkbox"
              checked={choice.email}
              onChange={(e) => change({ ...choice, email: e.target.checked })}
            />{" "}
            Email{!hasEmail && " (add an address to your profile first)"}
          </label>
          <label>
            <input
              type="checkbox"
              checked={choice.discordDm}
              onChange={(e) => change({ ...choice, discordDm: e.target.checked })}
            />{" "}
            Discord direct messages
          </label>
        </fieldset>
      )}
      {saved && (
        <p role="status" className="muted">
          Saved.
        </p>
      )}
    </section>
  );
}
