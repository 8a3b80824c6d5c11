// Starts the GOV.UK Frontend components (service navigation menu, error
// summary focus, notification banners...). Loaded as an external module, not
// inline, so a Content-Security-Policy of script-src 'self' is enough.
import { initAll } from './govuk-frontend.min.js'

initAll()
