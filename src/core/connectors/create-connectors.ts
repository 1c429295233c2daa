import path from 'node:path'
import {expandVariables} from '../deploy/store-url.js'
import {JoeError} from '../errors.js'
import {parseDuration} from '../journey/duration.js'
import type {Connector} from './connector.js'
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
}

export const DEFAULT_MAX_ATTEMPTS = 8
const DEFAULT_TIMEOUT_MS = 10_000

/** The connectors of an environment's `channels`, by channel; settings are checked by the config schema first. */
export function createConnectors(channels: Record<string, Record<string, unknown>>, deps: ConnectorDeps): Map<string, ChannelDelivery> {
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
      default:
        throw new JoeError('JOE7001', `${where}: unknown connector ${JSON.stringify(settings.connector)}`, {
          hint: 'connectors: stdout, file, webhook (run `joe validate` to check joe.config.yaml)',
        })
    }
  }
  return out
}
