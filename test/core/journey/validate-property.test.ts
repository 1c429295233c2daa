import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {checkJourney} from '../../../src/core/journey/check-journey.js'
import {parseYamlSource} from '../../../src/core/journey/source.js'
import {defaultConfig} from '../../../src/core/project/config.js'

const VALID = `version: 1
id: cart
name: Cart
entry: { event: cart_updated, when: "event.properties.cart_value > 50" }
exit: [{ event: order_completed }]
goal: { event: order_completed, within: 7d }
settings: { timezone: profile, quiet_hours: { start: "21:00", end: "08:00" }, holdout: 10, frequency_cap: { limit: 2, per: 1d } }
steps:
  - { id: wait-1h, wait: 1h }
  - id: route
    branch: { cases: [{ when: "profile.email_opt_in == true", next: email-1 }], else: sms-1 }
  - { id: email-1, send: { channel: email, template: t1 }, next: wait-buy }
  - { id: sms-1, send: { channel: sms, template: t2 } }
  - { id: wait-buy, wait_for: { event: order_completed, timeout: 2d, on_timeout: offer }, next: end }
  - id: offer
    split: [{ variant: a, percent: 50, next: end }, { variant: b, percent: 50, next: end }]
`

/** Every diagnostic must be located inside the file. */
function check(text: string): void {
  const parsed = parseYamlSource('j.journey.yaml', text)
  const diagnostics = parsed.diagnostics.length > 0 ? parsed.diagnostics : checkJourney(parsed.source, defaultConfig('/'))
  const lines = text.split('\n').length
  for (const d of diagnostics) {
    expect(d.code).toMatch(/^JOE\d{4}$/)
    expect(d.message.length).toBeGreaterThan(0)
    expect(d.location.line).toBeGreaterThanOrEqual(1)
    expect(d.location.line).toBeLessThanOrEqual(lines + 1)
    expect(d.location.column).toBeGreaterThanOrEqual(1)
  }
}

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    {depthSize: 'small'},
    fc.string(),
    fc.integer(),
    fc.double({noNaN: true}),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), {maxLength: 4}),
    fc.dictionary(fc.string({maxLength: 8}), tie('value'), {maxKeys: 4}),
  ),
})).value

describe('validate never throws, never hangs, always locates', () => {
  it('the base journey is valid', () => {
    const parsed = parseYamlSource('j.journey.yaml', VALID)
    expect(checkJourney(parsed.source, defaultConfig('/'))).toEqual([])
  })

  it('random text', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 400}), (text) => check(text)),
      {numRuns: 300},
    )
  })

  it('random YAML-looking documents', () => {
    fc.assert(
      fc.property(jsonValue, (value) => check(stringify(value))),
      {numRuns: 300},
    )
  })

  it('mutated journeys: characters deleted, inserted or replaced', () => {
    const mutation = fc.record({at: fc.nat(VALID.length - 1), remove: fc.nat(20), insert: fc.string({maxLength: 12})})
    fc.assert(
      fc.property(fc.array(mutation, {minLength: 1, maxLength: 4}), (mutations) => {
        let text = VALID
        for (const m of mutations) text = text.slice(0, m.at) + m.insert + text.slice(m.at + m.remove)
        check(text)
      }),
      {numRuns: 400},
    )
  })

  it('structurally mutated journeys: values replaced by random values', () => {
    const base = parseYamlSource('j.journey.yaml', VALID).source.value as Record<string, unknown>
    const keys = Object.keys(base)
    fc.assert(
      fc.property(fc.constantFrom(...keys), jsonValue, (key, value) => {
        check(stringify({...base, [key]: value}))
      }),
      {numRuns: 300},
    )
  })
})
