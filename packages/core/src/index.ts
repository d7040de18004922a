/**
 * requests-futures for Effect: sessions, executors and futures with typed errors.
 *
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"
export * as Background from "./Background.js"
export * as Cookies from "./Cookies.js"
export * as Errors from "./Errors.js"
export * as Executor from "./Executor.js"
export * as Future from "./Future.js"
export * as FuturesSession from "./FuturesSession.js"
export * as Headers from "./Headers.js"
export * as Request from "./Request.js"
export * as Response from "./Response.js"
export * as Retry from "./Retry.js"
export * as Session from "./Session.js"
export * as Task from "./Task.js"
export * as Transport from "./Transport.js"
export { version } from "./version.js"
