// The build-time settings the app reads (see docs/configuration.md).

interface ImportMetaEnv {
  /** Sentry DSN of the web app's project; error reports are off without it. */
  readonly VITE_SENTRY_DSN?: string;
  /** Release name on reports (default `lens@VERSION`, set by vite.config.ts). */
  readonly VITE_SENTRY_RELEASE?: string;
  /** Environment on reports (default the build mode). */
  readonly VITE_SENTRY_ENVIRONMENT?: string;
  /** Share of page loads traced, 0–1 (default 0.1). */
  readonly VITE_SENTRY_TRACES_SAMPLE_RATE?: string;
  /** Share of sessions replayed, 0–1 (default 0.1; sessions with an error always are). */
  readonly VITE_SENTRY_REPLAYS_SAMPLE_RATE?: string;
  /** PostHog project key; analytics are off without it, and in development builds. */
  readonly VITE_POSTHOG_KEY?: string;
}
