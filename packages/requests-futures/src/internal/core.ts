/**
 * The key under which a facade object keeps the core (Effect) object it wraps. Not exported from the
 * package: users see only the Promise API.
 */
export const coreOf: unique symbol = Symbol("requests-futures/core")
