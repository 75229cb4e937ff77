// One lens's tutor conversation: found (not created) on load, started on the
// first message, streamed into the chat reducer, stoppable.

import { Code, ConnectError } from "@connectrpc/connect";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import type { Answer } from "../gen/lens/v1/answer_pb";
import { type ChatMessage, type ChatSession, ChatRole, MessageStatus } from "../gen/lens/v1/chat_pb";
import { chat } from "../api/client";
import { type ChatLine, type ChatState, chatReducer, emptyChat } from "../lib/chat";
import { describeError } from "../lib/errors";
import { track } from "../observability/analytics";

/** Statuses with which the core refuses a message before storing it. */
const REFUSALS = [
  Code.ResourceExhausted,
  Code.InvalidArgument,
  Code.FailedPrecondition,
  Code.NotFound,
  Code.PermissionDenied,
  Code.Unauthenticated,
];

function refusal(error: unknown): boolean {
  return error instanceof ConnectError && REFUSALS.includes(error.code);
}

/** A lens's conversation and what can be done with it. */
export interface LensChat {
  state: ChatState;
  send: (segmentIndex: number, text: string) => void;
  stop: () => void;
}

/** A roleplay's conversation: begun on request, finished, started again. */
export interface RoleplayChat extends LensChat {
  /** The conversation exists (its opening is shown). */
  begun: boolean;
  /** The learner finished it. */
  finished: boolean;
  /** Opens the conversation: the character speaks first. */
  begin: () => Promise<void>;
  /** Finishes it; the assessment, when there is one, is returned. */
  finish: () => Promise<Answer | undefined>;
  /** Archives it and opens a fresh one. */
  restart: () => Promise<void>;
}

function toLine(message: ChatMessage): ChatLine {
  return {
    id: message.id,
    role: message.role === ChatRole.ASSISTANT ? "assistant" : "user",
    text: message.text,
    // An answer still being written elsewhere (another tab) shows what has
    // arrived; this page does not follow it.
    status: message.status === MessageStatus.COMPLETE ? "complete" : "partial",
    error:
      message.status === MessageStatus.STREAMING ? "Still being written when this page loaded." : message.error || undefined,
    lookups: message.toolUses.map((t) => ({ summary: t.summary, failed: t.failed })),
    thinking: message.thinking || undefined,
  };
}

/**
 * The conversation about `lensId`, read in module `moduleSlug`, for a
 * signed-in learner. `sessions` is the learner's session list (fetched once
 * per page), or null when signed out.
 */
export function useLensChat(
  lensId: string,
  moduleSlug: string,
  sessions: ChatSession[] | null,
  roleplayId = "",
): RoleplayChat {
  const [state, dispatch] = useReducer(chatReducer, emptyChat);
  const sessionId = useRef<bigint | null>(null);
  const abort = useRef<AbortController | null>(null);
  const active = sessions?.find((s) => s.lensId === lensId && s.roleplayId === roleplayId && !s.archivedAt);
  // What this page did to the roleplay, over what the session list said.
  const [here, setHere] = useState<{ begun: boolean; finished: boolean } | null>(null);
  const begun = here?.begun ?? Boolean(active);
  const finished = here?.finished ?? Boolean(active?.finishedAt);

  useEffect(() => {
    const active = sessions?.find((s) => s.lensId === lensId && s.roleplayId === roleplayId && !s.archivedAt);
    if (!active) return;
    sessionId.current = active.id;
    let live = true;
    chat
      .getTranscript({ sessionId: active.id })
      .then((t) => live && dispatch({ type: "loaded", lines: t.messages.map(toLine) }))
      .catch((e: unknown) => live && dispatch({ type: "failed", message: describeError(e) }));
    return () => {
      live = false;
    };
  }, [lensId, roleplayId, sessions]);

  // Leaving the page stops a streaming answer (the core then stores it partial).
  useEffect(() => () => abort.current?.abort(), []);

  const send = useCallback(
    (segmentIndex: number, text: string) => {
      const controller = new AbortController();
      abort.current = controller;
      dispatch({ type: "sent", text });
      // Any event means the core stored the message and called the model.
      let answered = false;
      void (async () => {
        try {
          if (sessionId.current === null) {
            const started = await chat.getOrStartSession({ lensId, roleplayId }, { signal: controller.signal });
            sessionId.current = started.session?.id ?? null;
          }
          const stream = chat.sendMessage(
            { sessionId: sessionId.current ?? 0n, segmentIndex, text, moduleSlug },
            { signal: controller.signal },
          );
          for await (const response of stream) {
            if (!answered) track({ name: "tutor_message_sent", module: moduleSlug });
            answered = true;
            const event = response.event;
            if (event.case === "delta") dispatch({ type: "delta", text: event.value });
            else if (event.case === "thinking") dispatch({ type: "thinking", text: event.value });
            else if (event.case === "toolUse")
              dispatch({ type: "lookup", lookup: { summary: event.value.summary, failed: event.value.failed } });
            else if (event.case === "complete")
              dispatch({
                type: "completed",
                userId: event.value.userMessageId,
                assistantId: event.value.assistantMessageId,
              });
            // The message says what happened and when to try again.
            else if (event.case === "error") dispatch({ type: "failed", message: event.value.message });
          }
        } catch (error) {
          if (controller.signal.aborted) dispatch({ type: "stopped" });
          else if (!answered && refusal(error)) dispatch({ type: "refused", message: describeError(error) });
          else dispatch({ type: "failed", message: describeError(error) });
        } finally {
          if (abort.current === controller) abort.current = null;
        }
      })();
    },
    [lensId, moduleSlug, roleplayId],
  );

  const stop = useCallback(() => abort.current?.abort(), []);

  const begin = useCallback(async () => {
    const started = await chat.getOrStartSession({ lensId, roleplayId });
    sessionId.current = started.session?.id ?? null;
    dispatch({ type: "loaded", lines: started.messages.map(toLine) });
    setHere({ begun: true, finished: Boolean(started.session?.finishedAt) });
  }, [lensId, roleplayId]);

  const finish = useCallback(async () => {
    if (sessionId.current === null) return undefined;
    const done = await chat.finishRoleplay({ sessionId: sessionId.current });
    setHere({ begun: true, finished: true });
    return done.assessment;
  }, []);

  const restart = useCallback(async () => {
    if (sessionId.current !== null) await chat.archiveSession({ sessionId: sessionId.current });
    sessionId.current = null;
    await begin();
  }, [begin]);

  return { state, send, stop, begun, finished, begin, finish, restart };
}

