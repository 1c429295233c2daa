import type {Channel} from '../connectors/connector.js'
import type {SourceLocation} from '../errors.js'
import type {ParsedLiquid, TemplateEngines} from './liquid-engine.js'

/** A piece of Liquid (a body, or one front matter value) parsed, with a way back to its file. */
export interface CompiledLiquid {
  /** Display path of the file it is written in. */
  file: string
  source: string
  parsed: ParsedLiquid
  /** The file position of a 1-based position in `source`. */
  locate(line: number, column: number): SourceLocation
}

/** Front matter values that are Liquid (see FRONT_MATTER_KEYS). */
export type TemplateField = 'subject' | 'from' | 'reply_to' | 'title' | 'url'

/** One place a template reads `data.<key>`, and whether a missing value is tolerated there (`if`, `default`). */
export interface DataRead {
  key: string
  location: SourceLocation
  guarded: boolean
}

export interface MessageTemplate {
  channel: Channel
  id: string
  /** The file problems and previews name: the main file, or the `.txt.liquid` of a text-only email. */
  file: string
  fields: Partial<Record<TemplateField, CompiledLiquid>>
  /** email: `transactional: true` in the front matter (no unsubscribe link required, no List-Unsubscribe). */
  transactional: boolean
  /** email: the HTML body; sms, push, in_app: the text; webhook: the JSON body. Absent for a text-only email. */
  body?: CompiledLiquid
  /** email only: the plain-text body, when `<id>.txt.liquid` exists. */
  text?: CompiledLiquid
  /** Every `data.<key>` the template reads, partials included. */
  dataReads: DataRead[]
  /** Whether the template (or a partial it renders) writes `unsubscribe_url`. */
  hasUnsubscribeLink: boolean
  /** True when one of its files has errors; such a template cannot be rendered. */
  broken: boolean
}

/** The templates of a project's templates folder, parsed and ready to render. */
export interface TemplateCatalog {
  /** Absolute path of the templates folder. */
  dir: string
  engines: TemplateEngines
  /** By `templateKey(channel, id)`. */
  templates: ReadonlyMap<string, MessageTemplate>
  /** Shared pieces by name, as `{% render 'name' %}` finds them. */
  partials: ReadonlyMap<string, {file: string; source: string}>
}

export function templateKey(channel: string, id: string): string {
  return `${channel}/${id}`
}

/** The variables a template may read (spec: profile, data, journey, message, and the two links). */
export const TEMPLATE_VARIABLES = ['profile', 'data', 'journey', 'message', 'unsubscribe_url', 'view_in_browser_url'] as const

/** The keys of the `journey` and `message` variables; anything else under them is a typo. */
export const TEMPLATE_SUBKEYS: Readonly<Record<string, readonly string[]>> = {
  journey: ['id', 'step'],
  message: ['id', 'channel', 'template', 'sent_at'],
}
