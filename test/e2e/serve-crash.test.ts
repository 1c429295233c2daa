import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {advanceCustomer} from '../../src/core/engine/replay-customer.js'
import {requireConfig} from '../../src/core/project/config.js'
import {loadMachine, readActivations} from '../../src/core/runtime/activations.js'
import {setManualClock} from '../../src/core/runtime/context.js'
import {customerStateText, instanceRows, restoreCustomerState} from '../../src/core/runtime/instance-state.js'
import {type OpenRuntime, openRuntime} from '../../src/core/runtime/open-runtime.js'
import {Prng} from '../../src/core/store/prng.js'
import {BIN, eventually, type ServeProcess, startServe, startWebhook} from '../helpers/serve-process.js'
import {tempProject} from '../helpers/temp-project.js'

// Crash safety (issue: live journeys): `joe serve` is SIGKILLed at random moments while events stream
// in and timers fire, and restarted. Afterwards every accepted event was processed exactly once,
// every send the log implies is in the outbox exactly once and was delivered, and every customer's
// stored state equals a replay of the log through the engine. The seed is fixed and printed.
const SEED = Number(process.env.JOE_CRASH_SEED ?? 20261202)
const ROUNDS = 6
const KEY = 'crash-key'
const T0 = Date.UTC(2026, 2, 2, 9)
const MINUTE = 60_000

