import type {Socket} from 'node:net'
import {hostname} from 'node:os'
import Fastify, {type FastifyInstance, type FastifyReply, type FastifyRequest, LogController} from 'fastify'
import type {IngestSettings} from '../core/project/config.js'
import type {IngestProblem, SegmentCall} from '../core/runtime/ingest.js'
import {authorize, MAX_BATCH_BYTES, parseSegmentCall, SEGMENT_CALLS} from '../core/runtime/ingest.js'
import {MASK} from '../core/secrets.js'
import type {NewEvent} from '../core/store/store-types.js'
import {decodeBody, decoderFor} from './body-decoding.js'
import type {Readiness} from './health.js'
import {serverTimeouts} from './http-limits.js'
import type {ServeMetrics} from './metrics.js'
import {createTokenBuckets} from './rate-limit.js'

/** What the HTTP surface of `joe serve` needs from the runtime. */
export interface ServerDeps {
  /** Stores a request's events, all or none; absent in processes that do not ingest (the ingest routes answer 404). */
  ingest?: (events: NewEvent[]) => Promise<{accepted: number; duplicates: number}>
  /** The process's role, for messages. */
  role: string
  /** The environment's write keys (expanded). */
  writeKeys: readonly string[]
  /** Epoch ms of the wall clock: a missing event timestamp is the time it arrived, and rate limits refill on it. */
  wall: () => number
  /** Liveness: the process answers. */
  health(): Record<string, unknown>
  /** Readiness: the store answers and the loops of the role run. */
  ready(): Promise<Readiness>
  /** Structured logs (pino), one line per request, each line with `bindings` (env, role); false in tests. */
  logger: boolean | {level: string; stream: NodeJS.WritableStream; bindings?: Record<string, string>}
  /** The environment's `ingest` settings: rate limits per write key, timeouts. */
  limits?: IngestSettings | undefined
  /** Counted requests and `GET /metrics`; absent: no metrics route. */
  metrics?: ServeMetrics | undefined
  /** Extra routes (delivery callbacks, unsubscribe links), registered by their owners. */
  routes?: ((app: FastifyInstance) => void) | undefined
}

