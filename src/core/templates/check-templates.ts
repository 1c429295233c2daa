import type {Diagnostic} from '../errors.js'
import {isObject} from '../journey/rules/rule-context.js'
import type {SourceFile} from '../journey/source.js'
import {countSmsSegments} from './sms-segments.js'
import {type CompiledLiquid, type MessageTemplate, templateKey} from './template-types.js'
import {positionAt} from './text-position.js'

/**
 * What `joe validate` says about one template beyond its syntax: an email without a subject
 * (JOE2104) or without an unsubscribe link (JOE2105), an SMS longer than one segment (JOE2106).
 */
export function checkTemplate(template: MessageTemplate): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  const start = {file: template.file, line: 1, column: 1}
  if (template.channel === 'email') {
    if (!template.fields.subject) {
      diagnostics.push({
        code: 'JOE2104',
        severity: 'warning',
        message: `email template "${template.id}" has no subject`,
        hint: 'add `subject:` to the front matter, e.g.\n---\nsubject: "Your cart is waiting, {{ profile.first_name | default: \'friend\' }}"\n---',
        location: start,
      })
    }
    if (!template.transactional && !template.hasUnsubscribeLink) {
      diagnostics.push({
        code: 'JOE2105',
        severity: 'warning',
        message: `email template "${template.id}" has no unsubscribe link`,
        hint: 'add <a href="{{ unsubscribe_url }}">Unsubscribe</a> (mail providers and the law expect one in marketing email), or `transactional: true` to the front matter for a message customers cannot opt out of',
        location: start,
      })
    }
  }
  if (template.channel === 'sms' && template.body) diagnostics.push(...smsLength(template.body))
  return diagnostics
}

/** JOE2106: the segments of an SMS's fixed text; what its variables add can only make it longer. */
function smsLength(body: CompiledLiquid): Diagnostic[] {
  const text = staticText(body.source)
  const count = countSmsSegments(text)
  if (count.segments <= 1) return []
  const single = count.encoding === 'GSM-7' ? 160 : 70
  const why = count.firstNonGsm
    ? `; it is UCS-2 because of "${count.firstNonGsm.char}", which GSM-7 lacks (a GSM-7 text fits 160 characters in one segment)`
    : ''
  return [
    {
      code: 'JOE2106',
      severity: 'info',
      message: `this SMS takes at least ${count.segments} segments: ${count.units} ${count.encoding} characters without its variables, and one segment holds ${single}${why}`,
      hint: `carriers bill each segment; shorten the text to ${single} characters for one${count.firstNonGsm ? ', or replace the characters GSM-7 lacks (curly quotes, dashes, emoji)' : ''}`,
      location: count.firstNonGsm ? locateChar(body, count.firstNonGsm.char) : body.locate(1, 1),
    },
  ]
}

/** The first place `char` is written in a piece. */
function locateChar(piece: CompiledLiquid, char: string): ReturnType<CompiledLiquid['locate']> {
  const {line, column} = positionAt(piece.source, piece.source.indexOf(char))
  return piece.locate(line, column)
}

/**
 * The text of a Liquid source without its tags and outputs (comments and `raw` blocks dropped),
 * trimmed as sends trim SMS text: a lower bound of what any customer receives.
 */
export function staticText(source: string): string {
  return source
    .replace(/\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}/g, '')
    .replace(/\{%-?\s*raw\s*-?%\}([\s\S]*?)\{%-?\s*endraw\s*-?%\}/g, '$1')
    .replace(/\{\{[\s\S]*?\}\}/g, '')
    .replace(/\{%[\s\S]*?%\}/g, '')
    .trim()
}

/**
 * JOE2103: the sends of one journey file whose template reads a `data.<key>` that the send's
 * `data` does not set, and never tests with `if` or gives a `default` (the render would fail).
 */
/** What checkSendData reads of a catalog: each template's data reads (plain data, so worker threads can have it). */
export interface SendDataCatalog {
  templates: ReadonlyMap<string, Pick<MessageTemplate, 'dataReads'>>
}

export function checkSendData(source: SourceFile, catalog: SendDataCatalog): Diagnostic[] {
  const raw = source.value
  if (!isObject(raw) || !Array.isArray(raw.steps)) return []
  const diagnostics: Diagnostic[] = []
  raw.steps.forEach((step, index) => {
    if (!isObject(step) || !isObject(step.send)) return
    const {channel, template: id, data} = step.send
    if (typeof channel !== 'string' || typeof id !== 'string') return
    const template = catalog.templates.get(templateKey(channel, id))
    if (!template) return
    const given = new Set(isObject(data) ? Object.keys(data) : [])
    // A key the template tests or defaults anywhere is one its author made optional.
    const optional = new Set(template.dataReads.filter((r) => r.guarded).map((r) => r.key))
    const reported = new Set<string>()
    for (const read of template.dataReads) {
      if (optional.has(read.key) || given.has(read.key) || reported.has(read.key)) continue
      reported.add(read.key)
      const where = `${read.location.file}:${read.location.line}:${read.location.column}`
      diagnostics.push({
        code: 'JOE2103',
        severity: 'warning',
        message: `template "${id}" reads data.${read.key} (${where}), which this send's data does not set`,
        hint: `add \`${read.key}: <CEL expression>\` under send.data, or give it a default in the template: {{ data.${read.key} | default: "" }}`,
        location: source.locate(['steps', index, 'send', isObject(data) ? 'data' : 'template'], {key: isObject(data)}),
      })
    }
  })
  return diagnostics
}
