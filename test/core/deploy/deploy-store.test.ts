import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {applyPrepared} from '../../../src/core/deploy/apply.js'
import {shortHash} from '../../../src/core/deploy/canonical.js'
import {prepareDeploy} from '../../../src/core/deploy/deploy.js'
import {NO_BYPASS} from '../../../src/core/deploy/gates.js'
import {DEPLOY_MIGRATIONS} from '../../../src/core/deploy/migrations.js'
import {envHistory, envStatus, preparePromote, prepareRollback, setPaused} from '../../../src/core/deploy/operations.js'
import type {Journey} from '../../../src/core/journey/model.js'
import type {JoeConfig} from '../../../src/core/project/config.js'
import {BACKENDS, type TestStore} from '../../helpers/postgres.js'
import {ALICE, applyOptions, cart, configFor, envOptions, NOW} from './helpers.js'

describe.each(BACKENDS)('deploy store on $name', (backend) => {
  let store: TestStore
  let config: JoeConfig
  beforeEach(async () => {
    store = await backend.create()
    config = configFor(store)
  })
  afterEach(async () => {
    await store.dispose()
  })

  const deploy = async (
    env: string,
    journeys: Journey[],
    extra: {prune?: boolean; now?: number; allowDrop?: boolean; force?: boolean; message?: string} = {},
  ) => {
    const options = envOptions(store, env, config, extra.now ?? NOW)
    const bypass = {...NO_BYPASS, allowDrop: extra.allowDrop === true, force: extra.force === true}
    const prepared = await prepareDeploy({...options, journeys, prune: extra.prune ?? false, bypass})
    const result = await applyPrepared(prepared, applyOptions(store, env, config, extra.now ?? NOW, extra.message))
    return {plan: prepared.plan, gates: prepared.gates, result}
  }

  const rollback = async (what: {journey: string; to?: string}, message?: string) =>
    applyPrepared(
      await prepareRollback({...envOptions(store, 'dev', config), ...what, bypass: NO_BYPASS}),
      applyOptions(store, 'dev', config, NOW, message),
    )

  it('creates the schema with versioned migrations, once', async () => {
    const a = await store.connect()
    await a.close()
    const b = await store.connect()
    expect(await b.state('dev')).toEqual({env: 'dev', head: null, active: []})
    await b.close()
    expect(DEPLOY_MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4])
  })

  it('deploys new journeys, then says a re-deploy of the same content is a no-op', async () => {
    const first = await deploy('dev', [cart(), cart({id: 'welcome'})])
    expect(first.plan.changes.map((c) => [c.journey, c.action])).toEqual([
      ['cart', 'create'],
      ['welcome', 'create'],
    ])
    expect(first.result.applied).toBe(true)
    expect(first.result.ledger.map((e) => [e.id, e.deployment, e.action])).toEqual([
      [1, 1, 'create'],
      [2, 1, 'create'],
    ])
    const again = await deploy('dev', [cart(), cart({id: 'welcome'})])
    expect(again.plan.changes).toEqual([])
    expect(again.plan.unchanged.map((u) => u.journey)).toEqual(['cart', 'welcome'])
    expect(again.result).toMatchObject({applied: false, reason: 'up-to-date', ledger: []})
  })

  it('plans a new revision with a step summary and records who, when, commit and hashes', async () => {
    const {result: created} = await deploy('dev', [cart()])
    const {plan, result} = await deploy('dev', [cart({template: 'cart-2'})], {now: NOW + 60_000})
    expect(plan.changes[0]).toMatchObject({
      journey: 'cart',
      action: 'update',
      from: created.ledger[0]?.to,
      summary: {classes: {'breaking-in-flight': 0, behaviour: 1, cosmetic: 0}, added: [], removed: [], changed: ['email-1'], fields: []},
      drops: [],
    })
    expect(result.ledger[0]).toMatchObject({
      id: 2,
      deployment: 2,
      kind: 'deploy',
      actor: 'Alice',
      actor_email: 'alice@example.com',
      git_commit: ALICE.commit,
      at: new Date(NOW + 60_000).toISOString(),
      from: created.ledger[0]?.to,
      details: {summary: '1 behaviour: ~1 step (email-1)'},
      prev_hash: created.ledger[0]?.hash,
    })
    const status = await envStatus(envOptions(store, 'dev', config))
    expect(status.journeys).toEqual([
      expect.objectContaining({
        journey: 'cart',
        revision: plan.changes[0]?.to,
        by: 'Alice',
        since: new Date(NOW + 60_000).toISOString(),
        paused: false,
      }),
    ])
  })

  it('keeps journeys missing from the project unless --prune', async () => {
    await deploy('dev', [cart(), cart({id: 'welcome'})])
    const kept = await deploy('dev', [cart()])
    expect(kept.plan.kept.map((k) => k.journey)).toEqual(['welcome'])
    expect(kept.result.applied).toBe(false)
    await expect(deploy('dev', [cart()], {prune: true})).rejects.toMatchObject({
      code: 'JOE6022',
      message: expect.stringContaining('welcome (wait-1h)'),
    })
    const pruned = await deploy('dev', [cart()], {prune: true, allowDrop: true})
    expect(pruned.plan.changes).toEqual([expect.objectContaining({journey: 'welcome', action: 'remove', to: null, drops: ['wait-1h']})])
    expect((await envStatus(envOptions(store, 'dev', config))).journeys.map((j) => j.journey)).toEqual(['cart'])
  })

  it('refuses a saved plan when the environment moved since (stale), and sees a concurrent identical deploy as done', async () => {
    await deploy('dev', [cart()])
    const options = envOptions(store, 'dev', config)
    const prepared = await prepareDeploy({...options, journeys: [cart({template: 'cart-2'})], prune: false, bypass: NO_BYPASS})
    await deploy('dev', [cart({template: 'cart-2'})])
    const apply = applyOptions(store, 'dev', config)
    await expect(applyPrepared({...prepared, strict: true}, apply)).rejects.toMatchObject({code: 'JOE6006'})
    const relaxed = await applyPrepared(prepared, apply)
    expect(relaxed).toMatchObject({applied: false, reason: 'applied-concurrently'})
    await deploy('dev', [cart({template: 'cart-3'})])
    await expect(applyPrepared(prepared, apply)).rejects.toMatchObject({code: 'JOE6006'})
  })

  it('refuses a revision that drops waiting customers unless --allow-drop, and accepts `moved`', async () => {
    await deploy('dev', [cart()])
    const noWait = cart({steps: '  - {id: email-1, send: {channel: email, template: cart-1}}'})
    const refused = deploy('dev', [noWait])
    await expect(refused).rejects.toMatchObject({code: 'JOE6022', message: expect.stringContaining('cart (wait-1h)')})
    const {gates} = await prepareDeploy({...envOptions(store, 'dev', config), journeys: [noWait], prune: false, bypass: NO_BYPASS})
    expect(gates.findings).toEqual([
      expect.objectContaining({
        gate: 'in_flight',
        code: 'JOE6022',
        blocking: true,
        journeys: [expect.objectContaining({journey: 'cart', steps: ['wait-1h']})],
      }),
    ])
    const moved = cart({steps: '  - {id: email-1, send: {channel: email, template: cart-1}}', moved: '{wait-1h: email-1}'})
    const ok = await deploy('dev', [moved])
    expect(ok.result.applied).toBe(true)
    await deploy('dev', [cart()])
    const dropped = await deploy('dev', [noWait], {allowDrop: true})
    expect(dropped.result.ledger[0]?.details).toMatchObject({allow_drop: ['wait-1h']})
  })

  it('lets a protected environment accept only revisions active in promote_from, or --force with a message', async () => {
    await expect(deploy('prod', [cart()])).rejects.toMatchObject({code: 'JOE6020'})
    await expect(deploy('prod', [cart()], {force: true})).rejects.toMatchObject({code: 'JOE6023'})
    await deploy('staging', [cart()])
    const {result} = await deploy('prod', [cart()])
    expect(result.applied).toBe(true)
    const forced = await deploy('prod', [cart({template: 'hotfix'})], {force: true, message: 'hotfix for incident 42'})
    expect(forced.result.ledger[0]).toMatchObject({message: 'hotfix for incident 42', details: expect.objectContaining({force: true})})
  })

  it('promotes exactly the revisions active in another environment, recorded in the ledger', async () => {
    await deploy('staging', [cart(), cart({id: 'welcome'})])
    await deploy('dev', [cart({template: 'newer'})])
    const options = envOptions(store, 'prod', config)
    const promote = async (from: string, journeys: string[]) =>
      applyPrepared(await preparePromote({...options, from, journeys, bypass: NO_BYPASS}), applyOptions(store, 'prod', config))
    const result = await promote('staging', ['cart'])
    const staging = await envStatus(envOptions(store, 'staging', config))
    expect(result.ledger.map((e) => [e.journey, e.kind, e.to, e.details.promoted_from])).toEqual([
      ['cart', 'promote', staging.journeys[0]?.revision, 'staging'],
    ])
    await expect(promote('dev', [])).rejects.toMatchObject({code: 'JOE6020'})
    const history = await envHistory(envOptions(store, 'prod', config))
    expect(history.entries.map((e) => e.kind)).toEqual(['promote'])
  })

  it('rolls back to the previous or a named revision as a new ledger entry', async () => {
    const v1 = (await deploy('dev', [cart()])).result.ledger[0]?.to as string
    const v2 = (await deploy('dev', [cart({template: 'cart-2'})])).result.ledger[0]?.to as string
    await deploy('dev', [cart({template: 'cart-3'})])
    const back = await rollback({journey: 'cart'}, 'bad copy')
    expect(back.ledger[0]).toMatchObject({kind: 'rollback', action: 'update', to: v2, message: 'bad copy', details: {rollback: true}})
    const named = await rollback({journey: 'cart', to: shortHash(v1)})
    expect(named.ledger[0]).toMatchObject({kind: 'rollback', to: v1})
    await expect(rollback({journey: 'cart', to: 'ffffffff'})).rejects.toMatchObject({code: 'JOE6012'})
    const history = await envHistory(envOptions(store, 'dev', config))
    expect(history.entries.map((e) => [e.id, e.kind])).toEqual([
      [5, 'rollback'],
      [4, 'rollback'],
      [3, 'deploy'],
      [2, 'deploy'],
      [1, 'deploy'],
    ])
  })

  it('refuses a rollback without an earlier revision', async () => {
    await deploy('dev', [cart()])
    await expect(rollback({journey: 'cart'})).rejects.toMatchObject({code: 'JOE6013'})
    await expect(rollback({journey: 'nope'})).rejects.toMatchObject({code: 'JOE6011'})
  })

  it('pauses and resumes, recorded in the ledger; a new revision keeps the pause', async () => {
    await deploy('dev', [cart()])
    const options = applyOptions(store, 'dev', config)
    expect(await setPaused({...options, journey: 'cart', paused: true})).toMatchObject({changed: true, paused: true})
    expect(await setPaused({...options, journey: 'cart', paused: true})).toMatchObject({changed: false})
    await deploy('dev', [cart({template: 'cart-2'})])
    expect((await envStatus(envOptions(store, 'dev', config))).journeys[0]?.paused).toBe(true)
    await setPaused({...options, journey: 'cart', paused: false})
    expect((await envStatus(envOptions(store, 'dev', config))).journeys[0]?.paused).toBe(false)
    const kinds = (await envHistory({...envOptions(store, 'dev', config), journey: 'cart'})).entries.map((e) => e.action)
    expect(kinds).toEqual(['resume', 'update', 'pause', 'create'])
  })

  it('keeps the ledger append-only and its hash chain intact', async () => {
    await deploy('dev', [cart(), cart({id: 'welcome'})])
    const direct = await store.connect()
    const entries = await direct.history('dev')
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash)
    await direct.close()
    await expect(store.raw("UPDATE joe_ledger SET actor = 'Mallory'")).rejects.toThrow(/append-only/)
    await expect(store.raw('DELETE FROM joe_ledger')).rejects.toThrow(/append-only/)
  })

  it('times out clearly when another deploy holds the lock', async () => {
    await deploy('dev', [cart()])
    const holder = await store.connect()
    const waiter = await store.connect()
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let locked!: () => void
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve
    })
    const holding = holder.transaction('dev', 1000, async () => {
      locked()
      await held
    })
    await isLocked
    // The holder keeps the lock until the waiter has given up: no timer races the waiter. SQLite and
    // PostgreSQL give up on their own; PGlite has one session, so its waiter can only judge its wait
    // once the holder is done: released after the timeout has surely passed. (Waiting at least the
    // timeout is a lower bound, which load cannot break.)
    const started = performance.now()
    const waiting = waiter.transaction('dev', 300, async () => 'got it')
    if (backend.name === 'pglite') {
      await new Promise((resolve) => setTimeout(resolve, 400))
      release()
    }
    await expect(waiting).rejects.toMatchObject({code: 'JOE6005'})
    expect(performance.now() - started).toBeGreaterThanOrEqual(250)
    release()
    await holding
    expect(await waiter.transaction('dev', 300, async () => 'got it')).toBe('got it')
    await holder.close()
    await waiter.close()
  })
})
