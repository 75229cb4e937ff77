// Product analytics: named events a course team needs, sent to PostHog
// through the web edge's relay, in production builds with a key, and only
// once the visitor has said yes. Events carry ids and slugs, never what a
// learner wrote.

import type { PostHog } from "posthog-js";
import { RELAY, productAnalytics } from "./config";
import { onConsentChange, readConsent } from "./consent";

/** The events Lens sends, with their properties. */
export type AnalyticsEvent =
  | { name: "module_opened"; module: string }
  | { name: "lens_completed"; module: string; lens: string }
  | { name: "tutor_message_sent"; module: string }
  | { name: "availability_saved"; slots: number }
  | { name: "cohort_signed_up"; cohort: string; role: "learner" | "facilitator" }
  | { name: "rsvp_answered"; answer: string };

let client: Promise<PostHog> | null = null;
let signedIn: string | null = null;

function load(key: string): Promise<PostHog> {
  // Read directly, so a build without a key drops PostHog's chunk entirely.
  if (!import.meta.env.PROD || !import.meta.env.VITE_POSTHOG_KEY) return Promise.reject(new Error("analytics are off"));
  client ??= import("posthog-js").then(({ default: posthog }) => {
    posthog.init(key, {
      api_host: RELAY.usage,
      ui_host: "https://eu.posthog.com",
      // Page views on load and on every in-app navigation.
      capture_pageview: "history_change",
      capture_pageleave: true,
      // Named events only: autocapture would record the text of what was
      // clicked, which can be a learner's own words.
      autocapture: false,
      disable_session_recording: true,
      disable_surveys: true,
      // Nothing loads from PostHog's hosts, so the page's CSP stays
      // "scripts from this site only".
      disable_external_dependency_loading: true,
      advanced_disable_flags: true,
      persistence: "localStorage",
      person_profiles: "identified_only",
    });
    if (signedIn) posthog.identify(signedIn);
    return posthog;
  });
  return client;
}

function active(): string | null {
  return productAnalytics && readConsent() === "granted" ? productAnalytics.key : null;
}

/** Records `event` when analytics are on and allowed. */
export function track(event: AnalyticsEvent): void {
  const key = active();
  if (!key) return;
  const { name, ...properties } = event;
  void load(key).then((posthog) => posthog.capture(name, properties));
}

/** Ties later events to the signed-in person's Lens id, or forgets them on sign-out. */
export function identify(userId: string | null): void {
  const previous = signedIn;
  signedIn = userId;
  const key = active();
  if (!key) return;
  void load(key).then((posthog) => {
    if (userId) posthog.identify(userId);
    else if (previous || posthog.get_property("$user_state") === "identified") posthog.reset();
  });
}

/** Follows the visitor's answer: loads on yes, stops and forgets on a later no. */
export function startAnalytics(): void {
  if (!productAnalytics) return;
  const key = productAnalytics.key;
  const follow = (choice: string | null) => {
    if (choice === "granted") {
      void load(key).then((posthog) => posthog.opt_in_capturing());
    } else if (client) {
      void client.then((posthog) => {
        posthog.opt_out_capturing();
        posthog.reset();
      });
    }
  };
  follow(readConsent());
  onConsentChange(follow);
}
