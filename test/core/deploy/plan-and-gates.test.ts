import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {applyPrepared, dryRunResult} from '../../../src/core/deploy/apply.js'
import {canonicalJson, journeyRevision} from '../../../src/core/deploy/canonical.js'
import {droppedSteps} from '../../../src/core/deploy/change-summary.js'
import {prepareDeploy} from '../../../src/core/deploy/deploy.js'
import type {EnvOptions} from '../../../src/core/deploy/env-store.js'
import {type GateInputs, gateRefusal, judgeGates, NO_BYPASS} from '../../../src/core/deploy/gates.js'
import {migrateDeployStore} from '../../../src/core/deploy/migrations.js'
import type {DeployPlan, PlanChange} from '../../../src/core/deploy/plan.js'
import {readPlanFile, signPlan} from '../../../src/core/deploy/plan-file.js'
import {prepareSavedPlan, savePlan} from '../../../src/core/deploy/prepare.js'
import {openSqliteConnection} from '../../../src/core/deploy/sqlite-store.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {BACKENDS, type TestStore} from '../../helpers/postgres.js'
import {applyOptions, cart, configFor, envOptions, journey} from './helpers.js'

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
    const newest = DEPLOY_MIGRATIONS.at(-1)?.version
    expect(await migrateDeployStore(conn, {now: 2, display: 'x'})).toBe(newest)
    expect(await conn.query('SELECT version, applied_at FROM joe_schema_migrations ORDER BY version')).toEqual([
      {version: 1, applied_at: 1},
      ...DEPLOY_MIGRATIONS.slice(1).map((m) => ({version: m.version, applied_at: 2})),
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

  const saveAndRead = async (options: EnvOptions, plan: DeployPlan) => {
    const file = join(dir, 'plan.json')
    await savePlan(options, plan, file)
    return {file, saved: await readPlanFile(file)}
  }

  it('applies a saved plan exactly, signed with a key the store creates on first use and never shows', async () => {
    const config = configFor(store)
    const options = envOptions(store, 'dev', config)
    const {plan} = await prepareDeploy({...options, journeys: [cart()], prune: false, bypass: NO_BYPASS})
    const {file, saved} = await saveAndRead(options, plan)
    expect(saved).toMatchObject({
      format_version: 2,
      kind: 'joe-deploy-plan',
      changes: plan.changes,
      signature: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
    })
    const direct = await store.connect()
    const key = await direct.planKey('dev')
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(await direct.planKey('dev')).toBe(key)
    expect(await direct.planKey('staging')).not.toBe(key)
    await direct.close()
    expect(readFileSync(file, 'utf8')).not.toContain(key)
    const prepared = await prepareSavedPlan({...options, file, saved, bypass: NO_BYPASS})
    const result = await applyPrepared(prepared, applyOptions(store, 'dev', config))
    expect(result.ledger.map((e) => e.to)).toEqual([journeyRevision(cart()).hash])
    await expect(applyPrepared(prepared, applyOptions(store, 'dev', config))).rejects.toMatchObject({code: 'JOE6006'})
  })

  it('refuses a plan edited after it was signed, or signed with another key (JOE6015)', async () => {
    const config = configFor(store)
    const options = envOptions(store, 'dev', config)
    const {plan} = await prepareDeploy({...options, journeys: [cart()], prune: false, bypass: NO_BYPASS})
    const {file, saved} = await saveAndRead(options, plan)
    const edited = {...saved, prune: true}
    await expect(prepareSavedPlan({...options, file, saved: edited, bypass: NO_BYPASS})).rejects.toMatchObject({code: 'JOE6015'})
    const withKey = {...options, vars: {JOE_PLAN_KEY: 'x'.repeat(32)}}
    await expect(prepareSavedPlan({...withKey, file, saved, bypass: NO_BYPASS})).rejects.toMatchObject({code: 'JOE6015'})
    await expect(prepareSavedPlan({...options, vars: {JOE_PLAN_KEY: 'short'}, file, saved, bypass: NO_BYPASS})).rejects.toMatchObject({
      code: 'JOE6019',
    })
    writeFileSync(file, '{"kind": "joe-deploy-plan", "format_version": 1}')
    await expect(readPlanFile(file)).rejects.toMatchObject({code: 'JOE6007'})
  })

  it('re-checks a signed plan against the environment: documents, ids, every from (JOE6016, JOE6017)', async () => {
    const config = configFor(store)
    const vars = {JOE_PLAN_KEY: 'k'.repeat(40)}
    const options = {...envOptions(store, 'dev', config), vars}
    const deployed = await prepareDeploy({...options, journeys: [cart(), cart({id: 'welcome'})], prune: false, bypass: NO_BYPASS})
    await applyPrepared(deployed, {...applyOptions(store, 'dev', config), vars})
    const {plan} = await prepareDeploy({...options, journeys: [cart({template: 'cart-2'})], prune: false, bypass: NO_BYPASS})
    const file = join(dir, 'p.json')
    const attempt = (edit: (p: DeployPlan) => DeployPlan) =>
      prepareSavedPlan({...options, file, saved: signPlan(edit(structuredClone(plan)), vars.JOE_PLAN_KEY), bypass: NO_BYPASS})
    const change = plan.changes[0] as PlanChange
    const other = journeyRevision(cart({id: 'welcome', template: 'w-2'}))
    // welcome's document filed under cart
    await expect(
      attempt((p) => ({...p, changes: [{...change, to: other.hash}], documents: {[other.hash]: other.document}})),
    ).rejects.toMatchObject({
      code: 'JOE6016',
    })
    await expect(attempt((p) => ({...p, changes: [{...change, journey: '../../etc'}]}))).rejects.toMatchObject({code: 'JOE6016'})
    await expect(attempt((p) => ({...p, documents: {...p.documents, ['a'.repeat(64)]: '{}'}}))).rejects.toMatchObject({code: 'JOE6016'})
    await expect(attempt((p) => ({...p, changes: [{...change, from: 'f'.repeat(64)}]}))).rejects.toMatchObject({code: 'JOE6017'})
    await expect(attempt((p) => ({...p, changes: [{...change, drops: [], summary: null}], kept: []}))).rejects.toMatchObject({
      code: 'JOE6017',
    })
    await expect(attempt((p) => ({...p, head: null}))).rejects.toMatchObject({code: 'JOE6006'})
    // The plan applied is the one computed from the store: the file's summaries and drops are not trusted.
    const honest = await attempt((p) => ({...p, changes: p.changes.map((c) => ({...c, drops: ['forged'], summary: null}))}))
    expect(honest.plan.changes).toEqual(plan.changes)
  })

  it('plans and dry runs show every gate, policies included', async () => {
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
    const prepared = await prepareDeploy({...options, journeys: [chatty], prune: false, bypass: NO_BYPASS})
    expect(prepared.gates.findings).toEqual([expect.objectContaining({gate: 'policies', code: 'JOE6021', blocking: true})])
    expect(prepared.gates.policy).toMatchObject({
      ok: false,
      breaches: expect.arrayContaining([expect.objectContaining({customer_id: expect.any(String)})]),
    })
    expect(dryRunResult(prepared).reason).toBe('refused')
    await expect(applyPrepared(prepared, applyOptions(store, 'dev', config))).rejects.toMatchObject({code: 'JOE6021'})
    const skipping = await prepareDeploy({...options, journeys: [chatty], prune: false, bypass: {...NO_BYPASS, skipPolicies: true}})
    expect(skipping.gates).toMatchObject({findings: [], policy: null, bypassed: {skip_policies: true}})
    const skipped = await applyPrepared(skipping, applyOptions(store, 'dev', config))
    expect(skipped.ledger[0]?.details).toMatchObject({skip_policies: true})
    const missing = {...config, store: 'nope.db'}
    const unavailable = await prepareDeploy({...envOptions(store, 'dev', missing), journeys: [cart()], prune: false, bypass: NO_BYPASS})
    expect(unavailable.gates.findings).toEqual([expect.objectContaining({code: 'JOE6024', blocking: true})])
  })
})

