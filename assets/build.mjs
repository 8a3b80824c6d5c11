// Builds the front-end assets into destinations/static/ (git-ignored output).
//
//   npm ci && npm run build
//
// Compiles assets/scss/app.scss to css/app.css, copies assets/js/app.mjs, and
// copies GOV.UK Frontend's JavaScript, images and manifest. The GDS Transport
// fonts are deliberately not copied: they are for gov.uk services only, and a
// council service uses Arial. Safe to run again: it replaces what it wrote.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import * as sass from 'sass'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const govuk = path.join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const staticDir = path.join(root, 'destinations', 'static')

const cssOut = path.join(staticDir, 'css', 'app.css')
const jsOut = path.join(staticDir, 'js', 'govuk-frontend.min.js')
const appJsOut = path.join(staticDir, 'js', 'app.mjs')
const assetsOut = path.join(staticDir, 'assets')

const { css } = sass.compile(path.join(root, 'assets', 'scss', 'app.scss'), {
  style: 'compressed',
  importers: [new sass.NodePackageImporter(root)],
  // Warnings from inside govuk-frontend are not ours to fix.
  quietDeps: true
})
await mkdir(path.dirname(cssOut), { recursive: true })
await writeFile(cssOut, css + '\n')

await mkdir(path.dirname(jsOut), { recursive: true })
await cp(path.join(govuk, 'govuk-frontend.min.js'), jsOut)
await cp(path.join(root, 'assets', 'js', 'app.mjs'), appJsOut)

// Start from empty so files dropped by a newer govuk-frontend do not linger.
await rm(assetsOut, { recursive: true, force: true })
await cp(path.join(govuk, 'assets', 'images'), path.join(assetsOut, 'images'), { recursive: true })
await cp(path.join(govuk, 'assets', 'manifest.json'), path.join(assetsOut, 'manifest.json'))

const rel = (p) => path.relative(root, p)
console.log(
  `Built ${rel(cssOut)} (${Math.round(css.length / 1024)} KiB), ` +
    `${rel(jsOut)}, ${rel(appJsOut)}, ${rel(assetsOut)}/images/ and ${rel(assetsOut)}/manifest.json`
)
