// Turns a failed call into words a learner can act on. The core's statuses
// carry precise messages; this adds what to do about the common ones.

import { Code, ConnectError } from "@connectrpc/connect";

/** Seconds from a `retry-after` header or trailer, if any. */
export function retryAfterSeconds(error: ConnectError): number | undefined {
  const raw = error.metadata.get("retry-after");
  const seconds = raw === null ? NaN : Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** "in 2 minutes", "in 45 seconds", "in 3 hours". */
export function inWords(seconds: number): string {
  if (seconds < 90) return `in ${Math.ceil(seconds)} second${Math.ceil(seconds) === 1 ? "" : "s"}`;
  if (seconds < 90 * 60) return `in ${Math.round(seconds / 60)} minutes`;
  return `in ${Math.round(seconds / 3600)} hours`;
}

/** A sentence describing `error`. */
export function describeError(error: unknown): string {
  if (error instanceof DOMException && error.name === "AbortError") return "Stopped.";
  const e = ConnectError.from(error);
  const message = e.rawMessage;
  switch (e.code) {
    case Code.Unauthenticated:
      return "Your session has ended. Please sign in again.";
    case Code.ResourceExhausted: {
      const after = retryAfterSeconds(e);
      return after === undefined ? message : `${message} You can try again ${inWords(after)}.`;
    }
    case Code.Unavailable:
      return "Lens cannot be reached right now. Check your connection and try again.";
    case Code.Canceled:
      return "Stopped.";
    default:
      return message || "Something went wrong. Please try again.";
  }
}
