import type {FastifyInstance} from 'fastify'
import type {OutboxMessage} from '../core/connectors/connector.js'
import {prepareMessage} from '../core/connectors/delivery-context.js'
import type {CallbackResult, DeliveryFeedback, DeliveryReport} from '../core/connectors/feedback/delivery-events.js'
import {isOneClickBody, unsubscribeFromLink, unsubscribePage} from '../core/connectors/feedback/unsubscribe.js'
import {type LinkSettings, verifyLinkToken} from '../core/templates/link-tokens.js'
import type {TemplateCatalog} from '../core/templates/template-types.js'
import {webViewHtml} from '../core/templates/web-view.js'

/** What the routes of links in messages and of provider callbacks need from the runtime. */
export interface MessageRouteDeps {
  links: LinkSettings
  templates?: TemplateCatalog
  wall: () => number
  /** Parses a provider's callback for `channel` (undefined: the channel takes none). */
  parseCallback(
    channel: string,
    request: {url: string; headers: Record<string, string | undefined>; body: string},
  ): CallbackResult | undefined
  findMessage(by: {idempotencyKey?: string; providerId?: string}): Promise<OutboxMessage | undefined>
  /** The feedback of reports, for the messages they name. */
  feedbackOf(reports: readonly DeliveryReport[]): Promise<{feedback: DeliveryFeedback[]; unknown: number}>
  record(feedback: readonly DeliveryFeedback[]): Promise<number>
  /** Wakes the worker (new events). */
  stored(): void
}

/**
 * The routes of `joe serve` that messages lead back to: unsubscribe links (a GET shows a page with
 * a button, the POST of that button or of a mail client's RFC 8058 one-click unsubscribes), view in
 * browser, and providers' delivery status callbacks. Bodies are taken as text here: signatures
 * cover the exact bytes, and one-click bodies are form-encoded.
 */
export function messageRoutes(deps: MessageRouteDeps): (app: FastifyInstance) => void {
  return (app) => {
    void app.register(async (scope) => {
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser('*', {parseAs: 'string'}, (_request, body, done) => done(null, body))
      const html = (reply: {type(t: string): unknown}, body: string) => {
        reply.type('text/html; charset=utf-8')
        return body
      }
      const secrets = {secrets: deps.links.secrets, env: deps.links.env}

      scope.get<{Params: {token: string}}>('/v1/unsubscribe/:token', async (request, reply) => {
        const verified = verifyLinkToken(request.params.token, {...secrets, purpose: 'unsubscribe'})
        if (!verified.ok) return html(reply.code(400), unsubscribePage('invalid'))
        return html(reply, unsubscribePage('confirm', verified.claims.channel))
      })

      scope.post<{Params: {token: string}; Body: string}>('/v1/unsubscribe/:token', async (request, reply) => {
        const body = typeof request.body === 'string' ? request.body : ''
        const result = unsubscribeFromLink(request.params.token, secrets, deps.wall(), isOneClickBody(body) ? 'one-click' : 'page')
        if (!result.ok) {
          request.log.warn({reason: result.reason}, 'unsubscribe link refused')
          return html(reply.code(400), unsubscribePage('invalid'))
        }
        await deps.record([result.feedback])
        deps.stored()
        return html(reply, unsubscribePage('done', result.claims.channel))
      })

      scope.get<{Params: {token: string}}>('/v1/view/:token', async (request, reply) => {
        const verified = verifyLinkToken(request.params.token, {...secrets, purpose: 'view'})
        const messageId = verified.ok ? verified.claims.messageId : undefined
        const message = messageId === undefined ? undefined : await deps.findMessage({idempotencyKey: messageId})
        if (message === undefined || message.customerId !== (verified.ok ? verified.claims.customerId : '')) {
          return html(reply.code(404), '<!doctype html><title>Not found</title><p>This message cannot be shown.</p>')
        }
        const prepared = prepareMessage(message, {
          env: deps.links.env,
          channel: message.channel,
          ...(deps.templates === undefined ? {} : {templates: deps.templates}),
          links: deps.links,
          vars: {},
          now: deps.wall,
          root: '.',
        })
        if ('error' in prepared || prepared.content === null) {
          return html(reply.code(404), '<!doctype html><title>Not found</title><p>This message cannot be shown.</p>')
        }
        return html(reply, webViewHtml(prepared.content))
      })

      scope.post<{Params: {channel: string}; Body: string}>('/v1/delivery/:channel', async (request, reply) => {
        const url = `${deps.links.baseUrl.replace(/\/+$/, '')}${request.url}`
        const headers: Record<string, string | undefined> = {}
        for (const [name, value] of Object.entries(request.headers))
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
        const parsed = deps.parseCallback(request.params.channel, {
          url,
          headers,
          body: typeof request.body === 'string' ? request.body : '',
        })
        if (parsed === undefined) {
          return reply.code(404).send({
            success: false,
            error: {code: 'no_callbacks', message: `channel ${request.params.channel} takes no delivery callbacks here`},
          })
        }
        if (!parsed.ok)
          return reply
            .code(parsed.status)
            .send({success: false, error: {code: parsed.status === 401 ? 'unauthorized' : 'invalid_body', message: parsed.reason}})
        const {feedback, unknown} = await deps.feedbackOf(parsed.reports)
        await deps.record(feedback)
        if (feedback.length > 0) deps.stored()
        return reply.send({success: true, recorded: feedback.length, unknown_messages: unknown, ignored: parsed.ignored})
      })
    })
  }
}
