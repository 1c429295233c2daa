import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {canonicalJson, journeyRevision} from '../../../src/core/deploy/canonical.js'
import {droppedSteps} from '../../../src/core/deploy/change-summary.js'
import {applyPlan, planDeploy} from '../../../src/core/deploy/deploy.js'
import {migrateDeployStore} from '../../../src/core/deploy/migrations.js'
import {readPlanFile, writePlanFile} from '../../../src/core/deploy/plan-file.js'
import {openSqliteConnection} from '../../../src/core/deploy/sqlite-store.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {BACKENDS, type TestStore} from '../../helpers/postgres.js'
import {ALICE, cart, configFor, envOptions, journey} from './helpers.js'

describe('revisions', () => {
  it('hash the canonical model, so key order and formatting do not matter', () => {
    const a = journey('{version: 1, id: x, name: X, entry: {event: e}, steps: [{id: s, wait: 1h}]}')
    const b = journey('name: X\nid: x\nversion: 1\nsteps:\n  - wait: 60m\n    id: s\nentry:\n  event: e\n')
    expect(journeyRevision(a)).toEqual(journeyRevision(b))
    expect(journeyRevision(a).hash).toMatch(/^[0-9a-f]{64}$/)
    expect(canonicalJson({b: 1, a: {d: [2, {z: 1, y: 0}], c: undefined}})).toBe('{"a":{"d":[2,{"y":0,"z":1}]},"b":1}')
  })

  it('count a removed send as a waiting step only with quiet hours', () => {
    const before = journey(`
version: 1
id: q
name: Q
entry: {event: e}
settings: {quiet_hours: {start: "21:00", end: "08:00"}}
steps:
  - {id: send-1, send: {channel: sms, template: t}}
  - {id: update-1, update: {set: {a: "1"}}}
`)
    const after = journey('{version: 1, id: q, name: Q, entry: {event: e}, steps: [{id: other, update: {set: {a: "2"}}}]}')
    expect(droppedSteps(before, after)).toEqual(['send-1'])
    const noQuiet = {...before, settings: {...before.settings}}
    delete noQuiet.settings.quietHours
    expect(droppedSteps(noQuiet, after)).toEqual([])
  })
})

describe('migrations', () => {
  it('upgrade a store at version 1 to the newest, and refuse a store newer than joe', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'joe-mig-')), 'd.db')
    const conn = openSqliteConnection(file)
    const {DEPLOY_MIGRATIONS} = await import('../../../src/core/deploy/migrations.js')
    expect(await migrateDeployStore(conn, {now: 1, display: 'x', migrations: DEPLOY_MIGRATIONS.slice(0, 1)})).toBe(1)
    expect(await migrateDeployStore(conn, {now: 2, display: 'x'})).toBe(2)
    expect(await conn.query('SELECT version, applied_at FROM joe_schema_migrations ORDER BY version')).toEqual([
      {version: 1, applied_at: 1},
      {version: 2, applied_at: 2},
    ])
    await expect(migrateDeployStore(conn, {now: 3, display: 'x', migrations: DEPLOY_MIGRATIONS.slice(0, 1)})).rejects.toMatchObject({
      code: 'JOE6004',
    })
    await conn.close()
  })
})

describe.each(BACKENDS)('saved plans and policies on $name', (backend) => {
  let store: TestStore
  let dir: string
  beforeEach(async () => {
    store = await backend.create()
    dir = mkdtempSync(join(tmpdir(), 'joe-plan-'))
  })
  afterEach(() => store.dispose())

  it('applies a saved plan exactly, and refuses one that was edited', async () => {
    const config = configFor(store)
    const options = envOptions(store, 'dev', config)
    const {plan} = await planDeploy({...options, journeys: [cart()], prune: false})
    const file = join(dir, 'plan.json')
    await writePlanFile(file, plan)
    const loaded = await readPlanFile(file)
    expect(loaded).toEqual(plan)
    const result = await applyPlan({...options, plan: loaded, actor: ALICE, kind: 'deploy', lockTimeoutMs: 1000, strict: true})
    expect(result.ledger.map((e) => e.to)).toEqual([journeyRevision(cart()).hash])
    writeFileSync(file, readFileSync(file, 'utf8').replace('cart-1', 'evil-1'))
    await expect(readPlanFile(file)).rejects.toMatchObject({code: 'JOE6007'})
  })

  it('checks the config policies on the local store before deploying, unless --skip-policies (recorded)', async () => {
    const events = openEventStore(join(dir, 'events.db'))
    writeGeneratedEvents(events, {customers: 50, days: 7, seed: 1, start: Date.UTC(2026, 2, 1), now: 0})
    events.close()
    const config = {...configFor(store, dir, {}, {maxMessagesPerCustomer: {limit: 1, per: '7d'}}), store: 'events.db'}
    const chatty = journey(`
version: 1
id: chatty
name: Chatty
entry: {event: page}
reentry: always
steps:
  - {id: a, send: {channel: email, template: a}}
  - {id: b, send: {channel: email, template: b}}
`)
    const options = envOptions(store, 'dev', config)
    const {plan} = await planDeploy({...options, journeys: [chatty], prune: false})
    await expect(applyPlan({...options, plan, actor: ALICE, kind: 'deploy', lockTimeoutMs: 1000})).rejects.toMatchObject({code: 'JOE6021'})
    const skipped = await applyPlan({...options, plan, actor: ALICE, kind: 'deploy', lockTimeoutMs: 1000, skipPolicies: true})
    expect(skipped.ledger[0]?.details).toMatchObject({skip_policies: true})
    const missing = {...config, store: 'nope.db'}
    const {plan: next} = await planDeploy({...envOptions(store, 'dev', missing), journeys: [cart()], prune: false})
    await expect(
      applyPlan({...envOptions(store, 'dev', missing), plan: next, actor: ALICE, kind: 'deploy', lockTimeoutMs: 1000}),
    ).rejects.toMatchObject({
      code: 'JOE6024',
    })
  })
})
