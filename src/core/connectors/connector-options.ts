import {expandVariables} from '../deploy/store-url.js'
import {JoeError} from '../errors.js'
import {parseDuration} from '../journey/duration.js'
import {isObject} from '../journey/rules/rule-context.js'
import {maskUrl} from '../secrets.js'
import type {Channel} from './connector.js'
import {CALLBACK_FORMATS, type CallbackSettings} from './feedback/provider-callbacks.js'
import {HTTP_PRESETS, type HttpPreset} from './http-presets.js'

/**
 * Typed options of the `smtp` and `http` connector kinds, from a channel's entry in an
 * environment's `channels:` (snake_case, as joe.config.yaml writes them; shapes in
 * schemas/config.schema.json `$defs`). `${VAR}` references are expanded here, so secrets stay
 * in the environment; what is shown to people (`display`) never carries a password.
 */

/** Where a connector's options come from, for messages: `environment "prod", channel "email"`. */
export interface OptionsContext {
  env: string
  channel: Channel
  vars: Readonly<Record<string, string | undefined>>
}

export type StartTls = 'opportunistic' | 'required' | 'never'

export interface SmtpOptions {
  kind: 'smtp'
  host: string
  port: number
  /** Implicit TLS (`smtps://`); otherwise STARTTLS per `tls.starttls`. */
  secure: boolean
  auth?: {user: string; pass: string}
  /** The URL with its password masked. */
  display: string
  /** Default From (templates may set their own). */
  from: string
  replyTo?: string
  /** Liquid for the recipient address; default DEFAULT_RECIPIENT.email. */
  to: string
  /** Also offered in List-Unsubscribe, as a mailto. */
  unsubscribeMailto?: string
  /** The right side of Message-IDs; default the From address's domain. */
  messageIdDomain: string
  pool: {maxConnections: number; maxMessages: number}
  timeouts: {connectMs: number; greetingMs: number; socketMs: number}
  tls: {starttls: StartTls; rejectUnauthorized: boolean; minVersion?: 'TLSv1.2' | 'TLSv1.3'; caFile?: string}
  /** How the provider's delivery callbacks (`/v1/delivery/email`) are shaped and signed; absent: none expected. */
  events?: CallbackSettings
}

export interface HttpOptions {
  kind: 'http'
  preset?: HttpPreset
  method: 'POST' | 'PUT' | 'PATCH'
  url: string
  /** The URL with any password masked. */
  display: string
  /** Header values with variables expanded (they may hold secrets: never printed). */
  headers: Record<string, string>
  /** Liquid body, sent as is (`contentType`); exclusive with `form`. */
  body?: string
  /** Liquid per field, sent form-encoded. */
  form?: Record<string, string>
  contentType: string
  timeoutMs: number
  /** Dot path of the provider's message id in a 2xx JSON response (`sid`, `data.id`). */
  providerId?: string
  /** Liquid for the recipient, the `to` of bodies; default per channel (DEFAULT_RECIPIENT). */
  to: string
  /** How the provider's delivery callbacks are shaped and signed; the twilio-sms preset expects Twilio's. */
  events?: CallbackSettings
}

/** Where the recipient's address is by default, per channel. */
export const DEFAULT_RECIPIENT: Readonly<Record<Channel, string>> = {
  email: '{{ profile.email }}',
  sms: '{{ profile.phone }}',
  push: '{{ profile.push_token }}',
  in_app: '{{ customer_id }}',
  webhook: '{{ customer_id }}',
}

function invalid(ctx: OptionsContext, message: string, hint: string): JoeError {
  return new JoeError('JOE7001', `environment "${ctx.env}", channel ${ctx.channel}: ${message}`, {hint})
}

function text(ctx: OptionsContext, raw: Record<string, unknown>, key: string, required: true): string
function text(ctx: OptionsContext, raw: Record<string, unknown>, key: string, required?: false): string | undefined
function text(ctx: OptionsContext, raw: Record<string, unknown>, key: string, required = false): string | undefined {
  const value = raw[key]
  if (value === undefined) {
    if (required) throw invalid(ctx, `\`${key}\` is missing`, `add \`${key}:\` to the channel's options`)
    return undefined
  }
  if (typeof value !== 'string' || value === '') throw invalid(ctx, `\`${key}\` must be a non-empty string`, 'quote the value')
  return expandVariables(value, ctx.vars, `environment "${ctx.env}", channel ${ctx.channel}, \`${key}\``)
}

function durationMs(ctx: OptionsContext, value: unknown, key: string, fallback: number): number {
  if (value === undefined) return fallback
  const ms = typeof value === 'string' ? parseDuration(value) : undefined
  if (ms === undefined || ms <= 0) throw invalid(ctx, `\`${key}\` is not a positive duration`, 'e.g. 10s or 2m')
  return ms
}

