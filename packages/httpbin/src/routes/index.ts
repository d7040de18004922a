import { faultRoutes } from "../faults.js"
import { escapeHtml, sendHtml } from "../response.js"
import { get, type Route } from "../router.js"
import { authRoutes } from "./auth.js"
import { cachingRoutes } from "./caching.js"
import { cookieRoutes } from "./cookies.js"
import { dynamicRoutes } from "./dynamic.js"
import { flakyRoutes } from "./flaky.js"
import { formatRoutes } from "./formats.js"
import { inspectionRoutes } from "./inspection.js"
import { methodRoutes } from "./methods.js"
import { redirectRoutes } from "./redirects.js"
import { statusRoutes } from "./status.js"

const endpointRoutes: ReadonlyArray<Route> = [
  ...methodRoutes,
  ...inspectionRoutes,
  ...statusRoutes,
  ...redirectRoutes,
  ...cookieRoutes,
  ...authRoutes,
  ...dynamicRoutes,
  ...formatRoutes,
  ...cachingRoutes,
  ...flakyRoutes,
  ...faultRoutes
]

// httpbin.org's landing page is a Swagger UI; a plain list of rules serves the same purpose.
const landingPage = (): string => {
  const items = endpointRoutes
    .map((r) => {
      const methods = r.methods === "*" ? "any method" : r.methods.join(", ")
      return `  <li><code>${escapeHtml(r.rule)}</code> (${methods})</li>`
    })
    .join("\n")
  return `<!DOCTYPE html>\n<html>\n<head><title>httpbin</title></head>\n<body>\n<h1>httpbin</h1>\n<p>An embedded httpbin.org-compatible server. Endpoints:</p>\n<ul>\n${items}\n</ul>\n</body>\n</html>\n`
}

const LANDING = landingPage()

export const allRoutes: ReadonlyArray<Route> = [get("/", (ex) => sendHtml(ex, LANDING)), ...endpointRoutes]
