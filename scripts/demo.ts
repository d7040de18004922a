import { placeholder } from "@requests-futures/httpbin"; console.log(placeholder)
