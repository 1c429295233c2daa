// What a live run must have done, checked against the store after the fact: every accepted event
// stored once and processed, every customer's state a replay of their log through the engine (with
// the activations the run recorded), and the outbox holding exactly the sends that replay decides,
// each once and delivered.
import {expect} from 'vitest'
import {advanceCustomer} from '../../src/core/engine/replay-customer.js'
import {loadMachine, readActivations} from '../../src/core/runtime/activations.js'
import type {RuntimeContext} from '../../src/core/runtime/context.js'
import {customerStateText, instanceRows, restoreCustomerState} from '../../src/core/runtime/instance-state.js'
import {eventually, type Received} from './serve-process.js'

/** Waits until nothing is left to do at `clock`: events dispatched and processed, nothing due, the outbox empty. */
export async function waitUntilIdle(ctx: RuntimeContext, clock: number): Promise<void> {
  await eventually(
    async () => {
      const [left] = await ctx.conn.query<{n: number}>(
        `SELECT (SELECT COUNT(*) FROM joe_customers WHERE env = $1 AND (pending = 1 OR next_due < $2))
            + (SELECT COUNT(*) FROM joe_outbox WHERE env = $1 AND status = 'pending')
            + (SELECT s.next_seq - 1 - r.dispatched_seq FROM joe_sequences s JOIN joe_runtime r ON r.env = s.env WHERE s.env = $1) AS n`,
        [ctx.env, clock],
      )
      return Number(left?.n) === 0 ? true : undefined
    },
    'the workers and delivery to finish',
    300_000,
  )
}

/** Checks everything a run must have done (see the top of this file); returns how many sends it checked. */
export async function verifyLiveRun(
  ctx: RuntimeContext,
  options: {accepted: ReadonlySet<string>; clock: number; delivered: readonly Received[]},
): Promise<number> {
  const {conn, env} = ctx
  const stored = await conn.query<{message_id: string}>("SELECT message_id FROM joe_events WHERE env = $1 AND source = 'http'", [env])
  const storedIds = new Set(stored.map((r) => r.message_id))
  expect(storedIds.size).toBe(stored.length)
  for (const id of options.accepted) expect(storedIds.has(id), id).toBe(true)

  const machine = await loadMachine(conn, await readActivations(conn, env))
  const customers = await conn.query<{customer_id: string; state: string; processed_seq: number}>(
    'SELECT customer_id, state, processed_seq FROM joe_customers WHERE env = $1',
    [env],
  )
  const outbox = await conn.query<{idempotency_key: string; customer_id: string; status: string}>(
    'SELECT idempotency_key, customer_id, status FROM joe_outbox WHERE env = $1',
    [env],
  )
  expect(new Set(outbox.map((r) => r.idempotency_key)).size).toBe(outbox.length)
  let replayedSends = 0
  for (const customer of customers) {
    const events = await conn.query<{seq: number; type: string; ts: number; received_at: number; properties: string}>(
      'SELECT seq, type, ts, received_at, properties FROM joe_events WHERE env = $1 AND customer_id = $2 ORDER BY seq',
      [env, customer.customer_id],
    )
    expect(Number(customer.processed_seq), `processed ${customer.customer_id}`).toBe(Number(events.at(-1)?.seq))
    const state = restoreCustomerState(customer.customer_id, '{}', [])
    let sends = 0
    advanceCustomer(
      machine,
      state,
      events.map((e) => ({
        at: Number(e.received_at),
        event: {type: e.type, timestamp: Number(e.ts), properties: JSON.parse(e.properties)},
      })),
      {through: options.clock, dueInclusive: false},
      (t) => {
        sends += t.effects.filter((e) => e.kind === 'send').length
      },
    )
    replayedSends += sends
    expect(customer.state, customer.customer_id).toBe(customerStateText(state))
    const instances = await conn.query<{journey_id: string; state: string}>(
      'SELECT journey_id, state FROM joe_instances WHERE env = $1 AND customer_id = $2 ORDER BY journey_id',
      [env, customer.customer_id],
    )
    expect(
      instances.map((i) => [i.journey_id, i.state]),
      customer.customer_id,
    ).toEqual(instanceRows(machine, state).map((r) => [r.journey_id, r.state]))
    expect(outbox.filter((r) => r.customer_id === customer.customer_id)).toHaveLength(sends)
  }
  expect(replayedSends).toBe(outbox.length)
  // Delivered at least once each, with the idempotency key a receiver dedupes on.
  expect(outbox.every((r) => r.status === 'sent')).toBe(true)
  const delivered = new Set(options.delivered.map((r) => String(r.headers['idempotency-key'])))
  for (const row of outbox) expect(delivered.has(row.idempotency_key), row.idempotency_key).toBe(true)
  return replayedSends
}
