import {createGunzip, createInflate} from 'node:zlib'
import Fastify, {type FastifyInstance, type FastifyReply} from 'fastify'
import type {IngestProblem, SegmentCall} from '../core/runtime/ingest.js'
import {authorize, MAX_BATCH_BYTES, parseSegmentCall, SEGMENT_CALLS} from '../core/runtime/ingest.js'
import type {NewEvent} from '../core/store/store-types.js'

/** What the HTTP surface of `joe serve` needs from the runtime. */
export interface ServerDeps {
  /** Stores a request's events, all or none; absent in processes that do not ingest (the ingest routes answer 404). */
  ingest?: (events: NewEvent[]) => Promise<{accepted: number; duplicates: number}>
  /** The process's role, for messages. */
  role: string
  /** The environment's write keys (expanded). */
  writeKeys: readonly string[]
  /** Epoch ms of the wall clock: a missing event timestamp is the time it arrived. */
  wall: () => number
  /** Liveness: the process answers. */
  health(): {status: 'ok'}
  /** Readiness: the store answers and the loops run. */
  ready(): Promise<{ready: boolean; role: string; checks: Record<string, string>}>
  /** Structured request logs (pino); false in tests. */
  logger: boolean | {level: string; stream: NodeJS.WritableStream}
  /** Extra routes (delivery callbacks, unsubscribe links), registered by their owners. */
  routes?: ((app: FastifyInstance) => void) | undefined
}

/**
 * The HTTP surface of `joe serve`: Segment's HTTP Tracking API (so existing clients work by
 * pointing their host at it), health and readiness. Bodies may be gzip or deflate encoded (as
 * RudderStack sends them); the 500 KB limit applies to the decoded body, so a small compressed
 * body cannot expand past it.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger,
    bodyLimit: MAX_BATCH_BYTES,
    // A client that stops sending mid-body does not hold a connection forever.
    requestTimeout: 30_000,
    // Signed tokens in link paths (unsubscribe, view in browser) are longer than fastify's default 100.
    routerOptions: {maxParamLength: 2_048},
  })
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase()
    if (encoding === 'identity') return payload
    if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
      throw Object.assign(new Error(`unsupported Content-Encoding "${encoding}": send gzip, deflate or none`), {statusCode: 415})
    }
    const decoded = payload.pipe(encoding === 'deflate' ? createInflate() : createGunzip())
    // Content-Length counts the encoded bytes: fastify compares it with this, not with the decoded size.
    let encoded = 0
    payload.on('data', (chunk: Buffer) => {
      encoded += chunk.length
    })
    Object.defineProperty(decoded, 'receivedEncodedLength', {get: () => encoded})
    return decoded
  })
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
  for (const call of [...SEGMENT_CALLS, 'import' as const]) {
    app.post(`/v1/${call}`, async (request, reply) => {
      if (ingest === undefined) {
        return reply.code(404).send({
          success: false,
          error: {code: 'not_ingest', message: `this joe serve process runs the ${deps.role} role: send events to an ingest process`},
        })
      }
      const parsed = parseSegmentCall(call === 'import' ? 'batch' : (call as SegmentCall), request.body, deps.wall())
      const key = 'problem' in parsed ? bodyWriteKey(request.body) : parsed.writeKey
      const denied = authorize(request.headers.authorization, key, deps.writeKeys)
      if (denied) return problem(reply, denied)
      if ('problem' in parsed) return problem(reply, parsed.problem)
      const stored = await ingest(parsed.events)
      return reply.code(200).send({success: true, accepted: stored.accepted, duplicates: stored.duplicates})
    })
  }
  app.get('/healthz', async () => deps.health())
  app.get('/readyz', async (_request, reply) => {
    const state = await deps.ready()
    return reply.code(state.ready ? 200 : 503).send(state)
  })
  deps.routes?.(app)
  return app
}

function bodyWriteKey(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && typeof (body as {writeKey?: unknown}).writeKey === 'string'
    ? (body as {writeKey: string}).writeKey
    : undefined
}

function problem(reply: FastifyReply, p: IngestProblem) {
  if (p.status === 401) reply.header('www-authenticate', 'Basic realm="joe"')
  return reply
    .code(p.status)
    .send({success: false, error: {code: p.code, message: p.message, ...(p.location ? {location: p.location} : {})}})
}
