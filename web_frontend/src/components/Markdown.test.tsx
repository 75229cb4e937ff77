import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./Markdown";

const html = (text: string, headingLevel = 4) => renderToStaticMarkup(<Markdown text={text} headingLevel={headingLevel} />);

describe("content markdown", () => {
  it("never turns HTML in content into elements", () => {
    const out = html('Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> <b>bold</b>');
    expect(out).not.toMatch(/<script|<img|<b>/);
    // It reads as the text it is.
    expect(out).toContain("&lt;b&gt;bold&lt;/b&gt;");
  });

  it("drops javascript: links and opens others in a new tab without our window", () => {
    expect(html("[run](javascript:alert(1))")).not.toContain("javascript:");
    expect(html("[LessWrong](https://www.lesswrong.com/)")).toContain(
      '<a href="https://www.lesswrong.com/" target="_blank" rel="noopener noreferrer">LessWrong</a>',
    );
  });

  it("puts content's headings under the place it is shown", () => {
    expect(html("## Part\n\n### Detail", 4)).toMatch(/<h4>Part<\/h4>\s*<h5>Detail<\/h5>/);
    expect(html("# Title", 3)).toContain("<h3>Title</h3>");
  });

  it("shows a tutor answer's images as links, never loading them", () => {
    const answer = renderToStaticMarkup(
      <Markdown text="See ![a chart](https://tracker.example/pixel.png?who=me)" headingLevel={4} noImages />,
    );
    expect(answer).not.toContain("<img");
    expect(answer).toContain('<a href="https://tracker.example/pixel.png?who=me"');
    expect(answer).toContain("Image: a chart");
    expect(html("![diagram](https://example.org/d.png)")).toContain("<img");
  });
});
