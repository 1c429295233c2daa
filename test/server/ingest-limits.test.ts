import {request as httpRequest} from 'node:http'
import {connect, type Socket} from 'node:net'
import {Readable} from 'node:stream'
import {createGzip, gzipSync} from 'node:zlib'
import type {FastifyInstance} from 'fastify'
import {afterEach, describe, expect, it} from 'vitest'
import type {IngestSettings} from '../../src/core/project/config.js'
import type {NewEvent} from '../../src/core/store/store-types.js'
import {buildServer} from '../../src/server/app.js'
import {createServeMetrics, type ServeMetrics} from '../../src/server/metrics.js'
import {sampleValue} from '../helpers/metrics.js'

// The HTTP surface of `joe serve` in process, with a stub store: rate limits on an injected clock,
// body limits before parsing and decoding, and slow clients cut off.
const KEYS = ['key-one', 'key-two']
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`
const track = (i: number) => ({type: 'track', userId: `u${i}`, event: 'e', timestamp: '2026-03-02T10:00:00Z'})
const batch = (n: number) => JSON.stringify({batch: Array.from({length: n}, (_, i) => track(i))})

interface Running {
  app: FastifyInstance
  port: number
  stored: NewEvent[][]
  metrics: ServeMetrics
  clock: {now: number}
}

let running: Running | undefined
afterEach(async () => {
  await running?.app.close()
  running = undefined
})

async function start(limits: IngestSettings = {}): Promise<Running> {
  const clock = {now: Date.UTC(2026, 2, 2, 10)}
  const stored: NewEvent[][] = []
  const metrics = createServeMetrics({env: 'test', role: 'ingest', channels: [], now: () => clock.now, processMetrics: false})
  const app = buildServer({
    ingest: async (events) => {
      stored.push(events)
      return {accepted: events.length, duplicates: 0}
    },
    role: 'ingest',
    writeKeys: KEYS,
    wall: () => clock.now,
    health: () => ({status: 'ok'}),
    ready: async () => ({ready: true, role: 'ingest', checks: {}}),
    logger: false,
    limits,
    metrics,
  })
  await app.listen({host: '127.0.0.1', port: 0})
  const address = app.server.address()
  running = {app, port: typeof address === 'object' && address !== null ? address.port : 0, stored, metrics, clock}
  return running
}

/** A raw TCP connection to the server: what it answered, and a promise that resolves when the server closes it. */
function raw(port: number): {socket: Socket; answer(): string; closed: Promise<void>} {
  const socket = connect(port, '127.0.0.1')
  let text = ''
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString()
  })
  socket.on('error', () => undefined)
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  return {socket, answer: () => text, closed}
}

/** Posts an endless body (no Content-Length) and resolves with the status the server answers before it ends. */
function postEndless(port: number, body: Readable, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({host: '127.0.0.1', port, method: 'POST', path: '/v1/batch', headers})
    request.on('response', (response) => {
      resolve(response.statusCode ?? 0)
      response.resume()
      request.destroy()
      body.destroy()
    })
    request.on('error', (error) => reject(error))
    body.pipe(request)
  })
}

/** `{"batch":[` and then track calls, forever. */
function endlessJson(): Readable {
  let started = false
  return new Readable({
    read() {
      const calls = Array.from({length: 200}, (_, i) => `${JSON.stringify(track(i))},`).join('')
      this.push(started ? calls : `{"batch":[${calls}`)
      started = true
    },
  })
}

const metricValue = async (metrics: ServeMetrics, name: string, labels: Record<string, string> = {}) =>
  sampleValue(await metrics.render(), name, labels)

describe('ingest rate limits', {timeout: 60_000}, () => {
  it('answers 429 with Retry-After once a write key has spent its bucket, refills on the clock, and keeps keys apart', async () => {
    const {app, stored, clock, metrics} = await start({rateLimit: {eventsPerSecond: 10, burst: 20}})
    const post = (body: string, key = KEYS[0] as string) =>
      app.inject({
        method: 'POST',
        url: '/v1/batch',
        payload: body,
        headers: {'content-type': 'application/json', authorization: basic(key)},
      })
    expect((await post(batch(15))).statusCode).toBe(200)
    const refused = await post(batch(10))
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['retry-after']).toBe('1')
    expect(refused.json()).toMatchObject({success: false, error: {code: 'rate_limited'}})
    expect(refused.json().error.message).toContain('10 events/s')
    // The other key has its own bucket.
    expect((await post(batch(20), KEYS[1])).statusCode).toBe(200)
    // Half a second later, 5 tokens are back: 10 events pass, an 11th does not.
    clock.now += 500
    expect((await post(batch(10))).statusCode).toBe(200)
    const again = await post(batch(1))
    expect(again.statusCode).toBe(429)
    expect(again.headers['retry-after']).toBe('1')
    // After a long quiet spell the bucket is full (20), never more.
    clock.now += 60_000
    expect((await post(batch(20))).statusCode).toBe(200)
    expect((await post(batch(1))).statusCode).toBe(429)
    expect(stored.map((events) => events.length)).toEqual([15, 20, 10, 20])
    expect(await metricValue(metrics, 'joe_ingest_rate_limited_total')).toBe(3)
    expect(await metricValue(metrics, 'joe_events_received_total', {source: 'http', env: 'test', role: 'ingest'})).toBe(65)
  })

  it('limits a write key sent in the body as one sent by Basic auth', async () => {
    const {app, clock} = await start({rateLimit: {eventsPerSecond: 1, burst: 2}})
    const post = (n: number) =>
      app.inject({
        method: 'POST',
        url: '/v1/batch',
        payload: JSON.stringify({writeKey: KEYS[1], batch: JSON.parse(batch(n)).batch}),
        headers: {'content-type': 'application/json'},
      })
    expect((await post(2)).statusCode).toBe(200)
    const refused = await post(2)
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['retry-after']).toBe('2')
    clock.now += 2_000
    expect((await post(2)).statusCode).toBe(200)
  })

  it('refuses a drained key before reading its body', async () => {
    const {app, port, stored} = await start({rateLimit: {eventsPerSecond: 1, burst: 1}})
    const headers = {'content-type': 'application/json', authorization: basic(KEYS[0] as string)}
    expect((await app.inject({method: 'POST', url: '/v1/track', payload: JSON.stringify(track(1)), headers})).statusCode).toBe(200)
    // Not even valid JSON: the 429 comes before parsing.
    const broken = await app.inject({method: 'POST', url: '/v1/track', payload: '{"userId":', headers})
    expect(broken.statusCode).toBe(429)
    // Headers only, the announced body never sent: the answer comes anyway.
    const connection = raw(port)
    connection.socket.write(
      `POST /v1/track HTTP/1.1\r\nHost: joe\r\nAuthorization: ${headers.authorization}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
    )
    await expect.poll(() => connection.answer(), {timeout: 30_000}).toMatch(/^HTTP\/1\.1 429 .*\r\n(?:.*\r\n)*retry-after: 1\r\n/i)
    connection.socket.destroy()
    expect(stored).toHaveLength(1)
  })

  it('refuses an unknown key sent by Basic auth before reading the body, and checks a key in the body after', async () => {
    const {app, stored} = await start({rateLimit: {eventsPerSecond: 1, burst: 1}})
    const broken = '{"userId":'
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/track',
      payload: broken,
      headers: {'content-type': 'application/json', authorization: basic('not-a-key')},
    })
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json()).toMatchObject({error: {code: 'unauthorized'}})
    // Without the header the key can only be in the body, so the body is read: a broken one is 400.
    expect(
      (await app.inject({method: 'POST', url: '/v1/track', payload: broken, headers: {'content-type': 'application/json'}})).statusCode,
    ).toBe(400)
    expect(stored).toEqual([])
  })

  it('does not limit when the environment sets no rate limit', async () => {
    const {app} = await start()
    for (let i = 0; i < 5; i++) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/batch',
        payload: batch(400),
        headers: {'content-type': 'application/json', authorization: basic(KEYS[0] as string)},
      })
      expect(response.statusCode).toBe(200)
    }
  })
})

