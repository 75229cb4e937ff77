// A heading whose level is decided by where it is shown.

import { createElement, type ReactNode } from "react";

/** `<h1>`–`<h6>`, `level` clamped to that range. */
export function Heading({ level, className, children }: { level: number; className?: string; children?: ReactNode }) {
  return createElement(`h${Math.min(6, Math.max(1, level))}`, { className }, children);
}