describe('joe serve killed at random moments (built CLI)', {timeout: 600_000}, () => {
  let dir: string
  let hook: Awaited<ReturnType<typeof startWebhook>>
  let serve: ServeProcess | undefined

  beforeAll(async () => {
    hook = await startWebhook()
    dir = await tempProject({
      'joe.config.yaml': `environments:
  live:
    store: "sqlite:.joe/live.db"
    clock: manual
    write_keys: ["${KEY}"]
    channels:
      webhook: { connector: webhook, url: "${hook.url}" }
`,
      'journeys/cart.journey.yaml': `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
reentry: always
exit: [ { event: order_completed } ]
steps:
  - { id: wait, wait: 30m }
  - { id: remind, send: { channel: webhook, template: remind } }
  - { id: tag, update: { set: { reminded: "true" } } }
`,
      'journeys/welcome.journey.yaml': `version: 1
id: welcome
name: Welcome
entry: { segment: "has(profile.reminded) && profile.reminded == true" }
steps:
  - { id: hello, send: { channel: webhook, template: hello } }
`,
    })
    const deployed = await execa('node', [BIN, 'deploy', '--env', 'live', '--yes'], {cwd: dir, reject: false})
    expect(deployed.exitCode, deployed.stderr).toBe(0)
  })

  afterAll(async () => {
    await serve?.stop('SIGKILL')
    await hook?.close()
  })

  it(`loses nothing and doubles nothing (seed ${SEED})`, async () => {
    console.log(`serve-crash seed: ${SEED} (set JOE_CRASH_SEED to replay)`)
    const rng = new Prng(SEED)
    const accepted = new Set<string>()
    let sent = 0
    let clock = T0
    const control: OpenRuntime = await openRuntime({config: await requireConfig(dir), env: 'live', vars: {}, wall: () => Date.now()})
    try {
      const batch = (n: number) => {
        const items = []
        for (let i = 0; i < n; i++) {
          const id = `m${sent++}`
          const customer = `c${rng.int(0, 40)}`
          const type = rng.next() < 0.7 ? 'cart_updated' : 'order_completed'
          items.push({type: 'track', userId: customer, event: type, messageId: id, timestamp: new Date(clock).toISOString()})
        }
        return items
      }
      const post = async (url: string, items: Array<{messageId: string}>) => {
        try {
          const response = await fetch(`${url}/v1/batch`, {
            method: 'POST',
            headers: {'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`},
            body: JSON.stringify({batch: items}),
          })
          if (response.status === 200) for (const item of items) accepted.add(item.messageId)
          return response.status
        } catch {
          return 0 // killed mid-request: the client does not know, and will not count it
        }
      }
      for (let round = 0; round < ROUNDS; round++) {
        serve = await startServe(dir, 'live', {}, ['--log-level', 'error'])
        const killAfter = rng.int(2, 10)
        for (let k = 0; k < 12; k++) {
          if (k === killAfter) {
            // Kill while a request is in flight and the worker and delivery are busy.
            const inFlight = post(serve.url, batch(rng.int(1, 20)))
            serve.kill('SIGKILL')
            await inFlight
            await serve.exited
            serve = undefined
            break
          }
          await post(serve.url, batch(rng.int(1, 20)))
          // Timers fire as the clock moves (the clock lives in the store: the process can die any time).
          clock += rng.int(1, 45) * MINUTE
          await setManualClock(control.ctx, clock)
        }
        if (serve) {
          serve.kill('SIGKILL')
          await serve.exited
          serve = undefined
        }
      }
      // A last run, long after: everything due fires and every message goes out.
      clock += 24 * 60 * MINUTE
      await setManualClock(control.ctx, clock)
      serve = await startServe(dir, 'live', {}, ['--log-level', 'error'])
      const {conn} = control.ctx
      await eventually(async () => {
        const [left] = await conn.query<{n: number}>(
          `SELECT (SELECT COUNT(*) FROM joe_customers WHERE env = 'live' AND (pending = 1 OR next_due < $1))
                + (SELECT COUNT(*) FROM joe_outbox WHERE env = 'live' AND status = 'pending')
                + (SELECT s.next_seq - 1 - r.dispatched_seq FROM joe_sequences s JOIN joe_runtime r ON r.env = s.env WHERE s.env = 'live') AS n`,
          [clock],
        )
        return Number(left?.n) === 0 ? true : undefined
      }, 'the worker and delivery to finish')
      await serve.stop()
      serve = undefined

      // Every accepted event is stored once (some unacknowledged ones may be stored too: the client never heard back).
      const stored = await conn.query<{message_id: string; customer_id: string}>(
        "SELECT message_id, customer_id FROM joe_events WHERE env = 'live' AND source = 'http'",
      )
      const storedIds = new Set(stored.map((r) => r.message_id))
      expect(storedIds.size).toBe(stored.length)
      for (const id of accepted) expect(storedIds.has(id), id).toBe(true)

      // Each customer's state is a replay of their log; the outbox holds exactly the sends the replay decides.
      const machine = await loadMachine(conn, await readActivations(conn, 'live'))
      const customers = await conn.query<{customer_id: string; state: string; processed_seq: number}>(
        "SELECT customer_id, state, processed_seq FROM joe_customers WHERE env = 'live'",
      )
      const outbox = await conn.query<{idempotency_key: string; customer_id: string; status: string}>(
        "SELECT idempotency_key, customer_id, status FROM joe_outbox WHERE env = 'live'",
      )
      expect(new Set(outbox.map((r) => r.idempotency_key)).size).toBe(outbox.length)
      let replayedSends = 0
      for (const customer of customers) {
        const events = await conn.query<{seq: number; type: string; ts: number; received_at: number; properties: string}>(
          "SELECT seq, type, ts, received_at, properties FROM joe_events WHERE env = 'live' AND customer_id = $1 ORDER BY seq",
          [customer.customer_id],
        )
        expect(Number(customer.processed_seq)).toBe(Number(events.at(-1)?.seq))
        const state = restoreCustomerState(customer.customer_id, '{}', [])
        let sends = 0
        advanceCustomer(
          machine,
          state,
          events.map((e) => ({
            at: Number(e.received_at),
            event: {type: e.type, timestamp: Number(e.ts), properties: JSON.parse(e.properties)},
          })),
          {through: clock, dueInclusive: false},
          (t) => {
            sends += t.effects.filter((e) => e.kind === 'send').length
          },
        )
        replayedSends += sends
        expect(customer.state, customer.customer_id).toBe(customerStateText(state))
        const instances = await conn.query<{journey_id: string; state: string}>(
          "SELECT journey_id, state FROM joe_instances WHERE env = 'live' AND customer_id = $1 ORDER BY journey_id",
          [customer.customer_id],
        )
        expect(instances.map((i) => [i.journey_id, i.state])).toEqual(instanceRows(machine, state).map((r) => [r.journey_id, r.state]))
        expect(outbox.filter((r) => r.customer_id === customer.customer_id)).toHaveLength(sends)
      }
      expect(replayedSends).toBe(outbox.length)
      expect(replayedSends).toBeGreaterThan(10)
      // Delivered at least once each, with the idempotency key a receiver dedupes on.
      expect(outbox.every((r) => r.status === 'sent')).toBe(true)
      const delivered = new Set(hook.received.map((r) => String(r.headers['idempotency-key'])))
      for (const row of outbox) expect(delivered.has(row.idempotency_key)).toBe(true)
    } finally {
      await control.close()
    }
  })
})
