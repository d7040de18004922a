import { ConnectionError } from "./ConnectionError.js"

/**
 * TLS failed: a certificate that is not trusted (see the `verify` option), a wrong host name, a failed
 * handshake. A `ConnectionError`, as in requests.
 */
export class SSLError extends ConnectionError {
  override readonly _tag = "SSLError" as const
}
