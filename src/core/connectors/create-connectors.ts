import path from 'node:path'
import {expandVariables} from '../deploy/store-url.js'
import {JoeError} from '../errors.js'
import {parseDuration} from '../journey/duration.js'
import type {LinkSettings} from '../templates/link-tokens.js'
import type {TemplateCatalog} from '../templates/template-types.js'
import type {Channel, Connector} from './connector.js'
import {createConnector, MESSAGE_CONNECTOR_KINDS} from './create-message-connector.js'
import {createFileConnector} from './file.js'
import {createStdoutConnector} from './stdout.js'
import {createWebhookConnector} from './webhook.js'

/** A channel's connector with its retry budget. */
export interface ChannelDelivery {
  connector: Connector
  /** Attempts before a message becomes a dead letter. */
  maxAttempts: number
}

export interface ConnectorDeps {
  env: string
  /** The project root: relative file paths are relative to it. */
  root: string
  /** For `${VAR}` in settings. */
  vars: Readonly<Record<string, string | undefined>>
  wall: () => number
  /** Standard output, for the stdout connector. */
  write: (line: string) => void
  userAgent: string
  /** The project's template files (smtp and http connectors render them). */
  templates?: TemplateCatalog
  /** The environment's public URL and link secrets (smtp and http connectors sign links with them). */
  links: LinkSettings
}

export const DEFAULT_MAX_ATTEMPTS = 8
const DEFAULT_TIMEOUT_MS = 10_000

/** The connectors of an environment's `channels`, by channel; settings are checked by the config schema first. */
export async function createConnectors(
  channels: Record<string, Record<string, unknown>>,
  deps: ConnectorDeps,
): Promise<Map<string, ChannelDelivery>> {
  const out = new Map<string, ChannelDelivery>()
  for (const [channel, settings] of Object.entries(channels)) {
    const where = `channels.${channel} of environment "${deps.env}"`
    const text = (key: string): string | undefined => {
      const value = settings[key]
      return typeof value === 'string' ? expandVariables(value, deps.vars, `${where}.${key}`) : undefined
    }
    const maxAttempts = typeof settings.max_attempts === 'number' ? settings.max_attempts : DEFAULT_MAX_ATTEMPTS
    switch (settings.connector) {
      case 'stdout':
        out.set(channel, {connector: createStdoutConnector(deps.write), maxAttempts})
        break
      case 'file':
        out.set(channel, {connector: createFileConnector(path.resolve(deps.root, text('path') ?? '')), maxAttempts})
        break
      case 'webhook': {
        const url = text('url') ?? ''
        if (!/^https?:\/\//.test(url)) {
          throw new JoeError('JOE7001', `${where}: url must be an http or https URL`, {hint: 'e.g. url: "https://hooks.example.com/joe"'})
        }
        const timeout = typeof settings.timeout === 'string' ? parseDuration(settings.timeout) : undefined
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries((settings.headers ?? {}) as Record<string, unknown>)) {
          if (typeof value === 'string') headers[name.toLowerCase()] = expandVariables(value, deps.vars, `${where}.headers.${name}`)
        }
        const secret = text('secret')
        out.set(channel, {
          connector: createWebhookConnector({
            url,
            ...(secret === undefined ? {} : {secret}),
            headers,
            timeoutMs: timeout ?? DEFAULT_TIMEOUT_MS,
            userAgent: deps.userAgent,
            wall: deps.wall,
          }),
          maxAttempts,
        })
        break
      }
      default: {
        const kind = String(settings.connector)
        if (!(MESSAGE_CONNECTOR_KINDS as readonly string[]).includes(kind)) {
          throw new JoeError('JOE7001', `${where}: unknown connector ${JSON.stringify(settings.connector)}`, {
            hint: 'connectors: stdout, file, webhook, smtp, http (run `joe validate` to check joe.config.yaml)',
          })
        }
        const {connector: _kind, max_attempts: _attempts, ...options} = settings
        const connector = await createConnector(kind, options, {
          env: deps.env,
          channel: channel as Channel,
          ...(deps.templates === undefined ? {} : {templates: deps.templates}),
          links: deps.links,
          vars: deps.vars,
          now: deps.wall,
          root: deps.root,
        })
        out.set(channel, {connector, maxAttempts})
      }
    }
  }
  return out
}
