import {readFileSync} from 'node:fs'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

/** A validator for the official SARIF 2.1.0 schema (oasis-tcs/sarif-spec, vendored in test/fixtures). */
export function compileSarifSchema() {
  const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object
  // The schema's `language` pattern uses the .NET inline flag `^(?i)`, which JS RegExp lacks.
  const regExp = Object.assign(
    (pattern: string, flags: string) =>
      pattern.includes('(?i)') ? new RegExp(pattern.replace('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags),
    {code: 'new RegExp'},
  )
  // The official file puts an `anyOf` array inside region's `properties` (a slip in the schema, not in
  // our output), which fails the 2020-12 meta-schema; so compile it without that check.
  const ajv = new Ajv2020.default({strict: false, allErrors: true, validateSchema: false, code: {regExp}})
  addFormats.default(ajv)
  return ajv.compile(schema)
}
