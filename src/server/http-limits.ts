import type {FastifyServerOptions} from 'fastify'
import type {IngestSettings} from '../core/project/config.js'

/** How long a request's headers and body may take to arrive (`ingest.request_timeout`). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/**
 * How long a connection may stay silent (`ingest.idle_timeout`): above the 60 s idle timeout of
 * most load balancers, so they close idle connections first and never reuse one joe just closed.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 75_000
/** How often node looks for requests past their timeout (its default, 30 s, would let one live that much longer). */
const MAX_CHECK_INTERVAL_MS = 1_000

/**
 * The timeouts of the HTTP server, so a slow or silent client cannot hold a connection: the whole
 * request (headers included) must arrive within the request timeout (node answers 408 and closes),
 * and a connection that sends nothing for the idle timeout (mid-request, or kept alive between
 * requests) is closed.
 */
export function serverTimeouts(settings: IngestSettings | undefined): Pick<
  FastifyServerOptions,
  'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout'
> & {
  http: {requestTimeout: number; headersTimeout: number; connectionsCheckingInterval: number}
} {
  const request = settings?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const idle = settings?.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  return {
    requestTimeout: request,
    connectionTimeout: idle,
    keepAliveTimeout: idle,
    http: {
      requestTimeout: request,
      headersTimeout: request,
      connectionsCheckingInterval: Math.max(1, Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(request / 2))),
    },
  }
}
