import { RequestException } from "./RequestException.js"

/**
 * The connection could not be made or was lost before the response began: refused, reset, DNS failure,
 * closed by the server, response headers too large.
 */
export class ConnectionError extends RequestException {
  override readonly _tag: "ConnectionError" | "SSLError" | "ProxyError" = "ConnectionError"
}
