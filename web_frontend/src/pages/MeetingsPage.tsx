// Meetings: the learner's group meetings ahead, in their own time, with
// what to read first and an answer for each; and those gone by, with
// whether they came. Answers go to MeetingService and show to the
// facilitator.

import { useEffect, useState } from "react";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { meetings } from "../api/client";
import { useSession } from "../api/session";
import { useLoad } from "../api/useLoad";
import { SignInLink } from "../components/SignIn";
import { Loading, Problem } from "../components/Status";
import { Link } from "../lib/navigation";
import { describeError } from "../lib/errors";
import { Attendance, type MyMeeting, RsvpStatus } from "../gen/lens/v1/meeting_pb";

const ANSWERS: [RsvpStatus, string][] = [
  [RsvpStatus.ATTENDING, "I'll be there"],
  [RsvpStatus.TENTATIVE, "Maybe"],
  [RsvpStatus.NOT_ATTENDING, "Can't make it"],
];

/** A meeting's start in the reader's own timezone. */
export function when(meeting: MyMeeting["meeting"]): string {
  if (!meeting?.startsAt) return "";
  return new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(timestampDate(meeting.startsAt));
}

function Answer({ mine }: { mine: MyMeeting }) {
  const [answer, setAnswer] = useState(mine.rsvp);
  const [error, setError] = useState<string | null>(null);
  const id = mine.meeting?.id ?? 0n;
  const choose = (rsvp: RsvpStatus) => {
    setError(null);
    meetings.rsvp({ meetingId: id, rsvp }).then(
      () => setAnswer(rsvp),
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

/** The meetings page. */
export default function MeetingsPage() {
  const { loading, user } = useSession();
  const key = user ? `meetings:${user.id}` : null;
  const ahead = useLoad(key, () => meetings.listMyMeetings({ past: false }).then((r) => r.meetings));
  const past = useLoad(key, () => meetings.listMyMeetings({ past: true }).then((r) => r.meetings));
  useEffect(() => {
    document.title = "Meetings · Lens";
  }, []);
  if (loading) return <Loading what="your account" />;
  if (!user)
    return (
      <p>
        <SignInLink>Sign in</SignInLink> to see your group's meetings.
      </p>
    );
  if (ahead.error) return <Problem message={ahead.error} />;
  if (!ahead.value) return <Loading what="your meetings" />;
  return (
    <div>
      <h1>Meetings</h1>
      {ahead.value.length === 0 && <p>You have no meetings ahead. Once you are in a group, its meetings show here.</p>}
      <ol className="meetings">
        {ahead.value.map((mine) => (
          <li key={String(mine.meeting?.id)}>
            <h2>
              {mine.meeting?.groupName}: meeting {mine.meeting?.number}
            </h2>
            <p>{when(mine.meeting)}</p>
            {(mine.meeting?.dueModules.length ?? 0) > 0 && (
              <p>
                Read first:{" "}
                {mine.meeting?.dueModules.map((m, i) => (
                  <span key={m.slug}>
                    {i > 0 && ", "}
                    <Link href={`/module/${encodeURIComponent(m.slug)}`}>{m.title}</Link>
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
    </div>
  );
}
