// The state of one tutor conversation as the learner sees it, driven by the
// events of ChatService.SendMessage. A pure reducer, so streaming, stopping
// and failures are unit-tested without a server.

/** A message on screen. */
export interface ChatLine {
  /** Stored id (0 until the server confirms it). */
  id: bigint;
  role: "user" | "assistant";
  text: string;
  /** `streaming` while tokens arrive; `partial` when cut short. */
  status: "complete" | "streaming" | "partial";
  /** Why an answer is partial, in words. */
  error?: string;
  /** What the tutor looked up in the course while answering. */
  lookups?: Lookup[];
  /** What the model thought before answering, where the provider says. */
  thinking?: string;
}

/** A lookup the tutor made: `searched the course for "…"`. */
export interface Lookup {
  summary: string;
  failed: boolean;
}

/** The conversation. */
export interface ChatState {
  lines: ChatLine[];
  /** An answer is streaming. */
  busy: boolean;
  /** A problem to show above the input, in words. */
  notice?: string;
  /** A refused message's text, to put back in the input box. */
  returned?: string;
}

/** What happens to the conversation. */
export type ChatEvent =
  | { type: "loaded"; lines: ChatLine[] }
  | { type: "sent"; text: string }
  | { type: "delta"; text: string }
  | { type: "thinking"; text: string }
  | { type: "lookup"; lookup: Lookup }
  | { type: "completed"; userId: bigint; assistantId: bigint }
  | { type: "failed"; message: string }
  | { type: "refused"; message: string }
  | { type: "stopped" };

/** A conversation with nothing in it. */
export const emptyChat: ChatState = { lines: [], busy: false };

function updateLast(lines: ChatLine[], update: (line: ChatLine) => ChatLine): ChatLine[] {
  const last = lines[lines.length - 1];
  if (!last || last.role !== "assistant") return lines;
  return [...lines.slice(0, -1), update(last)];
}

/** The conversation after `event`. */
export function chatReducer(state: ChatState, event: ChatEvent): ChatState {
  switch (event.type) {
    case "loaded":
      return { lines: event.lines, busy: false };
    case "sent":
      return {
        busy: true,
        lines: [
          ...state.lines,
          { id: 0n, role: "user", text: event.text, status: "complete" },
          { id: 0n, role: "assistant", text: "", status: "streaming" },
        ],
      };
    case "delta":
      return { ...state, lines: updateLast(state.lines, (l) => ({ ...l, text: l.text + event.text })) };
    case "thinking":
      return {
        ...state,
        lines: updateLast(state.lines, (l) => ({ ...l, thinking: (l.thinking ?? "") + event.text })),
      };
    case "lookup":
      return {
        ...state,
        lines: updateLast(state.lines, (l) => ({ ...l, lookups: [...(l.lookups ?? []), event.lookup] })),
      };
    case "completed": {
      const lines = updateLast(state.lines, (l) => ({ ...l, id: event.assistantId, status: "complete" }));
      const user = lines[lines.length - 2];
      if (user && user.role === "user" && user.id === 0n) lines[lines.length - 2] = { ...user, id: event.userId };
      return { lines, busy: false };
    }
    case "failed": {
      // The model failed after the message was stored: keep what arrived
      // of the answer (marked partial), drop an empty one, and say why.
      const last = state.lines[state.lines.length - 1];
      const hasText = last?.role === "assistant" && last.text.length > 0;
      const lines = hasText
        ? updateLast(state.lines, (l) => ({ ...l, status: "partial", error: event.message }))
        : state.lines.filter((l, i) => !(i === state.lines.length - 1 && l.role === "assistant" && l.text === ""));
      return { lines, busy: false, notice: event.message };
    }
    case "refused": {
      // The platform refused the message before storing it (a limit, its
      // length): it leaves the conversation and goes back to the box.
      const [user, answer] = state.lines.slice(-2);
      const pair = user?.role === "user" && user.id === 0n && answer?.role === "assistant" && answer.text === "";
      return {
        lines: pair ? state.lines.slice(0, -2) : state.lines,
        busy: false,
        notice: event.message,
        returned: pair ? user.text : undefined,
      };
    }
    case "stopped":
      return {
        busy: false,
        lines: updateLast(state.lines, (l) =>
          l.status === "streaming" ? { ...l, status: "partial", error: "Stopped" } : l,
        ).filter((l) => !(l.role === "assistant" && l.text === "" && l.status === "partial")),
      };
  }
}
