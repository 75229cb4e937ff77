// For a group's facilitator (or an admin): each member's reading of the
// cohort's course, module by module (done, lenses completed, time, tutor
// messages), and each member's tutor chats to read before the meeting.

import { useState } from "react";
import { chat, content, progress } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { ChatRole } from "../../gen/lens/v1/chat_pb";
import { SignupRole } from "../../gen/lens/v1/cohort_pb";
import type { MemberProgress, ModuleProgress } from "../../gen/lens/v1/progress_pb";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Empty, Loading, Problem } from "../Status";

/** Minutes, rounded, as people say them. */
function minutes(seconds: bigint): string {
  const m = Math.round(Number(seconds) / 60);
  return m < 1 ? "under a minute" : `${m} min`;
}

function Cell({ module }: { module: ModuleProgress }) {
  const messages = module.chatMessages > 0 ? ` · ${module.chatMessages} tutor message${module.chatMessages === 1 ? "" : "s"}` : "";
  if (module.completed)
    return (
      <td data-state="done">
        <span className="done">Done</span>
        <span className="detail">
          {minutes(module.timeSpentSeconds)}
          {messages}
        </span>
      </td>
    );
  if (!module.started)
    return (
      <td data-state="not-started">
        <span className="muted">Not started</span>
      </td>
    );
  return (
    <td data-state="started">
      {module.requiredLensesCompleted} of {module.requiredLenses} lenses
      <span className="detail">
        {minutes(module.timeSpentSeconds)}
        {messages}
      </span>
    </td>
  );
}

/** Every member's progress through the group's course. */
export function MembersProgress({ groupId }: { groupId: bigint }) {
  const loaded = useLoad(`group-progress:${groupId}`, () => progress.getGroupProgress({ groupId }));
  const [reading, setReading] = useState<MemberProgress | null>(null);
  if (loaded.error) return <Problem message={loaded.error} />;
  if (!loaded.value) return <Loading what="the members' progress" />;
  const members = loaded.value.members;
  const modules = members[0]?.units.flatMap((u) => u.modules.map((m) => ({ meeting: u.meeting, module: m }))) ?? [];
  return (
    <section className="members-progress" aria-labelledby={`progress-${groupId}`}>
      <h3 id={`progress-${groupId}`}>Members’ reading</h3>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Members’ reading, by module">
        <table>
          <thead>
            <tr>
              <th scope="col">Member</th>
              {modules.map(({ meeting, module }) => (
                <th scope="col" key={module.moduleId}>
                  {meeting > 0 && <span className="detail">Meeting {meeting}</span>}
                  {module.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={String(member.userId)}>
                <th scope="row">
                  {member.name}
                  {member.role === SignupRole.FACILITATOR ? (
                    <span className="detail">facilitator</span>
                  ) : (
                    <button type="button" className="link-button" onClick={() => setReading(member)}>
                      Tutor chats
                    </button>
                  )}
                </th>
                {member.units.flatMap((u) => u.modules).map((module) => (
                  <Cell key={module.moduleId} module={module} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {reading && <MemberChats key={String(reading.userId)} member={reading} onClose={() => setReading(null)} />}
    </section>
  );
}

/** One member's tutor chats, each opened on demand. */
function MemberChats({ member, onClose }: { member: MemberProgress; onClose: () => void }) {
  const loaded = useLoad(`chats:${member.userId}`, async () => {
    const { sessions } = await chat.listSessions({ userId: member.userId });
    // Lens titles name the chats; a lens gone from the content keeps its id.
    const titles = await Promise.all(
      sessions.map((s) =>
        content.getLens({ id: s.lensId }).then(
          (r) => r.lens?.title || r.lens?.name || s.lensId,
          () => s.lensId,
        ),
      ),
    );
    return sessions.map((session, i) => ({ session, title: titles[i] ?? session.lensId }));
  });
  return (
    <section className="member-chats" aria-labelledby={`chats-${member.userId}`}>
      <h4 id={`chats-${member.userId}`}>{member.name}’s tutor chats</h4>
      <button type="button" className="secondary" onClick={onClose}>
        Close
      </button>
      {loaded.error && <Problem message={loaded.error} />}
      {!loaded.value && !loaded.error && <Loading what="the chats" />}
      {loaded.value?.length === 0 && <Empty>{member.name} has not talked with the tutor yet.</Empty>}
      {loaded.value?.map(({ session, title }) => (
        <Transcript
          key={String(session.id)}
          sessionId={session.id}
          title={title}
          summary={`${session.userMessages} message${session.userMessages === 1 ? "" : "s"}${
            session.startedAt ? ` · from ${timestampDate(session.startedAt).toLocaleDateString()}` : ""
          }`}
          learner={member.name}
        />
      ))}
    </section>
  );
}

function Transcript({
  sessionId,
  title,
  summary,
  learner,
}: {
  sessionId: bigint;
  title: string;
  summary: string;
  learner: string;
}) {
  const [open, setOpen] = useState(false);
  const loaded = useLoad(open ? `transcript:${sessionId}` : null, () => chat.getTranscript({ sessionId }));
  return (
    <details className="transcript" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        {title} <span className="detail">{summary}</span>
      </summary>
      {loaded.error && <Problem message={loaded.error} />}
      {open && !loaded.value && !loaded.error && <Loading what="the chat" />}
      <ol className="transcript-lines">
        {loaded.value?.messages.map((m) => (
          <li key={String(m.id)} className={m.role === ChatRole.USER ? "from-learner" : "from-tutor"}>
            <strong>{m.role === ChatRole.USER ? learner : "Tutor"}:</strong> {m.text}
          </li>
        ))}
      </ol>
    </details>
  );
}
