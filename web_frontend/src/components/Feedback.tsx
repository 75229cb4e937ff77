// What the model made of an answer (or a roleplay), as far as the question
// shows it: pending, failed, recorded, or the score with its reasons.

import { type Answer, AssessmentState } from "../gen/lens/v1/answer_pb";
import { Markdown } from "./Markdown";

/** What the model made of an answer, as far as the question shows it. */
export function Feedback({ answer, headingLevel }: { answer: Answer; headingLevel: number }) {
  const a = answer.assessment;
  if (!a) return null;
  switch (a.state) {
    case AssessmentState.PENDING:
      return (
        <p className="muted" role="status">
          Feedback is being prepared…
        </p>
      );
    case AssessmentState.FAILED:
      return <p className="muted">{a.error}</p>;
    case AssessmentState.DONE:
      if (!a.feedback) return <p className="muted">Your answer was recorded.</p>;
      return (
        <div className="feedback" role="status">
          <p>
            <strong>Feedback: {a.score} of 5</strong>
          </p>
          <Markdown text={a.reasoning} headingLevel={headingLevel + 1} noImages />
          {a.dimensions.length > 0 && (
            <dl className="dimensions">
              {a.dimensions.map((d) => (
                <div key={d.name}>
                  <dt>{d.name}</dt>
                  <dd>{d.note}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      );
    default:
      return null;
  }
}
