// The embed address of a video excerpt: the YouTube clip between the
// excerpt's timestamps, from the privacy-enhanced domain.

/** `m:ss` or `h:mm:ss`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** The player URL for a clip, or null without a usable video id. */
export function embedUrl(youtubeId: string, from: number, to: number): string | null {
  if (!/^[A-Za-z0-9_-]{6,20}$/.test(youtubeId)) return null;
  const params = new URLSearchParams({ start: String(Math.floor(from)), rel: "0" });
  if (to > from) params.set("end", String(Math.ceil(to)));
  return `https://www.youtube-nocookie.com/embed/${youtubeId}?${params}`;
}
