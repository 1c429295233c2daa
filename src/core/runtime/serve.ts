import {randomUUID} from 'node:crypto'
import {hostname} from 'node:os'
import path from 'node:path'
import {buildServer} from '../../server/app.js'
import {createReadiness} from '../../server/health.js'
import {messageRoutes} from '../../server/message-routes.js'
import {createServeMetrics} from '../../server/metrics.js'
import type {Channel} from '../connectors/connector.js'
import {type ChannelDelivery, createConnectors} from '../connectors/create-connectors.js'
import {deliveryCallbackSettings} from '../connectors/create-message-connector.js'
import {parseDeliveryCallback} from '../connectors/feedback/provider-callbacks.js'
import {environment} from '../deploy/open-deploy-store.js'
import {expandVariables} from '../deploy/store-url.js'
import {JoeError} from '../errors.js'
import type {JoeConfig} from '../project/config.js'
import {urlSecrets} from '../secrets.js'
import type {NewEvent} from '../store/store-types.js'
import {loadTemplateCatalog} from '../templates/catalog.js'
import type {LinkSettings} from '../templates/link-tokens.js'
import type {TemplateCatalog} from '../templates/template-types.js'
import {type AppendResult, appendInTransaction} from './events-log.js'
import {feedbackOfReports, findMessage, recordFeedback} from './feedback.js'
import {createWakeup, type RuntimeLog, startDeliveryLoop, startWorkerLoop} from './loops.js'
import {type OpenRuntime, openRuntime} from './open-runtime.js'
import {readStoreGauges} from './store-gauges.js'

/** What one `joe serve` process does (issue: many processes, one environment). */
export type ServeRole = 'all' | 'ingest' | 'worker' | 'delivery'
export const SERVE_ROLES: readonly ServeRole[] = ['all', 'ingest', 'worker', 'delivery']

export interface ServeOptions {
  config: JoeConfig
  env: string
  /** Default `all`: ingest, worker and delivery in one process. */
  role?: ServeRole
  vars: Readonly<Record<string, string | undefined>>
  /** Epoch ms of the wall clock. */
  wall: () => number
  host: string
  port: number
  /** Standard output (the stdout connector). */
  write: (line: string) => void
  /** Where structured JSON logs go (standard error in the CLI); absent: no logs. */
  logStream?: NodeJS.WritableStream
  /** Least severe log level written (default info). */
  logLevel?: string
  userAgent: string
  /** Idle poll interval of the loops (ms); default 200. */
  pollMs?: number
  batchSize?: number
}

/** A running `joe serve`. */
export interface RunningServe {
  /** `http://host:port` it listens on. */
  url: string
  env: string
  role: ServeRole
  clock: 'real' | 'manual'
  /** The store, for display (password masked). */
  store: string
  /** Stops accepting requests, lets the transactions in hand finish, and closes everything. */
  close(): Promise<void>
}

/** `joe serve --json`, printed when it stops (schemas/output/serve.schema.json). */
export interface ServeResult {
  format_version: 1
  env: string
  role: ServeRole
  url: string
  clock: 'real' | 'manual'
  /** The store, password masked. */
  store: string
  /** The signal that stopped it (SIGTERM, SIGINT). */
  stopped_by: string
}

/** Stops a running serve (see RunningServe.close) and says what ran and why it stopped. */
export async function stopServe(running: RunningServe, signal: string): Promise<ServeResult> {
  await running.close()
  const {env, role, url, clock, store} = running
  return {format_version: 1, env, role, url, clock, store, stopped_by: signal}
}