/** Routes polled by machines (health checks, scrapes): logged only when they fail, or at debug level. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics'])

/**
 * The HTTP surface of `joe serve`: Segment's HTTP Tracking API (so existing clients work by
 * pointing their host at it), health, readiness and metrics. Bodies may be gzip or deflate encoded
 * (as RudderStack sends them); the 500 KB limit applies to the decoded body, so a small compressed
 * body cannot expand past it, and the decoding stops there. Each write key may be rate limited
 * (429 with Retry-After, as Segment answers), and slow or silent clients are cut off.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    logger: typeof deps.logger === 'boolean' ? deps.logger : loggerOptions(deps.logger),
    // One line per request, written when it is answered (below), instead of fastify's two.
    logController: new LogController({disableRequestLogging: true}),
    bodyLimit: MAX_BATCH_BYTES,
    ...serverTimeouts(deps.limits),
    // Signed tokens in link paths (unsubscribe, view in browser) are longer than fastify's default 100.
    routerOptions: {maxParamLength: 2_048},
  })
  // What a request's log line says beyond the basics (the write key's position, events stored).
  const notes = new WeakMap<FastifyRequest, Record<string, unknown>>()
  const note = (request: FastifyRequest, fields: Record<string, unknown>) => notes.set(request, {...notes.get(request), ...fields})
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url
    const status = reply.statusCode
    deps.metrics?.requested(request.method, route ?? 'unmatched', status, reply.elapsedTime / 1000)
    const quiet = route !== undefined && QUIET_ROUTES.has(route) && status < 400
    // The route's pattern, never its parameters (link tokens) nor a query string (it may hold credentials).
    const where = route === undefined ? {path: request.url.split('?')[0]} : {route}
    request.log[quiet ? 'debug' : 'info'](
      {method: request.method, ...where, status, ms: Math.round(reply.elapsedTime), ip: request.ip, ...notes.get(request)},
      'request',
    )
  })
  // Clients node cuts off before a request reaches fastify: too slow (408), headers too large, not HTTP.
  app.server.prependListener('clientError', (error: Error & {code?: string}, socket: Socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return
    const reason =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'timeout' : error.code === 'HPE_HEADER_OVERFLOW' ? 'header_overflow' : 'malformed'
    deps.metrics?.clientError(reason)
    app.log[reason === 'timeout' ? 'info' : 'debug']({reason, ip: socket.remoteAddress}, 'client cut off')
  })
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity')
    const decoder = decoderFor(encoding)
    if (decoder === undefined) {
      throw Object.assign(new Error(`unsupported Content-Encoding "${encoding}": send gzip, deflate or none`), {statusCode: 415})
    }
    if (decoder === 'identity') return payload
    note(request, {encoding: decoder})
    return decodeBody(payload, decoder, MAX_BATCH_BYTES)
  })
  // The Tracking API only takes JSON, whatever the Content-Type says: RudderStack's node SDK sends
  // gzipped JSON as application/x-www-form-urlencoded. (The message routes parse in a scope of their own.)
  app.removeContentTypeParser('text/plain')
  app.addContentTypeParser('*', {parseAs: 'string'}, app.getDefaultJsonParser('error', 'error'))
  app.setErrorHandler((error: Error & {statusCode?: number; code?: string}, _request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
      return problem(reply, {
        status: 413,
        code: 'body_too_large',
        message: `the body is larger than ${MAX_BATCH_BYTES / 1024} KB (Segment's limit per request)`,
      })
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.statusCode === 415) {
      return reply.code(415).send({success: false, error: {code: 'unsupported_media_type', message: error.message}})
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      // Malformed JSON, a broken gzip stream, an empty body.
      return problem(reply, {status: 400, code: 'invalid_body', message: `the body is not valid JSON: ${error.message}`})
    }
    reply.log.error({err: error}, 'request failed')
    return reply
      .code(500)
      .send({success: false, error: {code: 'internal', message: 'joe could not store the events; nothing was stored, try again'}})
  })
  const ingest = deps.ingest
  const limit = deps.limits?.rateLimit
  const buckets = limit === undefined ? undefined : createTokenBuckets(limit, deps.wall)
  const refuse = (reply: FastifyReply, key: number, retryAfterSeconds: number) => {
    deps.metrics?.rateLimited()
    return problem(reply, {
      status: 429,
      code: 'rate_limited',
      message: `write key ${key + 1} sends more than this environment allows (${limit?.eventsPerSecond} events/s, bursts of ${limit?.burst}): retry after ${retryAfterSeconds} s`,
      retryAfterSeconds,
    })
  }
  // A key sent by Basic auth is checked before the body is read: an unknown key (401) or a drained
  // one (429) costs no parsing. A key in the body is known after parsing.
  const gate = async (request: FastifyRequest, reply: FastifyReply) => {
    if (ingest === undefined || !request.headers.authorization?.startsWith('Basic ')) return
    const authorized = authorize(request.headers.authorization, undefined, deps.writeKeys)
    if ('problem' in authorized) return problem(reply, authorized.problem)
    note(request, {write_key: authorized.key + 1})
    const admission = buckets?.peek(String(authorized.key)) ?? {ok: true}
    if (!admission.ok) return refuse(reply, authorized.key, admission.retryAfterSeconds)
  }
  for (const call of [...SEGMENT_CALLS, 'import' as const]) {
    app.post(`/v1/${call}`, {onRequest: gate}, async (request, reply) => {
      if (ingest === undefined) {
        return reply.code(404).send({
          success: false,
          error: {code: 'not_ingest', message: `this joe serve process runs the ${deps.role} role: send events to an ingest process`},
        })
      }
      const parsed = parseSegmentCall(call === 'import' ? 'batch' : (call as SegmentCall), request.body, deps.wall())
      const bodyKey = 'problem' in parsed ? bodyWriteKey(request.body) : parsed.writeKey
      const authorized = authorize(request.headers.authorization, bodyKey, deps.writeKeys)
      if ('problem' in authorized) return problem(reply, authorized.problem)
      note(request, {write_key: authorized.key + 1})
      if ('problem' in parsed) return problem(reply, parsed.problem)
      const admission = buckets?.take(String(authorized.key), parsed.events.length) ?? {ok: true}
      if (!admission.ok) return refuse(reply, authorized.key, admission.retryAfterSeconds)
      const stored = await ingest(parsed.events)
      deps.metrics?.received('http', stored.accepted, stored.duplicates)
      note(request, {accepted: stored.accepted, duplicates: stored.duplicates})
      return reply.code(200).send({success: true, accepted: stored.accepted, duplicates: stored.duplicates})
    })
  }
  app.get('/healthz', async () => deps.health())
  app.get('/readyz', async (_request, reply) => {
    const state = await deps.ready()
    return reply.code(state.ready ? 200 : 503).send(state)
  })
  const metrics = deps.metrics
  if (metrics !== undefined) {
    app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()))
  }
  deps.routes?.(app)
  return app
}

function loggerOptions(options: {level: string; stream: NodeJS.WritableStream; bindings?: Record<string, string>}) {
  return {
    level: options.level,
    stream: options.stream,
    base: {pid: process.pid, hostname: hostname(), ...options.bindings},
    redact: LOG_REDACTIONS,
  }
}

/** Fields masked wherever they appear in a log line (none of joe's lines carry them: this is the net under that). */
const LOG_REDACTIONS = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'headers.authorization',
    'authorization',
    'writeKey',
    '*.writeKey',
    'secret',
    '*.secret',
    'password',
    '*.password',
  ],
  censor: MASK,
}

function bodyWriteKey(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && typeof (body as {writeKey?: unknown}).writeKey === 'string'
    ? (body as {writeKey: string}).writeKey
    : undefined
}

function problem(reply: FastifyReply, p: IngestProblem) {
  if (p.status === 401) reply.header('www-authenticate', 'Basic realm="joe"')
  if (p.retryAfterSeconds !== undefined) reply.header('retry-after', String(p.retryAfterSeconds))
  return reply
    .code(p.status)
    .send({success: false, error: {code: p.code, message: p.message, ...(p.location ? {location: p.location} : {})}})
}
