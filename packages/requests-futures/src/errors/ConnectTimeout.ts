import { Timeout } from "./Timeout.js"

/**
 * No connection was established within the connect timeout (`timeout: { connect }`, or a number).
 * Nothing was sent, so it is always safe to retry.
 *
 * In requests it is also a `ConnectionError` (multiple inheritance); here it is a `Timeout` only.
 */
export class ConnectTimeout extends Timeout {
  override readonly _tag = "ConnectTimeout" as const
}
