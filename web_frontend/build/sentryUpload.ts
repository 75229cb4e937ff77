// Uploading source maps to Sentry at build time, so reports show the
// original TypeScript. Only when SENTRY_AUTH_TOKEN is set (a release
// build in CI or the image); without it nothing leaves the machine and the
// build is exactly as before.

/** What the Sentry Vite plugin needs, from the build's environment. */
export interface SentryUpload {
  authToken: string;
  org: string;
  project: string;
  /** A self-hosted Sentry's address; unset for sentry.io. */
  url?: string;
  release: string;
}

/**
 * The upload settings, or null when no token is set. A token without an
 * organisation or project is a mistake worth stopping the build for.
 */
export function sentryUpload(env: Record<string, string | undefined>, release: string): SentryUpload | null {
  const authToken = env.SENTRY_AUTH_TOKEN?.trim();
  if (!authToken) return null;
  const org = env.SENTRY_ORG?.trim();
  const project = env.SENTRY_PROJECT?.trim();
  if (!org || !project) {
    throw new Error(
      "SENTRY_AUTH_TOKEN is set, so source maps are uploaded: set SENTRY_ORG and SENTRY_PROJECT too (the web app's project slug)",
    );
  }
  return { authToken, org, project, url: env.SENTRY_URL?.trim() || undefined, release };
}

/** The release name reports carry: VITE_SENTRY_RELEASE, else lens@VERSION. */
export function releaseName(env: Record<string, string | undefined>, version: string): string {
  return env.VITE_SENTRY_RELEASE?.trim() || `lens@${version}`;
}