describe('ingest bodies', {timeout: 60_000}, () => {
  it('are JSON whatever their Content-Type says (RudderStack sends gzip JSON as application/x-www-form-urlencoded)', async () => {
    const {app, stored} = await start()
    const body = gzipSync(batch(2))
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream', undefined]) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/batch',
        payload: body,
        headers: {
          'content-encoding': 'gzip',
          authorization: basic(KEYS[0] as string),
          ...(type === undefined ? {} : {'content-type': type}),
        },
      })
      expect(response.statusCode, `${type}: ${response.body}`).toBe(200)
    }
    expect(stored.map((events) => events.length)).toEqual([2, 2, 2, 2])
    const poisoned = await app.inject({
      method: 'POST',
      url: '/v1/track',
      payload: '{"userId":"u","event":"e","__proto__":{"admin":true}}',
      headers: {'content-type': 'text/plain', authorization: basic(KEYS[0] as string)},
    })
    expect(poisoned.statusCode).toBe(400)
  })
})

describe('ingest body limits', {timeout: 60_000}, () => {
  it('refuses a body announced larger than 500 KB from its headers, before any of it is read', async () => {
    const {port, stored} = await start()
    const connection = raw(port)
    connection.socket.write(
      `POST /v1/batch HTTP/1.1\r\nHost: joe\r\nAuthorization: ${basic(KEYS[0] as string)}\r\nContent-Type: application/json\r\nContent-Length: 600000\r\n\r\n`,
    )
    await expect.poll(() => connection.answer(), {timeout: 30_000}).toMatch(/^HTTP\/1\.1 413 /)
    expect(connection.answer()).toContain('"body_too_large"')
    connection.socket.destroy()
    expect(stored).toEqual([])
  })

  it('stops reading an endless plain body at the limit and answers 413 (it would never answer had it read on)', async () => {
    const {port, stored} = await start()
    const status = await postEndless(port, endlessJson(), {'content-type': 'application/json', authorization: basic(KEYS[0] as string)})
    expect(status).toBe(413)
    expect(stored).toEqual([])
  })

  it('stops decompressing an endless gzip body at the limit and answers 413', async () => {
    const {port, stored} = await start()
    const status = await postEndless(port, endlessJson().pipe(createGzip()) as unknown as Readable, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      authorization: basic(KEYS[0] as string),
    })
    expect(status).toBe(413)
    expect(stored).toEqual([])
  })
})

