import path from 'node:path'
import type {Channel} from '../connectors/connector.js'
import {composeEmail, emlOf, messageIdFor} from '../connectors/email-message.js'
import {JoeError} from '../errors.js'
import {iso} from '../instant.js'
import {didYouMean} from '../journey/suggest.js'
import type {JoeConfig} from '../project/config.js'
import {openEventStore} from '../store/open-store.js'
import {customerTimeline} from '../store/queries.js'
import {loadTemplateCatalog} from './catalog.js'
import {messageLinks, PREVIEW_LINK_SETTINGS} from './link-tokens.js'
import {type RenderedContent, renderTemplate} from './render.js'
import {countSmsSegments, type SmsSegments} from './sms-segments.js'
import {classifyTemplateFile} from './template-layout.js'
import type {MessageTemplate, TemplateCatalog} from './template-types.js'
import {webViewHtml} from './web-view.js'

export interface PreviewOptions {
  cwd: string
  config: JoeConfig
  /** A template id (`cart-reminder-1`), `channel/id`, or the path of a template file. */
  template: string
  /** A customer of the local event store; absent: an empty profile. */
  customer?: string
  /** The event store file, for `customer`. */
  store: string
  /** Epoch ms: the customer's profile as of then, and the message's send time. Default: the customer's last event. */
  at?: number
  /** `send.data` for the template. */
  data: Record<string, unknown>
  /** Epoch ms: the send time when neither `at` nor a customer gives one (the caller's clock). */
  now: number
}

/** Version of `joe preview --json` (schemas/output/preview.schema.json). */
export const PREVIEW_FORMAT_VERSION = 1

/** The rendered message as `--json` shows it: every field of its channel, null when the template has none. */
export type PreviewContent =
  | {
      channel: 'email'
      subject: string | null
      from: string | null
      reply_to: string | null
      /** Null for a text-only email. */
      html: string | null
      /** The text part: the `.txt.liquid`, else the HTML as text. */
      text: string
      transactional: boolean
    }
  | {channel: 'sms'; text: string}
  | {channel: 'push' | 'in_app'; title: string | null; body: string; url: string | null}
  | {channel: 'webhook'; body: unknown}

export interface PreviewResult {
  format_version: typeof PREVIEW_FORMAT_VERSION
  template: {channel: Channel; id: string; file: string}
  /** With `--customer`: who, and their profile as of when; null without. */
  customer: {id: string; as_of: string; profile: Record<string, unknown>} | null
  /** The message's send time (ISO 8601), as `message.sent_at`: `--at`, else the customer's last event, else now. */
  sent_at: string
  content: PreviewContent
  /** SMS only (null otherwise): how the text is encoded and how many segments it takes. */
  segments: {
    encoding: SmsSegments['encoding']
    units: number
    segments: number
    per_segment: number
    /** The first character that forces UCS-2, with its index in the text; null for GSM-7. */
    first_non_gsm: {char: string; index: number} | null
  } | null
}

