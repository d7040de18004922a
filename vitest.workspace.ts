export default [
  "packages/httpbin/vitest.config.ts",
  "packages/core/vitest.config.ts",
  "packages/requests-futures/vitest.config.ts"
]
