import type {Liquid} from 'liquidjs'
import type {Channel} from '../connectors/connector.js'
import type {Diagnostic, SourceLocation} from '../errors.js'
import {isObject} from '../journey/rules/rule-context.js'
import {parseYamlSource, type SourceFile} from '../journey/source.js'
import {didYouMean} from '../journey/suggest.js'
import {liquidProblem, type TemplateEngines} from './liquid-engine.js'
import type {TemplateFile} from './template-files.js'
import {FRONT_MATTER_KEYS, splitFrontMatter} from './template-layout.js'
import {type CompiledLiquid, type MessageTemplate, TEMPLATE_SUBKEYS, TEMPLATE_VARIABLES, type TemplateField} from './template-types.js'
import {indexAt, positionAt} from './text-position.js'

/** The files of one template: its main file and, for email, its text part; at least one of them. */
export interface TemplateSources {
  channel: Channel
  id: string
  main?: TemplateFile
  text?: TemplateFile
}

/** Partial name -> its file and text, as the catalog holds them. */
export type PartialSources = ReadonlyMap<string, {file: string; source: string}>

interface Compiler {
  engines: TemplateEngines
  partials: PartialSources
  diagnostics: Diagnostic[]
}

/** Parses one template's files (front matter, bodies), and reads what it uses; problems become diagnostics. */
export function compileTemplate(
  sources: TemplateSources,
  engines: TemplateEngines,
  partials: PartialSources,
): {template: MessageTemplate; diagnostics: Diagnostic[]} {
  const compiler: Compiler = {engines, partials, diagnostics: []}
  const {channel, id, main, text} = sources
  const carrier = (main ?? text) as TemplateFile
  const template: MessageTemplate = {
    channel,
    id,
    file: carrier.display,
    fields: {},
    transactional: false,
    dataReads: [],
    hasUnsubscribeLink: false,
    broken: false,
  }
  for (const file of [main, text]) {
    if (!file || file.text === undefined) continue
    const split = splitFrontMatter(file.text)
    if (split.unclosed) {
      report(
        compiler,
        'JOE2101',
        'the front matter opened by `---` on line 1 is never closed',
        {file: file.display, line: 1, column: 1},
        {
          hint: 'end it with a line holding only `---`',
        },
      )
      continue
    }
    if (split.yaml !== undefined) {
      if (file === carrier) readFrontMatter(compiler, template, file.display, split.yaml)
      else
        report(
          compiler,
          'JOE2101',
          'a text part has no front matter of its own',
          {file: file.display, line: 1, column: 1},
          {
            hint: `put subject, from and reply_to in ${carrier.display}`,
          },
        )
    }
    const engine = channel === 'email' && file === main ? engines.html : engines.text
    const locate = (line: number, column: number): SourceLocation => ({file: file.display, line: line + split.bodyLineOffset, column})
    const compiled = parseLiquid(compiler, engine, split.body, file.display, locate)
    if (compiled && file === main) template.body = compiled
    if (compiled && file === text) template.text = compiled
  }
  const pieces = [...Object.values(template.fields), template.body, template.text].filter((c): c is CompiledLiquid => c !== undefined)
  for (const piece of pieces) readVariables(compiler, template, piece, piece === template.body ? engines.html : engines.text)
  template.broken = compiler.diagnostics.some((d) => d.severity === 'error') || [main, text].some((f) => f && f.text === undefined)
  return {template, diagnostics: compiler.diagnostics}
}

function report(
  compiler: Compiler,
  code: string,
  message: string,
  location: SourceLocation,
  extra: {hint?: string; severity?: Diagnostic['severity']} = {},
): void {
  compiler.diagnostics.push({
    code,
    severity: extra.severity ?? 'error',
    message,
    ...(extra.hint ? {hint: extra.hint} : {}),
    location,
  })
}

