// The top bar: the course, meetings, availability, and who is signed in.

import { displayName, useSession } from "../api/session";
import { SignInControls } from "./SignIn";
import { Link, useRoute } from "../lib/navigation";

/** The header on every page. */
export function Header() {
  const { loading, user } = useSession();
  // Re-rendered on navigation, so "Sign in" returns to the page it was on.
  useRoute();
  return (
    <header className="site-header">
      <nav aria-label="Main">
        <Link href="/" className="brand">
          Lens
        </Link>
        <Link href="/">Course</Link>
        <Link href="/cohorts">Cohorts</Link>
        {user && <Link href="/meetings">My group</Link>}
        {user && <Link href="/availability">Availability</Link>}
        {user?.isAdmin && <Link href="/admin">Admin</Link>}
      </nav>
      <div className="account" aria-live="polite">
        {loading ? null : user ? (
          <>
            {user.avatarUrl && (
              <img
                src={user.avatarUrl}
                alt=""
                width={28}
                height={28}
                className="avatar"
                onError={(e) => (e.currentTarget.hidden = true)}
              />
            )}
            <span className="signed-in-as" data-testid="signed-in-as">
              {displayName(user)}
            </span>
            <form method="post" action="/auth/logout">
              <button type="submit" className="link-button">
                Sign out
              </button>
            </form>
          </>
        ) : (
          <SignInControls />
        )}
      </div>
    </header>
  );
}
