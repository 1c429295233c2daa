import type {Liquid, Template} from 'liquidjs'
import {TEMPLATE_EXTENSION} from './template-layout.js'

export type ParsedLiquid = Template[]

/**
 * The two Liquid engines of one template catalog: `html` escapes every output (`{{ profile.name }}`
 * cannot inject markup into an email; `| raw` opts out), `text` writes values as they are (SMS,
 * push, plain-text email, JSON bodies). Both are strict: a variable that does not exist or an
 * unknown filter fails the render rather than sending "Hi ," to a customer; `if`, `unless` and
 * `default` may test a missing variable (liquidjs' `lenientIf`).
 */
export interface TemplateEngines {
  html: Liquid
  text: Liquid
}

/** Limits against templates that would take the worker down (a runaway loop, a huge file). */
const PARSE_LIMIT = 1024 * 1024
const MEMORY_LIMIT = 16 * 1024 * 1024

/**
 * Creates the engines, with `partials` (name -> Liquid source) as the only templates `render` and
 * `include` can load: nothing is read from disk while rendering. liquidjs is imported here, lazily,
 * so commands on projects without templates never load it.
 */
export async function createTemplateEngines(partials: ReadonlyMap<string, string>): Promise<TemplateEngines> {
  const {Liquid} = await import('liquidjs')
  const templates: Record<string, string> = {}
  for (const [name, source] of partials) templates[`${name}${TEMPLATE_EXTENSION}`] = source
  const options = {
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    ownPropertyOnly: true,
    extname: TEMPLATE_EXTENSION,
    templates,
    parseLimit: PARSE_LIMIT,
    memoryLimit: MEMORY_LIMIT,
  }
  return {html: new Liquid({...options, outputEscape: 'escape'}), text: new Liquid(options)}
}

/** A Liquid problem with its position in the text that was parsed or rendered (1-based). */
export interface LiquidProblem {
  message: string
  line: number
  column: number
  /** The text the position is in (a body, a front matter value, or a partial's source). */
  input?: string
}

/**
 * What liquidjs threw, as a message without liquidjs' ", line:1, col:3" suffix and a position.
 * Errors without a token (a partial that does not exist) are at 1:1.
 */
export function liquidProblem(error: unknown): LiquidProblem {
  const err = error as {
    message?: string
    token?: {input?: string; getPosition?: () => [number, number]}
    originalError?: {message?: string}
  }
  const raw = err.originalError?.message ?? err.message ?? String(error)
  const message = raw
    .replace(/,? ?(?:file:[^,]*, )?line:\d+, col:\d+$/, '')
    .replace(/^ENOENT: Failed to lookup "([^"]*)" in .*$/, 'partial "$1" does not exist')
  const position = err.token?.getPosition?.()
  return {
    message,
    line: position?.[0] ?? 1,
    column: position?.[1] ?? 1,
    ...(typeof err.token?.input === 'string' ? {input: err.token.input} : {}),
  }
}
