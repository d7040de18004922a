import { randomUUID } from "node:crypto"
import { sendJson } from "../response.js"
import { get, type Route } from "../router.js"

/** Request inspection: /headers, /ip, /user-agent, plus /uuid. */
export const inspectionRoutes: ReadonlyArray<Route> = [
  get("/headers", (ex) => sendJson(ex, ex.echo(["headers"]))),
  get("/ip", (ex) => sendJson(ex, { origin: ex.origin })),
  // httpbin fails with a 500 when there is no User-Agent; null is kinder.
  get("/user-agent", (ex) => sendJson(ex, { "user-agent": ex.header("user-agent") ?? null })),
  get("/uuid", (ex) => sendJson(ex, { uuid: randomUUID() }))
]
