import type {Liquid} from 'liquidjs'
import {JoeError} from '../errors.js'
import {type LinkSettings, type MessageLinks, messageLinks} from '../templates/link-tokens.js'
import {createTemplateEngines, liquidProblem, type ParsedLiquid, type TemplateEngines} from '../templates/liquid-engine.js'
import {type RenderedContent, renderContextOf, renderMessage} from '../templates/render.js'
import type {TemplateCatalog} from '../templates/template-types.js'
import {templateKey} from '../templates/template-types.js'
import type {Channel, OutboxMessage} from './connector.js'

/** What the runtime gives every connector it creates. */
export interface MessageConnectorDeps {
  /** The environment delivering. */
  env: string
  /** The channel this connector delivers. */
  channel: Channel
  /** The project's template files; absent when it has no templates folder. */
  templates?: TemplateCatalog
  /** Where `joe serve` is reachable and how it signs links (unsubscribe, view in browser, delivery callbacks). */
  links: LinkSettings
  /** For `${VAR}` in options. */
  vars: Readonly<Record<string, string | undefined>>
  /** The clock (epoch ms), for Retry-After dates. */
  now: () => number
  /** The project root, for relative paths in options. */
  root: string
}

/** Where providers post delivery status callbacks (`joe serve`): `/v1/delivery/<channel>`. */
export const DELIVERY_PATH = '/v1/delivery/'

/** A message made ready to deliver: its links, its rendered template (null when it has no template file), the scope of bodies. */
export interface PreparedMessage {
  links: MessageLinks
  content: RenderedContent | null
  /** The variables of connector-side Liquid (`to`, request bodies). */
  scope: Record<string, unknown>
}

/**
 * Renders a message for delivery. A template file that exists but does not render for this
 * customer is a failure (the message goes to the dead letters with the reason); a template id
 * with no file (kept at the provider, listed in the config) renders to `content: null`.
 */
export function prepareMessage(message: OutboxMessage, deps: MessageConnectorDeps): PreparedMessage | {error: string} {
  const links = messageLinks(deps.links, message)
  const context = renderContextOf(message, links)
  let content: RenderedContent | null = null
  if (deps.templates?.templates.has(templateKey(message.channel, message.template))) {
    const rendered = renderMessage(deps.templates, message.channel, message.template, context)
    if (!rendered.ok) {
      const where = rendered.location ? ` (${rendered.location.file}:${rendered.location.line}:${rendered.location.column})` : ''
      return {error: `${rendered.error}${where}`}
    }
    content = rendered.content
  }
  const base = deps.links.baseUrl.replace(/\/+$/, '')
  return {
    links,
    content,
    scope: {
      profile: context.profile,
      data: context.data,
      journey: context.journey,
      message: context.message,
      customer_id: message.customerId,
      content,
      unsubscribe_url: links.unsubscribeUrl,
      view_in_browser_url: links.viewInBrowserUrl,
      callback_url: `${base}${DELIVERY_PATH}${message.channel}?message_id=${encodeURIComponent(message.idempotencyKey)}`,
    },
  }
}

/** Liquid written in a connector's options (`to`, a request body), parsed once when the connector is created. */
export interface ConnectorLiquid {
  what: string
  parsed: ParsedLiquid
  engine: Liquid
}

/** The catalog's engines, or fresh ones for a project without templates. */
export async function connectorEngines(deps: MessageConnectorDeps): Promise<TemplateEngines> {
  return deps.templates?.engines ?? createTemplateEngines(new Map())
}

/** Parses option Liquid; a syntax error is a bad option (JOE7001), found when `joe serve` starts. */
export function compileOption(engines: TemplateEngines, source: string, what: string, deps: MessageConnectorDeps): ConnectorLiquid {
  try {
    return {what, parsed: engines.text.parse(source), engine: engines.text}
  } catch (error) {
    const problem = liquidProblem(error)
    throw new JoeError(
      'JOE7001',
      `environment "${deps.env}", channel ${deps.channel}: ${what} is not valid Liquid: ${problem.message} (line ${problem.line}, column ${problem.column})`,
      {
        hint: 'see docs/templates-and-connectors.md for the variables and filters of connector options',
      },
    )
  }
}

/** Renders option Liquid for one message; failures are the message's, reported as text. */
export function renderOption(liquid: ConnectorLiquid, scope: Record<string, unknown>): {text: string} | {error: string} {
  try {
    return {text: String(liquid.engine.renderSync(liquid.parsed, scope, {globals: scope}))}
  } catch (error) {
    return {error: `${liquid.what}: ${liquidProblem(error).message}`}
  }
}
