import {PassThrough} from 'node:stream'
import {afterEach, describe, expect, it} from 'vitest'
import type {RunningServe} from '../../src/core/runtime/serve.js'
import {journey} from '../core/deploy/helpers.js'
import {sampleValue} from '../helpers/metrics.js'
import {type LiveEnv, RUNTIME_BACKENDS, serveLive} from '../helpers/runtime.js'
import {eventually, startWebhook} from '../helpers/serve-process.js'

// `joe serve` in process on a real store: what /metrics, /healthz and /readyz say, and what the
// logs say (one line per request and per delivery) and never say (secrets).
const KEY = 'wk-live-7f3a9c1e'
const HOOK_SECRET = 'whsec-5b2d8e'
const HOOK_TOKEN = 'tok-9e4c71'
const HEADER_SECRET = 'hdr-3c8f0a'

const ping = journey(`
version: 1
id: ping
name: Ping
entry: { event: signed_up }
steps:
  - { id: hello, send: { channel: webhook, template: hello } }
`)

interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

describe.each(RUNTIME_BACKENDS)('joe serve observed on $name', (backend) => {
  let live: LiveEnv | undefined
  const servers: RunningServe[] = []
  let hook: Awaited<ReturnType<typeof startWebhook>> | undefined
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close()
    await live?.dispose()
    await hook?.close()
    live = undefined
  })

  it('counts events, batches and deliveries in /metrics, reads the store gauges, and logs each request and delivery without secrets', {
    timeout: 180_000,
  }, async () => {
    // The first delivery attempt meets a 503: retried, then sent.
    hook = await startWebhook((n) => (n === 1 ? 503 : 200))
    live = await backend.create({
      writeKeys: [KEY],
      channels: {
        webhook: {
          connector: 'webhook',
          url: `${hook.url}?token=${HOOK_TOKEN}`,
          secret: HOOK_SECRET,
          headers: {authorization: `Bearer ${HEADER_SECRET}`},
        },
      },
    })
    await live.deploy([ping])
    const wall = live.wall
    const logs = new PassThrough()
    let logText = ''
    logs.on('data', (chunk: Buffer) => {
      logText += chunk.toString()
    })
    const serve = await serveLive(live, {
      logStream: logs,
      logLevel: 'info',
      pollMs: 50,
    })
    servers.push(serve)
    const auth = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`
    const post = (path: string, body: unknown, headers: Record<string, string> = {authorization: auth}) =>
      fetch(`${serve.url}${path}`, {method: 'POST', body: JSON.stringify(body), headers: {'content-type': 'application/json', ...headers}})
    const at = '2026-03-02T10:00:00Z'
    expect((await post('/v1/track', {userId: 'c1', event: 'signed_up', messageId: 'm1', timestamp: at})).status).toBe(200)
    expect((await post('/v1/track', {userId: 'c1', event: 'signed_up', messageId: 'm1', timestamp: at})).status).toBe(200)
    const inBody = await post(
      '/v1/batch',
      {writeKey: KEY, batch: [{type: 'identify', userId: 'c2', traits: {plan: 'pro'}, timestamp: at}]},
      {},
    )
    expect(inBody.status).toBe(200)
    expect((await post('/v1/track', {userId: 'c3', event: 'x'}, {authorization: 'Basic bm9wZQ=='})).status).toBe(401)

    await eventually(() => hook?.received[0], 'the first delivery attempt')
    // Past the retry's backoff on the wall clock joe was given, on every poll: joe reads the clock to
    // schedule the retry only after the hook has answered, so one step taken before that is not enough.
    await eventually(() => {
      wall.now += 60_000
      return hook?.received[1]
    }, 'the second delivery attempt')
    const metrics = async () => {
      const response = await fetch(`${serve.url}/metrics`)
      expect(response.headers.get('content-type')).toContain('text/plain')
      return response.text()
    }
    const text = await eventually(async () => {
      const current = await metrics()
      return sampleValue(current, 'joe_deliveries_total', {channel: 'webhook', status: 'sent'}) === 1 ? current : undefined
    }, 'the delivery to be counted')
    const labels = {env: 'live', role: 'all'}
    expect(sampleValue(text, 'joe_events_received_total', {...labels, source: 'http'})).toBe(2)
    expect(sampleValue(text, 'joe_events_duplicate_total', {source: 'http'})).toBe(1)
    expect(sampleValue(text, 'joe_events_processed_total')).toBeGreaterThanOrEqual(2)
    expect(sampleValue(text, 'joe_messages_decided_total')).toBe(1)
    expect(sampleValue(text, 'joe_engine_errors_total')).toBe(0)
    expect(sampleValue(text, 'joe_deliveries_total', {channel: 'webhook', status: 'retry'})).toBe(1)
    expect(sampleValue(text, 'joe_delivery_duration_seconds_count', {channel: 'webhook', connector: 'webhook'})).toBe(2)
    expect(sampleValue(text, 'joe_http_request_duration_seconds_count', {route: '/v1/track', status_code: '200'})).toBe(2)
    expect(sampleValue(text, 'joe_http_request_duration_seconds_count', {route: '/v1/track', status_code: '401'})).toBe(1)
    expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    // The store's gauges: every event applied, nothing waiting, nothing dead.
    const settled = await eventually(async () => {
      wall.now += 60_000 // past the gauges' cache, which a scrape before the worker caught up may hold
      const current = await metrics()
      // The delivery is recorded (nothing pending) and its result event applied (no lag).
      const settledNow = sampleValue(current, 'joe_outbox_pending_messages') === 0 && sampleValue(current, 'joe_event_lag_seconds') === 0
      return settledNow ? current : undefined
    }, 'the delivery to be recorded and the worker to apply its result')
    expect(sampleValue(settled, 'joe_store_up')).toBe(1)
    expect(sampleValue(settled, 'joe_outbox_pending_messages')).toBe(0)
    expect(sampleValue(settled, 'joe_outbox_dead_letters')).toBe(0)
    expect(sampleValue(settled, 'joe_due_overdue_customers')).toBe(0)

    expect(await (await fetch(`${serve.url}/healthz`)).json()).toEqual({status: 'ok', env: 'live', role: 'all'})
    const ready = await fetch(`${serve.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ready: true, role: 'all', checks: {store: 'ok', worker: 'ok', delivery: 'ok'}})

    await serve.close()
    const lines = logText
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogLine)
    // One line per request (health checks and scrapes only at debug level), one per delivery attempt.
    if (process.env.SHOW_LOGS) console.log(logText)
    const requests = lines.filter((l) => l.msg === 'request')
    expect(requests.map((l) => [l.method, l.route, l.status])).toEqual([
      ['POST', '/v1/track', 200],
      ['POST', '/v1/track', 200],
      ['POST', '/v1/batch', 200],
      ['POST', '/v1/track', 401],
    ])
    expect(requests[0]).toMatchObject({write_key: 1, accepted: 1, duplicates: 0, ip: '127.0.0.1'})
    expect(requests[1]).toMatchObject({write_key: 1, accepted: 0, duplicates: 1})
    expect(requests.every((l) => typeof l.ms === 'number' && typeof l.reqId === 'string')).toBe(true)
    const deliveries = lines.filter((l) => l.msg === 'delivery')
    expect(deliveries.map((l) => [l.channel, l.status, l.attempt])).toEqual([
      ['webhook', 'retry', 1],
      ['webhook', 'sent', 2],
    ])
    expect(String(deliveries[0]?.error)).toContain('HTTP 503')
    for (const secret of [KEY, Buffer.from(`${KEY}:`).toString('base64'), HOOK_SECRET, HOOK_TOKEN, HEADER_SECRET, 'Basic ', 'Bearer']) {
      expect(logText).not.toContain(secret)
    }
  })

  it("answers on every role's port: an ingest process has no loops to be ready for, and labels its metrics with its role", {
    timeout: 120_000,
  }, async () => {
    live = await backend.create({writeKeys: [KEY]})
    const serve = await serveLive(live, {role: 'ingest'})
    servers.push(serve)
    expect(await (await fetch(`${serve.url}/readyz`)).json()).toEqual({ready: true, role: 'ingest', checks: {store: 'ok'}})
    const text = await (await fetch(`${serve.url}/metrics`)).text()
    expect(sampleValue(text, 'joe_events_received_total', {env: 'live', role: 'ingest', source: 'http'})).toBe(0)
    expect(sampleValue(text, 'joe_store_up', {role: 'ingest'})).toBe(1)
    const worker = await serveLive(live, {role: 'worker'})
    servers.push(worker)
    expect(await (await fetch(`${worker.url}/readyz`)).json()).toEqual({ready: true, role: 'worker', checks: {store: 'ok', worker: 'ok'}})
    expect(
      (await fetch(`${worker.url}/v1/track`, {method: 'POST', body: '{}', headers: {'content-type': 'application/json'}})).status,
    ).toBe(404)
    expect(sampleValue(await (await fetch(`${worker.url}/metrics`)).text(), 'joe_events_processed_total', {role: 'worker'})).toBe(0)
  })
})
