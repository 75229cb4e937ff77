// The learner's answers to the questions of one lens or learning outcome:
// loaded once, added to as they submit, and asked again every few seconds
// while an assessment is being prepared.

import { useCallback, useEffect, useState } from "react";
import { type Answer, AssessmentState } from "../gen/lens/v1/answer_pb";
import { answers as answerService } from "../api/client";

/** How often a pending assessment is looked at, and for how long. */
const POLL_MS = 2000;
const POLL_FOR_MS = 3 * 60 * 1000;

/** The answers of one lens or outcome, and a way to add one. */
export interface ContentAnswers {
  /** Every version, newest first within each question; null while loading. */
  all: Answer[] | null;
  /** Adds a freshly stored version. */
  added: (answer: Answer) => void;
}

const pending = (answer: Answer) => answer.assessment?.state === AssessmentState.PENDING;

/** The answers of `contentId` for the learner `learner` (null: nobody to ask for). */
export function useAnswers(contentId: string, learner: string | null): ContentAnswers {
  const [all, setAll] = useState<Answer[] | null>(null);
  const [pollingSince, setPollingSince] = useState<number | null>(null);
  useEffect(() => {
    if (!learner) return;
    let live = true;
    answerService
      .listAnswers({ contentId })
      .then((r) => {
        if (!live) return;
        setAll(r.answers);
        setPollingSince(Date.now());
      })
      // Answers are a nicety beside the reading: a failure leaves the boxes empty.
      .catch(() => live && setAll([]));
    return () => {
      live = false;
    };
  }, [contentId, learner]);
  const waiting = Boolean(all?.some(pending));
  useEffect(() => {
    if (!waiting || pollingSince === null || Date.now() - pollingSince > POLL_FOR_MS) return;
    const timer = window.setTimeout(() => {
      answerService
        .listAnswers({ contentId })
        .then((r) => setAll(r.answers))
        .catch(() => {});
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [waiting, all, pollingSince, contentId]);
  const added = useCallback((answer: Answer) => {
    setAll((all) => [answer, ...(all ?? [])]);
    setPollingSince(Date.now());
  }, []);
  return { all, added };
}
