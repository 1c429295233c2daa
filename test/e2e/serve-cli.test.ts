import {createHmac} from 'node:crypto'
import {gzipSync} from 'node:zlib'
import {Analytics} from '@segment/analytics-node'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {assertOutput} from '../helpers/output-schemas.js'
import {BIN, eventually, type ServeProcess, startServe, startServeJson, startWebhook} from '../helpers/serve-process.js'
import {tempProject} from '../helpers/temp-project.js'

// End-to-end: the built CLI deploys, `joe serve` runs, the real Segment client sends events to it,
// a real HTTP server receives the webhook, and `joe inspect` explains.
const KEY = 'test-write-key'
const SECRET = 'hook-secret'

describe('joe serve (built CLI) with the Segment client', {timeout: 300_000}, () => {
  let dir: string
  let serve: ServeProcess
  let hook: Awaited<ReturnType<typeof startWebhook>>
  const joe = (args: string[]) =>
    execa('node', [BIN, ...args], {cwd: dir, reject: false, env: {NO_COLOR: '1', JOE_KEY: KEY, HOOK_SECRET: SECRET}})

  beforeAll(async () => {
    hook = await startWebhook()
    dir = await tempProject({
      'joe.config.yaml': `environments:
  live:
    store: "sqlite:.joe/live.db"
    clock: manual
    write_keys: ["\${JOE_KEY}"]
    channels:
      webhook: { connector: webhook, url: "${hook.url}", secret: "\${HOOK_SECRET}", max_attempts: 3 }
`,
      'journeys/cart.journey.yaml': `version: 1
id: cart
name: Cart
entry: { event: cart_updated, when: "event.properties.cart_value > 50" }
exit: [ { event: order_completed } ]
steps:
  - { id: wait-1h, wait: 1h }
  - { id: ping, send: { channel: webhook, template: cart-reminder, data: { value: "event.properties.cart_value" } } }
`,
    })
    const deployed = await joe(['deploy', '--env', 'live', '--yes'])
    expect(deployed.exitCode, deployed.stderr).toBe(0)
    serve = await startServe(dir, 'live', {JOE_KEY: KEY, HOOK_SECRET: SECRET}, ['--log-level', 'warn'])
  })

  afterAll(async () => {
    await serve?.stop()
    await hook?.close()
  })

  it('runs a deployed journey on events from @segment/analytics-node, calls the webhook, and inspect explains why', async () => {
    const analytics = new Analytics({writeKey: KEY, host: serve.url, flushAt: 1, maxRetries: 1})
    analytics.identify({userId: 'c1', traits: {email: 'c1@example.com'}, timestamp: '2026-03-02T10:00:00Z'})
    analytics.track({userId: 'c1', event: 'cart_updated', properties: {cart_value: 80}, timestamp: '2026-03-02T10:00:00Z'})
    analytics.track({userId: 'c2', event: 'cart_updated', properties: {cart_value: 20}, timestamp: '2026-03-02T10:00:00Z'})
    await analytics.closeAndFlush()
    // The manual clock started at the first event; an hour later the reminder is due.
    const clock = await joe(['clock', '--env', 'live', 'advance', '61m'])
    expect(clock.exitCode, clock.stderr).toBe(0)
    const call = await eventually(() => hook.received[0], 'the webhook call')
    const body = JSON.parse(call.body)
    expect(body).toMatchObject({
      customer_id: 'c1',
      journey: 'cart',
      step: 'ping',
      channel: 'webhook',
      template: 'cart-reminder',
      data: {value: 80},
    })
    expect(body.profile).toMatchObject({email: 'c1@example.com'})
    expect(call.headers['idempotency-key']).toBe(body.idempotency_key)
    const signature = String(call.headers['joe-signature'])
    const t = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)
    expect(t).not.toBeNull()
    expect(t?.[2]).toBe(createHmac('sha256', SECRET).update(`${t?.[1]}.${call.body}`).digest('hex'))
    const inspected = await eventually(async () => {
      const run = await joe(['inspect', '--env', 'live', 'c1', '--json'])
      const result = JSON.parse(run.stdout)
      return result.sends[0]?.status === 'sent' ? result : undefined
    }, 'the delivery to be recorded')
    assertOutput('inspect', inspected)
    expect(inspected.journeys).toEqual([expect.objectContaining({journey: 'cart', status: 'out', entries: 1})])
    expect(inspected.trace.map((l: {detail: string}) => l.detail)).toEqual(
      expect.arrayContaining([
        'entered (entry 1) on event cart_updated with "event.properties.cart_value > 50"',
        'sent webhook cart-reminder',
        'reached end',
      ]),
    )
    const text = await joe(['inspect', '--env', 'live', 'c1'])
    expect(text.stdout).toContain('sent webhook cart-reminder')
    // c2's cart was too small: never entered.
    const c2 = JSON.parse((await joe(['inspect', '--env', 'live', 'c2', '--json'])).stdout)
    expect(c2.journeys[0]).toMatchObject({status: 'out', entries: 0})
    const outbox = JSON.parse((await joe(['outbox', '--env', 'live', '--status', 'sent', '--json'])).stdout)
    assertOutput('outbox', outbox)
    expect(outbox.counts).toEqual({pending: 0, sent: 1, dead: 0})
  })

  it('answers bad requests with a clear 4xx and stores nothing', async () => {
    const auth = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`
    const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(`${serve.url}${path}`, {method: 'POST', body, headers: {'content-type': 'application/json', authorization: auth, ...headers}})
    const stored = async () =>
      JSON.parse((await joe(['events', 'export', '--env', 'live', '--out', 'export.ndjson', '--json'])).stdout).events as number
    const before = await stored()
    const noKey = await fetch(`${serve.url}/v1/track`, {method: 'POST', body: '{}', headers: {'content-type': 'application/json'}})
    expect(noKey.status).toBe(401)
    expect(await noKey.json()).toMatchObject({success: false, error: {code: 'unauthorized'}})
    expect((await post('/v1/track', '{"userId":"c9","event":"x"', {})).status).toBe(400)
    const badItem = await post(
      '/v1/batch',
      JSON.stringify({
        batch: [
          {type: 'track', userId: 'c9', event: 'ok'},
          {type: 'track', event: 'no-user'},
        ],
      }),
    )
    expect(badItem.status).toBe(400)
    expect(await badItem.json()).toMatchObject({error: {code: 'invalid_event', location: 'batch[1].userId'}})
    const huge = await post('/v1/track', JSON.stringify({userId: 'c9', event: 'big', properties: {blob: 'x'.repeat(40_000)}}))
    expect(huge.status).toBe(400)
    expect(await huge.json()).toMatchObject({error: {code: 'event_too_large'}})
    const bomb = gzipSync(Buffer.from(JSON.stringify({batch: [], pad: 'y'.repeat(600_000)})))
    expect((await post('/v1/batch', bomb, {'content-encoding': 'gzip'})).status).toBe(413)
    expect(await stored()).toBe(before)
    // A gzip body (RudderStack's default) is fine, and a repeated messageId is stored once.
    const gz = gzipSync(
      Buffer.from(
        JSON.stringify({batch: [{type: 'track', userId: 'c9', event: 'ok', messageId: 'm-1', timestamp: '2026-03-02T12:00:00Z'}]}),
      ),
    )
    const first = await post('/v1/batch', gz, {'content-encoding': 'gzip'})
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({success: true, accepted: 1, duplicates: 0})
    const again = await post('/v1/batch', gz, {'content-encoding': 'gzip'})
    expect(await again.json()).toEqual({success: true, accepted: 0, duplicates: 1})
    expect(await stored()).toBe(before + 1)
  })

  it('stops cleanly on SIGTERM', async () => {
    const health = await fetch(`${serve.url}/readyz`)
    expect(health.status).toBe(200)
    expect(await serve.stop('SIGTERM')).toBe(0)
  })
})

describe('joe serve (built CLI) stopped while it starts', {timeout: 300_000}, () => {
  it('stops cleanly on a SIGTERM that comes before it listens', async () => {
    // The CI failure this guards: the signal handler was installed only once the server listened,
    // and the worker's first batch ran in between, so a SIGTERM then killed the process outright.
    const dir = await tempProject({
      'joe.config.yaml': `environments:
  live:
    store: "sqlite:.joe/live.db"
    clock: manual
    write_keys: ["k"]
`,
      'journeys/cart.journey.yaml': `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
steps:
  - { id: wait-1h, wait: 1h }
`,
    })
    const deployed = await execa('node', [BIN, 'deploy', '--env', 'live', '--yes'], {cwd: dir, reject: false})
    expect(deployed.exitCode, deployed.stderr).toBe(0)
    // The worker's first log line comes before the server listens.
    const {subprocess: child} = await startServeJson(dir, 'live', '"activations recorded"')
    child.kill('SIGTERM')
    const stopped = await child
    expect(stopped.signal, stopped.stderr).toBeUndefined()
    expect(stopped.exitCode, stopped.stderr).toBe(0)
    expect(JSON.parse(stopped.stdout)).toMatchObject({env: 'live', stopped_by: 'SIGTERM'})
  })
})
