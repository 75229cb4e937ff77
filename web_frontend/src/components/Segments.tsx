// The segments of a page or lens, in order.

import type { Segment } from "../gen/lens/v1/content_pb";
import { ChatPanel } from "./ChatPanel";
import { Markdown } from "./Markdown";
import type { LensChat } from "./useLensChat";
import { VideoExcerpt } from "./VideoExcerpt";

interface Props {
  segments: Segment[];
  /** The conversation for chat segments (null when signed out or loading). */
  conversation: LensChat | null;
  /** The segments are a module page's, outside any lens. */
  onPage?: boolean;
  /** The heading level for what the segments hold (a chat's title, content's headings). */
  headingLevel: number;
}

/** Renders each segment by kind. */
export function Segments({ segments, conversation, onPage = false, headingLevel }: Props) {
  return (
    <>
      {segments.map((segment) => {
        const kind = segment.kind;
        switch (kind.case) {
          case "text":
            return <Markdown key={segment.index} text={kind.value.markdown} headingLevel={headingLevel} />;
          case "articleExcerpt": {
            const article = kind.value.article;
            return (
              <blockquote key={segment.index} className="article-excerpt">
                <Markdown text={kind.value.markdown} headingLevel={headingLevel} />
                {article && (
                  <footer>
                    From{" "}
                    {article.sourceUrl ? (
                      <a href={article.sourceUrl} target="_blank" rel="noopener noreferrer">
                        {article.title}
                      </a>
                    ) : (
                      article.title
                    )}
                    {article.author && <> by {article.author}</>}
                  </footer>
                )}
              </blockquote>
            );
          }
          case "videoExcerpt":
            return <VideoExcerpt key={segment.index} segment={kind.value} />;
          case "chat":
            return (
              <ChatPanel
                key={segment.index}
                title={kind.value.title}
                segmentIndex={segment.index}
                conversation={conversation}
                onPage={onPage}
                headingLevel={headingLevel}
              />
            );
          default:
            return null;
        }
      })}
    </>
  );
}
