import { type Response as CoreResponse, Session as CoreSession, Task } from "@requests-futures/core"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { BaseSession, requestInfo, toInit, toSessionHooks } from "./internal/BaseSession.js"
import { coreOf } from "./internal/core.js"
import { failureOf, fromRequestFailure } from "./internal/errors.js"
import { runSync } from "./internal/run.js"
import { Response, responseOf } from "./Response.js"
import type { RequestOptions, SessionOptions } from "./types/options.js"

/**
 * requests' `Session`, with Promises: each method sends one request and resolves with its `Response`,
 * or rejects with a `RequestException` subclass. Headers, cookies, auth and the connection pool persist
 * across requests. Close it (or `await using` it) when done.
 *
 * @example
 * ```ts
 * const session = new Session({ headers: { "X-Client": "docs" } })
 * const response = await session.get("https://httpbin.org/get", { params: { q: "x" } })
 * console.log(response.json())
 * await session.close()
 * ```
 */
export class Session extends BaseSession {
  constructor(options: SessionOptions = {}) {
    const { hooks, ...config } = options
    const scope = runSync(Scope.make())
    super(runSync(Scope.extend(CoreSession.make(config), scope)), toSessionHooks(hooks), scope)
  }

  /**
   * Sends a request with any method (an HTTP token, else `InvalidOption`) to a URL (a string or a `URL`,
   * else `InvalidURL`).
   */
  request(method: string, url: string | URL, options?: RequestOptions): Promise<Response> {
    if (this.closed) return Promise.reject(this.closedError())
    const hooks = this.hooksFor(options)
    const init = toInit(method, url, options, hooks)
    // A request that needs no Effect (no redirect, challenge, retry, hook) runs without a fiber.
    const toResponse = hooks.length === 0 ? newResponse : responseOf
    return new Promise((resolve, reject) => {
      Task.unsafeRun(this[coreOf].task(init), (exit) =>
        Exit.isSuccess(exit)
          ? resolve(toResponse(exit.value))
          : reject(fromRequestFailure(failureOf(exit.cause), requestInfo(method, url))))
    })
  }

  get(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("GET", url, options)
  }

  head(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("HEAD", url, options)
  }

  options(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("OPTIONS", url, options)
  }

  delete(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("DELETE", url, options)
  }

  post(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("POST", url, options)
  }

  put(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("PUT", url, options)
  }

  patch(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("PATCH", url, options)
  }
}

const newResponse = (response: CoreResponse.Response): Response => new Response(response)
