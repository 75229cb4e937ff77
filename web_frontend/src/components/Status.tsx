import type { ReactNode } from "react";

// The states a part of a page can be in besides showing its content:
// loading, failed, and empty. One look for each, everywhere.

/** Shown while something loads. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** Shown when something failed, in words. */
export function Problem({ message }: { message: string }) {
  return (
    <p className="problem" role="alert">
      {message}
    </p>
  );
}

/** Shown when there is nothing to show yet, with what to do about it. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
