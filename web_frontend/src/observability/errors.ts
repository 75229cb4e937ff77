// Error reports: when the build has a Sentry DSN, the SDK loads after the
// first render (its own chunk, so a build without a DSN carries none of
// it) and reports through the web edge's same-origin relay.

import { errorReporting } from "./config";

let sentry: Promise<typeof import("./sentry")> | null = null;

/** Starts error reporting if this build has it. */
export function startErrorReports(): void {
  // Read directly, so a build without a DSN drops the SDK's chunk entirely.
  if (!import.meta.env.VITE_SENTRY_DSN || !errorReporting || sentry) return;
  const settings = errorReporting;
  sentry = import("./sentry").then((module) => {
    module.start(settings);
    return module;
  });
}

/** Names the signed-in person in later reports by their Lens id only (never name or email). */
export function reportAs(userId: string | null): void {
  void sentry?.then((module) => module.setUser(userId));
}

/** Reports an error the app caught itself (a page that failed to render). */
export function reportError(error: unknown): void {
  void sentry?.then((module) => module.capture(error));
}
