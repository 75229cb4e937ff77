// The segments of a page or lens, in order.

import type { ChatSession } from "../gen/lens/v1/chat_pb";
import type { LensCard, Segment } from "../gen/lens/v1/content_pb";
import { type Block, splitText } from "../lib/directives";
import { Link } from "react-router";
import { paths } from "../lib/paths";
import { ChatPanel } from "./ChatPanel";
import { Markdown } from "./Markdown";
import { QuestionPanel } from "./QuestionPanel";
import { RoleplayPanel } from "./RoleplayPanel";
import type { ContentAnswers } from "./useAnswers";
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
  /**
   * Where these segments' questions are and the learner's answers to them;
   * without it, questions are shown without a box (a module page's text).
   */
  questions?: { contentId: string; testIndex: number; answers: ContentAnswers | null };
  /** For a lens's roleplays: the module it is read in and the learner's sessions (null: nobody's). */
  roleplays?: { moduleSlug: string; sessions: ChatSession[] | null };
}

/** Renders each segment by kind. */
export function Segments({ segments, conversation, onPage = false, headingLevel, questions, roleplays }: Props) {
  return (
    <>
      {segments.map((segment) => {
        const kind = segment.kind;
        switch (kind.case) {
          case "text":
            return (
              <Text
                key={segment.index}
                blocks={splitText(kind.value.markdown)}
                cards={kind.value.cards}
                headingLevel={headingLevel}
              />
            );
          case "question":
            if (questions) {
              return (
                <QuestionPanel
                  key={segment.index}
                  question={kind.value}
                  contentId={questions.contentId}
                  testIndex={questions.testIndex}
                  segmentIndex={segment.index}
                  answers={questions.answers}
                  headingLevel={headingLevel}
                />
              );
            }
            return (
              <section key={segment.index} className="question" aria-label="Question">
                <p className="muted small">Question{kind.value.maxChars > 0 && ` · up to ${kind.value.maxChars} characters`}</p>
                <Markdown text={kind.value.markdown} headingLevel={headingLevel} />
              </section>
            );
          case "roleplay":
            if (roleplays && questions) {
              return (
                <RoleplayPanel
                  key={segment.index}
                  roleplay={kind.value}
                  lensId={questions.contentId}
                  moduleSlug={roleplays.moduleSlug}
                  segmentIndex={segment.index}
                  sessions={roleplays.sessions}
                  answers={questions.answers}
                  headingLevel={headingLevel}
                />
              );
            }
            return (
              <section key={segment.index} className="question" aria-label="Roleplay">
                <p className="muted small">Roleplay</p>
                <Markdown text={kind.value.markdown} headingLevel={headingLevel} />
              </section>
            );
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

/** Text with its directives and lens cards. */
function Text({ blocks, cards, headingLevel }: { blocks: Block[]; cards: LensCard[]; headingLevel: number }) {
  return (
    <>
      {blocks.map((block, i) => {
        switch (block.kind) {
          case "markdown":
            return <Markdown key={i} text={block.text} headingLevel={headingLevel} />;
          case "note":
            return (
              <aside key={i} className="note">
                <Text blocks={block.blocks} cards={cards} headingLevel={headingLevel} />
              </aside>
            );
          case "collapse":
            return (
              <details key={i} className="collapse">
                <summary>{block.summary}</summary>
                <Text blocks={block.blocks} cards={cards} headingLevel={headingLevel} />
              </details>
            );
          case "card": {
            const card = cards[block.index];
            return card ? <Card key={i} card={card} /> : null;
          }
        }
      })}
    </>
  );
}

/** A card leading to another lens's page. */
function Card({ card }: { card: LensCard }) {
  return (
    <p className="lens-card">
      <Link to={paths.module(card.pageSlug)}>{card.title}</Link>
      {card.tldr && <span className="muted small"> {card.tldr}</span>}
    </p>
  );
}
