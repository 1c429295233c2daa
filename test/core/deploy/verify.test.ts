// `joe verify` and the check before every write, against a store tampered with through raw SQL
// (with the ledger's append-only triggers dropped first, as someone with database access could).
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {applyPrepared} from '../../../src/core/deploy/apply.js'
import {prepareDeploy} from '../../../src/core/deploy/deploy.js'
import {NO_BYPASS} from '../../../src/core/deploy/gates.js'
import {preparePromote, prepareRollback, setPaused, verifyEnv} from '../../../src/core/deploy/operations.js'
import type {Journey} from '../../../src/core/journey/model.js'
import type {JoeConfig} from '../../../src/core/project/config.js'
import {BACKENDS, type TestStore} from '../../helpers/postgres.js'
import {applyOptions, cart, configFor, envOptions} from './helpers.js'

describe.each(BACKENDS)('verify on $name', (backend) => {
  let store: TestStore
  let config: JoeConfig
  beforeEach(async () => {
    store = await backend.create()
    config = configFor(store)
  })
  afterEach(() => store.dispose())

  const deploy = async (env: string, journeys: Journey[]) =>
    applyPrepared(
      await prepareDeploy({...envOptions(store, env, config), journeys, prune: false, bypass: NO_BYPASS}),
      applyOptions(store, env, config),
    )
  const unprotect = () =>
    store.raw(
      backend.name === 'sqlite'
        ? 'DROP TRIGGER joe_ledger_no_update; DROP TRIGGER joe_ledger_no_delete'
        : 'DROP TRIGGER joe_ledger_no_change ON joe_ledger',
    )
  const verify = () => verifyEnv(envOptions(store, 'dev', config))
  /** Three entries in dev: cart v1, welcome v1, cart v2. */
  const history = async () => {
    await deploy('dev', [cart(), cart({id: 'welcome'})])
    await deploy('dev', [cart({template: 'cart-2'}), cart({id: 'welcome'})])
    const report = await verify()
    expect(report).toMatchObject({format_version: 1, ok: true, problems: [], checked: {entries: 3, revisions: 3, active: 2}, head: {id: 3}})
  }

  it('finds an altered ledger entry, and every write refuses the store (JOE6018)', async () => {
    await history()
    await deploy('staging', [cart()])
    await unprotect()
    await store.raw("UPDATE joe_ledger SET message = 'nothing to see' WHERE env = 'dev' AND id = 2")
    const report = await verify()
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual([
      expect.objectContaining({kind: 'chain', entry: 2, journey: 'welcome', message: expect.stringContaining('#2 was altered')}),
    ])
    const refused = expect.objectContaining({code: 'JOE6018', message: expect.stringContaining('#2 was altered')})
    await expect(deploy('dev', [cart({template: 'cart-3'})])).rejects.toEqual(refused)
    await expect(setPaused({...applyOptions(store, 'dev', config), journey: 'cart', paused: true})).rejects.toEqual(refused)
    await expect(prepareRollback({...envOptions(store, 'dev', config), journey: 'cart', bypass: NO_BYPASS})).rejects.toEqual(refused)
    await expect(preparePromote({...envOptions(store, 'dev', config), from: 'staging', journeys: [], bypass: NO_BYPASS})).rejects.toEqual(
      refused,
    )
    // The other environment in the same store is intact and still takes writes.
    expect((await deploy('staging', [cart({template: 'cart-2'})])).applied).toBe(true)
  })

  it('finds a removed entry', async () => {
    await history()
    await unprotect()
    await store.raw("DELETE FROM joe_ledger WHERE env = 'dev' AND id = 2")
    expect((await verify()).problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({kind: 'chain', entry: 3, message: expect.stringContaining('#2 should be')}),
        expect.objectContaining({kind: 'chain', entry: 3, message: expect.stringContaining('does not chain to #1')}),
        expect.objectContaining({kind: 'active', journey: 'welcome'}),
      ]),
    )
  })

  it('finds a revision whose document was rewritten', async () => {
    await history()
    await store.raw(`UPDATE joe_revisions SET document = replace(document, 'cart-2', 'evil-2')`)
    const report = await verify()
    expect(report.problems).toEqual([
      expect.objectContaining({kind: 'revision', journey: 'cart', entry: 3, message: expect.stringContaining('altered')}),
    ])
  })

  it('finds an active table that does not match the ledger, and a cut-off tail', async () => {
    await history()
    await store.raw("UPDATE joe_active SET paused = 1 WHERE env = 'dev' AND journey_id = 'welcome'")
    expect((await verify()).problems).toEqual([
      expect.objectContaining({kind: 'active', journey: 'welcome', message: expect.stringContaining('paused, but the ledger resumed it')}),
    ])
    await store.raw("UPDATE joe_active SET paused = 0 WHERE env = 'dev' AND journey_id = 'welcome'")
    await unprotect()
    await store.raw("DELETE FROM joe_ledger WHERE env = 'dev' AND id = 3")
    expect((await verify()).problems).toEqual([
      expect.objectContaining({
        kind: 'active',
        journey: 'cart',
        entry: 1,
        message: expect.stringContaining('made so by ledger #3 instead of #1'),
      }),
    ])
  })
})
