import { defineProject } from "vitest/config"
import { alias } from "../../vitest.shared.js"

export default defineProject({
  resolve: { alias },
  test: {
    name: "core",
    include: ["test/**/*.test.ts"],
    // Real sockets and real delays: a loaded 2-core machine needs more than vitest's 5 s.
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
