// The facilitator's (or an admin's) view of a group's meetings: everyone's
// answer, attendance to record once a meeting has begun, postponing one
// still ahead, and reading the calendar's answers now.

import { useState } from "react";
import { meetings as api } from "../../api/client";
import { describeError } from "../../lib/errors";
import { Attendance, type GroupMeeting, MeetingStatus } from "../../gen/lens/v1/meeting_pb";
import { Problem } from "../Status";
import { answerLabel, attendanceLabel } from "./answers";
import { begun, when } from "./when";

interface Props {
  groupId: bigint;
  meetings: GroupMeeting[];
  calendarOn: boolean;
  /** Called after a change, to load the group again. */
  onChange: () => void;
}

/** Every meeting of the group, for its lead. */
export function FacilitatorView({ groupId, meetings, calendarOn, onChange }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const act = (work: Promise<unknown>, done?: string) => {
    setError(null);
    setNote(null);
    work.then(
      () => {
        if (done) setNote(done);
        onChange();
      },
      (e: unknown) => setError(describeError(e)),
    );
  };
  const scheduled = meetings.filter((m) => m.meeting?.status === MeetingStatus.SCHEDULED);
  return (
    <details className="facilitator-view" open>
      <summary>All meetings, answers and attendance</summary>
      {calendarOn && (
        <button
          type="button"
          onClick={() => act(api.refreshGroupCalendar({ groupId }), "Asked the calendar for its answers; they show in a minute.")}
        >
          Read answers from Google Calendar now
        </button>
      )}
      {note && (
        <p role="status" className="muted">
          {note}
        </p>
      )}
      {error && <Problem message={error} />}
      {scheduled.map((gm) => {
        const meeting = gm.meeting;
        if (!meeting) return null;
        const started = begun(meeting);
        return (
          <table key={String(meeting.id)} className="attendance">
            <caption>
              Meeting {meeting.number}: {when(meeting)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Answer</th>
                {started && <th scope="col">Came?</th>}
              </tr>
            </thead>
            <tbody>
              {gm.members.map((m) => (
                <tr key={String(m.userId)}>
                  <th scope="row">{m.name}</th>
                  <td>{answerLabel(m.rsvp)}</td>
                  {started && (
                    <td>
                      <span role="group" aria-label={`Did ${m.name} come to meeting ${meeting.number}?`}>
                        {[Attendance.PRESENT, Attendance.ABSENT].map((a) => (
                          <button
                            key={a}
                            type="button"
                            aria-pressed={m.attendance === a}
                            onClick={() =>
                              act(api.recordAttendance({ meetingId: meeting.id, userId: m.userId, attendance: a }))
                            }
                          >
                            {attendanceLabel(a)}
                          </button>
                        ))}
                      </span>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
            {!started && (
              <tfoot>
                <tr>
                  <td colSpan={2}>
                    <button
                      type="button"
                      onClick={() => {
                        if (window.confirm(`Postpone meeting ${meeting.number}? The later meetings move up and one is added at the end.`))
                          act(api.postponeMeeting({ meetingId: meeting.id }));
                      }}
                    >
                      Postpone meeting {meeting.number}
                    </button>
                  </td>
                </tr>
              </tfoot>
            )}
          </table>
        );
      })}
    </details>
  );
}
