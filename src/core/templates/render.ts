import type {Liquid} from 'liquidjs'
import type {Channel, OutboxMessage} from '../connectors/connector.js'
import type {SourceLocation} from '../errors.js'
import {iso} from '../instant.js'
import {htmlToText} from './html-to-text.js'
import type {MessageLinks} from './link-tokens.js'
import {liquidProblem} from './liquid-engine.js'
import {type CompiledLiquid, type MessageTemplate, type TemplateCatalog, templateKey} from './template-types.js'

/** What a template is rendered with; the names are the template variables (docs/templates-and-connectors.md). */
export interface RenderContext {
  profile: Record<string, unknown>
  data: Record<string, unknown>
  journey: {id: string; step?: string}
  message: {id: string; channel: Channel; template: string; sent_at?: string}
  links: MessageLinks
}

/** A rendered message, per channel. Text is trimmed; subjects and titles are one line. */
export type RenderedContent =
  | {
      channel: 'email'
      subject?: string
      from?: string
      replyTo?: string
      /** Absent for a text-only email. */
      html?: string
      /** The text part: the `.txt.liquid`, else the HTML as text. */
      text: string
      transactional: boolean
    }
  | {channel: 'sms'; text: string}
  | {channel: 'push' | 'in_app'; title?: string; body: string; url?: string}
  /** The JSON value the template wrote. */
  | {channel: 'webhook'; body: unknown}

export type RenderResult =
  | {ok: true; content: RenderedContent}
  /** `location` is in the template's files when the failure has a place (a missing variable, a filter error). */
  | {ok: false; error: string; location?: SourceLocation}

/** The render context of an outbox message. */
export function renderContextOf(message: OutboxMessage, links: MessageLinks): RenderContext {
  return {
    profile: message.profile,
    data: message.data,
    journey: {id: message.journeyId, step: message.stepId},
    message: {
      id: message.idempotencyKey,
      channel: message.channel,
      template: message.template,
      sent_at: iso(message.decidedAt),
    },
    links,
  }
}

/** Renders template `id` of `channel`; a missing or broken template is a failed render, not an exception. */
export function renderMessage(catalog: TemplateCatalog, channel: Channel, id: string, context: RenderContext): RenderResult {
  const template = catalog.templates.get(templateKey(channel, id))
  if (!template) return {ok: false, error: `there is no ${channel} template "${id}" in ${catalog.dir}`}
  if (template.broken) return {ok: false, error: `${channel} template "${id}" has errors (run \`joe validate\`)`}
  return renderTemplate(catalog, template, context)
}

class RenderFailure extends Error {
  constructor(
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(message)
  }
}

/** Renders one template for one customer. Pure: the catalog holds everything it reads. */
export function renderTemplate(catalog: TemplateCatalog, template: MessageTemplate, context: RenderContext): RenderResult {
  const scope = {
    profile: context.profile,
    data: context.data,
    journey: context.journey,
    message: context.message,
    unsubscribe_url: context.links.unsubscribeUrl,
    view_in_browser_url: context.links.viewInBrowserUrl,
  }
  const run = (piece: CompiledLiquid | undefined, engine: Liquid): string | undefined => {
    if (!piece) return undefined
    try {
      return String(engine.renderSync(piece.parsed, scope, {globals: scope}))
    } catch (error) {
      const problem = liquidProblem(error)
      throw new RenderFailure(`${template.channel} template "${template.id}": ${problem.message}`, locateProblem(catalog, piece, problem))
    }
  }
  const line = (piece: CompiledLiquid | undefined) => run(piece, catalog.engines.text)?.replace(/\s+/g, ' ').trim()
  try {
    switch (template.channel) {
      case 'email': {
        // In reading order, so the first failure reported is the first in the file.
        const headers = {subject: line(template.fields.subject), from: line(template.fields.from), replyTo: line(template.fields.reply_to)}
        const html = run(template.body, catalog.engines.html)
        const text = run(template.text, catalog.engines.text)?.trim() ?? htmlToText(html ?? '')
        return {
          ok: true,
          content: {
            channel: 'email',
            ...definedFields({...headers, html}),
            text,
            transactional: template.transactional,
          },
        }
      }
      case 'sms':
        return {ok: true, content: {channel: 'sms', text: (run(template.body, catalog.engines.text) ?? '').trim()}}
      case 'push':
      case 'in_app': {
        const fields = {title: line(template.fields.title), url: line(template.fields.url)}
        const body = (run(template.body, catalog.engines.text) ?? '').trim()
        return {
          ok: true,
          content: {channel: template.channel, ...definedFields(fields), body},
        }
      }
      case 'webhook': {
        const text = run(template.body, catalog.engines.text) ?? ''
        try {
          return {ok: true, content: {channel: 'webhook', body: JSON.parse(text)}}
        } catch (error) {
          return {
            ok: false,
            error: `webhook template "${template.id}" did not render valid JSON (${(error as Error).message}); write values with the json filter: {{ profile.email | json }}`,
            location: {file: template.file, line: 1, column: 1},
          }
        }
      }
    }
  } catch (error) {
    if (error instanceof RenderFailure) return {ok: false, error: error.message, ...(error.location ? {location: error.location} : {})}
    throw error
  }
}

function definedFields<T extends Record<string, string | undefined>>(fields: T): {[K in keyof T]?: string} {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== '') out[key] = value
  return out as {[K in keyof T]?: string}
}

function locateProblem(
  catalog: TemplateCatalog,
  piece: CompiledLiquid,
  problem: ReturnType<typeof liquidProblem>,
): SourceLocation | undefined {
  if (problem.input === undefined || problem.input === piece.source) return piece.locate(problem.line, problem.column)
  for (const partial of catalog.partials.values()) {
    if (partial.source === problem.input) return {file: partial.file, line: problem.line, column: problem.column}
  }
  return undefined
}
