// Reading time: while the page is visible, the lens most in view (else the
// module) gets a heartbeat every 30 s. The core caps each heartbeat's credit
// (40 s), so a tab left open in the background earns nothing.

import { type RefObject, useEffect } from "react";
import { progress } from "../api/client";

/** Seconds between heartbeats. */
export const HEARTBEAT_SECONDS = 30;

/** Sends heartbeats for what is read inside `root`, when `enabled`. */
export function useHeartbeat(root: RefObject<HTMLElement | null>, fallbackId: string, enabled: boolean) {
  useEffect(() => {
    const element = root.current;
    if (!enabled || !element) return;
    const ratios = new Map<string, number>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const id = (entry.target as HTMLElement).dataset.contentId;
          if (id) ratios.set(id, entry.intersectionRatio);
        }
      },
      { threshold: [0, 0.1, 0.25, 0.5, 0.75, 1] },
    );
    element.querySelectorAll<HTMLElement>("[data-content-id]").forEach((e) => observer.observe(e));
    const beat = () => {
      if (document.visibilityState !== "visible") return;
      let best = fallbackId;
      let bestRatio = 0;
      for (const [id, ratio] of ratios) {
        if (ratio > bestRatio) [best, bestRatio] = [id, ratio];
      }
      // A lost heartbeat is a few seconds of credit: not worth a message.
      progress.recordHeartbeat({ contentId: best }).catch(() => undefined);
    };
    const first = window.setTimeout(beat, 2000);
    const timer = window.setInterval(beat, HEARTBEAT_SECONDS * 1000);
    return () => {
      observer.disconnect();
      window.clearTimeout(first);
      window.clearInterval(timer);
    };
  }, [root, fallbackId, enabled]);
}
