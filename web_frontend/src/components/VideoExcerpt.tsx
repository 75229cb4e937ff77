// A video excerpt: the clip between its timestamps, and its transcript.

import type { VideoExcerptSegment } from "../gen/lens/v1/content_pb";
import { clock, embedUrl } from "../lib/video";

/** The clip and its transcript. */
export function VideoExcerpt({ segment }: { segment: VideoExcerptSegment }) {
  const video = segment.video;
  const src = video ? embedUrl(video.youtubeId, segment.fromSeconds, segment.toSeconds) : null;
  const title = video?.title || "Video";
  return (
    <figure className="video-excerpt">
      {src ? (
        <div className="video-frame">
          <iframe
            src={src}
            title={`${title} (${clock(segment.fromSeconds)}–${clock(segment.toSeconds)})`}
            loading="lazy"
            allow="encrypted-media; picture-in-picture; fullscreen"
            referrerPolicy="strict-origin-when-cross-origin"
          />
        </div>
      ) : (
        video?.url && (
          <a href={video.url} target="_blank" rel="noopener noreferrer">
            Watch {title}
          </a>
        )
      )}
      <figcaption>
        {title}
        {video?.channel && <> · {video.channel}</>} · {clock(segment.fromSeconds)}–{clock(segment.toSeconds)}
      </figcaption>
      {segment.transcript && (
        <details className="transcript">
          <summary>Transcript</summary>
          <p>{segment.transcript}</p>
        </details>
      )}
    </figure>
  );
}
