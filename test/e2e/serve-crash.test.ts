import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {requireConfig} from '../../src/core/project/config.js'
import {setManualClock} from '../../src/core/runtime/context.js'
import {type OpenRuntime, openRuntime} from '../../src/core/runtime/open-runtime.js'
import {Prng} from '../../src/core/store/prng.js'
import {BIN, postBatch, type ServeProcess, startServe, startWebhook} from '../helpers/serve-process.js'
import {tempProject} from '../helpers/temp-project.js'
import {verifyLiveRun, waitUntilIdle} from '../helpers/verify-live.js'

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
        // Killed mid-request (status 0): the client does not know, and does not count it.
        const status = await postBatch(url, KEY, items)
        if (status === 200) for (const item of items) accepted.add(item.messageId)
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
      await waitUntilIdle(control.ctx, clock)
      await serve.stop()
      serve = undefined
      const sends = await verifyLiveRun(control.ctx, {accepted, clock, delivered: hook.received})
      expect(sends).toBeGreaterThan(10)
    } finally {
      await control.close()
    }
  })
})
