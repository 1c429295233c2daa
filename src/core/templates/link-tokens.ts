import {createHmac, timingSafeEqual} from 'node:crypto'
import type {Channel} from '../connectors/connector.js'

/**
 * Signed links in messages: unsubscribe (the page and RFC 8058's one-click POST) and view in
 * browser. The token carries who and what the link is for, signed with the environment's link
 * secret (HMAC-SHA256), so `joe serve` can act on a click without looking anything up and nobody
 * can forge a link for another customer. Tokens do not expire: an unsubscribe link in a
 * years-old email must still work (CAN-SPAM and RFC 8058 expect that). They are signed, not
 * encrypted: the customer id is readable in the link.
 */

export const UNSUBSCRIBE_PATH = '/v1/unsubscribe/'
export const VIEW_PATH = '/v1/view/'

export type LinkPurpose = 'unsubscribe' | 'view'

export interface LinkClaims {
  purpose: LinkPurpose
  /** The environment that sent the message; a token from another environment is refused. */
  env: string
  customerId: string
  channel: Channel
  /** The message's idempotency key; present in links of a sent message. */
  messageId?: string
  /** Present with messageId. */
  journeyId?: string
  /** Present with messageId. */
  template?: string
}

export interface LinkSettings {
  /** Public base URL of `joe serve`, e.g. https://joe.example.com (no trailing slash needed). */
  baseUrl: string
  /** Signing secrets: the first signs, every one verifies (to rotate, put the new one first). */
  secrets: readonly string[]
  env: string
}

const VERSION = 1
/** Binds the MAC to this use, so a token is never valid as any other HMAC-signed joe value. */
const DOMAIN = 'joe-link.v1.'

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(DOMAIN).update(payload).digest()
}

export function signLinkToken(claims: LinkClaims, secret: string): string {
  const fields = [
    VERSION,
    claims.purpose,
    claims.env,
    claims.customerId,
    claims.channel,
    claims.messageId ?? null,
    claims.journeyId ?? null,
    claims.template ?? null,
  ]
  // Trailing nulls are dropped to keep links short.
  while (fields.at(-1) === null) fields.pop()
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url')
  return `${payload}.${mac(secret, payload).toString('base64url')}`
}

export type LinkVerification =
  | {ok: true; claims: LinkClaims}
  /** `reason` is for logs; the page a customer sees says only that the link is not valid. */
  | {ok: false; reason: 'malformed' | 'bad-signature' | 'wrong-environment' | 'wrong-purpose'}

/** Checks a token's signature, environment and purpose. Constant-time in the signature. */
export function verifyLinkToken(token: string, expect: {secrets: readonly string[]; env: string; purpose: LinkPurpose}): LinkVerification {
  const dot = token.indexOf('.')
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return {ok: false, reason: 'malformed'}
  const payload = token.slice(0, dot)
  // Compared as text: base64 decoding ignores the spare bits of the last character, so bytes could match a tampered string.
  const given = Buffer.from(token.slice(dot + 1))
  const valid = expect.secrets.some((secret) => {
    const wanted = Buffer.from(mac(secret, payload).toString('base64url'))
    return given.length === wanted.length && timingSafeEqual(given, wanted)
  })
  if (!valid) return {ok: false, reason: 'bad-signature'}
  const claims = decodeClaims(payload)
  if (!claims) return {ok: false, reason: 'malformed'}
  if (claims.env !== expect.env) return {ok: false, reason: 'wrong-environment'}
  if (claims.purpose !== expect.purpose) return {ok: false, reason: 'wrong-purpose'}
  return {ok: true, claims}
}

const PURPOSES: readonly string[] = ['unsubscribe', 'view']
const CHANNELS: readonly string[] = ['email', 'sms', 'push', 'in_app', 'webhook']

function decodeClaims(payload: string): LinkClaims | undefined {
  let fields: unknown
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (!Array.isArray(fields) || fields[0] !== VERSION) return undefined
  const [, purpose, env, customerId, channel, messageId, journeyId, template] = fields as unknown[]
  if (typeof purpose !== 'string' || !PURPOSES.includes(purpose)) return undefined
  if (typeof env !== 'string' || typeof customerId !== 'string' || typeof channel !== 'string' || !CHANNELS.includes(channel))
    return undefined
  const optional = (value: unknown) => (typeof value === 'string' ? value : undefined)
  const claims: LinkClaims = {purpose: purpose as LinkPurpose, env, customerId, channel: channel as Channel}
  const m = optional(messageId)
  const j = optional(journeyId)
  const t = optional(template)
  if (m !== undefined) claims.messageId = m
  if (j !== undefined) claims.journeyId = j
  if (t !== undefined) claims.template = t
  return claims
}

export interface MessageLinks {
  unsubscribeUrl: string
  viewInBrowserUrl: string
}

/** The signed links of one message. */
export function messageLinks(
  settings: LinkSettings,
  message: {customerId: string; channel: Channel; idempotencyKey: string; journeyId: string; template: string},
): MessageLinks {
  const secret = settings.secrets[0]
  if (secret === undefined) throw new Error('messageLinks: no link secret')
  const base = settings.baseUrl.replace(/\/+$/, '')
  const claims = {
    env: settings.env,
    customerId: message.customerId,
    channel: message.channel,
    messageId: message.idempotencyKey,
    journeyId: message.journeyId,
    template: message.template,
  }
  return {
    unsubscribeUrl: `${base}${UNSUBSCRIBE_PATH}${signLinkToken({purpose: 'unsubscribe', ...claims}, secret)}`,
    viewInBrowserUrl: `${base}${VIEW_PATH}${signLinkToken({purpose: 'view', ...claims}, secret)}`,
  }
}

/**
 * Links for renders that nobody will click (`joe preview`, `joe test`): the shape of the real
 * ones, at `joe serve`'s default address, signed with a key no environment uses.
 */
export const PREVIEW_LINK_SETTINGS: LinkSettings = {baseUrl: 'http://localhost:8787', secrets: ['joe-preview'], env: 'preview'}
