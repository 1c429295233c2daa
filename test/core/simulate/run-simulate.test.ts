import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runSimulate} from '../../../src/core/simulate/run-simulate.js'
import {simulate} from '../../../src/core/simulate/simulate.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {EventWriter} from '../../../src/core/store/write-events.js'
import {tempProject} from '../../helpers/temp-project.js'

const root = path.resolve(import.meta.dirname, '../../..')
const template = (name: string) => readFileSync(path.join(root, 'templates', `${name}.journey.yaml`), 'utf8')

async function project(config = 'journeys: journeys\nstore: events.db\n'): Promise<string> {
  const cwd = await tempProject({
    'joe.config.yaml': config,
    'journeys/cart.journey.yaml': template('cart-abandonment'),
    'journeys/win.journey.yaml': template('win-back'),
  })
  const store = openEventStore(path.join(cwd, 'events.db'))
  writeGeneratedEvents(store, {customers: 200, days: 14, seed: 7, start: Date.UTC(2026, 2, 1), now: 0})
  store.close()
  return cwd
}

const here = async (request: {options: Parameters<typeof simulate>[0]}) => simulate(request.options)

describe('runSimulate', () => {
  it('replays the configured store; one journey has its report at the top and in journeys', async () => {
    const cwd = await project()
    const stores: string[] = []
    const {output} = await runSimulate({
      cwd,
      names: ['cart-abandonment'],
      replay: (request) => {
        stores.push(request.options.storePath)
        return here(request)
      },
    })
    expect(stores).toEqual([path.join(cwd, 'events.db')])
    expect(output).toMatchObject({format_version: 3, journey: 'cart-abandonment', load: null, policy: null, customer: null})
    expect(output.journeys.map((j) => j.journey)).toEqual(['cart-abandonment'])
  })

  it('reports several journeys sorted by id, with the load, whatever the order of the names', async () => {
    const cwd = await project()
    const {output} = await runSimulate({cwd, names: ['win-back', 'cart-abandonment'], replay: here})
    expect(output.journeys.map((j) => j.journey)).toEqual(['cart-abandonment', 'win-back'])
    expect(output.load).not.toBeNull()
    expect(output).not.toHaveProperty('journey')
  })

  it('--env replays the store the environment history gives, not the local one', async () => {
    const cwd = await project()
    const other = await project()
    const {output} = await runSimulate({
      cwd,
      names: ['cart-abandonment'],
      replay: async (request) => {
        expect(request.options.storePath).toBe(path.join(other, 'events.db'))
        return here(request)
      },
      environmentHistory: (fn) => fn(path.join(other, 'events.db')),
    })
    expect(output.journey).toBe('cart-abandonment')
  })

  it('--check without policies is a usage error (JOE4007); with them breaches are snake_case', async () => {
    const cwd = await project()
    await expect(runSimulate({cwd, names: [], check: true, replay: here})).rejects.toMatchObject({code: 'JOE4007', exitCode: 2})
    const strict = await project('journeys: journeys\nstore: events.db\npolicies: { max_messages_per_customer: { limit: 1, per: 30d } }\n')
    const {output} = await runSimulate({cwd: strict, names: [], check: true, replay: here})
    expect(output.policy?.ok).toBe(false)
    expect(output.policy?.breaches[0]).toEqual({
      customer_id: expect.any(String),
      messages: expect.any(Number),
      from: expect.stringMatching(/Z$/),
      until: expect.stringMatching(/Z$/),
    })
  })

  it('--customer: the run per journey in snake_case with ISO 8601 times', async () => {
    const cwd = await project()
    const {result, output} = await runSimulate({cwd, names: ['cart-abandonment'], customer: 'c000001', replay: here})
    const raw = result.customer?.results['cart-abandonment']
    const json = output.customer?.results['cart-abandonment']
    expect(output.customer?.id).toBe('c000001')
    expect(json?.events_in_window).toBe(raw?.eventsInWindow)
    expect(json?.trace.map((t) => Date.parse(t.at))).toEqual(raw?.trace.map((t) => t.at))
    expect(json?.first_event_at).toBe(raw?.firstEventAt === undefined ? null : new Date(raw.firstEventAt).toISOString())
  })

  it('warns (JOE2070) when nobody entered a journey whose event names the store has only spelled otherwise', async () => {
    const buyers = (entry: string) =>
      `version: 1\nid: buyers\nname: Buyers\nentry: { event: ${entry} }\nexit: [{ event: cart_emptied }]\nsteps:\n  - { id: thanks, send: { channel: email, template: thanks } }\n`
    const storeOf = async (entry: string) => {
      const cwd = await tempProject({
        'joe.config.yaml': 'journeys: journeys\nstore: events.db\n',
        'journeys/buyers.journey.yaml': buyers(entry),
      })
      const store = openEventStore(path.join(cwd, 'events.db'))
      const writer = new EventWriter(store, {sourceName: 'test', format: 'joe', byteSize: 0, importedAt: 0})
      ;['Order Completed', 'Cart Emptied', 'order_refunded'].forEach((type, i) => {
        writer.add({customer_id: `c${i}`, type, timestamp: Date.UTC(2026, 2, 1) + i, properties: {}})
      })
      writer.finish('hash', 3)
      store.close()
      return cwd
    }
    const missed = await runSimulate({cwd: await storeOf('order_completed'), names: [], replay: here})
    expect(missed.output.customers?.entered).toBe(0)
    expect(missed.output.warnings).toEqual([
      {
        code: 'JOE2070',
        journey: 'buyers',
        event: 'order_completed',
        near: 'Order Completed',
        message: 'the local event store has no "order_completed" events, but has "Order Completed"',
        hint: expect.stringContaining('--normalize-names snake_case'),
      },
      {
        code: 'JOE2070',
        journey: 'buyers',
        event: 'cart_emptied',
        near: 'Cart Emptied',
        message: 'the local event store has no "cart_emptied" events, but has "Cart Emptied"',
        hint: expect.stringContaining('--normalize-names snake_case'),
      },
    ])
    // Someone entered: the names work, nothing to say.
    const entered = await runSimulate({cwd: await storeOf('order_refunded'), names: [], replay: here})
    expect(entered.output.customers?.entered).toBe(1)
    expect(entered.output.warnings).toEqual([])
  })
})
