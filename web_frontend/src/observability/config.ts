// What this build reports, fixed when it was built (Vite's VITE_*
// variables). Unset means off: a development build, or a deployment that
// has not configured the service.

/** A sample rate from the build's environment, or `fallback` when unset or not in [0, 1]. */
export function sampleRate(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const rate = Number(raw);
  return Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : fallback;
}

const env = import.meta.env;

/** Sentry, for errors, traces and session replay; off without a DSN. */
export const errorReporting = env.VITE_SENTRY_DSN
  ? {
      dsn: env.VITE_SENTRY_DSN,
      release: env.VITE_SENTRY_RELEASE,
      environment: env.VITE_SENTRY_ENVIRONMENT || env.MODE,
      tracesSampleRate: sampleRate(env.VITE_SENTRY_TRACES_SAMPLE_RATE, 0.1),
      replaysSessionSampleRate: sampleRate(env.VITE_SENTRY_REPLAYS_SAMPLE_RATE, 0.1),
    }
  : null;

/** PostHog, in production builds with a project key only (and then only after consent). */
export const productAnalytics = env.PROD && env.VITE_POSTHOG_KEY ? { key: env.VITE_POSTHOG_KEY } : null;

/** Where the web edge relays what the browser reports (see web-edge/src/relay.rs). */
export const RELAY = { errors: "/api/errors", usage: "/api/usage" } as const;