/** `joe preview`: renders one template as a customer of the local store would receive it. */
export async function previewTemplate(options: PreviewOptions): Promise<PreviewResult> {
  const {config} = options
  const dir = path.resolve(config.root, config.templatesDir)
  if (!config.templateFiles) {
    throw new JoeError('JOE8001', `there is no templates folder at ${path.relative(options.cwd, dir) || '.'}`, {
      hint: 'templates are files such as templates/email/<id>.liquid (see docs/templates-and-connectors.md); `templates_dir` in joe.config.yaml moves the folder',
    })
  }
  const {catalog, files} = await loadTemplateCatalog(dir, options.cwd)
  const template = findTemplate(catalog as TemplateCatalog, options.template, options.cwd)
  const problem = files.flatMap((f) => f.diagnostics).find((d) => d.severity === 'error' && isTemplateFile(template, d.location.file))
  if (template.broken || problem) {
    throw new JoeError(
      problem?.code ?? 'JOE8002',
      `${template.channel} template "${template.id}" has errors: ${problem?.message ?? 'see joe validate'}`,
      {
        hint: 'run `joe validate` to see every problem',
        ...(problem ? {where: problem.location} : {}),
      },
    )
  }

  const timeline = options.customer === undefined ? undefined : readCustomer(options.store, options.customer, options.at)
  const sentAt = options.at ?? timeline?.events.at(-1)?.timestamp ?? options.now
  const customerId = options.customer ?? 'preview'
  const messageId = 'preview'
  const links = messageLinks(PREVIEW_LINK_SETTINGS, {
    customerId,
    channel: template.channel,
    idempotencyKey: messageId,
    journeyId: 'preview',
    template: template.id,
  })
  const rendered = renderTemplate(catalog as TemplateCatalog, template, {
    profile: timeline?.profile ?? {},
    data: options.data,
    journey: {id: 'preview'},
    message: {id: messageId, channel: template.channel, template: template.id, sent_at: iso(sentAt)},
    links,
  })
  if (!rendered.ok) {
    throw new JoeError('JOE8002', rendered.error, {
      hint: /undefined variable: data\./.test(rendered.error)
        ? 'give send data with --data KEY=VALUE, or a default in the template ({{ data.x | default: "" }})'
        : options.customer
          ? `the customer's profile lacks what the template reads; pick another customer, or give the value a default ({{ profile.x | default: "" }})`
          : 'pass --customer ID to render with a customer of the event store',
      ...(rendered.location ? {where: rendered.location} : {}),
    })
  }
  const {content} = rendered
  return {
    format_version: PREVIEW_FORMAT_VERSION,
    template: {channel: template.channel, id: template.id, file: template.file},
    customer:
      timeline && options.customer !== undefined
        ? {id: options.customer, as_of: iso(options.at ?? (timeline.events.at(-1)?.timestamp as number)), profile: timeline.profile}
        : null,
    sent_at: iso(sentAt),
    content: previewContent(content),
    segments: content.channel === 'sms' ? segmentsOf(countSmsSegments(content.text)) : null,
  }
}

function previewContent(content: RenderedContent): PreviewContent {
  switch (content.channel) {
    case 'email':
      return {
        channel: 'email',
        subject: content.subject ?? null,
        from: content.from ?? null,
        reply_to: content.replyTo ?? null,
        html: content.html ?? null,
        text: content.text,
        transactional: content.transactional,
      }
    case 'push':
    case 'in_app':
      return {channel: content.channel, title: content.title ?? null, body: content.body, url: content.url ?? null}
    default:
      return content
  }
}

/** The rendered content back from the preview's, for the connectors' own functions (web view, email). */
function renderedContent(content: PreviewContent): RenderedContent {
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as T
  switch (content.channel) {
    case 'email': {
      const {reply_to, ...rest} = content
      return defined({...rest, replyTo: reply_to}) as RenderedContent
    }
    case 'push':
    case 'in_app':
      return defined(content) as RenderedContent
    default:
      return content
  }
}

function segmentsOf(s: SmsSegments): NonNullable<PreviewResult['segments']> {
  return {encoding: s.encoding, units: s.units, segments: s.segments, per_segment: s.perSegment, first_non_gsm: s.firstNonGsm ?? null}
}

function isTemplateFile(template: MessageTemplate, file: string): boolean {
  return [template.file, template.body?.file, template.text?.file].includes(file)
}

function readCustomer(store: string, customer: string, at: number | undefined) {
  const db = openEventStore(store, {readonly: true})
  try {
    const timeline = customerTimeline(db, customer, at === undefined ? {} : {asOf: at})
    if (timeline.events.length === 0) {
      throw new JoeError('JOE4004', `customer "${customer}" has no events${at === undefined ? '' : ' up to that time'} in ${store}`, {
        hint: 'customer ids are case-sensitive; `joe events stats` shows what the store holds',
      })
    }
    return timeline
  } finally {
    db.close()
  }
}