describe('judgeGates', () => {
  const plan = (changes: DeployPlan['changes']): DeployPlan => ({
    env: 'prod',
    store: 'x',
    head: null,
    planned_at: '2026-03-10T09:00:00.000Z',
    prune: true,
    changes,
    unchanged: [],
    kept: [],
    documents: {},
  })
  const A = 'a'.repeat(64)
  const B = 'b'.repeat(64)
  const inputs = (sourceActive: Record<string, string> | null, source: string | null = 'staging'): GateInputs => ({
    protection: sourceActive ? {source, sourceActive: new Map(Object.entries(sourceActive))} : null,
    policies: {status: 'none'},
    trusted: false,
  })

  it('lets a protected environment take only what promote_from runs, removals included', () => {
    const remove = {journey: 'cart', action: 'remove' as const, from: A, to: null, summary: null, drops: []}
    expect(judgeGates(plan([remove]), inputs({cart: A}), NO_BYPASS).findings).toEqual([
      expect.objectContaining({gate: 'protected', code: 'JOE6020', blocking: true, journeys: [{journey: 'cart', revision: A, steps: []}]}),
    ])
    expect(judgeGates(plan([remove]), inputs({}), NO_BYPASS).findings).toEqual([])
    expect(judgeGates(plan([remove]), inputs({}, null), NO_BYPASS).findings).toHaveLength(1)
    const create = {journey: 'cart', action: 'create' as const, from: null, to: B, summary: null, drops: []}
    expect(judgeGates(plan([create]), inputs({cart: B}), NO_BYPASS).findings).toEqual([])
    const forced = judgeGates(plan([create]), inputs({cart: A}), {...NO_BYPASS, force: true})
    expect(forced.findings).toEqual([expect.objectContaining({blocking: false, bypass: '--force'})])
    expect(forced.bypassed.force).toBe(true)
    expect(gateRefusal(forced)).toBeUndefined()
    expect(judgeGates(plan([create]), {...inputs({cart: A}), trusted: true}, NO_BYPASS).findings).toEqual([])
  })

  it('refuses dropping waiting customers unless --allow-drop, and names the first refusing gate', () => {
    const remove = {journey: 'cart', action: 'remove' as const, from: A, to: null, summary: null, drops: ['wait-1h']}
    const report = judgeGates(plan([remove]), inputs({cart: A}), NO_BYPASS)
    expect(report.findings.map((f) => [f.code, f.blocking])).toEqual([
      ['JOE6020', true],
      ['JOE6022', true],
    ])
    expect(gateRefusal(report)).toMatchObject({code: 'JOE6020', message: expect.stringContaining('and 1 more gate: JOE6022')})
    const allowed = judgeGates(plan([remove]), inputs(null), {...NO_BYPASS, allowDrop: true})
    expect(allowed.bypassed.allow_drop).toEqual([{journey: 'cart', steps: ['wait-1h']}])
    expect(gateRefusal(allowed)).toBeUndefined()
  })
})
