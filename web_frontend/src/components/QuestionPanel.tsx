// A question segment: the question, a box for the answer (with the
// question's length limit and, when it has one, a visible timer), the
// learner's latest answer with its feedback, and every earlier version.

import { type FormEvent, useEffect, useId, useState } from "react";
import { type Answer, AssessmentState } from "../gen/lens/v1/answer_pb";
import type { QuestionSegment } from "../gen/lens/v1/content_pb";
import { answers as answerService } from "../api/client";
import { describeError } from "../lib/errors";
import { clock } from "../lib/video";
import { Feedback } from "./Feedback";
import { Markdown } from "./Markdown";
import { SignInLink } from "./SignIn";
import type { ContentAnswers } from "./useAnswers";

/** The core's limit when a question sets none. */
const DEFAULT_MAX_CHARS = 4000;

interface Props {
  question: QuestionSegment;
  /** Where the question is, as the core names it. */
  contentId: string;
  testIndex: number;
  segmentIndex: number;
  /** The learner's answers to this lens or outcome; null when nobody is reading as a learner. */
  answers: ContentAnswers | null;
  headingLevel: number;
}

/** One question. */
export function QuestionPanel({ question, contentId, testIndex, segmentIndex, answers, headingLevel }: Props) {
  const boxId = useId();
  const mine = (answers?.all ?? []).filter(
    (a) => a.place?.contentId === contentId && a.place.testIndex === testIndex && a.place.segmentIndex === segmentIndex,
  );
  const latest: Answer | undefined = mine[0];
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const max = question.maxChars || DEFAULT_MAX_CHARS;
  const open = answers !== null && (editing || (answers.all !== null && !latest));
  const left = useCountdown(question.maxSeconds, open ? startedAt : null);
  const timeUp = question.maxSeconds > 0 && left === 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text || sending || !answers) return;
    setSending(true);
    setProblem(null);
    const seconds = startedAt ? Math.round((Date.now() - startedAt) / 1000) : 0;
    answerService
      .submitAnswer({ place: { contentId, testIndex, segmentIndex }, text, secondsTaken: seconds })
      .then((r) => {
        if (r.answer) answers.added(r.answer);
        setEditing(false);
        setStartedAt(null);
      })
      .catch((e: unknown) => setProblem(describeError(e)))
      .finally(() => setSending(false));
  };

  return (
    <section className="question" aria-label="Question">
      <p className="muted small">
        Question
        {question.maxChars > 0 && ` · up to ${question.maxChars} characters`}
        {question.maxSeconds > 0 && ` · ${Math.round(question.maxSeconds / 60)} min`}
      </p>
      <Markdown text={question.markdown} headingLevel={headingLevel} />
      {answers === null ? (
        <p>
          <SignInLink>Sign in</SignInLink> to answer and keep your answer.
        </p>
      ) : open ? (
        <form className="answer-form" onSubmit={submit}>
          <label htmlFor={boxId}>Your answer</label>
          {question.enforceVoice && (
            <p className="muted small">This question asks for a spoken answer; for now, write what you would say.</p>
          )}
          <textarea
            id={boxId}
            value={draft}
            maxLength={max}
            rows={5}
            readOnly={timeUp}
            onFocus={() => setStartedAt((s) => s ?? Date.now())}
            onChange={(e) => setDraft(e.target.value)}
          />
          <p className="answer-meta small muted">
            <span>
              {draft.length} / {max} characters
            </span>
            {question.maxSeconds > 0 && (
              <span role="timer" aria-live={left !== null && left <= 30 ? "polite" : "off"}>
                {left === null
                  ? `${clock(question.maxSeconds)} once you start`
                  : timeUp
                    ? "Time is up: submit what you have"
                    : `${clock(left)} left`}
              </span>
            )}
          </p>
          <p className="answer-actions">
            <button type="submit" disabled={sending || !draft.trim()}>
              {latest ? "Submit revised answer" : "Submit answer"}
            </button>
            {editing && (
              <button type="button" className="secondary" onClick={() => setEditing(false)}>
                Cancel
              </button>
            )}
          </p>
          {problem && (
            <p className="problem" role="alert">
              {problem}
            </p>
          )}
        </form>
      ) : latest ? (
        <div className="answer">
          <h4 className="small">Your answer{latest.version > 1 && ` (version ${latest.version})`}</h4>
          <p className="user-text">{latest.text}</p>
          <Feedback answer={latest} headingLevel={headingLevel} />
          <p>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setDraft(latest.text);
                setEditing(true);
              }}
            >
              Revise answer
            </button>
          </p>
          {mine.length > 1 && (
            <details>
              <summary>Earlier versions ({mine.length - 1})</summary>
              <ol className="earlier-answers" reversed>
                {mine.slice(1).map((a) => (
                  <li key={a.id}>
                    <p className="user-text">{a.text}</p>
                    {a.assessment?.state === AssessmentState.DONE && a.assessment.feedback && (
                      <p className="small muted">Scored {a.assessment.score} of 5</p>
                    )}
                  </li>
                ))}
              </ol>
            </details>
          )}
        </div>
      ) : null}
    </section>
  );
}

/** Seconds left of `total` since `since` (null until started), ticking each second. */
function useCountdown(total: number, since: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!total || since === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [total, since]);
  if (!total || since === null) return null;
  return Math.max(0, total - Math.floor((now - since) / 1000));
}
