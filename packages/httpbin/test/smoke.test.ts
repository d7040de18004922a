import { expect, it } from "vitest"
import { placeholder } from "@requests-futures/httpbin"
it("loads", () => { expect(placeholder).toBe(1) })
