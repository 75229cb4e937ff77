// Text as authors write it: markdown with text directives (`:::note`,
// `:::collapse`, `::footnote`, inline `:note[…]`) and `::card[[…]]` lines.
// The core checks them and resolves the cards; this splits a text into the
// blocks the reader shows, so none of the syntax shows through.

/** One block of a text. */
export type Block =
  | { kind: "markdown"; text: string }
  | { kind: "note"; blocks: Block[] }
  | { kind: "collapse"; summary: string; blocks: Block[] }
  | { kind: "card"; index: number };

const CONTAINER = /^:::(note|collapse)\b\s*(?:\[(.*)\])?\s*(.*)$/;

/**
 * The blocks of `markdown`. Card lines become the text's cards in order
 * (`index` into its `cards`); leaf directives (`::note[…]`, `::footnote[…]`)
 * and inline ones (`:note[…]`) keep their text without the syntax.
 */
export function splitText(markdown: string): Block[] {
  let cards = 0;
  const root: Block[] = [];
  // The blocks being filled: the root, or the innermost open container's.
  let current = root;
  const outer: Block[][] = [];
  let lines: string[] = [];
  const flush = () => {
    const text = lines.join("\n").trim();
    if (text) current.push({ kind: "markdown", text });
    lines = [];
  };
  for (const line of markdown.split("\n")) {
    const trimmed = line.trim();
    const open = CONTAINER.exec(trimmed);
    if (open) {
      flush();
      const blocks: Block[] = [];
      const label = (open[2] ?? open[3] ?? "").trim();
      current.push(open[1] === "note" ? { kind: "note", blocks } : { kind: "collapse", summary: label || "More", blocks });
      outer.push(current);
      current = blocks;
    } else if (trimmed === ":::" && outer.length > 0) {
      flush();
      current = outer.pop() ?? root;
    } else if (trimmed.startsWith("::card[[")) {
      flush();
      current.push({ kind: "card", index: cards++ });
    } else {
      lines.push(plain(line));
    }
  }
  flush();
  return root;
}

/** A line with leaf and inline directives reduced to their text. */
function plain(line: string): string {
  return line
    .replace(/^(\s*)::(note|footnote)\[(.*)\]\s*$/, "$1$3")
    .replace(/(^|\s):(note|collapse|footnote)\[([^\]]*)\]/g, "$1$3");
}
