// Turns a failed call into words a learner can act on. The core's statuses
// carry precise messages that already say what to do and, for limits, when
// to try again (retry-after is for clients that wait by themselves); this
// shows them as sentences and words the failures that carry no message.

import { Code, ConnectError } from "@connectrpc/connect";

/** `text` as a sentence: capitalised, ending in a full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** A sentence describing `error`. */
export function describeError(error: unknown): string {
  if (error instanceof DOMException && error.name === "AbortError") return "Stopped.";
  const e = ConnectError.from(error);
  switch (e.code) {
    case Code.Unauthenticated:
      return "Your session has ended. Please sign in again.";
    case Code.Unavailable:
      return "Lens cannot be reached right now. Check your connection and try again.";
    case Code.Canceled:
      return "Stopped.";
    default:
      return sentence(e.rawMessage) || "Something went wrong. Please try again.";
  }
}
