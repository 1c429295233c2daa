import {isScalar, Schema} from 'yaml'

/**
 * A fast reader for the YAML that journey files are made of: block mappings and sequences indented
 * with spaces, one-line flow collections, plain and quoted one-line scalars, comments. It gives the
 * value `yaml` gives (parseAllDocuments + toJS, YAML 1.2 core schema) or, for anything else, no
 * answer at all (undefined), and the caller parses with `yaml`, which also says what is wrong and
 * where. It never answers for a text that `yaml` would report a problem in: anchors, tags, block
 * scalars, multi-line scalars, duplicate keys, tabs, odd indentation and the like all fall back.
 *
 * Why: `yaml` builds a document with a node and a position for everything, about 1 ms per journey;
 * validate needs positions only for the few files with problems, and re-parses those (see
 * detachedSource). test/core/journey/fast-yaml.test.ts holds it to `yaml` on generated documents.
 */
export function fastYamlValue(text: string): {value: unknown} | undefined {
  if (UNSUPPORTED_CHARACTERS.test(text)) return undefined
  try {
    return {value: new Reader(text).document()}
  } catch (error) {
    if (error === OUTSIDE) return undefined
    throw error
  }
}

/** Thrown where the text leaves the subset; fastYamlValue then answers undefined. */
const OUTSIDE = new Error('outside the YAML subset of fast-yaml.ts')

/** Tabs, carriage returns, control characters, BOMs and Unicode line breaks: left to `yaml`. */
const UNSUPPORTED_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/

