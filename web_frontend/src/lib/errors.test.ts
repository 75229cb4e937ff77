import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { describeError, sentence } from "./errors";

describe("errors in words", () => {
  it("shows a quota refusal as the core words it, when to retry included", () => {
    const error = new ConnectError("you can send 10 messages a minute to the tutor; try again in 42 s", Code.ResourceExhausted, {
      "retry-after": "42",
    });
    expect(describeError(error)).toBe("You can send 10 messages a minute to the tutor; try again in 42 s.");
  });

  it("asks to sign in again when the session is gone", () => {
    expect(describeError(new ConnectError("token expired", Code.Unauthenticated))).toMatch(/sign in again/);
  });

  it("passes the core's precise message through as a sentence", () => {
    expect(describeError(new ConnectError("invalid text: is 4001 characters; send 1 to 4000", Code.InvalidArgument))).toBe(
      "Invalid text: is 4001 characters; send 1 to 4000.",
    );
  });

  it("words failures that carry no message", () => {
    expect(describeError(new ConnectError("", Code.Internal))).toBe("Something went wrong. Please try again.");
    expect(describeError(new ConnectError("", Code.Unavailable))).toMatch(/cannot be reached/);
  });

  it("leaves finished sentences alone", () => {
    expect(sentence("Try again in a minute.")).toBe("Try again in a minute.");
    expect(sentence("  ")).toBe("");
  });
});