/** Parses Liquid; a syntax error becomes JOE2100 at its place in the file. */
export function parseLiquid(
  compiler: Pick<Compiler, 'diagnostics'>,
  engine: Liquid,
  source: string,
  file: string,
  locate: CompiledLiquid['locate'],
): CompiledLiquid | undefined {
  try {
    return {file, source, parsed: engine.parse(source, file), locate}
  } catch (error) {
    const problem = liquidProblem(error)
    compiler.diagnostics.push({
      code: 'JOE2100',
      severity: 'error',
      message: `Liquid: ${problem.message}`,
      hint: 'see the Liquid reference (https://liquidjs.com/tags/overview.html) for the syntax of tags and filters',
      location: locate(problem.line, problem.column),
    })
    return undefined
  }
}

function readFrontMatter(compiler: Compiler, template: MessageTemplate, file: string, yaml: string): void {
  // One blank line stands for the opening `---`, so the YAML positions are the file's.
  const parsed = parseYamlSource(file, `\n${yaml}`)
  compiler.diagnostics.push(...parsed.diagnostics)
  if (parsed.diagnostics.length > 0) return
  const {source} = parsed
  const value = source.value ?? {}
  if (!isObject(value)) {
    report(compiler, 'JOE2101', 'the front matter is not a mapping of keys to values', source.locate([]), {
      hint: 'write `key: value` lines, e.g. `subject: Your cart is waiting`',
    })
    return
  }
  const allowed = FRONT_MATTER_KEYS[template.channel]
  const known = Object.keys(allowed)
  for (const [key, raw] of Object.entries(value)) {
    const kind = allowed[key]
    if (!kind) {
      report(compiler, 'JOE2101', `unknown front matter key "${key}" (${template.channel} template)`, source.locate([key], {key: true}), {
        hint: `${didYouMean(key, known)}${known.length > 0 ? `${template.channel} templates take ${known.join(', ')}` : `${template.channel} templates take no front matter`}`,
      })
      continue
    }
    if (kind === 'boolean') {
      if (typeof raw === 'boolean') template.transactional = raw
      else report(compiler, 'JOE2101', `"${key}" is true or false`, source.locate([key]))
      continue
    }
    if (typeof raw !== 'string') {
      report(compiler, 'JOE2101', `"${key}" is text (Liquid allowed)`, source.locate([key]), {hint: 'quote the value'})
      continue
    }
    const compiled = parseLiquid(compiler, compiler.engines.text, raw, file, scalarLocator(source, key, raw))
    if (compiled) template.fields[key as TemplateField] = compiled
  }
}

/** Positions inside a front matter value, through the YAML scalar it is written in. */
function scalarLocator(source: SourceFile, key: string, value: string): CompiledLiquid['locate'] {
  return (line, column) => source.locateInScalar([key], indexAt(value, line, column))
}

/** Unknown variables (JOE2102), missing partials (JOE2108), `data.*` reads and the unsubscribe link. */
function readVariables(compiler: Compiler, template: MessageTemplate, piece: CompiledLiquid, engine: Liquid): void {
  let analysis: ReturnType<Liquid['analyzeSync']>
  try {
    analysis = engine.analyzeSync(piece.parsed)
  } catch (error) {
    // Report why, then read at least the piece's own variables.
    analysis = engine.analyzeSync(piece.parsed, {partials: false})
    const problem = liquidProblem(error)
    const partial = /^partial "([^"]*)" does not exist$/.exec(problem.message)?.[1]
    if (partial !== undefined) {
      report(compiler, 'JOE2108', problem.message, locateText(piece, partial), {
        hint: `${didYouMean(partial, compiler.partials.keys())}shared pieces are files in the partials/ folder of the templates folder${compiler.partials.size > 0 ? `: ${[...compiler.partials.keys()].join(', ')}` : ''}`,
      })
    } else if (![...compiler.partials.values()].some((p) => p.source === problem.input)) {
      // A partial's own syntax errors are reported on the partial.
      report(compiler, 'JOE2100', `Liquid: ${problem.message}`, piece.locate(problem.line, problem.column))
    }
  }
  for (const [name, uses] of Object.entries(analysis.globals)) {
    for (const use of uses) {
      const fromPartial = use.location.file !== piece.file
      const at = fromPartial ? partialLocation(compiler, use.location) : piece.locate(use.location.row, use.location.col)
      if (!at) continue
      const segments = use.segments
      if (name === 'unsubscribe_url') template.hasUnsubscribeLink = true
      if (name === 'data' && typeof segments[1] === 'string') {
        const text = fromPartial ? compiler.partials.get(partialName(use.location.file))?.source : piece.source
        template.dataReads.push({key: segments[1], location: at, guarded: isGuarded(text ?? '', use.location.row, use.location.col)})
      }
      if (fromPartial) continue
      checkVariable(compiler, name, segments, at)
    }
  }
}

