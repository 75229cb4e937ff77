// Asks once whether Lens may count how the course is used, and lets the
// visitor change the answer from the footer. Shown only by builds that
// have analytics (production, with a PostHog key).

import { productAnalytics } from "../observability/config";
import { askAgain, useConsent, writeConsent } from "../observability/consent";

/** The question, at the foot of the window until answered. */
export function ConsentBanner() {
  const { choice, asking } = useConsent();
  if (!productAnalytics || !asking) return null;
  return (
    <section className="consent-banner" aria-labelledby="consent-title">
      <h2 id="consent-title">May we count how Lens is used?</h2>
      <p>
        It helps us improve the course: which pages are visited and steps such as finishing a lens or sending the
        tutor a message — never what you write. Nothing is counted unless you allow it, and you can change your mind
        at the foot of any page.
      </p>
      <div className="consent-actions">
        <button type="button" aria-pressed={choice === "granted"} onClick={() => writeConsent("granted")}>
          Allow
        </button>
        <button type="button" className="secondary" aria-pressed={choice === "denied"} onClick={() => writeConsent("denied")}>
          No thanks
        </button>
      </div>
    </section>
  );
}

/** The footer's line saying the current answer, with a way to change it. */
export function ConsentSetting() {
  const { choice } = useConsent();
  if (!productAnalytics || choice === null) return null;
  return (
    <span className="consent-setting">
      Usage analytics: {choice === "granted" ? "allowed" : "off"}{" "}
      <button type="button" className="link-button" onClick={askAgain}>
        Change
      </button>
    </span>
  );
}
