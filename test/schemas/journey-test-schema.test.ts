import Ajv2020 from 'ajv/dist/2020.js'
import {beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {readSchema} from '../../src/core/schemas.js'
import {compileSchema, type Doc, editedCopy, type Validate} from '../helpers/schema-validator.js'

const EXAMPLE = `
journey: cart-abandonment
cases:
  - name: opted-in shopper gets the email, then buys
    profile: { email_opt_in: true, timezone: Europe/Berlin }
    events:
      - { type: cart_updated, at: "2026-03-02T10:00:00Z", properties: { cart_value: 80 } }
      - { type: order_completed, at: "+3h" }        # "+duration": relative to the previous event
    expect:
      path: [wait-1h, route, email-1, wait-purchase]  # steps entered, in order
      sends: [{ template: cart-reminder-1, at: "2026-03-02T11:00:00Z" }]
      outcome: converted   # not_entered | held_out | completed | exited | converted | in_flight
  - name: pinned variant in the holdout
    customer_id: c-42
    group: holdout
    variants: { offer: ten-off }
    events:
      - { type: cart_updated, at: "2026-03-02T10:00:00Z" }
    expect:
      outcome: held_out
      sends: []
`

let validate: Validate

beforeAll(async () => {
  validate = await compileSchema('journey-test')
})

const withChange = (edit: (doc: Doc) => void): unknown => editedCopy(EXAMPLE, edit)

describe('journey-test.schema.json', () => {
  it('compiles in strict mode', async () => {
    const ajv = new Ajv2020.default({strict: true, allErrors: true, logger: false})
    const schema = await readSchema('journey-test')
    expect(() => ajv.compile(schema)).not.toThrow()
  })

  it('accepts the example of the spec (plus group, variants and customer_id) and a $schema key', () => {
    expect(validate(parse(EXAMPLE)), JSON.stringify(validate.errors)).toBe(true)
    expect(validate(withChange((d) => (d.$schema = 'x'))), JSON.stringify(validate.errors)).toBe(true)
  })

  const bad: Array<[string, unknown, string]> = [
    ['no journey', withChange((d) => delete d.journey), 'required'],
    ['no cases', withChange((d) => (d.cases = [])), 'minItems'],
    ['a case without name', withChange((d) => delete d.cases[0].name), 'required'],
    ['a case without events', withChange((d) => delete d.cases[0].events), 'required'],
    ['an event without at', withChange((d) => delete d.cases[0].events[0].at), 'required'],
    ['an unknown case key', withChange((d) => (d.cases[0].expected = {})), 'additionalProperties'],
    ['an unknown outcome', withChange((d) => (d.cases[0].expect.outcome = 'finished')), 'enum'],
    ['an unknown group', withChange((d) => (d.cases[0].group = 'control')), 'enum'],
    ['an unknown key in a send', withChange((d) => (d.cases[0].expect.sends[0].templat = 'x')), 'additionalProperties'],
  ]

  it.each(bad)('rejects %s', (_label, doc, keyword) => {
    expect(validate(doc)).toBe(false)
    expect(validate.errors?.map((e) => e.keyword)).toContain(keyword)
  })
})
