import type {Channel, OutboxMessage} from '../../../src/core/connectors/connector.js'
import type {MessageConnectorDeps} from '../../../src/core/connectors/delivery-context.js'
import {loadTemplateCatalog} from '../../../src/core/templates/catalog.js'
import {tempProject} from '../../helpers/temp-project.js'

export const NOW = Date.UTC(2026, 2, 2, 11)

/** One outbox message as the runtime would hand it to a connector. */
export function outboxMessage(overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: 1,
    idempotencyKey: 'cart:r1a2b3:c1:0:email-1:1772449200000',
    env: 'dev',
    customerId: 'c1',
    journeyId: 'cart',
    revision: 'r1a2b3',
    entry: 0,
    stepId: 'email-1',
    channel: 'email',
    template: 'cart-reminder-1',
    data: {code: 'SAVE10'},
    profile: {first_name: 'Ann', email: 'ann@example.com', phone: '+15550001111', push_token: 'ExponentPushToken[abc]'},
    decidedAt: NOW,
    attempt: 1,
    ...overrides,
  }
}

export const TEMPLATES: Record<string, string> = {
  'templates/email/cart-reminder-1.liquid': [
    '---',
    'subject: "Your cart is waiting, {{ profile.first_name }}"',
    '---',
    '<p>Hi {{ profile.first_name }}, use <b>{{ data.code }}</b>.</p>',
    '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
  ].join('\n'),
  'templates/email/receipt.liquid':
    '---\nsubject: Your receipt\nfrom: Billing <billing@shop.example>\ntransactional: true\n---\n<p>Thanks</p>',
  'templates/email/needs-vip.liquid': '---\nsubject: Hi\n---\n{{ profile.vip_code }} {{ unsubscribe_url }}',
  'templates/sms/cart-sms-1.liquid': 'Hi {{ profile.first_name }}, your cart is waiting: {{ data.code }}\n',
  'templates/push/nudge.liquid': '---\ntitle: "Still thinking, {{ profile.first_name }}?"\nurl: "shop://cart"\n---\nYour cart misses you',
}

/** Connector dependencies over a templates folder with TEMPLATES. */
export async function connectorDeps(channel: Channel, overrides: Partial<MessageConnectorDeps> = {}): Promise<MessageConnectorDeps> {
  const dir = await tempProject(TEMPLATES)
  const {catalog} = await loadTemplateCatalog(`${dir}/templates`, dir)
  return {
    env: 'dev',
    channel,
    ...(catalog ? {templates: catalog} : {}),
    links: {baseUrl: 'https://joe.example.com', secrets: ['s3cret'], env: 'dev'},
    vars: {SMTP_PASSWORD: 'p@ss word', TWILIO_AUTH_TOKEN: 'tw-token', PUSH_TOKEN: 'push-token'},
    now: () => NOW,
    root: dir,
    ...overrides,
  }
}
