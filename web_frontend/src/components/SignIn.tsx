// Ways to sign in: Discord where it is configured; in development mode
// (DEV_MODE, loopback only) also a form that signs in as any name.

import { type ReactNode, useId } from "react";
import { devSignInUrl, signInUrl, useSession } from "../api/session";

/** A link that signs in and comes back to this page. */
export function SignInLink({ children }: { children: ReactNode }) {
  const { platform } = useSession();
  const href = !platform.discordSignIn && platform.devSignIn ? devSignInUrl("learner", false) : signInUrl();
  return <a href={href}>{children}</a>;
}

/** The header's sign-in controls. */
export function SignInControls() {
  const { platform } = useSession();
  const nameId = useId();
  return (
    <>
      {platform.devSignIn && (
        <form className="dev-sign-in" method="get" action="/auth/dev/login" aria-label="Development sign-in">
          <label htmlFor={nameId} className="visually-hidden">
            Development user name
          </label>
          <input id={nameId} name="username" defaultValue="learner" required size={8} />
          <label className="small">
            <input type="checkbox" name="admin" value="true" /> admin
          </label>
          <input type="hidden" name="return_to" value={window.location.pathname + window.location.search} />
          <button type="submit" className="secondary">
            Dev sign-in
          </button>
        </form>
      )}
      {(platform.discordSignIn || !platform.devSignIn) && (
        <a className="button" href={signInUrl()}>
          Sign in with Discord
        </a>
      )}
    </>
  );
}
