// End to end, as docs/operations.md tells a new user: compose.yaml's services (one ingest process, two
// workers, one delivery process) started by scripts/compose-local.mjs as plain processes on a real
// PostgreSQL, a deploy through the compose file's `joe` service, events from the Segment client, a
// worker SIGKILLed mid-stream: the remaining processes finish the work, nothing is lost (every event
// processed, every send in the outbox and delivered to the webhook, and /metrics agrees), and
// `joe inspect` explains.
// Needs JOE_TEST_POSTGRES_URL (CI sets it), like the other PostgreSQL tests.
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {Analytics} from '@segment/analytics-node'
import {execa} from 'execa'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {POSTGRES_URL, withSearchPath} from '../helpers/postgres.js'
import {eventually, freePort, ROOT, startWebhook} from '../helpers/serve-process.js'

const SCRIPT = path.join(ROOT, 'scripts/compose-local.mjs')
const KEY = 'e2e-write-key'
const SECRET = 'e2e-hook-secret'

interface ComposeEvent {
  event: string
  process?: string
  pid?: number
  url?: string
  signal?: string | null
  status?: string
  code?: number | null
  clean?: boolean
  processes?: Array<{name: string; pid: number; url: string}>
}

describe.skipIf(!POSTGRES_URL)('compose.yaml without Docker: the services as processes on PostgreSQL', {timeout: 600_000}, () => {
  const schema = `joe_compose_${randomBytes(6).toString('hex')}`
  const dir = mkdtempSync(path.join(tmpdir(), 'joe-compose-e2e-'))
  let admin: pg.Client
  let store: string
  let hook: Awaited<ReturnType<typeof startWebhook>>
  const startUp = (args: string[]) =>
    execa(process.execPath, [SCRIPT, ...args], {reject: false, extendEnv: false, env, buffer: false, forceKillAfterDelay: false})
  let up: ReturnType<typeof startUp> | undefined
  let logs = ''
  const events: ComposeEvent[] = []
  let env: Record<string, string>
  let options: string[]

  const seen = (predicate: (e: ComposeEvent) => boolean, what: string) =>
    eventually(
      () => events.find(predicate),
      `${what}; compose-local said:\n${JSON.stringify(events, null, 1)}\n${logs.slice(-4000)}`,
      300_000,
    )
  /** `docker compose run --rm joe ARGS`, without Docker. */
  const joe = (args: string[]) =>
    execa(process.execPath, [SCRIPT, ...options, 'run', 'joe', ...args], {reject: false, extendEnv: false, env: {...env, NO_COLOR: '1'}})
  const query = async <T>(sql: string): Promise<T[]> =>
    ((await admin.query(`SET search_path TO ${schema}; ${sql}`)) as unknown as pg.QueryResult[])[1]?.rows as T[]

  beforeAll(async () => {
    admin = new pg.Client({connectionString: POSTGRES_URL})
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
    store = withSearchPath(POSTGRES_URL as string, schema)
    hook = await startWebhook()
    // The user's .env, as deploy/compose/example.env says, with this machine's webhook endpoint.
    const dotenv = path.join(dir, '.env')
    writeFileSync(
      dotenv,
      `POSTGRES_PASSWORD=unused-here\nJOE_WRITE_KEY=${KEY}\nJOE_WEBHOOK_URL=${hook.url}\nJOE_WEBHOOK_SECRET=${SECRET}\n`,
    )
    const port = await freePort()
    env = {PATH: process.env.PATH ?? '', JOE_PORT: String(port)}
    // PostgreSQL's image cannot run here: the compose file's `postgres` is this server. Workers that die stay dead.
    options = ['--env-file', dotenv, '--service', `postgres=${store}`, '--no-restart', 'worker']
    const running = startUp([...options, '--json', 'up'])
    up = running
    let pending = ''
    running.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line) as ComposeEvent)
    })
    running.stderr?.on('data', (chunk: Buffer) => {
      logs += chunk.toString()
    })
  })

  afterAll(async () => {
    if (up?.exitCode === null) {
      up.kill('SIGTERM')
      await up
    }
    await hook?.close()
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin?.end()
    rmSync(dir, {recursive: true, force: true})
  })

  it('starts, deploys, loses a worker mid-stream, and loses nothing', async () => {
    const ready = await seen((e) => e.event === 'ready', 'every process healthy')
    expect(ready.processes?.map((p) => p.name)).toEqual(['ingest-1', 'worker-1', 'worker-2', 'delivery-1'])
    const ingest = ready.processes?.[0]?.url as string
    expect(ingest).toBe(`http://127.0.0.1:${env.JOE_PORT}`)
    const deployed = await joe(['deploy', '--env', 'prod', '--yes'])
    expect(deployed.exitCode, deployed.stderr).toBe(0)

    const analytics = new Analytics({writeKey: KEY, host: ingest, flushAt: 10, maxRetries: 3})
    const wave = async (from: number, to: number) => {
      for (let i = from; i < to; i++) analytics.track({userId: `c${i}`, event: 'signed_up', properties: {plan: 'pro'}})
      await analytics.flush()
    }
    await wave(0, 40)
    // One worker dies mid-stream (and stays dead: --no-restart worker), the second wave follows at once.
    const victim = ready.processes?.find((p) => p.name === 'worker-1')
    process.kill(victim?.pid as number, 'SIGKILL')
    await wave(40, 80)
    await analytics.closeAndFlush()
    await seen((e) => e.event === 'exited' && e.process === 'worker-1' && e.signal === 'SIGKILL', 'worker-1 to be gone')

    // The remaining processes finish: every send delivered to the webhook, once per idempotency key.
    const keys = () => new Set(hook.received.map((r) => String(r.headers['idempotency-key'])))
    await eventually(() => (keys().size >= 80 ? true : undefined), '80 webhook calls', 300_000).catch(() => undefined)
    expect(keys().size, logs.slice(-4000)).toBe(80)
    await eventually(async () => {
      const [row] = await query<{pending: string}>("SELECT COUNT(*) AS pending FROM joe_outbox WHERE env = 'prod' AND status <> 'sent'")
      return Number(row?.pending) === 0 ? true : undefined
    }, 'the outbox to record every delivery')
    // Nothing lost: every event stored once and processed (each delivery result is an event of its
    // customer too, message_sent, which the workers process in turn), one send each, all sent, each delivered.
    const expected = {signed_up: '80', message_sent: '80', customers: '80', pending: '0', behind: '0'}
    let counts: Record<string, string> | undefined
    await eventually(async () => {
      ;[counts] = await query<Record<string, string>>(
        `SELECT (SELECT COUNT(*) FROM joe_events WHERE env = 'prod' AND type = 'signed_up') AS signed_up,
                (SELECT COUNT(*) FROM joe_events WHERE env = 'prod' AND type = 'message_sent') AS message_sent,
                (SELECT COUNT(*) FROM joe_customers WHERE env = 'prod') AS customers,
                (SELECT COUNT(*) FROM joe_customers WHERE env = 'prod' AND pending = 1) AS pending,
                (SELECT COUNT(*) FROM joe_customers c WHERE env = 'prod'
                   AND processed_seq < (SELECT MAX(seq) FROM joe_events e WHERE e.env = c.env AND e.customer_id = c.customer_id)) AS behind`,
      )
      return JSON.stringify(counts) === JSON.stringify(expected) ? true : undefined
    }, 'every event processed').catch(() => undefined) // the assertion below shows what is missing
    expect(counts).toEqual(expected)
    const outbox = await query<{customer_id: string; idempotency_key: string; status: string}>(
      "SELECT customer_id, idempotency_key, status FROM joe_outbox WHERE env = 'prod' ORDER BY customer_id",
    )
    expect(outbox).toHaveLength(80)
    expect(new Set(outbox.map((r) => r.customer_id)).size).toBe(80)
    expect(new Set(outbox.map((r) => r.status))).toEqual(new Set(['sent']))
    expect([...keys()].sort()).toEqual(outbox.map((r) => r.idempotency_key).sort())
    const listed = await joe(['outbox', '--env', 'prod', '--status', 'sent', '--json'])
    expect(JSON.parse(listed.stdout).counts).toEqual({pending: 0, sent: 80, dead: 0})

    // /metrics says the same: the store's gauges, from any survivor, show nothing waiting, and the
    // ingest and delivery processes (which never died) counted every event and every send.
    const byName = Object.fromEntries(ready.processes?.map((p) => [p.name, p.url as string]) ?? [])
    const gauges = await eventually(async () => {
      const text = await scrape(byName['worker-2'] as string)
      const values = ['joe_store_up', 'joe_event_lag_seconds', 'joe_outbox_pending_messages', 'joe_outbox_dead_letters'].map((n) =>
        metric(text, n),
      )
      return values.join() === '1,0,0,0' ? values : undefined
    }, 'the store gauges to show nothing waiting (they are cached for 5 s)')
    expect(gauges).toEqual([1, 0, 0, 0])
    expect(
      metric(await scrape(byName['ingest-1'] as string), 'joe_events_received_total', {source: 'http', role: 'ingest', env: 'prod'}),
    ).toBe(80)
    expect(metric(await scrape(byName['delivery-1'] as string), 'joe_deliveries_total', {channel: 'webhook', status: 'sent'})).toBe(80)

    // joe inspect explains one of the second wave, processed after the worker died.
    const inspected = await joe(['inspect', '--env', 'prod', 'c57', '--json'])
    expect(inspected.exitCode, inspected.stderr).toBe(0)
    const result = JSON.parse(inspected.stdout)
    expect(result.journeys).toEqual([expect.objectContaining({journey: 'welcome', status: 'in_journey', step: 'wait-1d'})])
    expect(result.sends).toEqual([expect.objectContaining({journey: 'welcome', template: 'welcome-1', status: 'sent'})])
    expect(result.trace.map((l: {detail: string}) => l.detail)).toContain('sent webhook welcome-1')

    // The survivors answer their health checks (the image's, run as compose runs it); worker-1 never came back.
    for (const p of ready.processes?.filter((p) => p.name !== 'worker-1') ?? []) {
      const check = await execa(process.execPath, [path.join(ROOT, 'deploy/docker/healthcheck.mjs'), `${p.url}/readyz`], {reject: false})
      expect(check.exitCode, `${p.name}: ${check.stdout}`).toBe(0)
    }
    expect(events.filter((e) => e.event === 'restarted')).toEqual([])
  })

  it('restarts a process that dies (restart: unless-stopped) on its port, and the new one takes events', async () => {
    const ingest = events.find((e) => e.event === 'started' && e.process === 'ingest-1') as ComposeEvent
    process.kill(ingest.pid as number, 'SIGKILL')
    const restarted = await seen((e) => e.event === 'restarted' && e.process === 'ingest-1', 'ingest-1 to restart')
    expect(restarted.url).toBe(ingest.url)
    await seen(
      (e) => e.event === 'health' && e.process === 'ingest-1' && e.status === 'healthy' && events.indexOf(e) > events.indexOf(restarted),
      'ingest-1 healthy again',
    )
    const analytics = new Analytics({writeKey: KEY, host: ingest.url as string, flushAt: 1, maxRetries: 3})
    analytics.track({userId: 'late', event: 'signed_up'})
    await analytics.closeAndFlush()
    await eventually(() => hook.received.find((r) => JSON.parse(r.body).customer_id === 'late'), 'the late customer to be greeted', 300_000)
  })

  it('stops every process cleanly on SIGTERM, as `docker compose down` does', async () => {
    up?.kill('SIGTERM')
    const exited = await up
    expect(exited?.exitCode, logs.slice(-4000)).toBe(0)
    expect(events.at(-1)).toMatchObject({event: 'down', clean: true})
    expect(
      events
        .filter((e) => e.event === 'stopped')
        .map((e) => [e.process, e.code])
        .sort(),
    ).toEqual([
      ['delivery-1', 0],
      ['ingest-1', 0],
      ['worker-2', 0],
    ])
  })
})

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`)
  expect(response.status).toBe(200)
  return response.text()
}

/** The sum of a metric's samples (Prometheus' text format) whose labels include `labels`. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const own = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => own[k] === v)) sum += Number(match[3])
  }
  return sum
}
