// Who is signed in and how one can sign in here, asked of the core once per
// page load (WhoAmI and GetSystemInfo both answer anonymous callers), and
// shared with every component.

import { createContext, type ReactNode, use, useEffect, useState } from "react";
import { CallerKind } from "../gen/lens/v1/auth_pb";
import type { GetSystemInfoResponse } from "../gen/lens/v1/system_pb";
import type { User } from "../gen/lens/v1/user_pb";
import { auth, system } from "./client";

/** What the platform offers, from its switched-on integrations. */
export interface Platform {
  /** Discord sign-in is configured. */
  discordSignIn: boolean;
  /** Development sign-in (DEV_MODE, loopback only) is on. */
  devSignIn: boolean;
  /** The AI tutor has a model to talk to. */
  tutor: boolean;
}

/** The signed-in learner, or null; `loading` until the core has answered. */
export interface SessionState {
  loading: boolean;
  user: User | null;
  platform: Platform;
}

// Until the core says otherwise, offer Discord sign-in and the tutor: they
// are what a configured deployment has.
const assumed: Platform = { discordSignIn: true, devSignIn: false, tutor: true };

/** The platform's offers, read from GetSystemInfo. */
export function platformOf(info: GetSystemInfoResponse): Platform {
  const on = (name: string) => info.integrations.some((i) => i.name === name && i.enabled);
  return { discordSignIn: on("discord_oauth"), devSignIn: info.devMode, tutor: on("llm") };
}

const SessionContext = createContext<SessionState>({ loading: true, user: null, platform: assumed });

/** Provides {@link useSession} to the app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ loading: true, user: null, platform: assumed });
  useEffect(() => {
    let live = true;
    const who = auth
      .whoAmI({})
      .then((me) => (me.kind === CallerKind.USER ? (me.user ?? null) : null))
      // An unreachable core reads as signed out; pages say what failed.
      .catch(() => null);
    const platform = system
      .getSystemInfo({})
      .then(platformOf)
      .catch(() => assumed);
    void Promise.all([who, platform]).then(([user, platform]) => {
      if (live) setState({ loading: false, user, platform });
    });
    return () => {
      live = false;
    };
  }, []);
  return <SessionContext value={state}>{children}</SessionContext>;
}

/** The current session. */
export function useSession(): SessionState {
  return use(SessionContext);
}

/** Where to come back to after signing in: the page the learner is on. */
function here(): string {
  return window.location.pathname + window.location.search;
}

/** The sign-in page, returning here afterwards. */
export function signInUrl(): string {
  return `/auth/discord/login?return_to=${encodeURIComponent(here())}`;
}

/** Development sign-in as `username`, returning here afterwards. */
export function devSignInUrl(username: string, admin: boolean): string {
  const query = new URLSearchParams({ username, return_to: here() });
  if (admin) query.set("admin", "true");
  return `/auth/dev/login?${query}`;
}

/** The name to show for a user. */
export function displayName(user: User): string {
  return user.nickname || user.discordUsername;
}
