import {urlSecrets} from '../secrets.js'
import type {Connector, DeliveryOutcome, OutboxMessage} from './connector.js'
import type {HttpOptions} from './connector-options.js'
import {
  type ConnectorLiquid,
  compileOption,
  connectorEngines,
  type MessageConnectorDeps,
  prepareMessage,
  renderOption,
} from './delivery-context.js'
import {outcomeOfRequestError, outcomeOfResponse, redactOutcome} from './http-outcome.js'

/** Provider responses are read up to this size; ids and error messages are near the start. */
const MAX_RESPONSE_BYTES = 64 * 1024

/**
 * A provider's HTTP API (Twilio, a push gateway, an API of your own): one request per message,
 * its body written in Liquid over the message and its rendered template. Sent with Node's fetch
 * (undici) with a timeout, the idempotency key as `Idempotency-Key`, and redirects refused; the
 * response becomes an outcome by http-outcome.ts.
 */
export async function createHttpConnector(options: HttpOptions, deps: MessageConnectorDeps): Promise<Connector> {
  const engines = await connectorEngines(deps)
  const to = compileOption(engines, options.to, '`to`', deps)
  const body = options.body === undefined ? undefined : compileOption(engines, options.body, '`body`', deps)
  const form =
    options.form === undefined
      ? undefined
      : Object.entries(options.form).map(([name, source]) => [name, compileOption(engines, source, `form field ${name}`, deps)] as const)
  const json = /[/+]json\b/i.test(options.contentType)
  const url = new URL(options.url)
  // Errors name the endpoint without user info or query, which may hold credentials.
  const where = `${url.protocol}//${url.host}${url.pathname}`
  // Header values are credentials more often than not (`Bearer …`, `Basic …`): never in an error text.
  const secrets = [...urlSecrets(options.url), ...Object.values(options.headers).flatMap((v) => [v, v.split(' ').at(-1) ?? ''])]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length)

  const requestBody = (scope: Record<string, unknown>): {text: string} | {error: string} => {
    if (form) return renderForm(form, scope)
    const rendered = renderOption(body as ConnectorLiquid, scope)
    if ('error' in rendered || !json) return rendered
    try {
      JSON.parse(rendered.text)
      return rendered
    } catch (error) {
      return {
        error: `\`body\` did not render valid JSON (${(error as Error).message}); write values with the json filter, e.g. {{ to | json }}`,
      }
    }
  }

  return {
    kind: 'http',
    async deliver(message: OutboxMessage, signal?: AbortSignal): Promise<DeliveryOutcome> {
      const prepared = prepareMessage(message, deps)
      if ('error' in prepared) return {status: 'failed', error: prepared.error}
      const recipient = renderOption(to, prepared.scope)
      if ('error' in recipient) return {status: 'failed', error: `no recipient: ${recipient.error}`}
      const address = recipient.text.trim()
      if (address === '')
        return {status: 'failed', error: `no recipient: \`to\` (${options.to}) is empty for customer ${message.customerId}`}
      const payload = requestBody({...prepared.scope, to: address})
      if ('error' in payload) return {status: 'failed', error: payload.error}
      if (signal?.aborted) return {status: 'retry', error: 'aborted (shutting down)'}
      const timeout = AbortSignal.timeout(options.timeoutMs)
      try {
        const response = await fetch(options.url, {
          method: options.method,
          headers: {
            'User-Agent': 'joe',
            'Content-Type': options.contentType,
            'Idempotency-Key': message.idempotencyKey,
            ...options.headers,
          },
          body: payload.text,
          redirect: 'manual',
          signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
        })
        const text = await readLimited(response)
        return redactOutcome(
          outcomeOfResponse(
            {status: response.status, headers: response.headers, body: text},
            {method: options.method, where, now: deps.now(), ...(options.providerId ? {providerIdPath: options.providerId} : {})},
          ),
          secrets,
        )
      } catch (error) {
        return redactOutcome(outcomeOfRequestError(error, {method: options.method, where, timeoutMs: options.timeoutMs}), secrets)
      }
    },
    async close(): Promise<void> {
      // fetch keeps no connections that need closing: undici's global pool ends idle sockets itself.
    },
  }
}

/** Form fields rendered and URL-encoded; a field that renders empty is left out (an unset StatusCallback, say). */
function renderForm(
  fields: ReadonlyArray<readonly [string, ConnectorLiquid]>,
  scope: Record<string, unknown>,
): {text: string} | {error: string} {
  const params = new URLSearchParams()
  for (const [name, liquid] of fields) {
    const rendered = renderOption(liquid, scope)
    if ('error' in rendered) return rendered
    if (rendered.text !== '') params.append(name, rendered.text)
  }
  return {text: params.toString()}
}

async function readLimited(response: Response): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const {done, value} = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.length
    if (size >= MAX_RESPONSE_BYTES) {
      await reader.cancel()
      break
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_BYTES)
}
