import {execa} from 'execa'
import {type ParsedMail, simpleParser} from 'mailparser'
import {SMTPServer} from 'smtp-server'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {idempotencyKeyOf} from '../../src/core/connectors/email-message.js'
import {webhookSignature} from '../../src/core/connectors/webhook.js'
import {BIN, eventually, freePort, postBatch, type ServeProcess, startServe} from '../helpers/serve-process.js'
import {tempProject} from '../helpers/temp-project.js'

// End to end (issue: messages that reach people): a journey's email goes out through `joe serve`
// to a real SMTP server, carries RFC 8058 one-click unsubscribe headers with a signed link, and the
// one-click POST opts the customer out, so the journey's consent suppresses the next email.
const KEY = 'mail-key'
const SECRETS = {JOE_LINK_SECRET: 'link-secret-for-tests', JOE_CALLBACK_SECRET: 'callback-secret-for-tests'}

describe('joe serve delivers email over SMTP, and one-click unsubscribe stops the next one (built CLI)', {timeout: 300_000}, () => {
  let dir: string
  let serve: ServeProcess | undefined
  let smtp: SMTPServer
  const mails: ParsedMail[] = []
  let port: number
  const joe = (args: string[]) => execa('node', [BIN, ...args], {cwd: dir, reject: false, env: {NO_COLOR: '1', ...SECRETS}})

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            mails.push(mail)
            callback()
          })
          .catch(callback)
      },
    })
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
    const smtpPort = (smtp.server.address() as {port: number}).port
    port = await freePort()
    dir = await tempProject({
      'joe.config.yaml': `environments:
  mail:
    store: "sqlite:.joe/mail.db"
    clock: manual
    write_keys: ["${KEY}"]
    public_url: "http://127.0.0.1:${port}"
    link_secret: "\${JOE_LINK_SECRET}"
    channels:
      email:
        connector: smtp
        url: "smtp://127.0.0.1:${smtpPort}"
        from: "Shop <hello@shop.example>"
        tls: { starttls: never }
        events: { format: joe, secret: "\${JOE_CALLBACK_SECRET}" }
`,
      'journeys/cart.journey.yaml': `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
reentry: always
settings:
  consent: "!(has(profile.opt_outs) && channel in profile.opt_outs)"
steps:
  - { id: wait-1h, wait: 1h }
  - { id: email-1, send: { channel: email, template: cart-reminder-1, data: { value: "event.properties.cart_value" } } }
`,
      'templates/email/cart-reminder-1.liquid': `---
subject: "{{ profile.first_name | default: 'Hi' }}, you left something behind"
---
<p>Your cart ({{ data.value }} €) is waiting.</p>
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
`,
    })
    const validated = await joe(['validate'])
    expect(validated.exitCode, validated.stdout + validated.stderr).toBe(0)
    const deployed = await joe(['deploy', '--env', 'mail', '--yes'])
    expect(deployed.exitCode, deployed.stderr).toBe(0)
    serve = await startServe(dir, 'mail', SECRETS, ['--port', String(port), '--log-level', 'warn'])
  })

  afterAll(async () => {
    await serve?.stop()
    await new Promise((resolve) => smtp.close(() => resolve(undefined)))
  })

  const send = async (batch: object[]) => {
    expect(await postBatch(serve?.url as string, KEY, batch)).toBe(200)
  }

  it('sends the email, unsubscribes on the one-click POST, and suppresses the next send', async () => {
    await send([
      {type: 'identify', userId: 'ann', traits: {email: 'ann@example.com', first_name: 'Ann'}, timestamp: '2026-03-02T10:00:00Z'},
      {type: 'track', userId: 'ann', event: 'cart_updated', properties: {cart_value: 80}, timestamp: '2026-03-02T10:00:00Z'},
    ])
    expect((await joe(['clock', '--env', 'mail', 'advance', '61m'])).exitCode).toBe(0)
    const mail = await eventually(() => mails[0], 'the email')
    expect(mail.subject).toBe('Ann, you left something behind')
    expect(mail.to).toMatchObject({text: 'ann@example.com'})
    expect(mail.html).toContain('80 €')
    const header = (name: string) =>
      mail.headerLines
        .find((l) => l.key === name)
        ?.line.slice(name.length + 1)
        .trim()
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')
    const link = /<(http:\/\/[^>]+)>/.exec(header('list-unsubscribe') ?? '')?.[1]
    expect(link).toContain(`http://127.0.0.1:${port}/v1/unsubscribe/`)
    // A mail client's one-click unsubscribe (RFC 8058).
    const clicked = await fetch(link as string, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: 'List-Unsubscribe=One-Click',
    })
    expect(clicked.status).toBe(200)
    // A forged link is refused and records nothing.
    expect((await fetch(`${link}x`, {method: 'POST', body: 'List-Unsubscribe=One-Click'})).status).toBe(400)
    await eventually(async () => {
      const result = JSON.parse((await joe(['inspect', '--env', 'mail', 'ann', '--json'])).stdout)
      return Array.isArray(result.profile.opt_outs) && result.profile.opt_outs.includes('email') ? true : undefined
    }, 'the opt-out')
    // The next cart: the journey runs, and consent suppresses the email.
    await send([{type: 'track', userId: 'ann', event: 'cart_updated', properties: {cart_value: 90}, timestamp: '2026-03-02T12:00:00Z'}])
    expect((await joe(['clock', '--env', 'mail', 'advance', '2h'])).exitCode).toBe(0)
    const inspected = await eventually(async () => {
      const result = JSON.parse((await joe(['inspect', '--env', 'mail', 'ann', '--json'])).stdout)
      return result.trace.some((l: {kind: string}) => l.kind === 'suppressed') ? result : undefined
    }, 'the suppressed send')
    expect(inspected.trace.map((l: {kind: string; detail: string}) => l.kind)).toEqual(expect.arrayContaining(['suppressed']))
    expect(inspected.trace.find((l: {kind: string}) => l.kind === 'suppressed').detail).toContain('consent did not hold')
    expect(mails).toHaveLength(1)
  })

  it("records the provider's delivery events (joe's signed callback) in the customer's log, and refuses a forged one", async () => {
    const mail = await eventually(() => mails[0], 'the email of the first test')
    const key = idempotencyKeyOf(mail.messageId as string) as string
    expect(key).toBeTruthy()
    const body = JSON.stringify({
      events: [
        {type: 'delivered', message_id: key, timestamp: '2026-03-02T11:01:05Z'},
        {type: 'opened', message_id: key, timestamp: '2026-03-02T11:30:00Z'},
        {type: 'clicked', message_id: 'not-a-message-of-ours'},
      ],
    })
    const post = (signature: string) =>
      fetch(`${serve?.url}/v1/delivery/email`, {
        method: 'POST',
        headers: {'content-type': 'application/json', 'joe-signature': signature},
        body,
      })
    const now = Math.floor(Date.now() / 1000)
    const forged = await post(webhookSignature('not-the-secret', now, body))
    expect(forged.status).toBe(401)
    const accepted = await post(webhookSignature(SECRETS.JOE_CALLBACK_SECRET, now, body))
    expect(accepted.status).toBe(200)
    expect(await accepted.json()).toEqual({success: true, recorded: 2, unknown_messages: 1, ignored: 0})
    const exported = await joe(['events', 'export', '--env', 'mail'])
    expect(exported.exitCode, exported.stderr).toBe(0)
    const feedback = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((e) => String(e.type ?? e.event).startsWith('message_'))
    // message_sent (joe's own record) and the provider's events name the message the same way.
    expect(feedback.map((e) => [e.type ?? e.event, e.properties.message_id, e.properties.channel])).toEqual([
      ['message_sent', key, 'email'],
      ['message_delivered', key, 'email'],
      ['message_opened', key, 'email'],
    ])
  })
})
