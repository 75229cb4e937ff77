// Content is written in Obsidian with its own heading levels (often
// starting at ##), but shown inside a page whose outline already has h1–h3.
// Its headings are re-levelled so the shallowest becomes `base` and the
// rest keep their steps below it: the page's outline stays in order for
// screen readers and for the eye.

/** The shallowest ATX heading level (`#`–`######`) in `markdown`, if any. */
export function shallowestHeading(markdown: string): number | undefined {
  let shallowest: number | undefined;
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s{0,3}(```|~~~)/.test(line)) fenced = !fenced;
    const hashes = fenced ? undefined : /^\s{0,3}(#{1,6})(\s|$)/.exec(line)?.[1];
    if (hashes && (shallowest === undefined || hashes.length < shallowest)) shallowest = hashes.length;
  }
  return shallowest;
}

/** The level a heading of `level` in `markdown` is shown at, from `base` down to 6. */
export function relevel(markdown: string, base: number): (level: number) => number {
  const shallowest = shallowestHeading(markdown) ?? 1;
  return (level) => Math.min(6, Math.max(base, base + level - shallowest));
}
