import { it, expect } from "vitest"
import { startHttpbin } from "@requests-futures/httpbin"
it("x", async () => { const s = await startHttpbin(); const r = await fetch(s.url + "/get"); await r.text(); await s.close(); expect(1).toBe(1) })
