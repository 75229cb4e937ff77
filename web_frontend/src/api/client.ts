// One grpc-web transport to the web edge that served the page, and a client
// per service. The session lives in an HttpOnly cookie the edge reads, so
// scripts never see a token.

import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import type { DescService } from "@bufbuild/protobuf";
import { AnswerService } from "../gen/lens/v1/answer_pb";
import { AuthService } from "../gen/lens/v1/auth_pb";
import { ChatService } from "../gen/lens/v1/chat_pb";
import { CohortService } from "../gen/lens/v1/cohort_pb";
import { ContentService } from "../gen/lens/v1/content_pb";
import { MeetingService } from "../gen/lens/v1/meeting_pb";
import { ProgressService } from "../gen/lens/v1/progress_pb";
import { SystemService } from "../gen/lens/v1/system_pb";
import { UserService } from "../gen/lens/v1/user_pb";

const transport = createGrpcWebTransport({
  baseUrl: window.location.origin,
  // Cookies go with every call; the edge refuses other origins.
  fetch: (input, init) => globalThis.fetch(input, { ...init, credentials: "same-origin" }),
});

function client<T extends DescService>(service: T): Client<T> {
  return createClient(service, transport);
}

/** Sign-in state. */
export const auth = client(AuthService);
/** The course catalogue. */
export const content = client(ContentService);
/** Reading progress. */
export const progress = client(ProgressService);
/** Answers to questions, and their feedback. */
export const answers = client(AnswerService);
/** The AI tutor. */
export const chat = client(ChatService);
/** What the platform has switched on. */
export const system = client(SystemService);
/** Profile and availability. */
export const users = client(UserService);
/** Group meetings and answers. */
export const meetings = client(MeetingService);
/** Cohorts and the caller's groups. */
export const cohorts = client(CohortService);
