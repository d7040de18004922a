import { defineProject } from "vitest/config"
import { alias } from "../../vitest.shared.js"

export default defineProject({
  resolve: { alias },
  test: {
    name: "httpbin",
    include: ["test/**/*.test.ts"],
    // The tests mostly wait on sockets and timers; one worker that loads the sources (and
    // effect) once beats a fresh fork per file, especially on small CI machines.
    isolate: false,
    poolOptions: { forks: { singleFork: true } },
    testTimeout: 15_000,
    hookTimeout: 15_000
  }
})
