import type {Channel} from '../connectors/connector.js'

/**
 * How template files are laid out in a project's templates folder (docs/templates-and-connectors.md):
 *
 * ```
 * templates/email/<id>.liquid       front matter (subject, from, reply_to, transactional) + HTML body
 * templates/email/<id>.txt.liquid   the plain-text body (optional; alone it makes a text-only email)
 * templates/sms/<id>.liquid         the text
 * templates/push/<id>.liquid        front matter (title, url) + the text
 * templates/in_app/<id>.liquid      front matter (title, url) + the text
 * templates/webhook/<id>.liquid     a JSON body
 * templates/partials/<name>.liquid  shared pieces, for `{% render 'name' %}`
 * ```
 */

export const TEMPLATE_CHANNELS: readonly Channel[] = ['email', 'sms', 'push', 'in_app', 'webhook']

/** The folder of shared pieces; not a channel. */
export const PARTIALS_FOLDER = 'partials'

export const TEMPLATE_EXTENSION = '.liquid'

/** Which body a file holds: the channel's main body, or an email's plain-text alternative. */
export type TemplatePart = 'main' | 'text'

/** Front matter keys per channel; their values are Liquid too, except the booleans. */
export const FRONT_MATTER_KEYS: Readonly<Record<Channel, Readonly<Record<string, 'liquid' | 'boolean'>>>> = {
  email: {subject: 'liquid', from: 'liquid', reply_to: 'liquid', transactional: 'boolean'},
  sms: {},
  push: {title: 'liquid', url: 'liquid'},
  in_app: {title: 'liquid', url: 'liquid'},
  webhook: {},
}

export type TemplateFileName =
  | {kind: 'template'; channel: Channel; id: string; part: TemplatePart}
  | {kind: 'partial'; name: string}
  /** A `.liquid` file joe does not know where to put; `reason` says why, for the diagnostic. */
  | {kind: 'misplaced'; reason: string; hint: string}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/

/**
 * What a `.liquid` file is, from its path relative to the templates folder (forward slashes).
 * Files with other extensions are not templates (images, READMEs) and are not passed here.
 */
export function classifyTemplateFile(relative: string): TemplateFileName {
  const parts = relative.split('/')
  const name = parts.at(-1) as string
  const stem = name.slice(0, -TEMPLATE_EXTENSION.length)
  if (parts.length !== 2) {
    return {
      kind: 'misplaced',
      reason:
        parts.length === 1
          ? 'a template file must be in a channel folder'
          : 'template files are not read from sub-folders of a channel folder',
      hint: `put it in ${TEMPLATE_CHANNELS.map((c) => `${c}/`).join(', ')} or ${PARTIALS_FOLDER}/ directly, e.g. email/${name}`,
    }
  }
  const folder = parts[0] as string
  if (folder === PARTIALS_FOLDER) {
    if (!ID.test(stem)) return badName(name)
    return {kind: 'partial', name: stem}
  }
  const channel = TEMPLATE_CHANNELS.find((c) => c === folder)
  if (!channel) {
    return {
      kind: 'misplaced',
      reason: `"${folder}" is not a channel folder`,
      hint: `channel folders are ${TEMPLATE_CHANNELS.join(', ')}; shared pieces go in ${PARTIALS_FOLDER}/`,
    }
  }
  if (stem.endsWith('.txt')) {
    const id = stem.slice(0, -'.txt'.length)
    if (channel !== 'email') {
      return {
        kind: 'misplaced',
        reason: `only email templates have a separate text part; a ${channel} template is text already`,
        hint: `rename it to ${channel}/${id}${TEMPLATE_EXTENSION}`,
      }
    }
    if (!ID.test(id)) return badName(name)
    return {kind: 'template', channel, id, part: 'text'}
  }
  if (!ID.test(stem)) return badName(name)
  return {kind: 'template', channel, id: stem, part: 'main'}
}

function badName(name: string): TemplateFileName {
  return {
    kind: 'misplaced',
    reason: `"${name}" is not a template file name`,
    hint: `name it <id>${TEMPLATE_EXTENSION} (or <id>.txt${TEMPLATE_EXTENSION} for an email's text part), where the id is letters, digits, "-" and "_", as the send names it`,
  }
}

export interface FrontMatterSplit {
  /** The YAML between the `---` lines; undefined when the file has no front matter. */
  yaml?: string
  /** The body: everything after the closing `---` line. */
  body: string
  /** Lines before the body (0 without front matter), to turn body positions into file positions. */
  bodyLineOffset: number
  /** Present when the file opens a front matter block that never closes. */
  unclosed?: true
}

const OPEN = /^---[ \t]*\r?\n/
const CLOSE = /^---[ \t]*(?:\r?\n|$)/m

/**
 * Splits `---\nYAML\n---\nbody` (Jekyll's front matter). A file that does not start with a
 * `---` line has no front matter and is all body.
 */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const open = OPEN.exec(text)
  if (!open) return {body: text, bodyLineOffset: 0}
  const rest = text.slice(open[0].length)
  const close = CLOSE.exec(rest)
  if (!close) return {body: '', bodyLineOffset: 0, unclosed: true}
  const yaml = rest.slice(0, close.index)
  const body = rest.slice(close.index + close[0].length)
  return {yaml, body, bodyLineOffset: countLines(text.slice(0, text.length - body.length))}
}

function countLines(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++
  return n
}
