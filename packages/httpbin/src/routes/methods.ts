import { createHash } from "node:crypto"
import type { EchoKey } from "../request.js"
import { badRequest, sendJson } from "../response.js"
import { get, route, type Route } from "../router.js"
import { pyFloat } from "../parse.js"
import { sleep } from "../timing.js"

/** The HTTP-verb echo endpoints: /get, /post, /put, /patch, /delete, /anything, /delay. */

const BODY_KEYS: ReadonlyArray<EchoKey> = ["url", "args", "form", "data", "origin", "headers", "files", "json"]
const ANYTHING_KEYS: ReadonlyArray<EchoKey> = [...BODY_KEYS, "method"]
const DELAY_KEYS: ReadonlyArray<EchoKey> = ["url", "args", "form", "data", "origin", "headers", "files"]

const MAX_DELAY_SECONDS = 10

const echoBody = (method: string): Route => route(`/${method.toLowerCase()}`, [method], (ex) => sendJson(ex, ex.echo(BODY_KEYS)))

export const methodRoutes: ReadonlyArray<Route> = [
  get("/get", (ex) => sendJson(ex, ex.echo(["url", "args", "headers", "origin"]))),
  echoBody("POST"),
  echoBody("PUT"),
  echoBody("PATCH"),
  echoBody("DELETE"),
  // httpbin lists GET, POST, PUT, DELETE, PATCH and TRACE; any method is more useful for a client's tests.
  // Not httpbin's: what arrived of a (large) body, without echoing it: its length, SHA-256 and the headers.
  route("/sha256", "*", (ex) =>
    sendJson(ex, {
      ...ex.echo(["headers"]),
      bytes: ex.body.length,
      sha256: createHash("sha256").update(ex.body).digest("hex")
    })),
  route("/anything", "*", (ex) => sendJson(ex, ex.echo(ANYTHING_KEYS))),
  route("/anything/<path:anything>", "*", (ex) => sendJson(ex, ex.echo(ANYTHING_KEYS))),
  route("/delay/<delay>", ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"], async (ex) => {
    const seconds = pyFloat(ex.params[0])
    // httpbin crashes (500) on a non-number; a 400 tells the client what is wrong.
    if (seconds === undefined || seconds < 0) {
      throw badRequest(`delay must be a non-negative number of seconds, got ${JSON.stringify(ex.params[0])}`)
    }
    if (await sleep(Math.min(seconds, MAX_DELAY_SECONDS) * 1000, ex.signal)) sendJson(ex, ex.echo(DELAY_KEYS))
  })
]
