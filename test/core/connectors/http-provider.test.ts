import http from 'node:http'
import type net from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import type {Channel} from '../../../src/core/connectors/connector.js'
import {createConnector} from '../../../src/core/connectors/create-message-connector.js'
import {outcomeOfResponse} from '../../../src/core/connectors/http-outcome.js'
import {connectorDeps, NOW, outboxMessage} from './helpers.js'

interface Received {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

type Reply = (request: Received) => {status: number; headers?: Record<string, string>; body?: string} | 'hang'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

/** A real HTTP server on a free local port that records requests and answers with `reply`. */
async function startServer(reply: Reply): Promise<{url: string; received: Received[]}> {
  const received: Received[] = []
  const hanging: http.ServerResponse[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const request = {method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8')}
      received.push(request)
      const answer = reply(request)
      if (answer === 'hang') {
        hanging.push(res)
        return
      }
      res.writeHead(answer.status, answer.headers ?? {'content-type': 'application/json'})
      res.end(answer.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return {url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, received}
}

async function connector(channel: Channel, options: Record<string, unknown>) {
  const created = await createConnector('http', options, await connectorDeps(channel))
  cleanups.push(() => created.close())
  return created
}

describe('http provider connector (against a real HTTP server)', () => {
  it('twilio-sms preset: a form POST with Basic auth, the rendered SMS, a status callback, and the sid as provider id', async () => {
    const server = await startServer(() => ({status: 201, body: JSON.stringify({sid: 'SM123', status: 'queued'})}))
    const sms = await connector('sms', {
      preset: 'twilio-sms',
      url: `${server.url}/2010-04-01/Accounts/AC1/Messages.json`,
      account_sid: 'AC1',
      auth_token: '${TWILIO_AUTH_TOKEN}',
      from: '+15005550006',
    })
    const message = outboxMessage({channel: 'sms', template: 'cart-sms-1', stepId: 'sms-1'})
    expect(await sms.deliver(message)).toEqual({status: 'sent', providerId: 'SM123', detail: 'HTTP 201'})
    const [request] = server.received as [Received]
    expect(request.method).toBe('POST')
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('AC1:tw-token').toString('base64')}`)
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(request.headers['idempotency-key']).toBe(message.idempotencyKey)
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      To: '+15550001111',
      From: '+15005550006',
      Body: 'Hi Ann, your cart is waiting: SAVE10',
      StatusCallback: `https://joe.example.com/v1/delivery/sms?message_id=${encodeURIComponent(message.idempotencyKey)}`,
    })
  })

  it('json-push preset: the rendered title, body and URL as JSON to the push token', async () => {
    const server = await startServer(() => ({status: 200, body: '{"data":{"id":"push-1"}}'}))
    const push = await connector('push', {
      preset: 'json-push',
      url: `${server.url}/push`,
      headers: {Authorization: 'Bearer ${PUSH_TOKEN}'},
      provider_id: 'data.id',
    })
    const outcome = await push.deliver(outboxMessage({channel: 'push', template: 'nudge'}))
    expect(outcome).toEqual({status: 'sent', providerId: 'push-1', detail: 'HTTP 200'})
    const [request] = server.received as [Received]
    expect(request.headers.authorization).toBe('Bearer push-token')
    expect(JSON.parse(request.body)).toEqual({
      to: 'ExponentPushToken[abc]',
      title: 'Still thinking, Ann?',
      body: 'Your cart misses you',
      data: {url: 'shop://cart', message_id: outboxMessage().idempotencyKey, journey: 'cart'},
    })
  })

  it('json preset with a provider-side template: content is null, the template id goes along', async () => {
    const server = await startServer(() => ({status: 202}))
    const hook = await connector('webhook', {preset: 'json', url: `${server.url}/in`})
    expect(await hook.deliver(outboxMessage({channel: 'webhook', template: 'kept-at-provider', data: {total: 42}}))).toMatchObject({
      status: 'sent',
    })
    expect(JSON.parse(server.received[0]?.body ?? '')).toEqual({
      message_id: outboxMessage().idempotencyKey,
      customer_id: 'c1',
      to: 'c1',
      channel: 'webhook',
      journey: 'cart',
      step: 'email-1',
      template: 'kept-at-provider',
      content: null,
      data: {total: 42},
    })
  })

  it('a body of your own, with PUT', async () => {
    const server = await startServer(() => ({status: 200}))
    const sms = await connector('sms', {
      method: 'PUT',
      url: `${server.url}/send`,
      body: '{"phone": {{ to | json }}, "text": {{ content.text | json }}, "vip": {{ profile.vip | default: false }}}',
    })
    expect(await sms.deliver(outboxMessage({channel: 'sms', template: 'cart-sms-1'}))).toMatchObject({status: 'sent'})
    expect(server.received[0]?.method).toBe('PUT')
    expect(JSON.parse(server.received[0]?.body ?? '')).toEqual({
      phone: '+15550001111',
      text: 'Hi Ann, your cart is waiting: SAVE10',
      vip: false,
    })
  })

  it('retries 429 after Retry-After, 503 and 408; fails other 4xx with the response, and redirects', async () => {
    const replies = [
      {status: 429, headers: {'retry-after': '30'}, body: '{"message":"slow down"}'},
      {status: 503, body: 'maintenance'},
      {status: 408},
      {status: 400, body: '{"code":21211,"message":"The To number is not valid"}'},
      {status: 302, headers: {location: 'https://elsewhere.example/'}},
    ]
    let next = 0
    const server = await startServer(() => replies[next++] as {status: number})
    const sms = await connector('sms', {preset: 'json', url: `${server.url}/x`})
    const outcomes = []
    for (let i = 0; i < replies.length; i++) outcomes.push(await sms.deliver(outboxMessage({channel: 'sms', template: 'cart-sms-1'})))
    const where = `POST ${server.url}/x`
    expect(outcomes).toEqual([
      {status: 'retry', error: `${where}: HTTP 429: {"message":"slow down"}`, retryAfterMs: 30_000},
      {status: 'retry', error: `${where}: HTTP 503: maintenance`},
      {status: 'retry', error: `${where}: HTTP 408`},
      {status: 'failed', error: `${where}: HTTP 400: {"code":21211,"message":"The To number is not valid"}`},
      {status: 'failed', error: `${where}: HTTP 302`},
    ])
  })

  it('never stores a credential the provider echoes in an error', async () => {
    const server = await startServer((request) => ({status: 401, body: `{"error": "bad token ${String(request.headers.authorization)}"}`}))
    const push = await connector('push', {preset: 'json-push', url: `${server.url}/push`, headers: {Authorization: 'Bearer ${PUSH_TOKEN}'}})
    const outcome = await push.deliver(outboxMessage({channel: 'push', template: 'nudge'}))
    expect(outcome).toEqual({status: 'failed', error: `POST ${server.url}/push: HTTP 401: {"error": "bad token ***"}`})
  })

  it('retries when the provider is down, or does not answer within the timeout', async () => {
    const down = await startServer(() => ({status: 200}))
    await cleanups.pop()?.()
    const unreachable = await connector('sms', {preset: 'json', url: `${down.url}/x`})
    expect(await unreachable.deliver(outboxMessage({channel: 'sms', template: 'cart-sms-1'}))).toMatchObject({status: 'retry'})

    const silent = await startServer(() => 'hang')
    const slow = await connector('sms', {preset: 'json', url: `${silent.url}/x`, timeout: '1s'})
    expect(await slow.deliver(outboxMessage({channel: 'sms', template: 'cart-sms-1'}))).toEqual({
      status: 'retry',
      error: `POST ${silent.url}/x: no answer within 1000 ms`,
    })
  })

  it('fails without a request when the body is not JSON, the recipient is missing, or the template does not render', async () => {
    const server = await startServer(() => ({status: 200}))
    const broken = await connector('sms', {url: `${server.url}/x`, body: '{"text": {{ content.text }}}'})
    expect(await broken.deliver(outboxMessage({channel: 'sms', template: 'cart-sms-1'}))).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('`body` did not render valid JSON'),
    })
    const sms = await connector('sms', {preset: 'json', url: `${server.url}/x`})
    expect(await sms.deliver(outboxMessage({channel: 'sms', template: 'cart-sms-1', profile: {first_name: 'Ann'}}))).toEqual({
      status: 'failed',
      error: 'no recipient: `to`: undefined variable: profile.phone',
    })
    expect(await sms.deliver(outboxMessage({channel: 'sms', template: 'cart-sms-1', profile: {phone: '+1'}}))).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('undefined variable: profile.first_name'),
    })
    expect(server.received).toEqual([])
  })

  it('refuses bad options when created, naming the environment and channel', async () => {
    const deps = await connectorDeps('sms')
    await expect(createConnector('http', {preset: 'twilio', url: 'https://x'}, deps)).rejects.toMatchObject({code: 'JOE7001'})
    await expect(createConnector('http', {preset: 'twilio-sms', from: '+1'}, deps)).rejects.toThrow('`account_sid` is missing')
    await expect(createConnector('http', {url: 'ftp://x', body: '{}'}, deps)).rejects.toThrow('is not an http(s) URL')
    await expect(createConnector('http', {url: 'https://x', body: '{{ oops'}, deps)).rejects.toMatchObject({code: 'JOE7001'})
    await expect(
      createConnector('http', {url: 'https://x', headers: {Authorization: 'Bearer ${NOPE}'}, body: '{}'}, deps),
    ).rejects.toMatchObject({
      code: 'JOE1021',
    })
    await expect(createConnector('smtp', {url: 'smtp://x', from: 'a@b.c'}, deps)).rejects.toThrow('delivers email only')
    await expect(createConnector('carrier-pigeon', {}, deps)).rejects.toMatchObject({code: 'JOE7001'})
    const unsigned = {...deps, links: {...deps.links, secrets: []}}
    await expect(createConnector('http', {preset: 'json', url: 'https://x'}, unsigned)).rejects.toThrow('link secret')
  })
})

describe('HTTP outcomes', () => {
  const headers = (h: Record<string, string> = {}) => new Headers(h)
  it('takes the provider id from a dot path of a JSON response, when there is one', () => {
    expect(
      outcomeOfResponse(
        {status: 200, headers: headers(), body: '{"results":[{"id":7}]}'},
        {method: 'POST', where: 'x', now: NOW, providerIdPath: 'results.0.id'},
      ),
    ).toEqual({
      status: 'sent',
      providerId: '7',
      detail: 'HTTP 200',
    })
    expect(
      outcomeOfResponse({status: 200, headers: headers(), body: 'OK'}, {method: 'POST', where: 'x', now: NOW, providerIdPath: 'id'}),
    ).toEqual({status: 'sent', detail: 'HTTP 200'})
  })
})
