// Functions and a Schema for background work in the facade's tests: the worker threads import this file.
import * as Schema from "effect/Schema"

/** The slide titles of httpbin's /json. */
export const titles = (input) => input.json().slideshow.slides.map((slide) => slide.title)

/** Kills its thread. */
export const crash = () => process.exit(3)

export const Slideshow = Schema.Struct({
  slideshow: Schema.Struct({ title: Schema.String, slides: Schema.Array(Schema.Struct({ title: Schema.String })) })
})
