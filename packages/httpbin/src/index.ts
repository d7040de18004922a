/**
 * @requests-futures/httpbin: an embedded, httpbin.org-compatible HTTP/1.1 server for tests,
 * demos and benchmarks, with fault endpoints and request tracking.
 */
export {
  startHttpbin,
  type HttpbinOptions,
  type HttpbinServer,
  type HttpbinStats,
  type RequestInfo
} from "./server.js"
export { Httpbin, HttpbinStartError } from "./Httpbin.js"
export type { Echo } from "./request.js"
