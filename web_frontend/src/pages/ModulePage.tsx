// The module reader: pages, learning outcomes and lenses in order, with the
// tutor inline, reading heartbeats, and "mark complete".

import { useEffect, useRef, useState } from "react";
import { chat, content, progress } from "../api/client";
import { learnerKey, useKeptAsGuest, useSession } from "../api/session";
import { useLoad } from "../api/useLoad";
import { SignInLink } from "../components/SignIn";
import { LensView } from "../components/LensView";
import { Segments } from "../components/Segments";
import { Loading, Problem } from "../components/Status";
import { useHeartbeat } from "../components/useHeartbeat";
import { useAnswers } from "../components/useAnswers";
import type { LearningOutcome } from "../gen/lens/v1/content_pb";
import { describeError } from "../lib/errors";
import { Link } from "react-router";
import { paths } from "../lib/paths";
import { track } from "../observability/analytics";

/** The page of module `slug`. */
export default function ModulePage({ slug }: { slug: string }) {
  const session = useSession();
  const { loading, user, guest } = session;
  const learner = learnerKey(session);
  useKeptAsGuest();
  const loaded = useLoad(slug, () => content.getModule({ slug }).then((r) => r.module));
  // The learner's chats and completions; a failure leaves the reading as it is.
  const mine = learner ? `${learner}/${slug}` : null;
  const listed = useLoad(mine, () => chat.listSessions({}).then((r) => r.sessions));
  const done = useLoad(mine, () =>
    progress
      .getModuleProgress({ moduleSlug: slug })
      .then((r) => new Set(r.items.filter((p) => p.completedAt).map((p) => p.contentId))),
  ).value;
  const [markedNow, setMarkedNow] = useState<ReadonlySet<string>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);
  const main = useRef<HTMLDivElement>(null);
  const module = loaded.value;
  const title = module?.title;
  useEffect(() => {
    if (title) document.title = `${title} · Lens`;
  }, [title]);
  const opened = module?.slug;
  useEffect(() => {
    if (opened) track({ name: "module_opened", module: opened });
  }, [opened]);

  useHeartbeat(main, module?.id ?? "", Boolean(learner && module));

  if (loaded.error) return <Problem message={loaded.error} />;
  if (!module) return <Loading what="the module" />;

  const sessions = listed.error ? [] : (listed.value ?? null);
  const completed = (id: string) => markedNow.has(id) || Boolean(done?.has(id));
  const complete = (id: string) => {
    setProblem(null);
    progress
      .markComplete({ contentId: id })
      .then(() => {
        setMarkedNow((marked) => new Set(marked).add(id));
        track({ name: "lens_completed", module: module.slug, lens: id });
      })
      .catch((e: unknown) => setProblem(describeError(e)));
  };
  const lensProps = (id: string) => ({
    moduleSlug: module.slug,
    sessions: learner ? sessions : null,
    completed: learner ? completed(id) : null,
    learner,
    onComplete: () => complete(id),
  });

  return (
    <div ref={main} className="module" data-content-id={module.id}>
      <p className="breadcrumb">
        <Link to={paths.home()}>← Course</Link>
        {module.parentSlug && (
          <>
            {" · "}
            <Link to={paths.module(module.parentSlug)}>Whole module</Link>
          </>
        )}
      </p>
      <h1>{module.title}</h1>
      {module.submodules.length > 0 && (
        <nav aria-label="Parts of this module" className="submodules">
          <ol>
            {module.submodules.map((part) => (
              <li key={part.slug}>
                <Link to={paths.module(part.slug)}>{part.title}</Link>
              </li>
            ))}
          </ol>
        </nav>
      )}
      {!loading && !user && (
        <p className="notice" data-testid="guest-notice">
          {guest ? (
            <>
              You are reading as a guest: your progress and tutor chats are kept in this browser.{" "}
              <SignInLink>Sign in</SignInLink> to keep them on your account.
            </>
          ) : (
            <>
              You are reading as a guest. <SignInLink>Sign in</SignInLink> to save your progress and talk to the tutor.
            </>
          )}
        </p>
      )}
      {module.items.map((item, i) => {
        const it = item.item;
        switch (it.case) {
          case "page":
            return (
              <section key={i} className="page">
                {it.value.title && <h2>{it.value.title}</h2>}
                <Segments segments={it.value.segments} conversation={null} onPage headingLevel={it.value.title ? 3 : 2} />
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
                {outcome.statement && <p className="muted">{outcome.statement}</p>}
                {outcome.lenses.map(
                  (use) =>
                    use.lens &&
                    !use.hidden && (
                      <LensView key={use.lens.id} lens={use.lens} optional={use.optional} {...lensProps(use.lens.id)} />
                    ),
                )}
                {outcome.tests.length > 0 && <OutcomeTests outcome={outcome} learner={learner} />}
              </section>
            );
          }
          case "lens":
            // Hidden lenses stay out of the reading flow; cards lead to them.
            return (
              it.value.lens &&
              !it.value.hidden && (
                <LensView key={i} lens={it.value.lens} optional={it.value.optional} {...lensProps(it.value.lens.id)} />
              )
            );
          default:
            return null;
        }
      })}
      {user && (
        <p className="module-footer">
          {completed(module.id) ? (
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
      {problem && (
        // Stays in view at the bottom, wherever on the page the click was.
        <p className="problem toast" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

/** A learning outcome's tests: questions that check it, answered in place. */
function OutcomeTests({ outcome, learner }: { outcome: LearningOutcome; learner: string | null }) {
  const answers = useAnswers(outcome.id, learner);
  return (
    <section className="outcome-tests" aria-label={`Check your understanding: ${outcome.name}`}>
      <h3>Check your understanding</h3>
      {outcome.tests.map((test, t) => (
        <Segments
          key={test.id || t}
          segments={test.segments}
          conversation={null}
          headingLevel={4}
          questions={{ contentId: outcome.id, testIndex: t, answers: learner ? answers : null }}
        />
      ))}
    </section>
  );
}
