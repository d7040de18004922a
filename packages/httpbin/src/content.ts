import type { JsonValue } from "./json.js"

/** Fixed bodies. Where httpbin's text is part of what clients check, it is reproduced exactly. */

export const ROBOTS_TXT = "User-agent: *\nDisallow: /deny\n"

export const ANGRY_ASCII = `
          .-''''''-.
        .' _      _ '.
       /   O      O   \\
      :                :
      |                |
      :       __       :
       \\  .-"\`  \`"-.  /
        '.          .'
          '-......-'
     YOU SHOULDN'T BE HERE
`

export const TEAPOT_ASCII = `
    -=[ teapot ]=-

       _...._
     .'  _ _ \`.
    | ."\` ^ \`". _,
    \\_;\`"---"\`|//
      |       ;/
      \\_     _/
        \`"""\`
`

export const ACCEPTED_IMAGE_TYPES: ReadonlyArray<string> = ["image/svg+xml", "image/png", "image/*"]

export const MOBY_HTML = `<!DOCTYPE html>
<html>
  <head>
  </head>
  <body>
      <h1>Herman Melville - Moby-Dick</h1>

      <div>
        <p>
          Availing himself of the mild, summer-cool weather that now reigned in these latitudes, and in preparation for the peculiarly active pursuits shortly to be anticipated, Perth, the begrimed, blistered old blacksmith, had not removed his portable forge to the hold again, after concluding his contributory work for Ahab's leg, but still retained it on deck, fast lashed to ringbolts by the foremast; being now almost incessantly invoked by the headsmen, and harpooneers, and bowsmen to do some little job for them; altering, or repairing, or new shaping their various weapons and boat furniture.
        </p>
      </div>
  </body>
</html>`

export const UTF8_DEMO = `<h1>Unicode Demo</h1>

<pre>
UTF-8 encoded sample plain-text file
‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾

Mathematics and sciences:

  ∮ E⋅da = Q,  n → ∞, ∑ f(i) = ∏ g(i), ∀x∈ℝ: ⌈x⌉ = −⌊−x⌋, α ∧ ¬β = ¬(¬α ∨ β)
  2H₂ + O₂ ⇌ 2H₂O, R = 4.7 kΩ, ⌀ 200 mm

Greek:          Σὲ γνωρίζω ἀπὸ τὴν κόψη
Russian:        Зарегистрируйтесь сейчас
Georgian:       გთხოვთ ახლავე გაიაროთ რეგისტრაცია
Thai:           ๏ แผ่นดินฮั่นเสื่อมโทรมแสนสังเวช
Amharic:        ሰማይ አይታረስ ንጉሥ አይከሰስ።
Runes:          ᚻᛖ ᚳᚹᚫᚦ ᚦᚫᛏ ᚻᛖ ᛒᚢᛞᛖ ᚩᚾ ᚦᚫᛗ
Braille:        ⡌⠁⠧⠑ ⠼⠁⠒  ⡍⠜⠇⠑⠹⠰⠎ ⡣⠕⠌
Japanese:       いろはにほへと ちりぬるを
Emoji:          🐷 🦀 🚀
</pre>
`

export const SAMPLE_XML = `<?xml version='1.0' encoding='us-ascii'?>

<!--  A SAMPLE set of slides  -->

<slideshow 
    title="Sample Slide Show"
    date="Date of publication"
    author="Yours Truly"
    >

    <!-- TITLE SLIDE -->
    <slide type="all">
      <title>Wake up to WonderWidgets!</title>
    </slide>

    <!-- OVERVIEW -->
    <slide type="all">
        <title>Overview</title>
        <item>Why <em>WonderWidgets</em> are great</item>
        <item/>
        <item>Who <em>buys</em> WonderWidgets</item>
    </slide>

</slideshow>`

export const SAMPLE_JSON: JsonValue = {
  slideshow: {
    title: "Sample Slide Show",
    date: "date of publication",
    author: "Yours Truly",
    slides: [
      { type: "all", title: "Wake up to WonderWidgets!" },
      {
        type: "all",
        title: "Overview",
        items: ["Why <em>WonderWidgets</em> are great", "Who <em>buys</em> WonderWidgets"]
      }
    ]
  }
}

export const SVG_LOGO = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">
  <circle cx="20" cy="20" r="12" fill="#e880a0"/>
  <circle cx="80" cy="20" r="12" fill="#e880a0"/>
  <circle cx="50" cy="55" r="40" fill="#f8afc3"/>
  <circle cx="35" cy="42" r="5" fill="#281e1e"/>
  <circle cx="65" cy="42" r="5" fill="#281e1e"/>
  <ellipse cx="50" cy="68" rx="16" ry="11" fill="#e880a0"/>
  <circle cx="44" cy="68" r="3" fill="#783246"/>
  <circle cx="56" cy="68" r="3" fill="#783246"/>
</svg>
`

export const FORMS_POST_HTML = `<!DOCTYPE html>
<html>
  <head>
  </head>
  <body>
  <!-- Example form from HTML5 spec http://www.w3.org/TR/html5/forms.html#writing-a-form's-user-interface -->
  <form method="post" action="/post">
   <p><label>Customer name: <input name="custname"></label></p>
   <p><label>Telephone: <input type=tel name="custtel"></label></p>
   <p><label>E-mail address: <input type=email name="custemail"></label></p>
   <fieldset>
    <legend> Pizza Size </legend>
    <p><label> <input type=radio name=size value="small"> Small </label></p>
    <p><label> <input type=radio name=size value="medium"> Medium </label></p>
    <p><label> <input type=radio name=size value="large"> Large </label></p>
   </fieldset>
   <fieldset>
    <legend> Pizza Toppings </legend>
    <p><label> <input type=checkbox name="topping" value="bacon"> Bacon </label></p>
    <p><label> <input type=checkbox name="topping" value="cheese"> Extra Cheese </label></p>
    <p><label> <input type=checkbox name="topping" value="onion"> Onion </label></p>
    <p><label> <input type=checkbox name="topping" value="mushroom"> Mushroom </label></p>
   </fieldset>
   <p><label>Preferred delivery time: <input type=time min="11:00" max="21:00" step="900" name="delivery"></label></p>
   <p><label>Delivery instructions: <textarea name="comments"></textarea></label></p>
   <p><button>Submit order</button></p>
  </form>
  </body>
</html>
`