/** Keys the reader takes: what journey files use. Anything else (quoted keys, numbers, dots) falls back. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** Characters a plain scalar may not start with (YAML indicators), except `-` before a digit or dot. */
const INDICATORS = new Set(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`'])

// The core schema's scalar tags, from `yaml` itself, so numbers, booleans and nulls resolve exactly as there.
const TAGS = new Schema({}).tags.filter((tag) => tag.default === true && tag.test !== undefined && !tag.collection)
const RESOLVE_OPTIONS = {intAsBigInt: false}

/** What a null, bool, int or float of the core schema can start with; anything else is a string at once. */
const NON_STRING_START = /^[~nNtTfF0-9+\-.]|^$/

function plainScalar(text: string): unknown {
  if (!NON_STRING_START.test(text)) return text
  for (const tag of TAGS) {
    if (!tag.test?.test(text)) continue
    const result = tag.resolve(
      text,
      () => {
        throw OUTSIDE
      },
      RESOLVE_OPTIONS as never,
    )
    return isScalar(result) ? result.value : result
  }
  return text
}

interface Line {
  indent: number
  /** The line without its indentation; '' for blank and comment-only lines. */
  content: string
}

class Reader {
  private readonly lines: Line[]
  private next = 0

  constructor(text: string) {
    this.lines = text.split('\n').map((raw) => {
      let indent = 0
      while (raw.charCodeAt(indent) === 32) indent++
      const content = raw.slice(indent)
      if (indent === 0 && (content.startsWith('---') || content.startsWith('...') || content.startsWith('%'))) throw OUTSIDE
      return {indent, content: content === '' || content.startsWith('#') ? '' : content}
    })
  }

  /** The next line with content, without taking it. */
  private peek(): Line | undefined {
    while (this.next < this.lines.length && (this.lines[this.next] as Line).content === '') this.next++
    return this.lines[this.next]
  }

  document(): unknown {
    const first = this.peek()
    if (first === undefined || first.indent !== 0 || isSequenceItem(first.content)) throw OUTSIDE
    const value = this.mapping(0, undefined)
    if (this.peek() !== undefined) throw OUTSIDE
    return value
  }

  /**
   * A block mapping whose keys are at `indent`. `inline` is the first entry when it starts on a
   * line already taken (a sequence item `- key: value`).
   */
  private mapping(indent: number, inline: string | undefined): Record<string, unknown> {
    const map: Record<string, unknown> = {}
    let entry = inline
    for (;;) {
      if (entry === undefined) {
        const line = this.peek()
        if (line === undefined || line.indent < indent) return map
        if (line.indent > indent || isSequenceItem(line.content)) throw OUTSIDE
        entry = line.content
        this.next++
      }
      const colon = keyEnd(entry)
      const key = entry.slice(0, colon)
      // yaml limits implicit keys to 1024 characters.
      if (colon > 1000) throw OUTSIDE
      if (!PLAIN_KEY.test(key) || typeof plainScalar(key) !== 'string' || key === '__proto__' || Object.hasOwn(map, key)) {
        throw OUTSIDE
      }
      const rest = entry.slice(colon + 1).trimStart()
      map[key] = rest === '' || rest.startsWith('#') ? this.nested(indent) : this.inlineValue(rest)
      entry = undefined
    }
  }

  /** The value of `key:` with nothing after it: a deeper block, a sequence at the key's own indent, or null. */
  private nested(indent: number): unknown {
    const line = this.peek()
    if (line === undefined || line.indent < indent) return null
    if (line.indent === indent) return isSequenceItem(line.content) ? this.sequence(indent) : null
    return isSequenceItem(line.content) ? this.sequence(line.indent) : this.mapping(line.indent, undefined)
  }

  /** A block sequence whose `-` are at `indent`. */
  private sequence(indent: number): unknown[] {
    const items: unknown[] = []
    for (;;) {
      const line = this.peek()
      if (line === undefined || line.indent < indent) return items
      if (line.indent > indent) throw OUTSIDE
      if (!isSequenceItem(line.content)) return items
      this.next++
      const after = line.content.slice(1)
      const item = after.trimStart()
      if (item === '' || item.startsWith('#') || isSequenceItem(item)) throw OUTSIDE
      const column = indent + 1 + (after.length - item.length)
      items.push(startsMapping(item) ? this.mapping(column, item) : this.inlineValue(item))
    }
  }

  /** A value written after `key: ` or `- `, on one line. */
  private inlineValue(text: string): unknown {
    let value: unknown
    let end: number
    const first = text.charAt(0)
    if (first === '{' || first === '[') [value, end] = flowValue(text, 0)
    else if (first === '"') [value, end] = doubleQuoted(text, 0)
    else if (first === "'") [value, end] = singleQuoted(text, 0)
    else {
      const comment = text.indexOf(' #')
      const plain = (comment === -1 ? text : text.slice(0, comment)).trimEnd()
      if (!isBlockPlain(plain)) throw OUTSIDE
      value = plainScalar(plain)
      end = text.length
    }
    // After a quoted or flow value: spaces, and perhaps a comment after a space.
    const tail = text.slice(end)
    if (tail.trim() !== '' && !/^ +#/.test(tail)) throw OUTSIDE
    // A deeper line after it would continue it (a multi-line scalar): the callers' loops refuse those.
    return value
  }
}

function isSequenceItem(content: string): boolean {
  return content === '-' || content.startsWith('- ')
}

/** Where the `:` of `key: value` (or `key:` at the end) is; the whole text must be such an entry. */
function keyEnd(entry: string): number {
  const colon = entry.indexOf(':')
  if (colon <= 0 || (colon + 1 < entry.length && entry.charAt(colon + 1) !== ' ')) throw OUTSIDE
  return colon
}

/** Whether a sequence item is a compact mapping (`- key: value`) rather than a scalar or flow value. */
function startsMapping(item: string): boolean {
  const colon = item.indexOf(':')
  if (colon <= 0 || (colon + 1 < item.length && item.charAt(colon + 1) !== ' ')) return false
  return PLAIN_KEY.test(item.slice(0, colon))
}

/** A one-line plain scalar in block context that needs no YAML subtleties. */
function isBlockPlain(text: string): boolean {
  if (text === '') return false
  const first = text.charAt(0)
  if (INDICATORS.has(first) && !(first === '-' && /^-[0-9.]/.test(text))) return false
  return !text.includes(': ') && !text.endsWith(':') && !text.includes('\t')
}

/** A flow map or sequence starting at `start`, closed on the same line: [value, index after it]. */
function flowValue(text: string, start: number): [unknown, number] {
  let i = skipSpaces(text, start)
  const open = text.charAt(i)
  if (open === '"') return doubleQuoted(text, i)
  if (open === "'") return singleQuoted(text, i)
  if (open === '{') {
    const map: Record<string, unknown> = {}
    i = skipSpaces(text, i + 1)
    if (text.charAt(i) === '}') return [map, i + 1]
    for (;;) {
      const keyStart = i
      while (i < text.length && /[A-Za-z0-9_-]/.test(text.charAt(i))) i++
      const key = text.slice(keyStart, i)
      if (!PLAIN_KEY.test(key) || text.charAt(i) !== ':' || text.charAt(i + 1) !== ' ') throw OUTSIDE
      if (typeof plainScalar(key) !== 'string' || key === '__proto__' || Object.hasOwn(map, key)) throw OUTSIDE
      const [value, end] = flowValue(text, i + 2)
      map[key] = value
      i = skipSpaces(text, end)
      if (text.charAt(i) === '}') return [map, i + 1]
      if (text.charAt(i) !== ',') throw OUTSIDE
      i = skipSpaces(text, i + 1)
      if (text.charAt(i) === '}') throw OUTSIDE
    }
  }
  if (open === '[') {
    const items: unknown[] = []
    i = skipSpaces(text, i + 1)
    if (text.charAt(i) === ']') return [items, i + 1]
    for (;;) {
      const [value, end] = flowValue(text, i)
      items.push(value)
      i = skipSpaces(text, end)
      if (text.charAt(i) === ']') return [items, i + 1]
      if (text.charAt(i) !== ',') throw OUTSIDE
      i = skipSpaces(text, i + 1)
      if (text.charAt(i) === ']') throw OUTSIDE
    }
  }
  // A plain scalar in flow context ends at , ] } (and may not hold : [ { #, to stay clear of pairs and comments).
  let end = i
  while (end < text.length && !',]}'.includes(text.charAt(end))) end++
  const plain = text.slice(i, end).trimEnd()
  if (plain === '' || /[:[{#]/.test(plain) || (INDICATORS.has(plain.charAt(0)) && !/^-[0-9.]/.test(plain))) throw OUTSIDE
  return [plainScalar(plain), i + plain.length]
}

function skipSpaces(text: string, i: number): number {
  while (text.charCodeAt(i) === 32) i++
  return i
}

const ESCAPES: Record<string, string> = {'\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0'}

/** A double-quoted scalar starting at `start`, closed on the same line: [value, index after it]. */
function doubleQuoted(text: string, start: number): [string, number] {
  let value = ''
  let i = start + 1
  let from = i
  for (;;) {
    const c = text.charAt(i)
    if (c === '') throw OUTSIDE
    if (c === '"') return [value + text.slice(from, i), i + 1]
    if (c === '\\') {
      value += text.slice(from, i)
      const e = text.charAt(i + 1)
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6)
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw OUTSIDE
        value += String.fromCodePoint(Number.parseInt(hex, 16))
        i += 6
      } else {
        const escaped = ESCAPES[e]
        if (escaped === undefined) throw OUTSIDE
        value += escaped
        i += 2
      }
      from = i
      continue
    }
    i++
  }
}

/** A single-quoted scalar starting at `start`, closed on the same line: [value, index after it]. */
function singleQuoted(text: string, start: number): [string, number] {
  let value = ''
  let i = start + 1
  for (;;) {
    const quote = text.indexOf("'", i)
    if (quote === -1) throw OUTSIDE
    value += text.slice(i, quote)
    if (text.charAt(quote + 1) !== "'") return [value, quote + 1]
    value += "'"
    i = quote + 2
  }
}
