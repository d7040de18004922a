/**
 * The tracing step: with `tracing` on, every request sent on the wire (the first hop, each redirect
 * hop, each retry and the Digest answer) is an Effect span of kind `client`, named and described as the
 * OpenTelemetry HTTP client conventions say, child of the span current where the request was made, and
 * its ids go out in `traceparent` (W3C) and `b3` (single header) so the server joins the trace.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { SendError } from "../Errors.js"
import type { PreparedRequest } from "../Request.js"
import type * as Transport from "../Transport.js"
import { redactUrl } from "./url.js"

/** The methods OpenTelemetry names spans after; any other is `HTTP` / `_OTHER`. */
const knownMethods: ReadonlySet<string> = new Set([
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
  "TRACE"
])

/** What the spans of one request share: how many sends came before, and its time in the queue. */
export interface RequestTrace {
  sends: number
  readonly queuedMs: number
}

const defaultPort = (protocol: string): number => (protocol === "https:" ? 443 : 80)

/**
 * `send(request)` in a client span. The first send records the time the request waited in the queue
 * as an event `queued` (attribute `requests_futures.queued_ms`); later ones carry
 * `http.request.resend_count`.
 */
export const tracedSend = (
  send: (request: PreparedRequest) => Effect.Effect<Transport.RawResponse, SendError>,
  request: PreparedRequest,
  trace: RequestTrace
): Effect.Effect<Transport.RawResponse, SendError> =>
  Effect.suspend(() => {
    const resendCount = trace.sends++
    const url = new URL(request.url)
    const known = knownMethods.has(request.method)
    const attributes: Record<string, unknown> = {
      "http.request.method": known ? request.method : "_OTHER",
      "server.address": url.hostname,
      "server.port": url.port === "" ? defaultPort(url.protocol) : Number(url.port),
      "url.full": redactUrl(request.url)
    }
    if (!known) attributes["http.request.method_original"] = request.method
    if (resendCount > 0) attributes["http.request.resend_count"] = resendCount
    return Effect.useSpan(known ? request.method : "HTTP", { kind: "client", attributes }, (span) =>
      Effect.flatMap(Clock.currentTimeNanos, (now) => {
        if (resendCount === 0) span.event("queued", now, { "requests_futures.queued_ms": trace.queuedMs })
        const sampled = span.sampled
        const headers = request.headers
          .set("traceparent", `00-${span.traceId}-${span.spanId}-${sampled ? "01" : "00"}`)
          .set("b3", `${span.traceId}-${span.spanId}-${sampled ? "1" : "0"}`)
        return send({ ...request, headers }).pipe(
          Effect.tap((raw) => {
            span.attribute("http.response.status_code", raw.statusCode)
            if (raw.statusCode >= 400) span.attribute("error.type", String(raw.statusCode))
          }),
          Effect.tapError((error) => Effect.sync(() => span.attribute("error.type", error._tag)))
        )
      }))
  })
