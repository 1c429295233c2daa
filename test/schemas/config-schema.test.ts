import Ajv2020 from 'ajv/dist/2020.js'
import {beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {readSchema} from '../../src/core/schemas.js'
import {compileSchema, type Doc, editedCopy, type Validate} from '../helpers/schema-validator.js'

const EXAMPLE = `
journeys: journeys              # folder or glob(s) holding journey files
store: .joe/events.db           # the local event store used by simulate (SQLite file)
templates:                      # optional catalog; when present, unknown template ids are errors
  email: [welcome-1, cart-reminder-1]
  sms: [cart-sms-1]
events:                         # how \`joe events import\` treats what it reads
  normalize_names: snake_case   # "Order Completed" is stored as order_completed
policies:                       # checked by \`simulate --check\` and by deploy gates
  max_messages_per_customer: { limit: 5, per: 7d }
environments:
  dev:     { store: "sqlite:.joe/dev.db" }
  staging: { store: "postgres://joe@localhost:5432/joe_staging" }
  prod:    { store: "\${JOE_PROD_STORE}", protected: true, promote_from: staging }
`

let validate: Validate

beforeAll(async () => {
  validate = await compileSchema('config')
})

const withChange = (edit: (doc: Doc) => void): unknown => editedCopy(EXAMPLE, edit)

describe('config.schema.json', () => {
  it('compiles in strict mode', async () => {
    const ajv = new Ajv2020.default({strict: true, allErrors: true, logger: false})
    const schema = await readSchema('config')
    expect(() => ajv.compile(schema)).not.toThrow()
  })

  it('accepts the example of the spec, an empty config and a list of globs', () => {
    for (const doc of [parse(EXAMPLE), {}, {journeys: ['journeys', 'teams/*/journeys/*.journey.yaml'], $schema: 'x'}]) {
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true)
    }
  })

  it('accepts postgresql:// and stores with ${VAR} anywhere', () => {
    const doc = {environments: {a: {store: 'postgresql://h/db'}, b: {store: 'postgres://joe:${PW}@h/db'}, c: {store: 'sqlite:${DIR}/x.db'}}}
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true)
  })

  it('accepts ingest rate limits and timeouts', () => {
    const doc = {
      environments: {
        prod: {
          store: 'postgres://h/db',
          ingest: {rate_limit: {events_per_second: 0.5, burst: 20}, request_timeout: '30s', idle_timeout: '2m'},
        },
        dev: {store: 'sqlite:.joe/dev.db', ingest: {rate_limit: {events_per_second: 1000}}},
      },
    }
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true)
  })

  const ingest = (settings: unknown) => ({environments: {dev: {store: 'sqlite:x.db', ingest: settings}}})
  const bad: Array<[string, unknown, string]> = [
    ['a rate limit of 0 events/s', ingest({rate_limit: {events_per_second: 0}}), 'exclusiveMinimum'],
    ['a rate limit without events/s', ingest({rate_limit: {burst: 10}}), 'required'],
    ['a fractional burst', ingest({rate_limit: {events_per_second: 1, burst: 1.5}}), 'type'],
    ['a timeout of 0s', ingest({request_timeout: '0s'}), 'pattern'],
    ['a negative timeout', ingest({idle_timeout: '-5s'}), 'pattern'],
    ['an unknown ingest setting', ingest({max_body: '1mb'}), 'additionalProperties'],
    ['an unknown key', {journey: 'journeys'}, 'additionalProperties'],
    ['an unknown channel in templates', {templates: {fax: ['a']}}, 'additionalProperties'],
    ['an unknown policy', withChange((d) => (d.policies.max_sends = 1)), 'additionalProperties'],
    ['a policy limit of 0', withChange((d) => (d.policies.max_messages_per_customer.limit = 0)), 'minimum'],
    ['a bad policy window', withChange((d) => (d.policies.max_messages_per_customer.per = '2x')), 'pattern'],
    ['an environment without store', withChange((d) => delete d.environments.dev.store), 'required'],
    ['an environment store of an unknown kind', withChange((d) => (d.environments.dev.store = 'mysql://h/db')), 'pattern'],
    ['a protected flag that is not a boolean', withChange((d) => (d.environments.prod.protected = 'yes')), 'type'],
    ['an empty journeys list', {journeys: []}, 'minItems'],
    ['an unknown name normalisation', {events: {normalize_names: 'kebab-case'}}, 'enum'],
    ['an unknown events setting', {events: {rename: true}}, 'additionalProperties'],
  ]

  it.each(bad)('rejects %s', (_label, doc, keyword) => {
    expect(validate(doc)).toBe(false)
    expect(validate.errors?.map((e) => e.keyword)).toContain(keyword)
  })
})
