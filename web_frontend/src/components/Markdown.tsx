// Course markdown rendered to React elements. react-markdown never injects
// raw HTML (HTML in the content shows as text) and drops `javascript:` links,
// so content cannot run script in the learner's browser.

import { type ReactNode, useMemo } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import { relevel } from "../lib/headings";
import { Heading } from "./Heading";

const links: Components = {
  // Links leave the app in a new tab, without handing it our window.
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ),
  img: ({ src, alt }) => <img src={typeof src === "string" ? src : undefined} alt={alt ?? ""} loading="lazy" />,
};

/**
 * Images in text someone else controls (a model's answer) are not loaded:
 * loading one would tell its host who read the answer, and when. The image
 * becomes a link the learner may choose to follow.
 */
const imagesAsLinks: Components = {
  img: ({ src, alt }) =>
    typeof src === "string" ? (
      <a href={src} target="_blank" rel="noopener noreferrer">
        {alt ? `Image: ${alt}` : "Image"}
      </a>
    ) : null,
};

interface Props {
  text: string;
  /** The level the text's shallowest heading is shown at (see lib/headings). */
  headingLevel: number;
  /** Show images as links instead of loading them (for tutor answers). */
  noImages?: boolean;
}

/** Renders `text` as safe markdown. */
export function Markdown({ text, headingLevel, noImages = false }: Props) {
  const components = useMemo<Components>(() => {
    const level = relevel(text, headingLevel);
    const heading =
      (written: number) =>
      ({ children }: { children?: ReactNode }) => <Heading level={level(written)}>{children}</Heading>;
    return {
      ...links,
      ...(noImages ? imagesAsLinks : {}),
      h1: heading(1),
      h2: heading(2),
      h3: heading(3),
      h4: heading(4),
      h5: heading(5),
      h6: heading(6),
    };
  }, [text, headingLevel, noImages]);
  return (
    <div className="markdown">
      <ReactMarkdown components={components}>{text}</ReactMarkdown>
    </div>
  );
}
