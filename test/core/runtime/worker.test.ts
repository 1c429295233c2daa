import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {createConnectors} from '../../../src/core/connectors/create-connectors.js'
import {observeLedger} from '../../../src/core/runtime/activations.js'
import {setManualClock} from '../../../src/core/runtime/context.js'
import {appendEvents} from '../../../src/core/runtime/events-log.js'
import type {OpenRuntime} from '../../../src/core/runtime/open-runtime.js'
import {claimMessages, recordDeliveries} from '../../../src/core/runtime/outbox.js'
import {createMachineCache, dispatchEvents, processBatch} from '../../../src/core/runtime/worker.js'
import type {NewEvent} from '../../../src/core/store/store-types.js'
import {journey} from '../../core/deploy/helpers.js'
import {liveEnvPerTest, RUNTIME_BACKENDS} from '../../helpers/runtime.js'

const T0 = Date.UTC(2026, 2, 2, 10)
const MINUTE = 60_000

const cart = journey(`
version: 1
id: cart
name: Cart
entry: { event: cart_updated, when: "event.properties.value > 50" }
exit: [ { event: order_completed } ]
steps:
  - { id: wait-1h, wait: 1h }
  - { id: email-1, send: { channel: email, template: cart-1, data: { value: "event.properties.value" } } }
`)

const event = (customer: string, type: string, at: number, properties: Record<string, unknown> = {}, messageId?: string): NewEvent => ({
  customer_id: customer,
  type,
  timestamp: at,
  properties,
  ...(messageId === undefined ? {} : {message_id: messageId}),
})

/** One round of the worker, as its loop runs it. */
async function work(runtime: OpenRuntime) {
  const machines = createMachineCache(runtime.ctx.env)
  await observeLedger(runtime.ctx)
  await dispatchEvents(runtime.ctx)
  return processBatch(runtime.ctx, machines, {limit: 100, worker: 'test'})
}

