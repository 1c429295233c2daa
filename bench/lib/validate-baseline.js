#!/usr/bin/env node
// The yardstick of the validate benchmark: what parsing and schema-checking the same journey files
// costs with the standard tools, in one Node process, as a script would do it. Each file is read,
// parsed with `yaml` keeping positions (a LineCounter and parseDocument, as joe does), turned into
// a value, and checked with ajv against schemas/journey.schema.json, compiled here with the options
// joe uses (allErrors, verbose). No rules, no CEL, no output beyond a count.
//
//   node bench/lib/validate-baseline.js PROJECT_DIR
import {readdirSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const require = createRequire(path.join(root, 'package.json'))
const {LineCounter, parseDocument} = require('yaml')
const {default: Ajv2020} = require('ajv/dist/2020.js')

const dir = process.argv[2]
if (!dir) throw new Error('usage: validate-baseline.js PROJECT_DIR')
const files = readdirSync(path.join(dir, 'journeys'), {recursive: true, encoding: 'utf8'})
  .filter((f) => f.endsWith('.journey.yaml'))
  .map((f) => path.join(dir, 'journeys', f))
  .sort()
const schema = JSON.parse(readFileSync(path.join(root, 'schemas/journey.schema.json'), 'utf8'))
const validate = new Ajv2020({allErrors: true, verbose: true, strict: false}).compile(schema)

let problems = 0
for (const file of files) {
  const lineCounter = new LineCounter()
  const doc = parseDocument(readFileSync(file, 'utf8'), {lineCounter})
  if (doc.errors.length > 0 || !validate(doc.toJS())) problems++
}
process.stdout.write(`${files.length} files, ${problems} with problems\n`)