function checkVariable(compiler: Compiler, name: string, segments: ReadonlyArray<unknown>, at: SourceLocation): void {
  if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
    report(compiler, 'JOE2102', `unknown variable "${name}"`, at, {
      hint: `${didYouMean(name, TEMPLATE_VARIABLES)}templates read ${TEMPLATE_VARIABLES.join(', ')} (customer attributes are under profile, e.g. profile.${name})`,
    })
    return
  }
  const keys = TEMPLATE_SUBKEYS[name]
  const key = segments[1]
  if (keys && typeof key === 'string' && !keys.includes(key)) {
    report(compiler, 'JOE2102', `${name} has no "${key}"`, at, {hint: `${didYouMean(key, keys)}${name} has ${keys.join(', ')}`})
  }
}

/** Checks the partials on their own: syntax (JOE2100) and unknown variables (JOE2102), each reported once. */
export function checkPartial(
  engines: TemplateEngines,
  partials: PartialSources,
  name: string,
): {compiled?: CompiledLiquid; diagnostics: Diagnostic[]} {
  const compiler: Compiler = {engines, partials, diagnostics: []}
  const partial = partials.get(name) as {file: string; source: string}
  const compiled = parseLiquid(compiler, engines.text, partial.source, partial.file, (line, column) => ({file: partial.file, line, column}))
  if (!compiled) return {diagnostics: compiler.diagnostics}
  try {
    const analysis = engines.text.analyzeSync(compiled.parsed)
    for (const [variable, uses] of Object.entries(analysis.globals)) {
      for (const use of uses) {
        if (use.location.file !== partial.file) continue
        checkVariable(compiler, variable, use.segments, {file: partial.file, line: use.location.row, column: use.location.col})
      }
    }
  } catch {
    // Problems in partials it renders in turn are reported on those partials, or where it is rendered.
  }
  return {compiled, diagnostics: compiler.diagnostics}
}

function partialName(file: string | undefined): string {
  return (file ?? '').replace(/\.liquid$/, '')
}

function partialLocation(compiler: Compiler, location: {row: number; col: number; file?: string}): SourceLocation | undefined {
  const partial = compiler.partials.get(partialName(location.file))
  return partial ? {file: partial.file, line: location.row, column: location.col} : undefined
}

/** Where a partial's name is written in a piece, for a missing partial; the piece's start otherwise. */
function locateText(piece: CompiledLiquid, text: string): SourceLocation {
  const index = piece.source.search(new RegExp(`\\{%-?\\s*(?:render|include)\\s+['"]${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]`))
  if (index < 0) return piece.locate(1, 1)
  const {line, column} = positionAt(piece.source, index)
  return piece.locate(line, column)
}

/**
 * Whether the tag or output around a position tolerates a missing value: a condition
 * (`{% if data.code %}`) or a `default` filter (`{{ data.code | default: "" }}`).
 */
export function isGuarded(source: string, line: number, column: number): boolean {
  const offset = indexAt(source, line, column)
  const open = Math.max(source.lastIndexOf('{{', offset), source.lastIndexOf('{%', offset))
  if (open < 0) return false
  const closeOutput = source.indexOf('}}', offset)
  const closeTag = source.indexOf('%}', offset)
  const ends = [closeOutput, closeTag].filter((i) => i >= 0)
  const markup = source.slice(open, ends.length > 0 ? Math.min(...ends) : source.length)
  return /^\{%-?\s*(?:if|elsif|unless|case|when)\b/.test(markup) || /\|\s*default\b/.test(markup)
}
