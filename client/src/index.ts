export type { CallArgs, CallOptions, CallResult, HttpMethod, Operation, PathsFor } from "./calls.js";
export {
  type Client,
  type ClientOptions,
  createClient,
  type FetchLike,
  type FollowEventsOptions,
  type MessageRequest,
  type MessageStream,
  newIdempotencyKey,
  type SendMessageOptions,
} from "./client.js";
export {
  ApiError,
  type Problem,
  type ProblemCode,
  UNEXPECTED_RESPONSE,
} from "./errors.js";
export {
  type AgentMessage,
  type AgentMessageData,
  type AppEvent,
  type AppEventName,
  type DebugData,
  type DiffStatEntry,
  type DoneData,
  type EventOf,
  isPlatformMessage,
  type PlatformMessageData,
  type PlatformMessageType,
  type PlatformMetadata,
  type RunErrorCode,
  type RunErrorData,
  StreamProtocolError,
} from "./events.js";
export type { components, paths } from "./openapi.js";
export { createSseParser, type SseHandlers, type SseMessage } from "./sse.js";
export { backoffDelay, type EventStream, type ReconnectOptions } from "./stream.js";
