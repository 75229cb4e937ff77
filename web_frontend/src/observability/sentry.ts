// The Sentry browser SDK, loaded only by builds with a DSN (errors.ts).

import * as Sentry from "@sentry/react";
import { RELAY, type errorReporting } from "./config";

type Settings = NonNullable<typeof errorReporting>;

/** Starts the SDK: errors, sampled traces of page loads and RPCs, and masked session replay. */
export function start(settings: Settings): void {
  Sentry.init({
    dsn: settings.dsn,
    tunnel: RELAY.errors,
    release: settings.release,
    environment: settings.environment,
    // No user details, cookies, headers, query strings or bodies: a learner's
    // words stay theirs. The relay adds no IP address either.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
    },
    integrations: [
      Sentry.browserTracingIntegration(),
      // Every text and input is masked and media blocked: a replay shows
      // where someone clicked and what broke, never what they read or wrote.
      Sentry.replayIntegration({ maskAllText: true, maskAllInputs: true, blockAllMedia: true }),
    ],
    tracesSampleRate: settings.tracesSampleRate,
    // RPCs go to this origin, so traces continue into the core.
    tracePropagationTargets: [window.location.origin],
    replaysSessionSampleRate: settings.replaysSessionSampleRate,
    replaysOnErrorSampleRate: 1.0,
  });
}

/** Sets (or clears) the user id on later events. */
export function setUser(userId: string | null): void {
  Sentry.setUser(userId ? { id: userId } : null);
}

/** Sends a caught error. */
export function capture(error: unknown): void {
  Sentry.captureException(error);
}
