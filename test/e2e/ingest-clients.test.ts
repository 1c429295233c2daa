import RudderAnalytics from '@rudderstack/rudder-sdk-node'
import {Analytics as SegmentAnalytics} from '@segment/analytics-node'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {sampleValue} from '../helpers/metrics.js'
import {BIN, eventually, type ServeProcess, startServe, startWebhook} from '../helpers/serve-process.js'
import {tempProject} from '../helpers/temp-project.js'

// End-to-end: the two server-side clients people point at joe, each sending as it does by default
// (RudderStack gzips its batches), to the built `joe serve`: their events arrive, are processed, and
// a journey sends. Then a write key over its rate limit gets 429 with Retry-After, and /metrics and
// the logs tell what happened, without a single secret.
const SEGMENT_KEY = 'seg-key-3b1f'
const RUDDER_KEY = 'rud-key-8c2e'
const LIMITED_KEY = 'lim-key-6d0a'

interface LogLine {
  msg: string
  [key: string]: unknown
}

describe('joe serve (built CLI) with @segment/analytics-node and @rudderstack/rudder-sdk-node', {timeout: 300_000}, () => {
  let dir: string
  let serve: ServeProcess
  let hook: Awaited<ReturnType<typeof startWebhook>>
  const vars = {SEGMENT_KEY, RUDDER_KEY, LIMITED_KEY}

  beforeAll(async () => {
    hook = await startWebhook()
    dir = await tempProject({
      'joe.config.yaml': `environments:
  live:
    store: "sqlite:.joe/live.db"
    write_keys: ["\${SEGMENT_KEY}", "\${RUDDER_KEY}", "\${LIMITED_KEY}"]
    ingest:
      # One event every 1000 s after a burst of 50: the limited key's 429 does not depend on timing.
      rate_limit: { events_per_second: 0.001, burst: 50 }
    channels:
      webhook: { connector: webhook, url: "${hook.url}" }
`,
      'journeys/welcome.journey.yaml': `version: 1
id: welcome
name: Welcome
entry: { event: signed_up }
steps:
  - { id: hello, send: { channel: webhook, template: hello, data: { sdk: "event.properties.sdk" } } }
`,
    })
    const deployed = await execa('node', [BIN, 'deploy', '--env', 'live', '--yes'], {cwd: dir, reject: false, env: vars})
    expect(deployed.exitCode, deployed.stderr).toBe(0)
    serve = await startServe(dir, 'live', vars)
  })

  afterAll(async () => {
    await serve?.stop()
    await hook?.close()
  })

  it('takes events from both clients, processes them, and runs the journey for each', async () => {
    const segment = new SegmentAnalytics({writeKey: SEGMENT_KEY, host: serve.url, flushAt: 2, maxRetries: 1})
    segment.identify({userId: 'seg-1', traits: {email: 'seg-1@example.com'}})
    segment.track({userId: 'seg-1', event: 'signed_up', properties: {sdk: 'segment'}})
    await segment.closeAndFlush()

    const rudder = new RudderAnalytics(RUDDER_KEY, {dataPlaneUrl: serve.url, flushAt: 10, logLevel: 'error', retryCount: 1})
    rudder.identify({userId: 'rud-1', traits: {email: 'rud-1@example.com'}})
    rudder.track({userId: 'rud-1', event: 'signed_up', properties: {sdk: 'rudderstack'}})
    await rudder.flush()

    await eventually(() => (hook.received.length >= 2 ? true : undefined), 'both webhook calls')
    const calls = hook.received.map((call) => JSON.parse(call.body))
    expect(calls.map((c) => [c.customer_id, c.data.sdk, c.profile.email]).sort()).toEqual([
      ['rud-1', 'rudderstack', 'rud-1@example.com'],
      ['seg-1', 'segment', 'seg-1@example.com'],
    ])
    const text = await eventually(async () => {
      const current = await (await fetch(`${serve.url}/metrics`)).text()
      return sampleValue(current, 'joe_deliveries_total', {channel: 'webhook', status: 'sent'}) === 2 ? current : undefined
    }, 'the deliveries to be counted')
    expect(sampleValue(text, 'joe_events_received_total', {env: 'live', role: 'all', source: 'http'})).toBe(4)
    expect(sampleValue(text, 'joe_events_processed_total')).toBeGreaterThanOrEqual(4)
    expect(sampleValue(text, 'joe_engine_errors_total')).toBe(0)
  })

  it('answers 429 with Retry-After to a key over its rate limit, and logs requests without secrets', async () => {
    const post = (count: number) =>
      fetch(`${serve.url}/v1/batch`, {
        method: 'POST',
        body: JSON.stringify({
          batch: Array.from({length: count}, (_, i) => ({type: 'track', userId: `lim-${i}`, event: 'browsed'})),
        }),
        headers: {'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${LIMITED_KEY}:`).toString('base64')}`},
      })
    expect((await post(50)).status).toBe(200)
    const refused = await post(1)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1000')
    expect(await refused.json()).toMatchObject({success: false, error: {code: 'rate_limited'}})
    // The other keys have buckets of their own.
    const segment = new SegmentAnalytics({writeKey: SEGMENT_KEY, host: serve.url, flushAt: 1, maxRetries: 1})
    segment.track({userId: 'seg-2', event: 'browsed'})
    await segment.closeAndFlush()
    const text = await (await fetch(`${serve.url}/metrics`)).text()
    expect(sampleValue(text, 'joe_ingest_rate_limited_total')).toBe(1)
    expect(sampleValue(text, 'joe_events_received_total', {source: 'http'})).toBe(55)

    expect(await serve.stop('SIGTERM')).toBe(0)
    const lines = serve
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine)
    const requests = lines.filter((l) => l.msg === 'request')
    // RudderStack's batch came gzipped; Segment's did not.
    const byKey = (key: number) =>
      requests.filter((l) => l.write_key === key).map((l) => `${l.route} ${l.status} ${l.encoding ?? 'identity'}`)
    expect(byKey(2).length).toBeGreaterThan(0)
    expect(new Set(byKey(2))).toEqual(new Set(['/v1/batch 200 gzip']))
    expect(new Set(byKey(1))).toEqual(new Set(['/v1/batch 200 identity']))
    expect(requests.filter((l) => l.write_key === 3).map((l) => l.status)).toEqual([200, 429])
    expect(lines.filter((l) => l.msg === 'delivery').map((l) => l.status)).toEqual(['sent', 'sent'])
    for (const key of Object.values(vars)) {
      expect(serve.stderr()).not.toContain(key)
      expect(serve.stderr()).not.toContain(Buffer.from(`${key}:`).toString('base64'))
    }
  })
})
