// The module reader: pages, learning outcomes and lenses in order, with the
// tutor inline, reading heartbeats, and "mark complete".

import { useEffect, useRef, useState } from "react";
import type { ChatSession } from "../gen/lens/v1/chat_pb";
import type { Module } from "../gen/lens/v1/content_pb";
import { chat, content, progress } from "../api/client";
import { useSession } from "../api/session";
import { SignInLink } from "../components/SignIn";
import { LensView } from "../components/LensView";
import { Segments } from "../components/Segments";
import { Loading, Problem } from "../components/Status";
import { useHeartbeat } from "../components/useHeartbeat";
import { describeError } from "../lib/errors";
import { Link } from "../lib/navigation";

/** The page of module `slug`. */
export default function ModulePage({ slug }: { slug: string }) {
  const { loading, user } = useSession();
  const [module, setModule] = useState<Module | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sessions, setSessions] = useState<ChatSession[] | null>(null);
  const [completed, setCompleted] = useState<Set<string>>(new Set());
  const main = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    content
      .getModule({ slug })
      .then((r) => {
        if (!live) return;
        setModule(r.module ?? null);
        document.title = `${r.module?.title ?? "Module"} · Lens`;
      })
      .catch((e: unknown) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [slug]);

  useEffect(() => {
    if (!user) return;
    let live = true;
    chat
      .listSessions({})
      .then((r) => live && setSessions(r.sessions))
      .catch(() => live && setSessions([]));
    progress
      .getModuleProgress({ moduleSlug: slug })
      .then((r) => live && setCompleted(new Set(r.items.filter((p) => p.completedAt).map((p) => p.contentId))))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [user, slug]);

  useHeartbeat(main, module?.id ?? "", Boolean(user && module));

  if (error) return <Problem message={error} />;
  if (!module) return <Loading what="the module" />;

  const complete = (id: string) => {
    progress
      .markComplete({ contentId: id })
      .then(() => setCompleted((done) => new Set(done).add(id)))
      .catch((e: unknown) => setError(describeError(e)));
  };
  const lensProps = (id: string) => ({
    moduleSlug: module.slug,
    sessions: user ? sessions : null,
    completed: user ? completed.has(id) : null,
    onComplete: () => complete(id),
  });

  return (
    <div ref={main} className="module" data-content-id={module.id}>
      <p className="breadcrumb">
        <Link href="/">← Course</Link>
      </p>
      <h1>{module.title}</h1>
      {!loading && !user && (
        <p className="notice">
          You are reading as a guest. <SignInLink>Sign in</SignInLink> to save your progress and talk to the tutor.
        </p>
      )}
      {module.items.map((item, i) => {
        const it = item.item;
        switch (it.case) {
          case "page":
            return (
              <section key={i} className="page">
                {it.value.title && <h2>{it.value.title}</h2>}
                <Segments segments={it.value.segments} conversation={null} onPage />
              </section>
            );
          case "learningOutcome": {
            const outcome = it.value.outcome;
            if (!outcome) return null;
            return (
              <section key={i} className="learning-outcome" aria-label={outcome.name}>
                <h2>
                  {outcome.name}
                  {it.value.optional && <span className="tag">optional</span>}
                </h2>
                {outcome.lenses.map(
                  (use) =>
                    use.lens && (
                      <LensView key={use.lens.id} lens={use.lens} optional={use.optional} {...lensProps(use.lens.id)} />
                    ),
                )}
              </section>
            );
          }
          case "lens":
            return (
              it.value.lens && (
                <LensView key={i} lens={it.value.lens} optional={it.value.optional} {...lensProps(it.value.lens.id)} />
              )
            );
          default:
            return null;
        }
      })}
      {user && (
        <p className="module-footer">
          {completed.has(module.id) ? (
            <span className="done">✓ Module completed</span>
          ) : (
            <button type="button" onClick={() => complete(module.id)}>
              Mark module complete
            </button>
          )}
        </p>
      )}
      {module.discussionUrl && (
        <p>
          <a href={module.discussionUrl} target="_blank" rel="noopener noreferrer">
            Discuss this module
          </a>
        </p>
      )}
    </div>
  );
}
