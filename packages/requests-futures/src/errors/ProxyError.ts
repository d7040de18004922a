import { ConnectionError } from "./ConnectionError.js"
import type { RequestExceptionOptions } from "./RequestException.js"

/** The proxy (the `proxies` option, or `HTTP_PROXY` / `HTTPS_PROXY`) refused or could not be reached. */
export class ProxyError extends ConnectionError {
  override readonly _tag = "ProxyError" as const
  /** The proxy URL. */
  readonly proxy: string

  constructor(message: string, options: RequestExceptionOptions & { readonly proxy: string }) {
    super(message, options)
    this.proxy = options.proxy
  }
}