function positiveInt(ctx: OptionsContext, value: unknown, key: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw invalid(ctx, `\`${key}\` must be a whole number of at least 1`, 'e.g. 5')
  return value
}

function section(ctx: OptionsContext, raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = raw[key]
  if (value === undefined) return {}
  if (!isObject(value)) throw invalid(ctx, `\`${key}\` must be a mapping`, `e.g. ${key}: { ... }`)
  return value
}

/** The domain of an address such as `Shop <hello@shop.example>`. */
function domainOf(address: string): string | undefined {
  return /@([^\s>]+)>?\s*$/.exec(address)?.[1]
}

export function parseSmtpOptions(raw: Record<string, unknown>, ctx: OptionsContext): SmtpOptions {
  const url = text(ctx, raw, 'url', true)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalid(ctx, `"${maskUrl(url)}" is not a URL`, 'use smtp://USER:${PASSWORD_VAR}@HOST:587 (STARTTLS) or smtps://…@HOST:465 (TLS)')
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw invalid(
      ctx,
      `"${maskUrl(url)}" is not an smtp:// or smtps:// URL`,
      'use smtp://HOST:587 (STARTTLS when offered) or smtps://HOST:465 (implicit TLS)',
    )
  }
  const secure = parsed.protocol === 'smtps:'
  const from = text(ctx, raw, 'from', true)
  const messageIdDomain = text(ctx, raw, 'message_id_domain') ?? domainOf(from)
  if (!messageIdDomain)
    throw invalid(ctx, `cannot tell the domain of from "${from}"`, 'write from as "Name <address@domain>", or set message_id_domain')
  const tls = section(ctx, raw, 'tls')
  const starttls = tls.starttls ?? 'opportunistic'
  if (starttls !== 'opportunistic' && starttls !== 'required' && starttls !== 'never') {
    throw invalid(
      ctx,
      '`tls.starttls` is opportunistic, required or never',
      'opportunistic (default) upgrades when the server offers STARTTLS',
    )
  }
  const minVersion = tls.min_version
  if (minVersion !== undefined && minVersion !== 'TLSv1.2' && minVersion !== 'TLSv1.3') {
    throw invalid(ctx, '`tls.min_version` is TLSv1.2 or TLSv1.3', 'TLSv1.2 is what mail providers require')
  }
  if (tls.reject_unauthorized !== undefined && typeof tls.reject_unauthorized !== 'boolean') {
    throw invalid(ctx, '`tls.reject_unauthorized` is true or false', 'leave it true outside local tests')
  }
  const caFile = text(ctx, tls, 'ca_file')
  const pool = section(ctx, raw, 'pool')
  const timeouts = section(ctx, raw, 'timeouts')
  const replyTo = text(ctx, raw, 'reply_to')
  const mailto = text(ctx, raw, 'unsubscribe_mailto')
  const user = decodeURIComponent(parsed.username)
  return {
    kind: 'smtp',
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? (secure ? 465 : 587) : Number(parsed.port),
    secure,
    ...(user ? {auth: {user, pass: decodeURIComponent(parsed.password)}} : {}),
    display: maskUrl(url),
    from,
    ...(replyTo ? {replyTo} : {}),
    to: text(ctx, raw, 'to') ?? DEFAULT_RECIPIENT.email,
    ...(mailto ? {unsubscribeMailto: mailto} : {}),
    messageIdDomain,
    pool: {
      maxConnections: positiveInt(ctx, pool.max_connections, 'pool.max_connections', 5),
      maxMessages: positiveInt(ctx, pool.max_messages, 'pool.max_messages', 100),
    },
    timeouts: {
      connectMs: durationMs(ctx, timeouts.connect, 'timeouts.connect', 10_000),
      greetingMs: durationMs(ctx, timeouts.greeting, 'timeouts.greeting', 10_000),
      socketMs: durationMs(ctx, timeouts.socket, 'timeouts.socket', 60_000),
    },
    tls: {
      starttls,
      rejectUnauthorized: tls.reject_unauthorized !== false,
      ...(minVersion ? {minVersion} : {}),
      ...(caFile ? {caFile} : {}),
    },
    ...optional('events', parseEvents(ctx, raw)),
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): {[P in K]?: V} {
  return (value === undefined ? {} : {[key]: value}) as {[P in K]?: V}
}

