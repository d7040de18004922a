/**
 * OURS, Promise API through the per-host scheduler: ours-promise with `perHost: { maxWorkers: C }`, the
 * same work keyed by origin and scheduled per host, so the difference between the two rows is the
 * per-host path's own cost.
 */
process.env["RF_BENCH_PER_HOST"] = "1"
await import("./ours-promise.js")