describe.each(RUNTIME_BACKENDS)('the worker on $name', (backend) => {
  const environments = liveEnvPerTest(backend)

  it('decides a due send in the transaction that moves the customer on, and delivers it once', async () => {
    const live = await environments.create({channels: {email: {connector: 'file', path: 'messages.ndjson'}}})
    await live.deploy([cart])
    const runtime = await environments.open()
    const {ctx} = runtime
    const appended = await appendEvents(ctx, [event('c1', 'cart_updated', T0, {value: 80}), event('c2', 'cart_updated', T0, {value: 10})], {
      source: 'cli',
    })
    // A manual clock never set starts at the first event it receives.
    expect(appended).toEqual({accepted: 2, duplicates: 0, receivedAt: T0})
    expect(await work(runtime)).toMatchObject({customers: 2, events: 2, sends: 0})
    const rows = await ctx.conn.query<{customer_id: string; step: string; timer_at: number}>(
      "SELECT customer_id, step, timer_at FROM joe_instances WHERE env = 'live' ORDER BY customer_id",
    )
    expect(rows.map((r) => [r.customer_id, r.step, Number(r.timer_at)])).toEqual([['c1', 'wait-1h', T0 + 60 * MINUTE]])
    // A timer due exactly at the clock's time waits: an event may still arrive at that instant.
    await setManualClock(ctx, T0 + 60 * MINUTE)
    expect(await work(runtime)).toMatchObject({customers: 0})
    await setManualClock(ctx, T0 + 61 * MINUTE)
    expect(await work(runtime)).toMatchObject({customers: 1, dues: 1, sends: 1})
    expect(await work(runtime)).toMatchObject({customers: 0})
    const messages = await claimMessages(ctx, 10)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({
      customerId: 'c1',
      journeyId: 'cart',
      template: 'cart-1',
      decidedAt: T0 + 60 * MINUTE,
      data: {value: 80},
    })
    const channels = await createConnectors(
      {email: {connector: 'file', path: 'messages.ndjson'}},
      {
        links: {baseUrl: 'http://localhost:8787', secrets: ['s'], env: 'live'},
        env: 'live',
        root: live.root,
        vars: {},
        wall: () => 0,
        write: () => undefined,
        userAgent: 'joe-test',
      },
    )
    const message = messages[0]!
    await recordDeliveries(ctx, [{message, outcome: await channels.get('email')!.connector.deliver(message), maxAttempts: 3}])
    expect(await claimMessages(ctx, 10)).toEqual([])
    const lines = readFileSync(join(live.root, 'messages.ndjson'), 'utf8').trim().split('\n')
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        customer_id: 'c1',
        template: 'cart-1',
        idempotency_key: message.idempotencyKey,
        decided_at: '2026-03-02T11:00:00.000Z',
      }),
    ])
    // The delivery result is an event of the customer.
    const sent = await ctx.conn.query<{type: string; source: string}>(
      "SELECT type, source FROM joe_events WHERE env = 'live' AND customer_id = 'c1' ORDER BY seq",
    )
    expect(sent.map((r) => r.type)).toEqual(['cart_updated', 'message_sent'])
  })

  it('drops repeated message ids, within a request and across requests', async () => {
    await environments.create()
    const runtime = await environments.open()
    const first = await appendEvents(
      runtime.ctx,
      [event('c1', 'a', T0, {}, 'm1'), event('c1', 'a', T0, {}, 'm1'), event('c1', 'b', T0, {}, 'm2')],
      {
        source: 'cli',
      },
    )
    expect(first).toMatchObject({accepted: 2, duplicates: 1})
    const again = await appendEvents(runtime.ctx, [event('c1', 'a', T0, {}, 'm1'), event('c1', 'c', T0)], {source: 'cli'})
    expect(again).toMatchObject({accepted: 1, duplicates: 1})
  })

  it('stores event names as events.normalize_names says, as joe events import does, so live events enter the same journeys', async () => {
    const live = await environments.create()
    live.config.events.normalizeNames = 'snake_case'
    await live.deploy([cart])
    const runtime = await environments.open()
    await appendEvents(runtime.ctx, [event('c1', 'Cart Updated', T0, {value: 80}), event('c2', 'cartUpdated', T0, {value: 90})], {
      source: 'http',
    })
    const stored = await runtime.ctx.conn.query<{type: string}>("SELECT type FROM joe_events WHERE env = 'live' ORDER BY seq")
    expect(stored.map((r) => r.type)).toEqual(['cart_updated', 'cart_updated'])
    expect(await work(runtime)).toMatchObject({customers: 2, events: 2})
    const instances = await runtime.ctx.conn.query<{customer_id: string}>(
      "SELECT customer_id FROM joe_instances WHERE env = 'live' ORDER BY customer_id",
    )
    expect(instances.map((r) => r.customer_id)).toEqual(['c1', 'c2'])
  })

  it('records an input that makes the engine fail, skips it, and goes on with everyone else', async () => {
    const live = await environments.create()
    await live.deploy([cart])
    const runtime = await environments.open()
    // A store changed outside joe: a revision whose wait has an impossible `days`.
    const [active] = await runtime.ctx.conn.query<{revision: string}>("SELECT revision FROM joe_active WHERE env = 'live'")
    const bad = journey(`
version: 1
id: cart
name: Cart
entry: { event: cart_updated }
steps:
  - { id: wait-1h, wait: { until: "09:00" } }
`)
    const document = JSON.parse(JSON.stringify(bad)) as {steps: Array<{wait: {days?: unknown}}>}
    document.steps[0]!.wait.days = {length: 1}
    await runtime.ctx.conn.query('UPDATE joe_revisions SET document = $1 WHERE hash = $2', [JSON.stringify(document), active!.revision])
    await appendEvents(runtime.ctx, [event('c1', 'cart_updated', T0, {value: 80}), event('c2', 'page', T0)], {source: 'cli'})
    expect(await work(runtime)).toMatchObject({customers: 2, errors: 1})
    const errors = await runtime.ctx.conn.query<{customer_id: string; message: string}>(
      "SELECT customer_id, message FROM joe_errors WHERE env = 'live'",
    )
    expect(errors).toEqual([{customer_id: 'c1', message: expect.stringContaining('TypeError')}])
    // Processed (skipped), not retried forever.
    expect(await work(runtime)).toMatchObject({customers: 0})
  })
})
