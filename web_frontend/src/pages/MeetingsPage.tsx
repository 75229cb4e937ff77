// My group: the reader's groups (members, who is coming next, and for a
// facilitator every meeting with attendance), their meetings ahead in the
// reader's own time with what to read first and an answer for each, "add
// to calendar" when Google Calendar does not send invitations, the
// meetings gone by, and which notifications they accept.

import { useEffect, useState } from "react";
import { cohorts, meetings } from "../api/client";
import { useSession } from "../api/session";
import { useLoad } from "../api/useLoad";
import { SignInLink } from "../components/SignIn";
import { Loading, Problem } from "../components/Status";
import { ANSWERS } from "../components/meetings/answers";
import { GroupPanel } from "../components/meetings/GroupPanel";
import { NotificationSettings } from "../components/meetings/NotificationSettings";
import { when } from "../components/meetings/when";
import { Link } from "react-router";
import { paths } from "../lib/paths";
import { describeError } from "../lib/errors";
import { track } from "../observability/analytics";
import { saveText } from "../lib/download";
import { Attendance, type MyMeeting, RsvpStatus } from "../gen/lens/v1/meeting_pb";

function Answer({ mine }: { mine: MyMeeting }) {
  const [answer, setAnswer] = useState(mine.rsvp);
  const [error, setError] = useState<string | null>(null);
  const id = mine.meeting?.id ?? 0n;
  const choose = (rsvp: RsvpStatus) => {
    setError(null);
    meetings.rsvp({ meetingId: id, rsvp }).then(
      () => {
        setAnswer(rsvp);
        track({ name: "rsvp_answered", answer: RsvpStatus[rsvp] });
      },
      (e: unknown) => setError(describeError(e)),
    );
  };
  return (
    <div role="group" aria-label="Will you come?">
      {ANSWERS.map(([rsvp, label]) => (
        <button key={rsvp} type="button" aria-pressed={answer === rsvp} onClick={() => choose(rsvp)}>
          {label}
        </button>
      ))}
      {error && <Problem message={error} />}
    </div>
  );
}

function AddToCalendar() {
  const [error, setError] = useState<string | null>(null);
  const download = () => {
    setError(null);
    meetings.exportMyMeetings({}).then(
      (file) => saveText(file.ics, file.fileName, "text/calendar"),
      (e: unknown) => setError(describeError(e)),
    );
  };
  return (
    <p>
      <button type="button" onClick={download}>
        Add to my calendar (.ics)
      </button>{" "}
      <span className="muted">Import the file again after a meeting moves: it updates the events.</span>
      {error && <Problem message={error} />}
    </p>
  );
}

/** The My group page. */
export default function MeetingsPage() {
  const { loading, user } = useSession();
  const key = user ? `meetings:${user.id}` : null;
  const ahead = useLoad(key, () => meetings.listMyMeetings({ past: false }));
  const past = useLoad(key, () => meetings.listMyMeetings({ past: true }).then((r) => r.meetings));
  const groups = useLoad(key, () => cohorts.listMyGroups({}).then((r) => r.groups));
  useEffect(() => {
    document.title = "My group · Lens";
  }, []);
  if (loading) return <Loading what="your account" />;
  if (!user)
    return (
      <p>
        <SignInLink>Sign in</SignInLink> to see your group and its meetings.
      </p>
    );
  if (ahead.error) return <Problem message={ahead.error} />;
  if (!ahead.value) return <Loading what="your meetings" />;
  const calendarOn = ahead.value.calendarInvitations;
  return (
    <div>
      <h1>My group</h1>
      {groups.error && <Problem message={groups.error} />}
      {groups.value?.map((g) => (
        <GroupPanel key={String(g.group?.id)} mine={g} calendarOn={calendarOn} />
      ))}
      <h2>Meetings ahead</h2>
      {ahead.value.meetings.length === 0 && (
        <p>You have no meetings ahead. Once you are in a group, its meetings show here.</p>
      )}
      {ahead.value.meetings.length > 0 &&
        (calendarOn ? (
          <p className="muted">Your calendar invitations come from Google Calendar; answering there shows here too.</p>
        ) : (
          <AddToCalendar />
        ))}
      <ol className="meetings">
        {ahead.value.meetings.map((mine) => (
          <li key={String(mine.meeting?.id)}>
            <h3>
              {mine.meeting?.groupName}: meeting {mine.meeting?.number}
            </h3>
            <p>{when(mine.meeting)}</p>
            {(mine.meeting?.dueModules.length ?? 0) > 0 && (
              <p>
                Read first:{" "}
                {mine.meeting?.dueModules.map((m, i) => (
                  <span key={m.slug}>
                    {i > 0 && ", "}
                    <Link to={paths.module(m.slug)}>{m.title}</Link>
                    {m.optional && " (optional)"}
                  </span>
                ))}
              </p>
            )}
            <Answer mine={mine} />
          </li>
        ))}
      </ol>
      {(past.value?.length ?? 0) > 0 && (
        <>
          <h2>Gone by</h2>
          <ul>
            {past.value?.map((mine) => (
              <li key={String(mine.meeting?.id)}>
                {mine.meeting?.groupName}, meeting {mine.meeting?.number}: {when(mine.meeting)}
                {mine.attendance === Attendance.PRESENT && " · you came"}
                {mine.attendance === Attendance.ABSENT && " · missed"}
              </li>
            ))}
          </ul>
        </>
      )}
      <NotificationSettings />
    </div>
  );
}
