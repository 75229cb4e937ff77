import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { describeError, inWords } from "./errors";

describe("errors in words", () => {
  it("says when to retry after a quota refusal", () => {
    const error = new ConnectError("You have sent 10 messages this minute.", Code.ResourceExhausted, { "retry-after": "42" });
    expect(describeError(error)).toBe("You have sent 10 messages this minute. You can try again in 42 seconds.");
  });

  it("asks to sign in again when the session is gone", () => {
    expect(describeError(new ConnectError("token expired", Code.Unauthenticated))).toMatch(/sign in again/);
  });

  it("passes the core's precise message through", () => {
    expect(describeError(new ConnectError("message is longer than 4000 characters", Code.InvalidArgument))).toBe(
      "message is longer than 4000 characters",
    );
  });

  it("rounds waits sensibly", () => {
    expect(inWords(1)).toBe("in 1 second");
    expect(inWords(600)).toBe("in 10 minutes");
    expect(inWords(4 * 3600)).toBe("in 4 hours");
  });
});
