import {readFileSync} from 'node:fs'
import Ajv2020 from 'ajv/dist/2020.js'
import {beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {readSchema} from '../../src/core/schemas.js'
import {compileSchema, type Doc, editedCopy, type Validate} from '../helpers/schema-validator.js'

/** The journey of spec section 2, as the spec prints it. */
const EXAMPLE = readFileSync(new URL('../fixtures/spec/cart-abandonment.journey.yaml', import.meta.url), 'utf8')

let validate: Validate

beforeAll(async () => {
  validate = await compileSchema('journey')
})

/** The example with `edit` applied to a fresh copy. */
const variant = (edit: (doc: Doc) => void): unknown => editedCopy(EXAMPLE, edit)

function minimal(step: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return {version: 1, id: 'j', name: 'J', entry: {event: 'e'}, steps: [{id: 's', ...step}], ...extra}
}

describe('journey.schema.json', () => {
  it('compiles in strict mode', async () => {
    const schema = (await readSchema('journey')) as {$id: string; $schema: string}
    const ajv = new Ajv2020.default({strict: true, allErrors: true, logger: false})
    expect(() => ajv.compile(schema)).not.toThrow()
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema.$id).toBe('https://joe.dev/schemas/journey.schema.json')
  })

  it('accepts the full example of the spec', () => {
    expect(validate(parse(EXAMPLE)), JSON.stringify(validate.errors)).toBe(true)
  })

  it('accepts a $schema key, segment and schedule entries, reentry forms and wait until', () => {
    const good = [
      variant((d) => {
        d.$schema = './journey.schema.json'
      }),
      variant((d) => {
        d.entry = {segment: "profile.plan == 'trial'"}
        d.reentry = {after: '30d'}
      }),
      variant((d) => {
        d.entry = {schedule: {cron: '0 9 * * 1', audience: 'profile.active'}}
        d.reentry = 'always'
      }),
      variant((d) => {
        d.entry = {schedule: {cron: '0 9 * * 1'}}
        d.exit = [{event: 'x', when: 'event.properties.a == 1'}]
      }),
      minimal({wait: {until: '09:00', days: ['mon', 'fri']}}),
      minimal({wait: {until: '23:59'}, name: 'Morning', description: 'wait for the morning'}),
      minimal({update: {set: {last_seen: 'now'}}}),
      minimal({wait: '0m'}),
      minimal({wait: '-1h'}),
    ]
    for (const doc of good) expect(validate(doc), JSON.stringify(validate.errors)).toBe(true)
  })

  it.each([
    '90m',
    '2d',
    '1w',
    '30s',
    '-1h',
    '0m',
    'PT90M',
    'P2D',
    'P1W',
    'P1DT2H',
    'PT1H30M',
    'PT45S',
    '-PT1H',
    'P1W2D',
    'PT1.5S',
    'P1WT1H',
  ])('accepts duration %s', (d) => {
    expect(validate(minimal({wait: d})), JSON.stringify(validate.errors)).toBe(true)
  })

  it.each(['2x', '1.5h', 'h', '', '90', 'P', 'PT', 'P1DT', 'PT1M1H', 'P1M', 'P1Y', '2 d', 'p2d', '--1h', 'PT.5S', '1.5d', 'P1D1W'])(
    'rejects duration "%s"',
    (d) => {
      expect(validate(minimal({wait: d}))).toBe(false)
    },
  )

  const bad: Array<[string, unknown, string]> = [
    [
      'an unknown top-level key',
      variant((d) => {
        d.stepz = []
      }),
      'additionalProperties',
    ],
    [
      'an unknown step key',
      variant((d) => {
        d.steps[0].nxt = 'route'
      }),
      'additionalProperties',
    ],
    [
      'two action keys in a step',
      variant((d) => {
        d.steps[0].send = {channel: 'email', template: 't'}
      }),
      'oneOf',
    ],
    ['no action key in a step', minimal({}), 'oneOf'],
    [
      'a bad channel',
      variant((d) => {
        d.steps[2].send.channel = 'fax'
      }),
      'enum',
    ],
    [
      'holdout 80',
      variant((d) => {
        d.settings.holdout = 80
      }),
      'maximum',
    ],
    [
      'a branch without else',
      variant((d) => {
        delete d.steps[1].branch.else
      }),
      'required',
    ],
    [
      'a bad duration',
      variant((d) => {
        d.steps[0].wait = '2x'
      }),
      'pattern',
    ],
    [
      'two entry kinds',
      variant((d) => {
        d.entry.segment = 'true'
      }),
      'oneOf',
    ],
    [
      'when on a segment entry',
      variant((d) => {
        d.entry = {segment: 'true', when: 'true'}
      }),
      'dependentRequired',
    ],
    [
      'version 2',
      variant((d) => {
        d.version = 2
      }),
      'const',
    ],
    [
      'a bad journey id',
      variant((d) => {
        d.id = 'Cart_Abandonment'
      }),
      'pattern',
    ],
    ['an empty exit criterion', variant((d) => (d.exit = [{}])), 'anyOf'],
    [
      'a split with one variant',
      variant((d) => {
        d.steps[5].split.pop()
      }),
      'minItems',
    ],
    [
      'a bad quiet hours time',
      variant((d) => {
        d.settings.quiet_hours.start = '24:00'
      }),
      'pattern',
    ],
    [
      'a frequency cap of 0',
      variant((d) => {
        d.settings.frequency_cap.limit = 0
      }),
      'minimum',
    ],
    ['no steps', variant((d) => (d.steps = [])), 'minItems'],
    ['an empty update', minimal({update: {set: {}}}), 'minProperties'],
    ['a duplicate weekday', minimal({wait: {until: '09:00', days: ['mon', 'mon']}}), 'uniqueItems'],
    ['wait_for without on_timeout', minimal({wait_for: {event: 'x', timeout: '1d'}}), 'required'],
    [
      'a bad moved target',
      variant((d) => {
        d.moved = {'old-step': 'Email 1'}
      }),
      'pattern',
    ],
  ]

  it.each(bad)('rejects %s', (_label, doc, keyword) => {
    expect(validate(doc)).toBe(false)
    expect(validate.errors?.map((e) => e.keyword)).toContain(keyword)
  })
})
