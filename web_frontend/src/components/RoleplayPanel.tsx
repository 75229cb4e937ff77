// A roleplay segment: the learner's briefing, then a conversation with the
// AI character (which speaks first), finished when the learner says so and
// then assessed like an answer; "Start again" opens a fresh one.

import { useState } from "react";
import type { ChatSession } from "../gen/lens/v1/chat_pb";
import type { RoleplaySegment } from "../gen/lens/v1/content_pb";
import { describeError } from "../lib/errors";
import { ChatPanel } from "./ChatPanel";
import { Feedback } from "./Feedback";
import { Markdown } from "./Markdown";
import { SignInLink } from "./SignIn";
import type { ContentAnswers } from "./useAnswers";
import { useLensChat } from "./useLensChat";

interface Props {
  roleplay: RoleplaySegment;
  lensId: string;
  moduleSlug: string;
  segmentIndex: number;
  /** The learner's chat sessions; null when nobody is reading as a learner. */
  sessions: ChatSession[] | null;
  /** The learner's answers to this lens (a finished roleplay's assessment is one). */
  answers: ContentAnswers | null;
  headingLevel: number;
}

/** One roleplay. */
export function RoleplayPanel({ roleplay, lensId, moduleSlug, segmentIndex, sessions, answers, headingLevel }: Props) {
  const chat = useLensChat(lensId, moduleSlug, sessions, roleplay.id);
  const [problem, setProblem] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const assessed = (answers?.all ?? []).find(
    (a) => a.place?.contentId === lensId && a.place.segmentIndex === segmentIndex,
  );
  const said = chat.state.lines.some((l) => l.role === "user");
  const act = (action: () => Promise<unknown>) => {
    setWorking(true);
    setProblem(null);
    action()
      .catch((e: unknown) => setProblem(describeError(e)))
      .finally(() => setWorking(false));
  };
  return (
    <section className="question roleplay" aria-label="Roleplay">
      <p className="muted small">Roleplay</p>
      <Markdown text={roleplay.markdown} headingLevel={headingLevel} />
      {sessions === null ? (
        <p>
          <SignInLink>Sign in</SignInLink> to take part in the roleplay.
        </p>
      ) : !chat.begun ? (
        <p>
          <button type="button" disabled={working} onClick={() => act(chat.begin)}>
            Begin the conversation
          </button>
        </p>
      ) : (
        <>
          <ChatPanel
            title="Conversation"
            segmentIndex={segmentIndex}
            conversation={chat}
            onPage={false}
            headingLevel={headingLevel}
            speaker="Character"
            closed={chat.finished}
          />
          {chat.finished ? (
            <div className="answer">
              <p className="done">Roleplay finished.</p>
              {assessed && <Feedback answer={assessed} headingLevel={headingLevel} />}
              <p>
                <button type="button" className="secondary" disabled={working} onClick={() => act(chat.restart)}>
                  Start again
                </button>
              </p>
            </div>
          ) : (
            <p className="answer-actions">
              <button
                type="button"
                className="secondary"
                disabled={working || !said || chat.state.busy}
                onClick={() =>
                  act(async () => {
                    const assessment = await chat.finish();
                    if (assessment) answers?.added(assessment);
                  })
                }
              >
                Finish the roleplay
              </button>
              <button type="button" className="link-button" disabled={working} onClick={() => act(chat.restart)}>
                Start again
              </button>
            </p>
          )}
        </>
      )}
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
