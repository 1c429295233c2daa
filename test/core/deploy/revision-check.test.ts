import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {canonicalJson, journeyRevision, sha256} from '../../../src/core/deploy/canonical.js'
import {checkRevisionDocument} from '../../../src/core/deploy/revision-check.js'
import {defaultConfig} from '../../../src/core/project/config.js'
import {journey} from './helpers.js'

const root = path.resolve(import.meta.dirname, '../../..')
const config = defaultConfig('/nonexistent')

/** Every construct of the journey format at least once. */
const EVERYTHING = `version: 1
id: everything
name: Everything
description: All of it
owner: team
tags: [a, b]
entry: { event: cart_updated, when: "event.properties.cart_value > 50" }
reentry: { after: 30d }
exit: [{ event: order_completed, when: "true" }, { when: "profile.vip == true" }]
goal: { event: order_completed, when: "event.properties.total > 1", within: PT1.5S, exit: false }
settings:
  timezone: Europe/Berlin
  quiet_hours: { start: "21:00", end: "08:00" }
  frequency_cap: { limit: 2, per: P1DT2H }
  holdout: 10
  consent: "profile.email_opt_in == true"
steps:
  - { id: wait-1h, name: Wait, description: an hour, wait: 1h }
  - { id: morning, wait: { until: "09:30", days: [mon, tue] } }
  - id: route
    branch: { cases: [{ when: "profile.email_opt_in == true", next: email-1 }], else: sms-1 }
  - { id: email-1, send: { channel: email, template: t1, data: { code: "'SAVE10'" } }, next: wait-buy }
  - { id: sms-1, send: { channel: sms, template: t2 }, next: wait-buy }
  - { id: wait-buy, wait_for: { event: order_completed, when: "true", timeout: 2d, on_timeout: offer }, next: tag }
  - id: offer
    split: [{ variant: a, percent: 50, next: tag }, { variant: b, percent: 50, next: end }]
  - { id: tag, update: { set: { last: "'x'" } } }
moved: { old-step: tag }
`

const journeyFiles = (dir: string) =>
  readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith('.journey.yaml'))
    .map((f) => path.join(dir, f))

describe('checkRevisionDocument', () => {
  it.each([...journeyFiles('examples/journeys'), ...journeyFiles('templates'), 'EVERYTHING', 'schedule', 'segment'])(
    'accepts the model of a valid journey unchanged: %s',
    (name) => {
      const text =
        name === 'EVERYTHING'
          ? EVERYTHING
          : name === 'schedule'
            ? 'version: 1\nid: s\nname: S\nentry: { schedule: { cron: "0 10 * * 1", audience: "true" } }\nreentry: always\nsteps: [{ id: a, wait: P1W }]\n'
            : name === 'segment'
              ? 'version: 1\nid: g\nname: G\nentry: { segment: "profile.vip == true" }\nsteps: [{ id: a, send: { channel: push, template: p } }]\n'
              : readFileSync(path.join(root, name), 'utf8')
      const model = journey(text)
      const revision = journeyRevision(model)
      expect(checkRevisionDocument(model.id, revision.hash, revision.document, config)).toEqual(model)
    },
  )

  it('refuses documents that are not the model of a valid journey with that id (JOE6016)', () => {
    const model = journey(EVERYTHING)
    const variants: Array<[string, string, string?]> = [
      ['not JSON', 'steps: []'],
      ['an array', '[]'],
      ['another id', canonicalJson({...model, id: 'other'})],
      [
        'a dangling next',
        canonicalJson({...model, steps: model.steps.map((s, i) => (i === 0 ? {...s, next: 'nowhere', nextExplicit: true} : s))}),
      ],
      [
        'a negative wait',
        canonicalJson({...model, steps: model.steps.map((s, i) => (i === 0 ? {...s, wait: {kind: 'duration', ms: -1000}} : s))}),
      ],
      ['an unknown field', canonicalJson({...model, extra: 1})],
      [
        'a derived field that lies',
        canonicalJson({...model, settings: {...model.settings, quietHours: {...model.settings.quietHours, startMinute: 3}}}),
      ],
      ['an implicit next that lies', canonicalJson({...model, steps: model.steps.map((s, i) => (i === 0 ? {...s, next: 'tag'} : s))})],
      ['not canonical', JSON.stringify(model, null, 1)],
      ['an unknown step kind', canonicalJson({...model, steps: [{id: 'x', kind: 'teleport', next: 'end', nextExplicit: false}]})],
      ['a path as id', canonicalJson({...model, id: '../../etc'}), '../../etc'],
    ]
    for (const [what, document, id] of variants) {
      expect(() => checkRevisionDocument(id ?? 'everything', sha256(document), document, config), what).toThrow(
        expect.objectContaining({code: 'JOE6016'}),
      )
    }
    const revision = journeyRevision(model)
    expect(() => checkRevisionDocument('everything', '0'.repeat(64), revision.document, config)).toThrow(
      expect.objectContaining({code: 'JOE6016'}),
    )
  })

  it('checks template catalogs like `joe validate`', () => {
    const model = journey(EVERYTHING)
    const revision = journeyRevision(model)
    const strict = {...config, templates: {email: ['other'], sms: ['t2']}}
    expect(() => checkRevisionDocument(model.id, revision.hash, revision.document, strict)).toThrow(
      expect.objectContaining({code: 'JOE6016', message: expect.stringContaining('t1')}),
    )
  })
})
