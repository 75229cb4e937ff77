// Course markdown rendered to React elements. react-markdown never injects
// raw HTML (HTML in the content shows as text) and drops `javascript:` links,
// so content cannot run script in the learner's browser.

import ReactMarkdown, { type Components } from "react-markdown";

const components: Components = {
  // Links leave the app in a new tab, without handing it our window.
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ),
  img: ({ src, alt }) => <img src={typeof src === "string" ? src : undefined} alt={alt ?? ""} loading="lazy" />,
};

/** Renders `text` as safe markdown. */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown components={components} skipHtml={false}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
