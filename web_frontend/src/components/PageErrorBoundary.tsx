// A page that throws while rendering: said in words with a way on, and
// reported, instead of a blank screen. Keyed by the address in the shell,
// so moving to another page tries again.

import { Component, type ErrorInfo, type ReactNode } from "react";
import { reportError } from "../observability/errors";

interface State {
  failed: boolean;
}

/** Catches a page's render errors. */
export class PageErrorBoundary extends Component<{ children: ReactNode }, State> {
  state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(error, info.componentStack);
    reportError(error);
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div role="alert">
        <h1>Something went wrong</h1>
        <p>This page failed to show. Reloading usually helps; the team has been told.</p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>{" "}
        <a href="/">Back to the course</a>
      </div>
    );
  }
}
