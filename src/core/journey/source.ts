import {type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments} from 'yaml'
import type {Diagnostic, SourceLocation} from '../errors.js'
import {fastYamlValue} from './fast-yaml.js'

/** A path into a YAML document: mapping keys and sequence indices. */
export type YamlPath = ReadonlyArray<string | number>

/** Files over this size are refused before parsing: no journey is that big. */
export const MAX_FILE_BYTES = 1024 * 1024
/** Alias expansion limit; a "billion laughs" document exceeds it at once. */
const MAX_ALIAS_COUNT = 100

/** A parsed YAML file that can say where any part of it is. */
export interface SourceFile {
  file: string
  text: string
  /** The plain JS value of the document; undefined when it did not parse. */
  value: unknown
  /** Position of the node at `path` (or its nearest existing ancestor). */
  locate(path: YamlPath, options?: {key?: boolean}): SourceLocation
  /** Position of a character offset inside the scalar at `path` (for CEL errors). */
  locateInScalar(path: YamlPath, offset: number): SourceLocation
}

export interface ParseResult {
  source: SourceFile
  diagnostics: Diagnostic[]
}

const YAML_CODE: Record<string, string> = {
  DUPLICATE_KEY: 'JOE1002',
  TAB_AS_INDENT: 'JOE1003',
}

/**
 * Parses YAML text with source positions; never throws on bad input. Text in the subset that
 * fast-yaml.ts reads (nearly every journey) is read there, and `yaml` builds the positions only if
 * something asks for one; anything else goes to `yaml` at once. Same value and diagnostics either way.
 */
export function parseYamlSource(file: string, text: string): ParseResult {
  const fast = fastYamlValue(text)
  if (fast !== undefined) return {source: detachedSource(file, text, fast), diagnostics: []}
  return parseWithPositions(file, text)
}

function parseWithPositions(file: string, text: string): ParseResult {
  const lineCounter = new LineCounter()
  const diagnostics: Diagnostic[] = []
  const at = (offset: number): SourceLocation => {
    const {line, col} = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)))
    return {file, line, column: col}
  }
  const docs = parseAllDocuments(text, {lineCounter, uniqueKeys: true, prettyErrors: false, strict: true})
  const list = Array.isArray(docs) ? docs : []
  const doc: Document.Parsed | undefined = list[0]

  const source: SourceFile = {
    file,
    text,
    value: undefined,
    locate: (path, options = {}) => locateNode(doc, path, options.key === true, at),
    locateInScalar: (path, offset) => {
      const node = doc?.getIn(path as unknown[], true) as Node | undefined
      if (!isScalar(node) || !node.range) return locateNode(doc, path, false, at)
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE'
      const raw = text.slice(node.range[0], node.range[1])
      // Only plain or quoted single-line scalars map offsets 1:1 to the source text.
      if (raw.includes('\n') || node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') return at(node.range[0])
      return at(node.range[0] + (quoted ? 1 : 0) + offset)
    },
  }

  for (const d of list) {
    for (const error of [...d.errors, ...d.warnings]) {
      const code = YAML_CODE[error.code] ?? 'JOE1001'
      const start = error.pos[0]
      diagnostics.push({
        code,
        severity: 'error',
        message: yamlMessage(error.code, error.message),
        ...(code === 'JOE1003' ? {hint: 'indent with spaces; YAML does not allow tabs for indentation'} : {}),
        ...(code === 'JOE1002' ? {hint: 'remove or rename one of the two keys'} : {}),
        location: at(start),
      })
    }
  }
  if (list.length > 1) {
    const second = list[1]
    diagnostics.push({
      code: 'JOE1009',
      severity: 'error',
      message: 'the file holds more than one YAML document',
      hint: 'keep one journey per file; remove the `---` separator and what follows, or move it to its own file',
      location: at(second?.range[0] ?? 0),
    })
  }
  if (diagnostics.length > 0) return {source, diagnostics}

  if (!doc || doc.contents === null) {
    diagnostics.push({
      code: 'JOE1005',
      severity: 'error',
      message: 'the file is empty',
      hint: 'a journey file needs at least `version`, `id`, `name`, `entry` and `steps`',
      location: {file, line: 1, column: 1},
    })
    return {source, diagnostics}
  }
  try {
    source.value = doc.toJS({maxAliasCount: MAX_ALIAS_COUNT})
  } catch (error) {
    diagnostics.push({
      code: 'JOE1004',
      severity: 'error',
      message: 'anchors and aliases expand to too many nodes; joe refuses to expand this document',
      hint: 'write the values out, or use fewer aliases (at most 100 expansions)',
      location: at(doc.contents.range?.[0] ?? 0),
      ...(error instanceof ReferenceError ? {} : {message: `the document cannot be read: ${(error as Error).message}`}),
    })
    return {source, diagnostics}
  }
  return {source, diagnostics}
}

/**
 * A SourceFile for text that parsed before, without holding its YAML document: positions (and the
 * value, when not given) come from parsing the text again on first use. Parsing is deterministic, so
 * they are the same. Holding 500 parsed documents costs the garbage collector more than parsing the
 * few that are asked for a position again.
 */
export function detachedSource(file: string, text: string, known?: {value: unknown}): SourceFile {
  let parsed: SourceFile | undefined
  const full = (): SourceFile => {
    parsed ??= parseWithPositions(file, text).source
    return parsed
  }
  return {
    file,
    text,
    get value() {
      return known ? known.value : full().value
    },
    locate: (path, options) => full().locate(path, options),
    locateInScalar: (path, offset) => full().locateInScalar(path, offset),
  }
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: a mapping has this key twice'
  if (code === 'TAB_AS_INDENT') return 'tab character used for indentation'
  // yaml's messages end with "at line X, column Y"; the location already says it.
  const first = message.split('\n')[0] ?? message
  return first.replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '')
}

function locateNode(
  doc: Document.Parsed | undefined,
  path: YamlPath,
  wantKey: boolean,
  at: (offset: number) => SourceLocation,
): SourceLocation {
  if (!doc) return at(0)
  // Walk down as far as the path exists so a missing key points at its parent.
  let node: unknown = doc.contents
  let keyNode: unknown
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment))
      if (!pair) break
      keyNode = pair.key
      node = pair.value
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      keyNode = undefined
      node = node.items[segment]
    } else {
      break
    }
  }
  const target = (wantKey && keyNode ? keyNode : node) as {range?: [number, number, number]} | null
  const range = target?.range ?? (keyNode as {range?: [number, number, number]} | undefined)?.range
  if (!range) return at(0)
  const start = at(range[0])
  const end = at(range[1])
  return {...start, endLine: end.line, endColumn: end.column}
}
