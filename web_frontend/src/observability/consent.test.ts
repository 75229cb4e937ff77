import { describe, expect, it } from "vitest";
import { CONSENT_KEY, readConsent } from "./consent";
import { sampleRate } from "./config";

function storage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value) };
}

describe("analytics consent", () => {
  it("is unanswered until the visitor answers", () => {
    expect(readConsent(storage())).toBeNull();
  });

  it("reads a stored answer", () => {
    expect(readConsent(storage({ [CONSENT_KEY]: "granted" }))).toBe("granted");
    expect(readConsent(storage({ [CONSENT_KEY]: "denied" }))).toBe("denied");
  });

  it("treats anything else as unanswered, so a damaged value never means yes", () => {
    expect(readConsent(storage({ [CONSENT_KEY]: "yes" }))).toBeNull();
  });

  it("treats storage that throws (blocked cookies) as unanswered", () => {
    const blocked = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => undefined,
    };
    expect(readConsent(blocked)).toBeNull();
  });
});

describe("sample rates", () => {
  it("default when unset or out of range", () => {
    expect(sampleRate(undefined, 0.1)).toBe(0.1);
    expect(sampleRate("", 0.1)).toBe(0.1);
    expect(sampleRate("2", 0.1)).toBe(0.1);
    expect(sampleRate("often", 0.1)).toBe(0.1);
  });

  it("take a value between 0 and 1", () => {
    expect(sampleRate("0", 0.1)).toBe(0);
    expect(sampleRate("0.25", 0.1)).toBe(0.25);
  });
});
