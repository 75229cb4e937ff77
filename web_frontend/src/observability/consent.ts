// The visitor's answer to "may Lens count how the course is used?", kept in
// this browser. Analytics load only after "granted"; until the visitor
// answers, nothing is sent and nothing is stored but the answer itself.

import { useSyncExternalStore } from "react";

/** An answer the visitor gave. */
export type Consent = "granted" | "denied";

/** Where the answer is kept (localStorage, this origin only). */
export const CONSENT_KEY = "lens.analytics-consent";

/** The subset of Storage this module uses, so tests can pass their own. */
export type ConsentStorage = Pick<Storage, "getItem" | "setItem">;

/** The stored answer, or null when the visitor has not answered (or storage is unavailable). */
export function readConsent(storage: ConsentStorage | undefined = safeStorage()): Consent | null {
  try {
    const value = storage?.getItem(CONSENT_KEY);
    return value === "granted" || value === "denied" ? value : null;
  } catch {
    return null;
  }
}

/** Stores `choice`, telling every listener (and, through `storage` events, other tabs). */
export function writeConsent(choice: Consent, storage: ConsentStorage | undefined = safeStorage()): void {
  try {
    storage?.setItem(CONSENT_KEY, choice);
  } catch {
    // Storage full or blocked: the choice holds for this page only.
    sessionChoice = choice;
  }
  asking = false;
  notify();
}

/** Opens the question again, keeping the current answer until a new one is given. */
export function askAgain(): void {
  asking = true;
  notify();
}

/** What the consent banner needs: the answer, and whether to ask. */
export interface ConsentState {
  choice: Consent | null;
  asking: boolean;
}

let sessionChoice: Consent | null = null;
let asking = false;
let snapshot: ConsentState = { choice: null, asking: false };
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function current(): ConsentState {
  const choice = readConsent() ?? sessionChoice;
  const wantsAsking = asking || choice === null;
  if (snapshot.choice !== choice || snapshot.asking !== wantsAsking) {
    snapshot = { choice, asking: wantsAsking };
  }
  return snapshot;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const fromOtherTab = (event: StorageEvent) => {
    if (event.key === CONSENT_KEY) listener();
  };
  window.addEventListener("storage", fromOtherTab);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", fromOtherTab);
  };
}

/** The answer as it changes (in this tab or another). */
export function useConsent(): ConsentState {
  return useSyncExternalStore(subscribe, current);
}

/** Subscribes outside React (the analytics loader). */
export function onConsentChange(listener: (choice: Consent | null) => void): () => void {
  return subscribe(() => listener(current().choice));
}

function safeStorage(): ConsentStorage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
