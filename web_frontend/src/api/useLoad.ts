// Data a page shows, loaded from the core when the page (or what it shows)
// changes. Answers for an earlier key are ignored, so a fast click from one
// module to another never shows the first one's late answer.

import { useEffect, useEffectEvent, useState } from "react";
import { describeError } from "../lib/errors";

/** What was loaded for a key: the value, or why it failed, in words. */
export interface Loaded<T> {
  value?: T;
  error?: string;
}

/**
 * The result of `load`, run again whenever `key` changes; nothing is loaded
 * while `key` is null. Both are empty until the answer arrives.
 */
export function useLoad<T>(key: string | null, load: () => Promise<T>): Loaded<T> {
  const [result, setResult] = useState<Loaded<T> & { key?: string }>({});
  const run = useEffectEvent(load);
  useEffect(() => {
    if (key === null) return;
    let live = true;
    run().then(
      (value) => live && setResult({ key, value }),
      (error: unknown) => live && setResult({ key, error: describeError(error) }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return result.key === key && key !== null ? result : {};
}
