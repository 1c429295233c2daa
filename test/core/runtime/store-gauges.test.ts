import {describe, expect, it} from 'vitest'
import {observeLedger} from '../../../src/core/runtime/activations.js'
import {setManualClock} from '../../../src/core/runtime/context.js'
import {appendEvents} from '../../../src/core/runtime/events-log.js'
import {claimMessages, recordDeliveries} from '../../../src/core/runtime/outbox.js'
import {readStoreGauges} from '../../../src/core/runtime/store-gauges.js'
import {createMachineCache, dispatchEvents, processBatch} from '../../../src/core/runtime/worker.js'
import {journey} from '../../core/deploy/helpers.js'
import {liveEnvPerTest, RUNTIME_BACKENDS} from '../../helpers/runtime.js'

const T0 = Date.UTC(2026, 2, 2, 10)
const MINUTE = 60_000

const cart = journey(`
version: 1
id: cart
name: Cart
entry: { event: cart_updated }
steps:
  - { id: wait-1h, wait: 1h }
  - { id: email-1, send: { channel: email, template: cart-1 } }
`)

const cartEvent = (customer: string, at: number) => ({customer_id: customer, type: 'cart_updated', timestamp: at, properties: {}})

describe.each(RUNTIME_BACKENDS)("the store's gauges on $name", (backend) => {
  const environments = liveEnvPerTest(backend)

  it('measure lag, overdue timers, the outbox and the dead letters as the worker and delivery move', async () => {
    const live = await environments.create()
    await live.deploy([cart])
    const runtime = await environments.open()
    const {ctx} = runtime
    const machines = createMachineCache(ctx.env)
    const gauges = () => readStoreGauges(ctx)
    expect(await gauges()).toEqual({lagSeconds: 0, overdueCustomers: 0, overdueSeconds: 0, outboxPending: 0, deadLetters: 0})
    await appendEvents(ctx, [cartEvent('c1', T0), cartEvent('c2', T0)], {source: 'cli'})
    await setManualClock(ctx, T0 + 10 * MINUTE)
    // Received ten minutes ago (environment time), not yet seen by a worker.
    expect((await gauges()).lagSeconds).toBe(600)
    await observeLedger(ctx)
    await dispatchEvents(ctx)
    // Dispatched (the customers are pending), still not applied.
    expect((await gauges()).lagSeconds).toBe(600)
    // A batch of one customer applies c1's event; c2's is as old as before.
    await processBatch(ctx, machines, {limit: 1, worker: 'test'})
    expect((await gauges()).lagSeconds).toBe(600)
    await processBatch(ctx, machines, {limit: 10, worker: 'test'})
    expect((await gauges()).lagSeconds).toBe(0)
    // A later event of c1 is the oldest unapplied one.
    await setManualClock(ctx, T0 + 20 * MINUTE)
    await appendEvents(ctx, [cartEvent('c1', T0 + 20 * MINUTE)], {source: 'cli'})
    await setManualClock(ctx, T0 + 21 * MINUTE)
    expect((await gauges()).lagSeconds).toBe(60)
    await dispatchEvents(ctx)
    await processBatch(ctx, machines, {limit: 10, worker: 'test'})
    expect((await gauges()).lagSeconds).toBe(0)
    // Both timers (c1's from its first entry at T0; c2's at T0) came due an hour later.
    await setManualClock(ctx, T0 + 90 * MINUTE)
    expect(await gauges()).toMatchObject({overdueCustomers: 2, overdueSeconds: 1_800, outboxPending: 0})
    await processBatch(ctx, machines, {limit: 10, worker: 'test'})
    expect(await gauges()).toMatchObject({overdueCustomers: 0, overdueSeconds: 0, outboxPending: 2, deadLetters: 0})
    const [first, second] = await claimMessages(ctx, 10)
    await recordDeliveries(ctx, [
      {message: first!, outcome: {status: 'failed', error: 'HTTP 400'}, maxAttempts: 3},
      {message: second!, outcome: {status: 'retry', error: 'HTTP 503'}, maxAttempts: 3},
    ])
    expect(await gauges()).toMatchObject({outboxPending: 1, deadLetters: 1})
  })
})
