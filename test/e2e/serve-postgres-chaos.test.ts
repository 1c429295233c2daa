import {randomBytes} from 'node:crypto'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {requireConfig} from '../../src/core/project/config.js'
import {setManualClock} from '../../src/core/runtime/context.js'
import {type OpenRuntime, openRuntime} from '../../src/core/runtime/open-runtime.js'
import {Prng} from '../../src/core/store/prng.js'
import {POSTGRES_URL, withSearchPath} from '../helpers/postgres.js'
import {BIN, postBatch, type ServeProcess, startServe, startWebhook} from '../helpers/serve-process.js'
import {tempProject} from '../helpers/temp-project.js'
import {verifyLiveRun, waitUntilIdle} from '../helpers/verify-live.js'

// Issue: beyond one machine. One ingest process, three workers and a delivery process share a real
// PostgreSQL store. Events stream in while workers are SIGKILLed and restarted at random, every
// joe connection is cut (pg_terminate_backend) now and then, and a new revision is deployed while
// they run. Afterwards every accepted event was processed exactly once, every customer's state
// equals a single-process replay of the log (with the activations the run recorded), and the
// outbox holds every send once, delivered. The seed is fixed and printed.
/** The environment's name is this test's own, so cutting connections spares every other test's. */
const ENV = 'chaos'
const SEED = Number(process.env.JOE_CHAOS_SEED ?? 20261203)
const KEY = 'chaos-key'
const T0 = Date.UTC(2026, 2, 2, 9)
const MINUTE = 60_000

const v1 = `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
reentry: always
exit: [ { event: order_completed } ]
steps:
  - { id: wait, wait: 30m }
  - { id: remind, send: { channel: webhook, template: remind } }
  - { id: later, wait: 2h }
  - { id: again, send: { channel: webhook, template: again } }
`
// The second revision renames the first wait: customers waiting there move on as `moved` says.
const v2 = `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
reentry: always
exit: [ { event: order_completed } ]
moved: { wait: pause }
steps:
  - { id: pause, wait: 20m }
  - { id: remind, send: { channel: webhook, template: remind-v2 } }
  - { id: later, wait: 2h }
  - { id: again, send: { channel: webhook, template: again } }
`

describe.skipIf(!POSTGRES_URL)(
  'joe serve on PostgreSQL: many workers, killed and cut off at random (built CLI)',
  {timeout: 900_000},
  () => {
    let dir: string
    let schema: string
    let hook: Awaited<ReturnType<typeof startWebhook>>
    const processes = new Map<string, ServeProcess>()
    let admin: import('pg').Client

    beforeAll(async () => {
      const {default: pg} = await import('pg')
      schema = `joe_chaos_${randomBytes(6).toString('hex')}`
      admin = new pg.Client({connectionString: POSTGRES_URL})
      await admin.connect()
      await admin.query(`CREATE SCHEMA ${schema}`)
      hook = await startWebhook()
      dir = await tempProject({
        'joe.config.yaml': `environments:
  ${ENV}:
    store: "${withSearchPath(POSTGRES_URL as string, schema)}"
    clock: manual
    write_keys: ["${KEY}"]
    channels:
      webhook: { connector: webhook, url: "${hook.url}" }
`,
        'journeys/cart.journey.yaml': v1,
      })
      const deployed = await execa('node', [BIN, 'deploy', '--env', ENV, '--yes'], {cwd: dir, reject: false})
      expect(deployed.exitCode, deployed.stderr).toBe(0)
    })

    afterAll(async () => {
      await Promise.all([...processes.values()].map((p) => p.stop('SIGKILL')))
      await hook?.close()
      await admin?.query(`DROP SCHEMA ${schema} CASCADE`)
      await admin?.end()
    })

    it(`processes every event exactly once (seed ${SEED})`, async () => {
      console.log(`serve-postgres-chaos seed: ${SEED} (set JOE_CHAOS_SEED to replay)`)
      const rng = new Prng(SEED)
      const start = async (name: string, role: string) => {
        processes.set(name, await startServe(dir, ENV, {}, ['--role', role, '--log-level', 'error']))
      }
      await start('ingest', 'ingest')
      for (const w of ['w1', 'w2', 'w3']) await start(w, 'worker')
      await start('delivery', 'delivery')
      const control: OpenRuntime = await openRuntime({config: await requireConfig(dir), env: ENV, vars: {}, wall: () => Date.now()})
      const accepted = new Set<string>()
      let sent = 0
      let clock = T0
      let kills = 0
      let cuts = 0
      try {
        const ingest = processes.get('ingest') as ServeProcess
        for (let round = 0; round < 40; round++) {
          const batch = Array.from({length: rng.int(1, 25)}, () => ({
            type: 'track',
            userId: `c${rng.int(0, 60)}`,
            event: rng.chance(0.75) ? 'cart_updated' : 'order_completed',
            messageId: `m${sent++}`,
            timestamp: new Date(clock).toISOString(),
          }))
          if ((await postBatch(ingest.url, KEY, batch)) === 200) for (const e of batch) accepted.add(e.messageId)
          clock += rng.int(1, 30) * MINUTE
          await setManualClock(control.ctx, clock)
          if (round % 10 === 7 || rng.chance(0.2)) {
            const victim = `w${rng.int(1, 3)}`
            processes.get(victim)?.kill('SIGKILL')
            await processes.get(victim)?.exited
            kills++
            await start(victim, 'worker')
          }
          if (round % 8 === 4 || rng.chance(0.1)) {
            // Cut every connection of the joe serve processes to the database: pools and listeners must recover.
            await admin.query(
              // Only this test's processes (its environment's name, this database): other tests' stay up.
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'joe serve ${ENV} %' AND datname = current_database() AND pid <> pg_backend_pid()`,
            )
            cuts++
          }
          if (round === 20) {
            // A new revision lands while everything runs.
            const {writeFile} = await import('node:fs/promises')
            await writeFile(`${dir}/journeys/cart.journey.yaml`, v2)
            const deployed = await execa('node', [BIN, 'deploy', '--env', ENV, '--yes'], {cwd: dir, reject: false})
            expect(deployed.exitCode, deployed.stderr).toBe(0)
          }
        }
        clock += 24 * 60 * MINUTE
        await setManualClock(control.ctx, clock)
        await waitUntilIdle(control.ctx, clock)
        console.log(`${accepted.size} events accepted, ${kills} workers killed, ${cuts} connection cuts`)
        const sends = await verifyLiveRun(control.ctx, {accepted, clock, delivered: hook.received})
        expect(sends).toBeGreaterThan(20)
        expect(cuts).toBeGreaterThan(0)
        expect(kills).toBeGreaterThan(0)
        // The deploy moved customers waiting at the removed step (spec section 7): the new revision's template went out.
        const [moved] = await control.ctx.conn.query<{n: number}>(
          "SELECT COUNT(*) AS n FROM joe_outbox WHERE env = $1 AND template = 'remind-v2'",
          [ENV],
        )
        expect(Number(moved?.n)).toBeGreaterThan(0)
        // Several workers did the work.
        const [workers] = await control.ctx.conn.query<{n: number}>('SELECT COUNT(DISTINCT worker) AS n FROM joe_workers WHERE env = $1', [
          ENV,
        ])
        expect(Number(workers?.n)).toBeGreaterThanOrEqual(3)
      } finally {
        await control.close()
      }
    })
  },
)
