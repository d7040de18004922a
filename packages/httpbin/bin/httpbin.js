#!/usr/bin/env node
// Runs the compiled CLI; build first with `npx tsc -b packages/httpbin` (npm test does).
import "../dist/cli.js"
