import type { BodyTooLarge } from "./BodyTooLarge.js"
import type { BackgroundError } from "./BackgroundError.js"
import type { ChunkedEncodingError } from "./ChunkedEncodingError.js"
import type { ConnectionError } from "./ConnectionError.js"
import type { ConnectTimeout } from "./ConnectTimeout.js"
import type { ContentDecodingError } from "./ContentDecodingError.js"
import type { DeadlineExceeded } from "./DeadlineExceeded.js"
import type { HookError } from "./HookError.js"
import type { HTTPError } from "./HTTPError.js"
import type { InsecureRedirect } from "./InsecureRedirect.js"
import type { InvalidBody } from "./InvalidBody.js"
import type { InvalidHeader } from "./InvalidHeader.js"
import type { InvalidOption } from "./InvalidOption.js"
import type { InvalidSchema } from "./InvalidSchema.js"
import type { InvalidURL } from "./InvalidURL.js"
import type { JSONDecodeError } from "./JSONDecodeError.js"
import type { MissingSchema } from "./MissingSchema.js"
import type { ProxyError } from "./ProxyError.js"
import type { ReadTimeout } from "./ReadTimeout.js"
import type { RetryError } from "./RetryError.js"
import type { SchemaDecodeError } from "./SchemaDecodeError.js"
import type { SSLError } from "./SSLError.js"
import type { TooManyRedirects } from "./TooManyRedirects.js"
import type { UnrewindableBodyError } from "./UnrewindableBodyError.js"
import type { WorkerCrashed } from "./WorkerCrashed.js"

export { BackgroundError } from "./BackgroundError.js"
export { BodyTooLarge } from "./BodyTooLarge.js"
export { CancelledError, type CancelReason } from "./CancelledError.js"
export { ChunkedEncodingError } from "./ChunkedEncodingError.js"
export { ConnectionError } from "./ConnectionError.js"
export { ConnectTimeout } from "./ConnectTimeout.js"
export { ContentDecodingError } from "./ContentDecodingError.js"
export { DeadlineExceeded } from "./DeadlineExceeded.js"
export { ExecutorShutdown } from "./ExecutorShutdown.js"
export { HookError } from "./HookError.js"
export { HTTPError } from "./HTTPError.js"
export { InsecureRedirect } from "./InsecureRedirect.js"
export { InvalidBody } from "./InvalidBody.js"
export { InvalidHeader } from "./InvalidHeader.js"
export { InvalidMaxWorkers } from "./InvalidMaxWorkers.js"
export { InvalidOption } from "./InvalidOption.js"
export { InvalidSchema } from "./InvalidSchema.js"
export { InvalidURL } from "./InvalidURL.js"
export { JSONDecodeError } from "./JSONDecodeError.js"
export { MissingSchema } from "./MissingSchema.js"
export { ProxyError } from "./ProxyError.js"
export { QueueFull } from "./QueueFull.js"
export { ReadTimeout } from "./ReadTimeout.js"
export { RequestException, type RequestExceptionOptions, type RequestInfo } from "./RequestException.js"
export { RetryError } from "./RetryError.js"
export { SchemaDecodeError } from "./SchemaDecodeError.js"
export { SSLError } from "./SSLError.js"
export { Timeout } from "./Timeout.js"
export { TimeoutError } from "./TimeoutError.js"
export { TooManyRedirects } from "./TooManyRedirects.js"
export { UnrewindableBodyError } from "./UnrewindableBodyError.js"
export { WorkerCrashed } from "./WorkerCrashed.js"

/**
 * Every error a request can fail with: the `RequestException` subclasses, each with its own `_tag`.
 * `future.settle()` types its error with this union (plus `CancelledError`), so a `switch` on `_tag` narrows.
 */
export type RequestError =
  | ConnectionError
  | SSLError
  | ProxyError
  | ConnectTimeout
  | ReadTimeout
  | DeadlineExceeded
  | HTTPError
  | TooManyRedirects
  | InsecureRedirect
  | InvalidURL
  | MissingSchema
  | InvalidSchema
  | InvalidHeader
  | JSONDecodeError
  | SchemaDecodeError
  | ContentDecodingError
  | ChunkedEncodingError
  | RetryError
  | HookError
  | InvalidBody
  | InvalidOption
  | BodyTooLarge
  | UnrewindableBodyError
  | BackgroundError
  | WorkerCrashed
