// The content status for authors and admins: which version is served, the
// items left out or held at an older version, and every problem by file. It
// follows the core's status stream, so a push shows up without a reload.

import { useEffect, useState } from "react";
import type { GetContentStatusResponse } from "../gen/lens/v1/content_pb";
import { content } from "../api/client";
import { Loading, Problem } from "../components/Status";
import { describeError } from "../lib/errors";
import { fileLink, groupByFile } from "../lib/contentStatus";

/** The status as the stream last told it, or why the stream ended. */
function useContentStatus(): { status?: GetContentStatusResponse; error?: string } {
  const [state, setState] = useState<{ status?: GetContentStatusResponse; error?: string }>({});
  useEffect(() => {
    const stop = new AbortController();
    (async () => {
      for await (const update of content.watchContentStatus({}, { signal: stop.signal })) {
        if (update.status) setState({ status: update.status });
      }
    })().catch((error: unknown) => {
      if (!stop.signal.aborted) setState((s) => ({ ...s, error: describeError(error) }));
    });
    return () => stop.abort();
  }, []);
  return state;
}

function when(at: { seconds: bigint } | undefined): string {
  return at ? new Date(Number(at.seconds) * 1000).toLocaleString() : "never";
}

/** The page at /content-status. */
export default function ContentStatusPage() {
  const { status, error } = useContentStatus();
  useEffect(() => {
    document.title = "Content status · Lens";
  }, []);
  if (!status) return error ? <Problem message={error} /> : <Loading what="the content status" />;
  const files = groupByFile(status.problems);
  const published = status.problems.filter((p) => !p.draft);
  const errors = published.filter((p) => p.isError).length;
  return (
    <div className="content-status">
      <h1>Content status</h1>
      {error && <Problem message={`Live updates stopped: ${error}`} />}
      <dl className="facts" aria-live="polite">
        <dt>Source</dt>
        <dd>{status.source}</dd>
        <dt>Version served</dt>
        <dd data-testid="content-version">{status.version || "nothing loaded yet"}</dd>
        <dt>Loaded</dt>
        <dd>{when(status.loadedAt)}</dd>
        <dt>Published content</dt>
        <dd data-testid="content-summary">
          {errors} {errors === 1 ? "error" : "errors"}, {published.length - errors}{" "}
          {published.length - errors === 1 ? "warning" : "warnings"}
        </dd>
      </dl>
      {status.items.length > 0 && (
        <section aria-labelledby="items-heading">
          <h2 id="items-heading">Items with errors</h2>
          <ul className="module-list">
            {status.items.map((item) => (
              <li key={`${item.kind}:${item.path}`}>
                {item.kind} <code>{item.path}</code>{" "}
                {item.held ? (
                  <span className="tag">held at {item.heldVersion.replace(/^sha256:/, "").slice(0, 12)}</span>
                ) : (
                  <span className="tag">unavailable</span>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="problems-heading">
        <h2 id="problems-heading">Problems by file</h2>
        {files.length === 0 && <p>No problems. Every item is served.</p>}
        {files.map((file) => (
          <details key={file.path} className="problem-file" open={file.errors > 0 && !file.draft}>
            <summary>
              <code>{file.path}</code>
              {file.draft && <span className="tag">draft</span>}
              {file.errors > 0 && <span className="tag">{file.errors} {file.errors === 1 ? "error" : "errors"}</span>}
            </summary>
            <ul>
              {file.problems.map((p, i) => {
                const href = fileLink(status, p.path, p.line);
                const place = `line ${p.line || 1}`;
                return (
                  <li key={i} data-severity={p.isError ? "error" : "warning"}>
                    {href ? (
                      <a href={href} target="_blank" rel="noopener noreferrer">
                        {place}
                      </a>
                    ) : (
                      place
                    )}
                    : <strong>{p.isError ? "error" : "warning"}</strong> {p.message}
                    {p.suggestion && <span className="muted"> — {p.suggestion}</span>}
                  </li>
                );
              })}
            </ul>
          </details>
        ))}
      </section>
    </div>
  );
}
