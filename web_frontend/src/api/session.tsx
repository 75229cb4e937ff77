// Who is signed in and how one can sign in here, asked of the core once per
// page load (WhoAmI and GetSystemInfo both answer anonymous callers), and
// shared with every component. A visitor who is not signed in becomes a
// guest when they start reading (see `keepAsGuest`): their reading and
// tutor chats are then kept, and the account claims them at sign-in.

import { createContext, type ReactNode, use, useCallback, useEffect, useMemo, useRef, useState } from "react";
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
  /** Not signed in, but kept as a guest: reading and chats are stored. */
  guest: boolean;
  platform: Platform;
  /** Asks to be kept as a guest, if not signed in or a guest already. */
  keepAsGuest: () => void;
}

/** Whose reading a page shows and stores: a key per learner, or null. */
export function learnerKey(state: Pick<SessionState, "user" | "guest">): string | null {
  return state.user ? state.user.id.toString() : state.guest ? "guest" : null;
}

// Until the core says otherwise, offer Discord sign-in and the tutor: they
// are what a configured deployment has.
const assumed: Platform = { discordSignIn: true, devSignIn: false, tutor: true };

/** The platform's offers, read from GetSystemInfo. */
export function platformOf(info: GetSystemInfoResponse): Platform {
  const on = (name: string) => info.integrations.some((i) => i.name === name && i.enabled);
  return { discordSignIn: on("discord_oauth"), devSignIn: info.devMode, tutor: on("llm") };
}

const SessionContext = createContext<SessionState>({
  loading: true,
  user: null,
  guest: false,
  platform: assumed,
  keepAsGuest: () => {},
});

interface Known {
  loading: boolean;
  user: User | null;
  guest: boolean;
  platform: Platform;
}

/** Provides {@link useSession} to the app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [known, setKnown] = useState<Known>({ loading: true, user: null, guest: false, platform: assumed });
  useEffect(() => {
    let live = true;
    const who = auth
      .whoAmI({})
      .then((me) => ({
        user: me.kind === CallerKind.USER ? (me.user ?? null) : null,
        guest: me.kind === CallerKind.GUEST,
      }))
      // An unreachable core, or a guest cookie that no longer works, reads
      // as signed out; pages say what failed.
      .catch(() => ({ user: null, guest: false }));
    const platform = system
      .getSystemInfo({})
      .then(platformOf)
      .catch(() => assumed);
    void Promise.all([who, platform]).then(([who, platform]) => {
      if (live) setKnown({ loading: false, ...who, platform });
    });
    return () => {
      live = false;
    };
  }, []);
  // One request however many pages ask; a refusal (too many guests from
  // this network) leaves the visitor reading without keeping anything.
  const asked = useRef(false);
  const keepAsGuest = useCallback(() => {
    if (asked.current) return;
    asked.current = true;
    void fetch("/auth/guest", { method: "POST", credentials: "same-origin" })
      .then((response) => {
        if (response.ok) setKnown((known) => ({ ...known, guest: true }));
      })
      .catch(() => {});
  }, []);
  const state = useMemo(() => ({ ...known, keepAsGuest }), [known, keepAsGuest]);
  return <SessionContext value={state}>{children}</SessionContext>;
}

/**
 * Keeps a visitor who is not signed in as a guest once the session is
 * known: a new guest, or the same one renewed (once per page load), so a
 * guest who keeps coming back is never lost to an expiry.
 */
export function useKeptAsGuest(): void {
  const { loading, user, keepAsGuest } = useSession();
  useEffect(() => {
    if (!loading && !user) keepAsGuest();
  }, [loading, user, keepAsGuest]);
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
