import { describe, expect, it } from "vitest";
import { clock, embedUrl } from "./video";

describe("video excerpts", () => {
  it("embeds the clip between the excerpt's timestamps", () => {
    expect(embedUrl("pYXy-A4siMw", 75.4, 600.2)).toBe(
      "https://www.youtube-nocookie.com/embed/pYXy-A4siMw?start=75&rel=0&end=601",
    );
    expect(embedUrl("pYXy-A4siMw", 10, 0)).toBe("https://www.youtube-nocookie.com/embed/pYXy-A4siMw?start=10&rel=0");
  });

  it("refuses ids that could escape the URL", () => {
    expect(embedUrl('x" onload="alert(1)', 0, 1)).toBeNull();
    expect(embedUrl("", 0, 1)).toBeNull();
  });

  it("writes times as a clock", () => {
    expect(clock(75)).toBe("1:15");
    expect(clock(3725)).toBe("1:02:05");
  });
});
