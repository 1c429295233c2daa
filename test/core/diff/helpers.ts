import {buildJourney} from '../../../src/core/journey/build-model.js'
import {checkJourney} from '../../../src/core/journey/check-journey.js'
import type {Journey} from '../../../src/core/journey/model.js'
import {parseYamlSource} from '../../../src/core/journey/source.js'
import {defaultConfig} from '../../../src/core/project/config.js'

/** A journey model from YAML that must validate without errors (so tests only diff real journeys). */
export function load(yaml: string): Journey {
  const parsed = parseYamlSource('j.journey.yaml', yaml)
  const errors = [...parsed.diagnostics, ...checkJourney(parsed.source, defaultConfig('/'))].filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new Error(`invalid test journey: ${errors.map((e) => `${e.code} ${e.message}`).join('; ')}`)
  return buildJourney(parsed.source.value as Record<string, unknown>)
}

export const BASE = `version: 1
id: cart
name: Cart
entry: { event: cart_updated, when: "event.properties.cart_value > 50" }
exit: [{ event: order_completed }]
goal: { event: order_completed, within: 7d }
settings: { timezone: profile, holdout: 10 }
steps:
  - { id: wait-1h, wait: 1h }
  - id: route
    branch: { cases: [{ when: "profile.email_opt_in == true", next: email-1 }], else: sms-1 }
  - { id: email-1, send: { channel: email, template: t1 }, next: wait-buy }
  - { id: sms-1, send: { channel: sms, template: t2 } }
  - { id: wait-buy, wait_for: { event: order_completed, timeout: 2d, on_timeout: offer }, next: end }
  - id: offer
    split: [{ variant: a, percent: 50, next: end }, { variant: b, percent: 50, next: email-2 }]
  - { id: email-2, send: { channel: email, template: t3 } }
`