/**
 * A process that runs an environment, whole or in part (`role`): ingest receives events over HTTP
 * (and the links and callbacks messages lead back to), the worker moves customers through the
 * engine on the environment's clock, and delivery sends the outbox's messages through the channels'
 * connectors. Any number of each may share one PostgreSQL store; every process answers health
 * checks on its port. Processes wake each other through the store (LISTEN/NOTIFY on PostgreSQL),
 * and poll as the fallback.
 */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const role = options.role ?? 'all'
  const ingests = role === 'all' || role === 'ingest'
  const works = role === 'all' || role === 'worker'
  const delivers = role === 'all' || role === 'delivery'
  const env = environment(options.config, options.env, options.vars)
  const runtime: OpenRuntime = await openRuntime({
    config: options.config,
    env: options.env,
    vars: options.vars,
    wall: options.wall,
    pool: 8,
    applicationName: `joe serve ${options.env} ${role}`,
  })
  const {ctx} = runtime
  const settings = env.config.channels ?? {}
  let channels: Map<string, ChannelDelivery>
  let writeKeys: string[]
  let links: LinkSettings
  let templates: TemplateCatalog | undefined
  try {
    writeKeys = ingests ? runtime.writeKeys() : []
    links = linkSettings(options, env.config.publicUrl, env.config.linkSecrets)
    // Template files are read from the project when the server starts (restart it to pick up edits).
    templates = (await loadTemplateCatalog(path.resolve(options.config.root, options.config.templatesDir), options.config.root)).catalog
    channels = await createConnectors(delivers ? settings : {}, {
      env: options.env,
      root: options.config.root,
      vars: options.vars,
      wall: options.wall,
      write: options.write,
      userAgent: options.userAgent,
      ...(templates === undefined ? {} : {templates}),
      links,
    })
  } catch (error) {
    await runtime.close()
    throw error
  }
  const pollMs = options.pollMs ?? 200
  const worker = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  const workWakeup = createWakeup()
  const deliveryWakeup = createWakeup()
  // Logs of the metrics and readiness, written once the server (which owns the logger) exists.
  const serverLog: RuntimeLog = {
    info: (fields, message) => app.log.info(fields, message),
    warn: (fields, message) => app.log.warn(fields, message),
    error: (fields, message) => app.log.error(fields, message),
  }
  const secrets = env.target.kind === 'postgres' ? urlSecrets(env.target.url) : []
  const metrics = createServeMetrics({
    env: options.env,
    role,
    channels: [...channels].map(([channel, delivery]) => ({channel, connector: delivery.connector.kind})),
    readStore: () => readStoreGauges(ctx),
    now: options.wall,
    log: serverLog,
    secrets,
  })
  const app = buildServer({
    ...(ingests ? {ingest: createIngestBatcher(runtime, () => workWakeup.notify())} : {}),
    role,
    writeKeys,
    wall: options.wall,
    health: () => ({status: 'ok', env: options.env, role}),
    ready: createReadiness({
      role,
      pingStore: async () => void (await ctx.conn.query('SELECT 1 AS ok')),
      loops: () => ({worker: workerLoop, delivery: deliveryLoop}),
      log: serverLog,
      secrets,
    }),
    logger: options.logStream ? {level: options.logLevel ?? 'info', stream: options.logStream, bindings: {env: options.env, role}} : false,
    limits: env.config.ingest,
    metrics,
    routes: !ingests
      ? undefined
      : messageRoutes({
          links,
          ...(templates === undefined ? {} : {templates}),
          wall: options.wall,
          parseCallback: (channel, request) => {
            const channelSettings = settings[channel]
            if (channelSettings === undefined) return undefined
            const {connector, ...rest} = channelSettings
            const callbacks = deliveryCallbackSettings(String(connector), rest, {
              env: options.env,
              channel: channel as Channel,
              vars: options.vars,
            })
            return callbacks === undefined ? undefined : parseDeliveryCallback(callbacks, request, options.wall())
          },
          findMessage: (by) => findMessage(ctx, by),
          feedbackOf: (reports) => feedbackOfReports(ctx, reports),
          record: async (feedback) => {
            const accepted = await recordFeedback(ctx, feedback)
            metrics.received('joe', accepted, 0)
            return accepted
          },
          stored: () => workWakeup.notify(),
        }),
  })
  const log: RuntimeLog = app.log
  const loopOptions = {pollMs, batchSize: options.batchSize ?? 200, worker, log}
  const listening = [
    ...(works ? [await runtime.listen('joe_events', () => workWakeup.notify())] : []),
    ...(delivers ? [await runtime.listen('joe_outbox', () => deliveryWakeup.notify())] : []),
  ]
  const workerLoop = works
    ? startWorkerLoop(ctx, workWakeup, {...loopOptions, onBatch: metrics.processed, onSends: () => deliveryWakeup.notify()})
    : undefined
  const deliveryLoop = delivers
    ? startDeliveryLoop(ctx, channels, deliveryWakeup, {
        ...loopOptions,
        onDelivery: (record, ms) => metrics.delivered(record, ms, channels.get(record.message.channel)?.connector.kind ?? 'none'),
      })
    : undefined
  const stopLoops = async () => {
    await Promise.all([workerLoop?.stop(), deliveryLoop?.stop(), ...listening.map((stop) => stop())])
  }
  try {
    await app.listen({host: options.host, port: options.port})
  } catch (error) {
    await stopLoops()
    await runtime.close()
    if ((error as {code?: string}).code === 'EADDRINUSE') {
      throw new JoeError('JOE7002', `port ${options.port} on ${options.host} is in use`, {
        hint: 'stop what listens there, or pick another with --port',
        cause: error,
      })
    }
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  log.info({store: runtime.display, clock: ctx.clock, port}, 'joe serve started')
  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${port}`,
    env: options.env,
    role,
    clock: ctx.clock,
    store: runtime.display,
    close() {
      closing ??= (async () => {
        await app.close()
        await stopLoops()
        await Promise.all([...channels.values()].map((c) => c.connector.close().catch(() => undefined)))
        await runtime.close()
        log.info({}, 'joe serve stopped')
      })()
      return closing
    },
  }
}

/**
 * Where links in messages point and how they are signed: the environment's `public_url` (default:
 * where this server listens, which only works locally) and `link_secret`.
 */
function linkSettings(options: ServeOptions, publicUrl: string | undefined, secrets: readonly string[] | undefined): LinkSettings {
  const where = `environment "${options.env}"`
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host
  return {
    baseUrl:
      publicUrl === undefined ? `http://${host}:${options.port}` : expandVariables(publicUrl, options.vars, `public_url of ${where}`),
    secrets: (secrets ?? []).map((secret, i) => expandVariables(secret, options.vars, `link_secret[${i}] of ${where}`)),
    env: options.env,
  }
}

/**
 * Requests arriving together are stored in one transaction (each all or nothing within it), which
 * keeps throughput up when many clients send at once.
 */
function createIngestBatcher(runtime: OpenRuntime, stored: () => void): (events: NewEvent[]) => Promise<AppendResult> {
  let queue: Array<{events: NewEvent[]; resolve: (r: AppendResult) => void; reject: (e: unknown) => void}> = []
  let flushing = false
  const flush = async () => {
    flushing = true
    while (queue.length > 0) {
      const group = queue
      queue = []
      try {
        const results = await runtime.ctx.conn.transaction(async (tx) => {
          const out: AppendResult[] = []
          for (const request of group) out.push(await appendInTransaction(runtime.ctx, tx, request.events, {source: 'http'}))
          return out
        })
        group.forEach((request, i) => {
          request.resolve(results[i] as AppendResult)
        })
        stored()
      } catch (error) {
        for (const request of group) request.reject(error)
      }
    }
    flushing = false
  }
  return (events) =>
    new Promise((resolve, reject) => {
      queue.push({events, resolve, reject})
      if (!flushing) void flush()
    })
}
