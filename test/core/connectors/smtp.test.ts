import net from 'node:net'
import {type ParsedMail, simpleParser} from 'mailparser'
import {SMTPServer, type SMTPServerOptions} from 'smtp-server'
import {afterEach, describe, expect, it} from 'vitest'
import type {Connector} from '../../../src/core/connectors/connector.js'
import {createConnector} from '../../../src/core/connectors/create-message-connector.js'
import {messageIdFor} from '../../../src/core/connectors/email-message.js'
import {verifyLinkToken} from '../../../src/core/templates/link-tokens.js'
import {connectorDeps, outboxMessage} from './helpers.js'

/** A real SMTP server on a free local port, keeping what it receives. */
interface TestServer {
  port: number
  received: Array<{mail: ParsedMail; secure: boolean; user: unknown; rcpt: string[]}>
  /** Connections open at once, at most. */
  peakConnections: number
  connections: number
  close(): Promise<void>
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function startServer(options: SMTPServerOptions = {}): Promise<TestServer> {
  const state = {received: [] as TestServer['received'], peakConnections: 0, connections: 0}
  const server = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    onConnect(_session, callback) {
      state.connections++
      state.peakConnections = Math.max(state.peakConnections, state.connections)
      callback()
    },
    onClose() {
      state.connections--
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          state.received.push({mail, secure: session.secure, user: session.user, rcpt: session.envelope.rcptTo.map((r) => r.address)})
          callback()
        },
        (error: Error) => callback(error),
      )
    },
    ...options,
  })
  // A client that gives up mid-handshake (a refused certificate) is an 'error' the server reports; the test checks the client.
  server.on('error', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as net.AddressInfo).port
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  cleanups.push(close)
  return {
    port,
    get received() {
      return state.received
    },
    get peakConnections() {
      return state.peakConnections
    },
    get connections() {
      return state.connections
    },
    close,
  }
}

async function smtp(options: Record<string, unknown>): Promise<Connector> {
  const connector = await createConnector('smtp', options, await connectorDeps('email'))
  cleanups.push(() => connector.close())
  return connector
}

const TLS_FOR_TESTS = {reject_unauthorized: false}

