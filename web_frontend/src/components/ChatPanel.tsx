// The tutor, inline at a chat segment: the conversation so far, tokens as
// they stream, a stop button, and problems said in words.

import { type FormEvent, type KeyboardEvent, useId, useState } from "react";
import { SignInLink } from "./SignIn";
import { useSession } from "../api/session";
import type { LensChat } from "./useLensChat";
import { Heading } from "./Heading";
import { Markdown } from "./Markdown";
import { Loading } from "./Status";

/** The core refuses longer messages; the box says so before it does. */
const MAX_LENGTH = 4000;

interface Props {
  /** The segment's title, if any. */
  title: string;
  /** The segment's index in its lens. */
  segmentIndex: number;
  /** The lens's conversation; null when signed out, still loading, or on a module page. */
  conversation: LensChat | null;
  /** The chat is written straight into a module page, outside any lens. */
  onPage: boolean;
  /** The level of the chat's title. */
  headingLevel: number;
  /** Who answers: the tutor, or a roleplay's character. */
  speaker?: string;
  /** No more messages (a finished roleplay). */
  closed?: boolean;
}

/** A chat segment. */
export function ChatPanel({
  title,
  segmentIndex,
  conversation,
  onPage,
  headingLevel,
  speaker = "Tutor",
  closed = false,
}: Props) {
  const inputId = useId();
  const [draft, setDraft] = useState("");
  const { loading, user, guest, platform } = useSession();
  // A refused message comes back to the box, to send again later. (Set
  // while rendering, as React advises for state derived from a change.)
  const [seen, setSeen] = useState(conversation?.state);
  if (conversation && conversation.state !== seen) {
    setSeen(conversation.state);
    if (conversation.state.returned) setDraft(conversation.state.returned);
  }
  if (!conversation) {
    return (
      <div className="chat" role="group" aria-label={title || "Discuss with the tutor"}>
        <Heading level={headingLevel} className="chat-title">
          {title || "Discuss with the tutor"}
        </Heading>
        {loading ? (
          <Loading what="the conversation" />
        ) : !user && !guest ? (
          <p>
            <SignInLink>Sign in</SignInLink> to talk this through with the AI tutor.
          </p>
        ) : onPage ? (
          // Tutor sessions belong to lenses; a chat written straight into a
          // module page has none to join.
          <p className="muted">The tutor takes part in the lenses of this module, not on this page.</p>
        ) : (
          <Loading what="the conversation" />
        )}
      </div>
    );
  }
  const { state, send, stop } = conversation;
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || state.busy) return;
    setDraft("");
    send(segmentIndex, text);
  };
  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };
  // A group, not a landmark: a lens may hold several untitled chats.
  return (
    <div className="chat" role="group" aria-label={title || "Discuss with the tutor"}>
      <Heading level={headingLevel} className="chat-title">
        {title || "Discuss with the tutor"}
      </Heading>
      <div role="log" aria-live="polite" aria-busy={state.busy} aria-label="Conversation with the tutor">
        <ol className="chat-log">
          {state.lines.map((line, i) => (
            <li key={i} className={`chat-line ${line.role}`} data-status={line.status}>
              <span className="who">{line.role === "user" ? "You" : speaker}</span>
              {line.thinking && (
                <details className="thinking">
                  <summary>How the tutor thought about it</summary>
                  <p className="small muted">{line.thinking}</p>
                </details>
              )}
              {line.lookups && line.lookups.length > 0 && (
                <ul className="lookups small muted" aria-label="What the tutor looked up">
                  {line.lookups.map((lookup, j) => (
                    <li key={j}>
                      {lookup.failed ? `Tried: ${lookup.summary} (it did not work)` : `Looked up: ${lookup.summary}`}
                    </li>
                  ))}
                </ul>
              )}
              {line.role === "assistant" ? (
                line.text ? (
                  <Markdown text={line.text} headingLevel={headingLevel + 1} noImages />
                ) : (
                  line.status === "streaming" && <p className="muted">Thinking…</p>
                )
              ) : (
                <p className="user-text">{line.text}</p>
              )}
              {line.status === "partial" && line.error && (
                <p className="muted small">
                  {line.text ? "Cut short" : "No answer"}: {line.error}
                </p>
              )}
            </li>
          ))}
        </ol>
      </div>
      {!platform.tutor && (
        <p className="muted" role="note">
          The AI tutor is off on this platform, so messages cannot be answered yet.
        </p>
      )}
      {state.notice && (
        <p className="problem" role="alert">
          {state.notice}
        </p>
      )}
      {!closed && (
        <form className="chat-form" onSubmit={submit}>
          <label htmlFor={inputId} className="visually-hidden">
            {speaker === "Tutor" ? "Message to the tutor" : `Message to ${speaker.toLowerCase()}`}
          </label>
          <textarea
            id={inputId}
            value={draft}
            maxLength={MAX_LENGTH}
            rows={2}
            placeholder={speaker === "Tutor" ? "Ask the tutor, or share what you think…" : "Reply to the character…"}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKey}
            disabled={!platform.tutor}
          />
          {state.busy ? (
            <button type="button" onClick={stop}>
              Stop
            </button>
          ) : (
            <button type="submit" disabled={!draft.trim()}>
              Send
            </button>
          )}
        </form>
      )}
    </div>
  );
}
