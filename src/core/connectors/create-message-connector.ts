import {JoeError} from '../errors.js'
import type {Connector} from './connector.js'
import {type OptionsContext, parseHttpOptions, parseSmtpOptions} from './connector-options.js'
import type {MessageConnectorDeps} from './delivery-context.js'
import type {CallbackSettings} from './feedback/provider-callbacks.js'

/** The connector kinds this module creates (the runtime adds stdout, file and webhook). */
export const MESSAGE_CONNECTOR_KINDS = ['smtp', 'http'] as const
export type MessageConnectorKind = (typeof MESSAGE_CONNECTOR_KINDS)[number]

/**
 * How a channel's delivery callbacks (`POST /v1/delivery/<channel>`) are shaped and signed, from
 * the same options; undefined when its connector expects none. The server passes the result to
 * parseDeliveryCallback (feedback/provider-callbacks.ts).
 */
export function deliveryCallbackSettings(
  kind: string,
  options: Record<string, unknown>,
  ctx: OptionsContext,
): CallbackSettings | undefined {
  if (kind === 'smtp') return parseSmtpOptions(options, ctx).events
  if (kind === 'http') return parseHttpOptions(options, ctx).events
  return undefined
}

/**
 * Creates the connector of one channel from its options as written in joe.config.yaml
 * (`channels.<channel>` without `connector`). Bad options are JOE7001, found when `joe serve`
 * starts rather than at the first message; nodemailer and the Liquid engine load only here.
 */
export async function createConnector(kind: string, options: Record<string, unknown>, deps: MessageConnectorDeps): Promise<Connector> {
  const ctx = {env: deps.env, channel: deps.channel, vars: deps.vars}
  if (deps.links.secrets.length === 0 || deps.links.secrets.some((s) => s === '') || !/^https?:\/\/[^/]/.test(deps.links.baseUrl)) {
    // Every message carries signed links (unsubscribe, view in browser, delivery callbacks).
    throw new JoeError(
      'JOE7001',
      `environment "${deps.env}": messages need a public URL (http or https) and a link secret to sign their links`,
      {
        hint: 'set public_url and link_secret ("${JOE_LINK_SECRET}") on the environment',
      },
    )
  }
  switch (kind) {
    case 'smtp': {
      if (deps.channel !== 'email') {
        throw new JoeError('JOE7001', `environment "${deps.env}", channel ${deps.channel}: the smtp connector delivers email only`, {
          hint: 'use it under channels.email; for other channels use http (provider APIs) or webhook',
        })
      }
      const {createSmtpConnector} = await import('./smtp.js')
      return createSmtpConnector(parseSmtpOptions(options, ctx), deps)
    }
    case 'http': {
      const {createHttpConnector} = await import('./http-provider.js')
      return createHttpConnector(parseHttpOptions(options, ctx), deps)
    }
    default:
      throw new JoeError('JOE7001', `environment "${deps.env}", channel ${deps.channel}: unknown connector "${kind}"`, {
        hint: 'connectors are stdout, file, webhook, smtp and http',
      })
  }
}