/** The `events` option: the shape and signature of delivery callbacks. */
function parseEvents(ctx: OptionsContext, raw: Record<string, unknown>, fallback?: CallbackSettings): CallbackSettings | undefined {
  const events = section(ctx, raw, 'events')
  if (Object.keys(events).length === 0) return fallback
  switch (events.format) {
    case 'joe':
      return {format: 'joe', secrets: [text(ctx, events, 'secret', true)]}
    case 'twilio':
      return {format: 'twilio', authToken: text(ctx, events, 'auth_token') ?? text(ctx, raw, 'auth_token', true)}
    case 'sendgrid':
      return {format: 'sendgrid', publicKey: text(ctx, events, 'public_key', true)}
    default:
      throw invalid(
        ctx,
        `\`events.format\` is one of ${CALLBACK_FORMATS.join(', ')}`,
        'joe is the generic JSON shape signed with `secret` (docs/templates-and-connectors.md)',
      )
  }
}

const METHODS = ['POST', 'PUT', 'PATCH'] as const

export function parseHttpOptions(raw: Record<string, unknown>, ctx: OptionsContext): HttpOptions {
  const presetName = raw.preset
  if (presetName !== undefined && (typeof presetName !== 'string' || !(presetName in HTTP_PRESETS))) {
    throw invalid(
      ctx,
      `unknown preset "${String(presetName)}"`,
      `presets are ${Object.keys(HTTP_PRESETS).join(', ')}; or leave preset out and give url and body`,
    )
  }
  const preset = presetName === undefined ? undefined : HTTP_PRESETS[presetName as HttpPreset]
  const defaults = preset ? preset.defaults((key, required) => (required ? text(ctx, raw, key, true) : text(ctx, raw, key))) : {}
  const url = text(ctx, raw, 'url') ?? defaults.url
  if (!url) throw invalid(ctx, '`url` is missing', "add the provider's API URL, e.g. url: https://push.example.com/v1/send")
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalid(ctx, `"${maskUrl(url)}" is not a URL`, 'e.g. https://api.example.com/v1/messages')
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw invalid(ctx, `"${maskUrl(url)}" is not an http(s) URL`, 'use https://…')
  const method = (raw.method ?? 'POST') as (typeof METHODS)[number]
  if (!METHODS.includes(method)) throw invalid(ctx, '`method` is POST, PUT or PATCH', 'providers take messages by POST')
  const headers: Record<string, string> = {...defaults.headers}
  for (const [name, value] of Object.entries(section(ctx, raw, 'headers'))) {
    if (typeof value !== 'string') throw invalid(ctx, `header "${name}" must be a string`, 'quote the value')
    headers[name] = expandVariables(value, ctx.vars, `environment "${ctx.env}", channel ${ctx.channel}, header ${name}`)
  }
  const basic = section(ctx, raw, 'basic_auth')
  if (Object.keys(basic).length > 0) {
    const user = text(ctx, basic, 'username', true)
    const pass = text(ctx, basic, 'password', true)
    headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
  }
  const body = typeof raw.body === 'string' ? text(ctx, raw, 'body') : raw.form === undefined ? defaults.body : undefined
  const formRaw = raw.form === undefined ? (raw.body === undefined ? defaults.form : undefined) : section(ctx, raw, 'form')
  if (body !== undefined && raw.form !== undefined)
    throw invalid(ctx, 'give either `body` or `form`, not both', 'form sends fields form-encoded; body sends a JSON or text body')
  if (body === undefined && formRaw === undefined)
    throw invalid(
      ctx,
      '`body` (or `form`) is missing',
      'write the request body as Liquid, e.g. body: \'{"to": {{ profile.phone | json }}, "text": {{ content.text | json }}}\'',
    )
  const form: Record<string, string> | undefined = formRaw === undefined ? undefined : {}
  for (const [name, value] of Object.entries(formRaw ?? {})) {
    if (typeof value !== 'string') throw invalid(ctx, `form field "${name}" must be a string`, 'quote the value')
    ;(form as Record<string, string>)[name] = expandVariables(
      value,
      ctx.vars,
      `environment "${ctx.env}", channel ${ctx.channel}, form field ${name}`,
    )
  }
  const providerId = typeof raw.provider_id === 'string' ? raw.provider_id : defaults.providerId
  return {
    kind: 'http',
    ...(preset ? {preset: presetName as HttpPreset} : {}),
    method,
    url,
    display: maskUrl(url),
    headers,
    ...(body !== undefined ? {body} : {}),
    ...(form ? {form} : {}),
    contentType:
      typeof raw.content_type === 'string'
        ? raw.content_type
        : form
          ? 'application/x-www-form-urlencoded'
          : (defaults.contentType ?? 'application/json'),
    timeoutMs: durationMs(ctx, raw.timeout, 'timeout', 10_000),
    ...(providerId ? {providerId} : {}),
    to: text(ctx, raw, 'to') ?? DEFAULT_RECIPIENT[ctx.channel],
    ...optional(
      'events',
      parseEvents(ctx, raw, presetName === 'twilio-sms' ? {format: 'twilio', authToken: text(ctx, raw, 'auth_token', true)} : undefined),
    ),
  }
}
