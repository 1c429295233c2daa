import {generateKeyPairSync, sign} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {deliveryCallbackSettings} from '../../../src/core/connectors/create-message-connector.js'
import {messageIdFor} from '../../../src/core/connectors/email-message.js'
import {type DeliveryReport, feedbackOf, optOutTraits, type ReportedMessage} from '../../../src/core/connectors/feedback/delivery-events.js'
import {parseDeliveryCallback, twilioSignature} from '../../../src/core/connectors/feedback/provider-callbacks.js'
import {isOneClickBody, unsubscribeFromLink, unsubscribePage} from '../../../src/core/connectors/feedback/unsubscribe.js'
import {webhookSignature} from '../../../src/core/connectors/webhook.js'
import {messageLinks, UNSUBSCRIBE_PATH} from '../../../src/core/templates/link-tokens.js'

const NOW = Date.UTC(2026, 2, 2, 12)
const MESSAGE: ReportedMessage = {
  idempotencyKey: 'cart:r1:c1:0:email-1:1772449200000',
  customerId: 'c1',
  journeyId: 'cart',
  stepId: 'email-1',
  channel: 'email',
  template: 'cart-reminder-1',
}

describe('delivery feedback', () => {
  it('turns a report into an event of the customer, with the message in its properties', () => {
    const report: DeliveryReport = {
      type: 'message_clicked',
      provider: 'sendgrid',
      messageId: MESSAGE.idempotencyKey,
      at: NOW - 1000,
      url: 'https://shop.example/cart',
    }
    expect(feedbackOf(report, MESSAGE, NOW)).toEqual({
      event: {
        customer_id: 'c1',
        type: 'message_clicked',
        timestamp: NOW - 1000,
        properties: {
          message_id: MESSAGE.idempotencyKey,
          journey: 'cart',
          step: 'email-1',
          template: 'cart-reminder-1',
          channel: 'email',
          provider: 'sendgrid',
          url: 'https://shop.example/cart',
        },
      },
    })
  })

  it('opts the customer out of the channel on a hard bounce, a complaint or an unsubscribe, not on a soft bounce', () => {
    const optOut = (report: Omit<DeliveryReport, 'provider'>) => feedbackOf({provider: 'joe', ...report}, MESSAGE, NOW).optOut
    expect(optOut({type: 'message_bounced', bounce: 'hard'})).toBe('email')
    expect(optOut({type: 'message_complained'})).toBe('email')
    expect(optOut({type: 'unsubscribed'})).toBe('email')
    expect(optOut({type: 'message_bounced', bounce: 'soft'})).toBeUndefined()
    expect(optOut({type: 'message_delivered'})).toBeUndefined()
    expect(feedbackOf({provider: 'joe', type: 'message_delivered'}, MESSAGE, NOW).event.timestamp).toBe(NOW)
  })

  it("adds the channel to the profile's opt_outs list, once", () => {
    expect(optOutTraits({}, 'email')).toEqual({opt_outs: ['email']})
    expect(optOutTraits({opt_outs: ['sms']}, 'email')).toEqual({opt_outs: ['sms', 'email']})
    expect(optOutTraits({opt_outs: ['email']}, 'email')).toBeUndefined()
    expect(optOutTraits({opt_outs: 'garbage'}, 'push')).toEqual({opt_outs: ['push']})
  })
})

describe("joe's generic callback", () => {
  const body = JSON.stringify({
    events: [
      {type: 'delivered', message_id: 'k1', timestamp: '2026-03-02T11:59:00Z'},
      {type: 'bounced', message_id: 'k2', bounce_type: 'soft', reason: 'mailbox full'},
      {type: 'bounced', provider_id: 'p3'},
    ],
  })
  const request = (signature: string, text = body) => ({
    url: 'https://joe.example.com/v1/delivery/email',
    headers: {'joe-signature': signature},
    body: text,
  })
  const settings = {format: 'joe', secrets: ['old', 'new']} as const

  it('accepts a body signed with any current secret within five minutes', () => {
    const result = parseDeliveryCallback(settings, request(webhookSignature('new', NOW / 1000 - 60, body)), NOW)
    expect(result).toEqual({
      ok: true,
      ignored: 0,
      reports: [
        {type: 'message_delivered', provider: 'joe', messageId: 'k1', at: Date.UTC(2026, 2, 2, 11, 59)},
        {type: 'message_bounced', provider: 'joe', messageId: 'k2', bounce: 'soft', reason: 'mailbox full'},
        {type: 'message_bounced', provider: 'joe', providerId: 'p3', bounce: 'hard'},
      ],
    })
  })

  it('refuses unsigned, tampered, replayed and malformed requests whole', () => {
    expect(parseDeliveryCallback(settings, {...request(''), headers: {}}, NOW)).toMatchObject({ok: false, status: 401})
    expect(parseDeliveryCallback(settings, request(webhookSignature('other', NOW / 1000, body)), NOW)).toMatchObject({
      ok: false,
      status: 401,
    })
    expect(parseDeliveryCallback(settings, request(webhookSignature('new', NOW / 1000, body), `${body} `), NOW)).toMatchObject({
      status: 401,
    })
    expect(parseDeliveryCallback(settings, request(webhookSignature('new', NOW / 1000 - 600, body)), NOW)).toMatchObject({status: 401})
    const bad = JSON.stringify({
      events: [
        {type: 'delivered', message_id: 'k1'},
        {type: 'exploded', message_id: 'k2'},
      ],
    })
    expect(parseDeliveryCallback(settings, request(webhookSignature('new', NOW / 1000, bad), bad), NOW)).toEqual({
      ok: false,
      status: 400,
      reason: 'events[1].type must be one of delivered, bounced, complained, opened, clicked, unsubscribed',
    })
  })
})

