// One of the reader's groups: who is in it, who is coming to the next
// meeting, and — for its facilitator or an admin — every meeting's answers
// with attendance to record, and each member's reading and tutor chats.

import { useState } from "react";
import { meetings } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import type { MyGroup } from "../../gen/lens/v1/cohort_pb";
import { SignupRole } from "../../gen/lens/v1/cohort_pb";
import { type GroupMeeting, MeetingStatus } from "../../gen/lens/v1/meeting_pb";
import { Loading, Problem } from "../Status";
import { answerLabel } from "./answers";
import { FacilitatorView } from "./FacilitatorView";
import { MembersProgress } from "./MembersProgress";
import { begun, when } from "./when";

/** The next meeting that has not begun. */
function nextMeeting(all: GroupMeeting[]): GroupMeeting | undefined {
  return all.find((m) => m.meeting?.status === MeetingStatus.SCHEDULED && !begun(m.meeting));
}

/** A group's panel. */
export function GroupPanel({ mine, calendarOn }: { mine: MyGroup; calendarOn: boolean }) {
  const group = mine.group;
  const [version, setVersion] = useState(0);
  const view = useLoad(group ? `group:${group.id}:${version}` : null, () =>
    meetings.listGroupMeetings({ groupId: group?.id ?? 0n }),
  );
  if (!group) return null;
  const next = view.value ? nextMeeting(view.value.meetings) : undefined;
  return (
    <section className="group-panel" aria-labelledby={`group-${group.id}`}>
      <h2 id={`group-${group.id}`}>{group.name}</h2>
      <p className="muted">{mine.cohort?.name}</p>
      <h3>Members</h3>
      <ul className="members">
        {group.members.map((m) => (
          <li key={String(m.userId)}>
            {m.name}
            {m.role === SignupRole.FACILITATOR && " (facilitator)"}
          </li>
        ))}
      </ul>
      {view.error && <Problem message={view.error} />}
      {!view.value && !view.error && <Loading what="who is coming" />}
      {next && (
        <>
          <h3>Next meeting: {when(next.meeting)}</h3>
          <ul className="answers">
            {next.members.map((m) => (
              <li key={String(m.userId)}>
                {m.name}: <span data-rsvp={m.rsvp}>{answerLabel(m.rsvp)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {view.value?.canLead && (
        <>
          <FacilitatorView
            groupId={group.id}
            meetings={view.value.meetings}
            calendarOn={calendarOn}
            onChange={() => setVersion((v) => v + 1)}
          />
          <MembersProgress groupId={group.id} />
        </>
      )}
    </section>
  );
}
