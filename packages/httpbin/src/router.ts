import type { Exchange } from "./request.js"

export type Handler = (ex: Exchange) => void | Promise<void>

/** Methods a route answers; "*" answers any method (only /anything uses it). */
export type Methods = ReadonlyArray<string> | "*"

export interface Route {
  /** Flask-style rule: "/status/<codes>", "/bytes/<int:n>", "/anything/<path:rest>". */
  readonly rule: string
  readonly methods: Methods
  readonly handler: Handler
}

export const route = (rule: string, methods: Methods, handler: Handler): Route => ({ rule, methods, handler })

/** The common case: Flask's default methods (GET, plus the HEAD and OPTIONS it adds). */
export const get = (rule: string, handler: Handler): Route => route(rule, ["GET"], handler)

export type Match =
  | { readonly kind: "found"; readonly route: Route; readonly params: ReadonlyArray<string> }
  /** Also the answer for OPTIONS on a known path: `allow` lists what the path answers. */
  | { readonly kind: "method-not-allowed"; readonly allow: ReadonlyArray<string> }
  | { readonly kind: "not-found" }

interface Compiled {
  readonly route: Route
  readonly pattern: RegExp | undefined
}

const ALLOW_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS"]

const compile = (rule: string): RegExp | undefined => {
  if (!rule.includes("<")) return undefined
  const source = rule
    .split(/(<[^>]+>)/)
    .map((piece) => {
      const param = /^<(?:(\w+):)?(\w+)>$/.exec(piece)
      if (param === null) return piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      switch (param[1]) {
        case "int":
          return "(\\d+)"
        case "path":
          return "(.*)"
        default:
          return "([^/]+)"
      }
    })
    .join("")
  return new RegExp(`^${source}$`)
}

const allows = (methods: Methods, method: string): boolean =>
  methods === "*" || methods.includes(method) || (method === "HEAD" && methods.includes("GET"))

/**
 * Matches Flask-style rules. Static rules are a map lookup, which keeps the hot endpoints
 * (/get, /post, ...) cheap for benchmarks; parameterised rules are tried in order.
 */
export class Router {
  private readonly exact = new Map<string, Array<Compiled>>()
  private readonly patterns: Array<Compiled> = []

  constructor(routes: ReadonlyArray<Route>) {
    for (const r of routes) {
      const pattern = compile(r.rule)
      if (pattern === undefined) {
        const list = this.exact.get(r.rule) ?? []
        list.push({ route: r, pattern })
        this.exact.set(r.rule, list)
      } else {
        this.patterns.push({ route: r, pattern })
      }
    }
  }

  match(path: string, method: string): Match {
    const candidates: Array<{ readonly route: Route; readonly params: ReadonlyArray<string> }> = []
    for (const c of this.exact.get(path) ?? []) candidates.push({ route: c.route, params: [] })
    if (candidates.length === 0) {
      for (const c of this.patterns) {
        const m = c.pattern?.exec(path)
        if (m) candidates.push({ route: c.route, params: m.slice(1) })
      }
    }
    if (candidates.length === 0) return { kind: "not-found" }
    // OPTIONS is answered for every route by the server itself, as Flask does.
    if (method !== "OPTIONS") {
      for (const c of candidates) {
        if (allows(c.route.methods, method)) return { kind: "found", route: c.route, params: c.params }
      }
    }
    const allow = new Set<string>(["OPTIONS"])
    for (const c of candidates) {
      const methods = c.route.methods === "*" ? ALLOW_ORDER : c.route.methods
      for (const m of methods) allow.add(m)
      if (methods.includes("GET")) allow.add("HEAD")
    }
    return { kind: "method-not-allowed", allow: ALLOW_ORDER.filter((m) => allow.has(m)) }
  }
}