describe("Twilio's SMS status callback", () => {
  const url = `https://joe.example.com/v1/delivery/sms?message_id=${encodeURIComponent(MESSAGE.idempotencyKey)}`
  const callback = (fields: Record<string, string>, token = 'tw-token') => {
    const params = new URLSearchParams(fields)
    return {url, headers: {'x-twilio-signature': twilioSignature(token, url, params)}, body: params.toString()}
  }
  const settings = {format: 'twilio', authToken: 'tw-token'} as const

  it('computes the signature as Twilio documents it', () => {
    // The example of Twilio's request validation docs (https://www.twilio.com/docs/usage/security), as its SDKs test it.
    const params = new URLSearchParams({
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    })
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=')
  })

  it('maps delivered, undelivered (hard or soft by error code) and ignores progress statuses', () => {
    expect(parseDeliveryCallback(settings, callback({MessageSid: 'SM1', MessageStatus: 'delivered'}), NOW)).toEqual({
      ok: true,
      ignored: 0,
      reports: [{type: 'message_delivered', provider: 'twilio', providerId: 'SM1', messageId: MESSAGE.idempotencyKey}],
    })
    expect(
      parseDeliveryCallback(settings, callback({MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30005'}), NOW),
    ).toMatchObject({
      reports: [{type: 'message_bounced', bounce: 'hard', reason: 'undelivered (error 30005)'}],
    })
    expect(parseDeliveryCallback(settings, callback({MessageSid: 'SM1', MessageStatus: 'failed', ErrorCode: '30008'}), NOW)).toMatchObject({
      reports: [{type: 'message_bounced', bounce: 'soft'}],
    })
    expect(parseDeliveryCallback(settings, callback({MessageSid: 'SM1', MessageStatus: 'sent'}), NOW)).toEqual({
      ok: true,
      reports: [],
      ignored: 1,
    })
  })

  it('refuses a request signed with another token or for another URL', () => {
    expect(parseDeliveryCallback(settings, callback({MessageSid: 'SM1', MessageStatus: 'delivered'}, 'wrong'), NOW)).toMatchObject({
      status: 401,
    })
    const moved = {...callback({MessageSid: 'SM1', MessageStatus: 'delivered'}), url: 'https://joe.example.com/v1/delivery/sms'}
    expect(parseDeliveryCallback(settings, moved, NOW)).toMatchObject({status: 401})
  })
})

describe("SendGrid's signed event webhook", () => {
  const {publicKey, privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
  const key = publicKey.export({format: 'der', type: 'spki'}).toString('base64')
  const settings = {format: 'sendgrid', publicKey: key} as const
  const smtpId = messageIdFor(MESSAGE.idempotencyKey, 'shop.example')
  const events = [
    {email: 'ann@example.com', timestamp: 1772452800, event: 'processed', 'smtp-id': smtpId, sg_message_id: 'sg1'},
    {email: 'ann@example.com', timestamp: 1772452801, event: 'delivered', 'smtp-id': smtpId, sg_message_id: 'sg1'},
    {
      email: 'ann@example.com',
      timestamp: 1772452802,
      event: 'click',
      url: 'https://shop.example/cart',
      joe_message_id: 'k-custom',
      sg_message_id: 'sg1',
    },
    {email: 'ann@example.com', timestamp: 1772452803, event: 'bounce', type: 'blocked', reason: 'greylisted', 'smtp-id': smtpId},
    {email: 'ann@example.com', timestamp: 1772452804, event: 'spamreport', 'smtp-id': smtpId},
    {email: 'ann@example.com', timestamp: 1772452805, event: 'group_unsubscribe', 'smtp-id': smtpId},
  ]
  const request = (body: string, timestamp = String(NOW / 1000)) => ({
    url: 'https://joe.example.com/v1/delivery/email',
    headers: {
      'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64'),
      'x-twilio-email-event-webhook-timestamp': timestamp,
    },
    body,
  })

  it('verifies the ECDSA signature and maps the events, finding the message by Message-ID or custom argument', () => {
    const result = parseDeliveryCallback(settings, request(JSON.stringify(events)), NOW)
    expect(result.ok && result.ignored).toBe(1)
    expect(result.ok && result.reports.map((r) => [r.type, r.messageId, r.bounce, r.at])).toEqual([
      ['message_delivered', MESSAGE.idempotencyKey, undefined, 1772452801000],
      ['message_clicked', 'k-custom', undefined, 1772452802000],
      ['message_bounced', MESSAGE.idempotencyKey, 'soft', 1772452803000],
      ['message_complained', MESSAGE.idempotencyKey, undefined, 1772452804000],
      ['unsubscribed', MESSAGE.idempotencyKey, undefined, 1772452805000],
    ])
  })

  it('refuses a tampered body, an old timestamp and a body that is not an array', () => {
    const signed = request(JSON.stringify(events))
    expect(parseDeliveryCallback(settings, {...signed, body: signed.body.replace('delivered', 'bounce')}, NOW)).toMatchObject({status: 401})
    const old = String(NOW / 1000 - 3600)
    expect(parseDeliveryCallback(settings, request('[]', old), NOW)).toMatchObject({status: 401})
    expect(parseDeliveryCallback(settings, request('{}'), NOW)).toMatchObject({status: 400})
  })
})

describe('unsubscribe links', () => {
  const settings = {baseUrl: 'https://joe.example.com/', secrets: ['s3cret'], env: 'prod'}
  const links = messageLinks(settings, {...MESSAGE})
  const token = links.unsubscribeUrl.slice(`https://joe.example.com${UNSUBSCRIBE_PATH}`.length)

  it('records the unsubscribed event and the opt-out of the channel the message came on', () => {
    const result = unsubscribeFromLink(token, {secrets: ['s3cret'], env: 'prod'}, NOW, 'one-click')
    expect(result.ok && result.feedback).toEqual({
      event: {
        customer_id: 'c1',
        type: 'unsubscribed',
        timestamp: NOW,
        properties: {
          channel: 'email',
          source: 'one-click',
          message_id: MESSAGE.idempotencyKey,
          journey: 'cart',
          template: 'cart-reminder-1',
        },
      },
      optOut: 'email',
    })
  })

  it('refuses the view link, another environment, and a tampered token', () => {
    const view = links.viewInBrowserUrl.split('/').at(-1) as string
    expect(unsubscribeFromLink(view, {secrets: ['s3cret'], env: 'prod'}, NOW, 'page')).toEqual({ok: false, reason: 'wrong-purpose'})
    expect(unsubscribeFromLink(token, {secrets: ['s3cret'], env: 'staging'}, NOW, 'page')).toEqual({ok: false, reason: 'wrong-environment'})
    const [payload, mac] = token.split('.') as [string, string]
    const forged = Buffer.from(JSON.stringify([1, 'unsubscribe', 'prod', 'someone-else', 'email'])).toString('base64url')
    expect(unsubscribeFromLink(`${forged}.${mac}`, {secrets: ['s3cret'], env: 'prod'}, NOW, 'page')).toEqual({
      ok: false,
      reason: 'bad-signature',
    })
    expect(unsubscribeFromLink(`${payload}`, {secrets: ['s3cret'], env: 'prod'}, NOW, 'page')).toEqual({ok: false, reason: 'malformed'})
  })

  it('tells a one-click POST, and renders the pages without scripts', () => {
    expect(isOneClickBody('List-Unsubscribe=One-Click')).toBe(true)
    expect(isOneClickBody('')).toBe(false)
    expect(unsubscribePage('confirm', 'sms')).toContain('<form method="post">')
    expect(unsubscribePage('done', 'email')).toContain('You will not receive these emails any more.')
    expect(unsubscribePage('invalid')).not.toContain('<script')
  })
})

describe('callback settings from connector options', () => {
  const ctx = {env: 'prod', channel: 'sms' as const, vars: {TOKEN: 'tw', KEY: 'pk', SECRET: 'sec'}}
  it('come with the twilio-sms preset, and from `events` otherwise', () => {
    expect(deliveryCallbackSettings('http', {preset: 'twilio-sms', account_sid: 'AC1', auth_token: '${TOKEN}', from: '+1'}, ctx)).toEqual({
      format: 'twilio',
      authToken: 'tw',
    })
    expect(
      deliveryCallbackSettings(
        'smtp',
        {url: 'smtp://h', from: 'a@b.c', events: {format: 'sendgrid', public_key: '${KEY}'}},
        {...ctx, channel: 'email'},
      ),
    ).toEqual({
      format: 'sendgrid',
      publicKey: 'pk',
    })
    expect(deliveryCallbackSettings('http', {url: 'https://x', body: '{}', events: {format: 'joe', secret: '${SECRET}'}}, ctx)).toEqual({
      format: 'joe',
      secrets: ['sec'],
    })
    expect(deliveryCallbackSettings('http', {url: 'https://x', body: '{}'}, ctx)).toBeUndefined()
    expect(() => deliveryCallbackSettings('http', {url: 'https://x', body: '{}', events: {format: 'mailgun'}}, ctx)).toThrow(
      'events.format',
    )
  })
})
