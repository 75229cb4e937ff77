// Tells error reports and analytics who is signed in (by Lens id only), as
// the session becomes known and when it changes.

import { useEffect } from "react";
import { useSession } from "../api/session";
import { identify } from "./analytics";
import { reportAs } from "./errors";

/** Keeps reports and analytics attributed to the signed-in person, if any. */
export function useReportedIdentity(): void {
  const { loading, user } = useSession();
  const id = user ? user.id.toString() : null;
  useEffect(() => {
    if (loading) return;
    reportAs(id);
    identify(id);
  }, [loading, id]);
}
