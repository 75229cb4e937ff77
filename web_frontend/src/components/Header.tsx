// The top bar: the course, meetings, availability, and who is signed in.

import { displayName, useSession } from "../api/session";
import { SignInControls } from "./SignIn";
import { Link, useLocation } from "react-router";
import { paths } from "../lib/paths";

/** The header on every page. */
export function Header() {
  const { loading, user } = useSession();
  // Re-rendered on navigation, so "Sign in" returns to the page it was on.
  useLocation();
  return (
    <header className="site-header">
      <nav aria-label="Main">
        <Link to={paths.home()} className="brand">
          Lens
        </Link>
        <Link to={paths.home()}>Course</Link>
        <Link to={paths.cohorts()}>Cohorts</Link>
        {user && <Link to={paths.meetings()}>My group</Link>}
        {user && <Link to={paths.availability()}>Availability</Link>}
        {user?.isAdmin && <Link to={paths.admin()}>Admin</Link>}
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