/** A template by id, `channel/id` or file path; unknown or ambiguous names are JOE8001. */
export function findTemplate(catalog: TemplateCatalog, name: string, cwd: string): MessageTemplate {
  const all = [...catalog.templates.values()]
  let matches: MessageTemplate[]
  if (name.endsWith('.liquid')) {
    const relative = path.relative(catalog.dir, path.resolve(cwd, name)).split(path.sep).join('/')
    const file = classifyTemplateFile(relative)
    matches = file.kind === 'template' ? all.filter((t) => t.channel === file.channel && t.id === file.id) : []
  } else if (name.includes('/')) {
    matches = all.filter((t) => `${t.channel}/${t.id}` === name)
  } else {
    matches = all.filter((t) => t.id === name)
  }
  if (matches.length === 1) return matches[0] as MessageTemplate
  if (matches.length > 1) {
    throw new JoeError('JOE8001', `"${name}" names ${matches.length} templates: ${matches.map((t) => `${t.channel}/${t.id}`).join(', ')}`, {
      hint: `name it with its channel, e.g. joe preview ${matches[0]?.channel}/${name}`,
      exitCode: 2,
    })
  }
  const names = all.map((t) => `${t.channel}/${t.id}`)
  throw new JoeError('JOE8001', `there is no template "${name}"`, {
    hint: `${didYouMean(name, name.includes('/') ? names : all.map((t) => t.id))}templates are: ${names.join(', ') || '(none)'}`,
    exitCode: 2,
  })
}

export type PreviewFormat = 'text' | 'html' | 'eml' | 'json'

/**
 * The preview as a file's content, for the formats that are not for a terminal: the message as a
 * web page (an email's HTML), the whole email as `.eml` (email only, JOE8003 otherwise), or JSON.
 */
export async function previewFile(result: PreviewResult, format: Exclude<PreviewFormat, 'text'>): Promise<string | Buffer> {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`
  const content = renderedContent(result.content)
  if (format === 'html') return webViewHtml(content)
  if (content.channel !== 'email') {
    throw new JoeError(
      'JOE8003',
      `--format ${format} is for email templates; ${result.template.channel}/${result.template.id} is ${content.channel}`,
      {
        hint: 'use --format text or json',
        exitCode: 2,
      },
    )
  }
  const to = typeof result.customer?.profile.email === 'string' ? result.customer.profile.email : 'customer@example.invalid'
  const links = messageLinks(PREVIEW_LINK_SETTINGS, {
    customerId: result.customer?.id ?? 'preview',
    channel: 'email',
    idempotencyKey: 'preview',
    journeyId: 'preview',
    template: result.template.id,
  })
  return emlOf(
    composeEmail(content, {
      to,
      from: 'joe preview <preview@example.invalid>',
      messageId: messageIdFor(`preview-${result.template.id}`, 'example.invalid'),
      date: new Date(result.sent_at),
      unsubscribe: {url: links.unsubscribeUrl},
    }),
  )
}

/** `--data key=value` flags as `send.data`: a value that is JSON (a number, true, a list) is parsed, anything else is a string. */
export function parseDataFlags(values: readonly string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  for (const value of values) {
    const eq = value.indexOf('=')
    if (eq <= 0) {
      throw new JoeError('JOE8003', `--data "${value}" is not key=value`, {hint: 'e.g. --data code=SAVE10 --data total=42', exitCode: 2})
    }
    const text = value.slice(eq + 1)
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      // Not JSON: the text itself.
    }
    data[value.slice(0, eq)] = parsed
  }
  return data
}

/** The format asked for: `--format`, else from the `--out` file's extension, else text. */
export function previewFormat(format: PreviewFormat | undefined, out: string | undefined): PreviewFormat {
  return format ?? (out === undefined ? 'text' : formatOfFile(out))
}

/** The format of `--out FILE` when `--format` is not given, from the file's extension. */
export function formatOfFile(file: string): PreviewFormat {
  const ext = path.extname(file).toLowerCase()
  return ext === '.html' || ext === '.htm' ? 'html' : ext === '.eml' ? 'eml' : ext === '.json' ? 'json' : 'text'
}
