// A lens: its source, its segments, and "mark complete".

import type { Lens } from "../gen/lens/v1/content_pb";
import type { ChatSession } from "../gen/lens/v1/chat_pb";
import { Segments } from "./Segments";
import { useAnswers } from "./useAnswers";
import { useLensChat } from "./useLensChat";

interface Props {
  lens: Lens;
  /** The module the lens is read in, for the tutor's bearings. */
  moduleSlug: string;
  optional: boolean;
  /** The learner's chat sessions; null when signed out. */
  sessions: ChatSession[] | null;
  /** Completed, or null when signed out (nothing to save). */
  completed: boolean | null;
  /** Whose answers to show and store (see `learnerKey`); null when nobody's. */
  learner: string | null;
  onComplete: () => void;
}

/** One lens of a module. */
export function LensView({ lens, moduleSlug, optional, sessions, completed, learner, onComplete }: Props) {
  const conversation = useLensChat(lens.id, moduleSlug, sessions);
  const answers = useAnswers(lens.id, learner);
  const resource = lens.resource;
  const kind = resource?.kind;
  const by = kind?.case === "article" ? kind.value.author : kind?.case === "video" ? kind.value.channel : "";
  return (
    <article className="lens" data-content-id={lens.id} aria-labelledby={`lens-${lens.id}`}>
      <h3 id={`lens-${lens.id}`}>
        {lens.title || lens.name}
        {optional && <span className="tag">optional</span>}
      </h3>
      {resource?.title && (
        <p className="muted small">
          {resource.title}
          {by && <> · {by}</>}
        </p>
      )}
      <Segments
        segments={lens.segments}
        conversation={sessions ? conversation : null}
        headingLevel={4}
        questions={{ contentId: lens.id, testIndex: 0, answers: learner ? answers : null }}
        roleplays={{ moduleSlug, sessions }}
      />
      {completed !== null && (
        <p className="lens-footer">
          {completed ? (
            <span className="done" role="status">
              ✓ Completed
            </span>
          ) : (
            <button type="button" onClick={onComplete}>
              Mark “{lens.title || lens.name}” complete
            </button>
          )}
        </p>
      )}
    </article>
  );
}