describe('slow clients', {timeout: 120_000}, () => {
  it('closes a connection that sends its headers and then nothing (idle timeout)', async () => {
    const {port, stored, metrics} = await start({idleTimeoutMs: 1_000, requestTimeoutMs: 600_000})
    const connection = raw(port)
    connection.socket.write(
      `POST /v1/track HTTP/1.1\r\nHost: joe\r\nAuthorization: ${basic(KEYS[0] as string)}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"userId":`,
    )
    await connection.closed
    expect(stored).toEqual([])
    // A connection that never finishes its headers is closed the same way.
    const half = raw(port)
    half.socket.write('POST /v1/track HTTP/1.1\r\nHost: joe\r\n')
    await half.closed
    expect(await metricValue(metrics, 'joe_http_request_duration_seconds_count')).toBeUndefined()
  })

  it('answers 408 and closes a connection that sends its body too slowly (request timeout), however steadily', async () => {
    const {port, stored, metrics} = await start({requestTimeoutMs: 1_000, idleTimeoutMs: 600_000})
    const connection = raw(port)
    connection.socket.write(
      `POST /v1/batch HTTP/1.1\r\nHost: joe\r\nAuthorization: ${basic(KEYS[0] as string)}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"batch":[`,
    )
    // A byte every 50 ms: never idle, never done.
    const drip = setInterval(() => {
      if (!connection.socket.destroyed) connection.socket.write(' ')
    }, 50)
    try {
      await connection.closed
    } finally {
      clearInterval(drip)
    }
    expect(connection.answer()).toMatch(/^HTTP\/1\.1 408 /)
    expect(stored).toEqual([])
    expect(await metricValue(metrics, 'joe_http_clients_cut_off_total', {reason: 'timeout'})).toBe(1)
  })

  it('closes a kept-alive connection once it has been idle for the idle timeout', async () => {
    const {port, stored} = await start({idleTimeoutMs: 1_000, requestTimeoutMs: 600_000})
    const connection = raw(port)
    const body = JSON.stringify(track(1))
    connection.socket.write(
      `POST /v1/track HTTP/1.1\r\nHost: joe\r\nConnection: keep-alive\r\nAuthorization: ${basic(KEYS[0] as string)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
    await connection.closed
    expect(connection.answer()).toMatch(/^HTTP\/1\.1 200 /)
    expect(stored).toHaveLength(1)
  })
})