describe('smtp connector (against a real SMTP server)', () => {
  it('delivers over STARTTLS with AUTH: rendered parts, Message-ID from the idempotency key, one-click List-Unsubscribe', async () => {
    const server = await startServer({
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'joe' && auth.password === 'p@ss word') callback(null, {user: auth.username})
        else callback(Object.assign(new Error('bad credentials'), {responseCode: 535}))
      },
    })
    const connector = await smtp({
      url: `smtp://joe:\${SMTP_PASSWORD}@127.0.0.1:${server.port}`,
      from: 'Shop <hello@shop.example>',
      reply_to: 'care@shop.example',
      unsubscribe_mailto: 'unsubscribe@shop.example',
      tls: {...TLS_FOR_TESTS, starttls: 'required'},
    })
    const message = outboxMessage()
    const outcome = await connector.deliver(message)
    expect(outcome).toMatchObject({status: 'sent', providerId: messageIdFor(message.idempotencyKey, 'shop.example')})
    expect(server.received).toHaveLength(1)
    const [{mail, secure, user, rcpt}] = server.received as [TestServer['received'][number]]
    expect({secure, user, rcpt}).toEqual({secure: true, user: 'joe', rcpt: ['ann@example.com']})
    expect(mail.subject).toBe('Your cart is waiting, Ann')
    expect(mail.from?.text).toBe('"Shop" <hello@shop.example>')
    expect(mail.replyTo?.text).toBe('care@shop.example')
    expect(mail.messageId).toBe(messageIdFor(message.idempotencyKey, 'shop.example'))
    expect(mail.html).toContain('use <b>SAVE10</b>')
    expect(mail.text).toContain('Hi Ann, use SAVE10.')
    const header = (key: string) => mail.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n\s+/g, ' ')
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
    const list =
      /^List-Unsubscribe: <(https:\/\/joe\.example\.com\/v1\/unsubscribe\/([^>]+))>, <mailto:unsubscribe@shop\.example\?subject=unsubscribe>$/.exec(
        header('list-unsubscribe') ?? '',
      )
    expect(list).not.toBeNull()
    expect(mail.html).toContain(`href="${list?.[1]}"`)
    expect(verifyLinkToken(list?.[2] as string, {secrets: ['s3cret'], env: 'dev', purpose: 'unsubscribe'})).toEqual({
      ok: true,
      claims: {
        purpose: 'unsubscribe',
        env: 'dev',
        customerId: 'c1',
        channel: 'email',
        messageId: message.idempotencyKey,
        journeyId: 'cart',
        template: 'cart-reminder-1',
      },
    })
  })

  it('delivers over implicit TLS (smtps://)', async () => {
    const server = await startServer({secure: true})
    const connector = await smtp({url: `smtps://127.0.0.1:${server.port}`, from: 'Shop <hello@shop.example>', tls: TLS_FOR_TESTS})
    expect(await connector.deliver(outboxMessage())).toMatchObject({status: 'sent'})
    expect(server.received.map((r) => r.secure)).toEqual([true])
  })

  it('refuses a server whose certificate it cannot verify, as a transient failure', async () => {
    const server = await startServer({secure: true})
    const connector = await smtp({url: `smtps://127.0.0.1:${server.port}`, from: 'Shop <hello@shop.example>'})
    const outcome = await connector.deliver(outboxMessage())
    expect(outcome.status).toBe('retry')
    expect(server.received).toEqual([])
  })

  it('leaves List-Unsubscribe off transactional email and keeps its own From', async () => {
    const server = await startServer({hideSTARTTLS: true})
    const connector = await smtp({url: `smtp://127.0.0.1:${server.port}`, from: 'Shop <hello@shop.example>', tls: {starttls: 'never'}})
    expect(await connector.deliver(outboxMessage({template: 'receipt'}))).toMatchObject({status: 'sent'})
    const mail = server.received[0]?.mail as ParsedMail
    expect(mail.headerLines.map((h) => h.key)).not.toContain('list-unsubscribe')
    expect(mail.from?.text).toBe('"Billing" <billing@shop.example>')
    expect(server.received[0]?.secure).toBe(false)
  })

  it('maps SMTP replies: 5xx is permanent, 4xx is retried', async () => {
    const server = await startServer({
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('gone')) callback(Object.assign(new Error('no such user'), {responseCode: 550}))
        else if (address.address.startsWith('busy')) callback(Object.assign(new Error('mailbox busy, try later'), {responseCode: 451}))
        else callback()
      },
    })
    const connector = await smtp({url: `smtp://127.0.0.1:${server.port}`, from: 'Shop <hello@shop.example>', tls: TLS_FOR_TESTS})
    const gone = await connector.deliver(outboxMessage({profile: {first_name: 'A', email: 'gone@example.com'}}))
    const busy = await connector.deliver(outboxMessage({profile: {first_name: 'A', email: 'busy@example.com'}}))
    expect(gone).toMatchObject({status: 'failed', error: expect.stringContaining('550')})
    expect(busy).toMatchObject({status: 'retry', error: expect.stringContaining('451')})
  })

  it('fails a rejected login for good, and never shows the password', async () => {
    const server = await startServer({
      authOptional: false,
      onAuth(_auth, _session, callback) {
        callback(Object.assign(new Error('authentication failed'), {responseCode: 535}))
      },
    })
    const connector = await smtp({
      url: `smtp://joe:\${SMTP_PASSWORD}@127.0.0.1:${server.port}`,
      from: 'Shop <hello@shop.example>',
      tls: TLS_FOR_TESTS,
    })
    const outcome = await connector.deliver(outboxMessage())
    expect(outcome.status).toBe('failed')
    expect(JSON.stringify(outcome)).not.toContain('p@ss')
    expect(JSON.stringify(outcome)).toContain('smtp://joe:***@127.0.0.1')
  })

  it('retries when the server is down or never greets', async () => {
    const closed = await startServer()
    await closed.close()
    const down = await smtp({url: `smtp://127.0.0.1:${closed.port}`, from: 'Shop <hello@shop.example>'})
    expect(await down.deliver(outboxMessage())).toMatchObject({status: 'retry'})

    const silent = net.createServer(() => {
      // Accepts and says nothing: the greeting timeout must end the attempt.
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => silent.close(() => resolve())))
    const port = (silent.address() as net.AddressInfo).port
    const mute = await smtp({url: `smtp://127.0.0.1:${port}`, from: 'Shop <hello@shop.example>', timeouts: {greeting: '1s'}})
    const outcome = await mute.deliver(outboxMessage())
    expect(outcome).toMatchObject({status: 'retry', error: expect.stringMatching(/greeting/i)})
    silent.unref()
  })

  it('fails without connecting when the template does not render or the customer has no address', async () => {
    const server = await startServer()
    const connector = await smtp({url: `smtp://127.0.0.1:${server.port}`, from: 'Shop <hello@shop.example>', tls: TLS_FOR_TESTS})
    expect(await connector.deliver(outboxMessage({template: 'needs-vip'}))).toEqual({
      status: 'failed',
      error: 'email template "needs-vip": undefined variable: profile.vip_code (templates/email/needs-vip.liquid:4:4)',
    })
    expect(await connector.deliver(outboxMessage({profile: {first_name: 'Ann'}}))).toMatchObject({
      status: 'failed',
      error: 'no recipient: `to`: undefined variable: profile.email',
    })
    expect(await connector.deliver(outboxMessage({template: 'not-a-file'}))).toMatchObject({status: 'failed'})
    expect(server.received).toEqual([])
  })

  it('shares a pool of at most max_connections connections between concurrent deliveries', async () => {
    const server = await startServer()
    const connector = await smtp({
      url: `smtp://127.0.0.1:${server.port}`,
      from: 'Shop <hello@shop.example>',
      tls: TLS_FOR_TESTS,
      pool: {max_connections: 2, max_messages: 50},
    })
    const outcomes = await Promise.all(
      Array.from({length: 12}, (_, i) =>
        connector.deliver(outboxMessage({idempotencyKey: `k-${i}`, profile: {first_name: `N${i}`, email: `n${i}@example.com`}})),
      ),
    )
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true)
    expect(server.received).toHaveLength(12)
    expect(new Set(server.received.map((r) => r.mail.messageId)).size).toBe(12)
    expect(server.peakConnections).toBeLessThanOrEqual(2)
  })

  it('retries a message whose delivery was aborted by shutdown before it went out', async () => {
    const server = await startServer()
    const connector = await smtp({url: `smtp://127.0.0.1:${server.port}`, from: 'Shop <hello@shop.example>', tls: TLS_FOR_TESTS})
    const outcome = await connector.deliver(outboxMessage(), AbortSignal.abort())
    expect(outcome.status).toBe('retry')
    expect(server.received).toEqual([])
  })
})
