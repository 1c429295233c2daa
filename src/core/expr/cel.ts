import {type CelResult, isCelError, plan} from '@bufbuild/cel'
import {JoeError} from '../errors.js'
import {checkParsed} from './check.js'
import {compileFast, FALLBACK} from './fast-eval.js'
import {CEL_ENV, celInput, celTimestamp, toPlain} from './runtime.js'
import type {ExprContext} from './scope.js'
import {type Expr, parseExpression} from './syntax.js'

/** One problem found while checking an expression. */
export interface ExprIssue {
  /** JOE2010 syntax, JOE2011 unknown variable or field, JOE2012 type error (incl. unknown function). */
  code: 'JOE2010' | 'JOE2011' | 'JOE2012'
  message: string
  /** How to fix it; present when there is something useful to say. */
  hint?: string
  /** 0-based char offset into the source */
  offset: number
}

/**
 * Every problem `source` has in `context`, in source order: parse errors (then
 * nothing else), unknown variables and fields, and type errors that are
 * certain. Never throws.
 */
export function checkExpression(source: string, context: ExprContext): ExprIssue[] {
  // Projects repeat the same conditions across journeys and steps; parsing dominates validate's CEL time.
  const key = `${context}\u0000${source}`
  let issues = checkCache.get(key)
  if (issues === undefined) {
    const parsed = parseExpression(source)
    issues = parsed.ok ? checkParsed(parsed.parsed, source, context).sort((a, b) => a.offset - b.offset) : [parsed.issue]
    if (checkCache.size >= CHECK_CACHE_LIMIT) checkCache.clear()
    checkCache.set(key, issues)
  }
  return issues.map((issue) => ({...issue}))
}

const CHECK_CACHE_LIMIT = 10_000
const checkCache = new Map<string, ExprIssue[]>()

/** Values an expression sees. Times are epoch milliseconds; CEL sees them as timestamps. */
export interface ExprBindings {
  /** Present where the context has an event (not in profile conditions). */
  event?: {type: string; timestamp: number /* epoch ms */; properties: Record<string, unknown>}
  profile: Record<string, unknown>
  journey: {id: string; entered_at: number /* epoch ms */}
  now: number /* epoch ms */
  /** Present in the consent context only. */
  channel?: string
}

/**
 * The outcome of one evaluation. `value` is a plain JS value: numbers for
 * int/uint/double, arrays, objects, timestamps as ISO 8601 strings, durations
 * as CEL duration strings (`"3600s"`); see `toPlain` in runtime.ts. `error`
 * is a readable run-time failure (missing key, wrong type, ...).
 */
export type EvalResult = {ok: true; value: unknown} | {ok: false; error: string}

export interface CompiledExpression {
  source: string
  context: ExprContext
  evaluate(bindings: ExprBindings): EvalResult
}

type Program = (bindings: Activation) => CelResult

const cache = new Map<string, CompiledExpression>()
/** Bounds the cache for long-lived processes; journeys hold far fewer distinct expressions. */
const CACHE_LIMIT = 10_000

/** How an expression is evaluated; the default suits everyone but tests. */
export interface CompileOptions {
  /** false: always run the CEL library, never the fast path (tests compare the two). Default true. */
  fast?: boolean
}

/**
 * A checked, planned expression, cached by (context, source) because the
 * engine evaluates the same few expressions very many times. Simple
 * expressions are answered by a fast path (fast-eval.ts) that gives the
 * library's exact value or defers to it.
 * Throws JoeError with the first issue's code (JOE2010/2011/2012) when the
 * source does not check; validation reports those before the engine runs.
 */
export function compileExpression(source: string, context: ExprContext, options: CompileOptions = {}): CompiledExpression {
  const useFast = options.fast !== false
  const key = `${useFast ? '' : 'library\u0000'}${context}\u0000${source}`
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  const parsed = parseExpression(source)
  const issues = parsed.ok ? checkParsed(parsed.parsed, source, context).sort((a, b) => a.offset - b.offset) : [parsed.issue]
  const first = issues[0]
  if (!parsed.ok || first !== undefined) {
    const issue = first ?? {code: 'JOE2010', message: 'the expression does not check', offset: 0}
    const options = issue.hint === undefined ? {} : {hint: issue.hint}
    throw new JoeError(
      issue.code,
      `invalid CEL expression ${JSON.stringify(source)}: ${issue.message} (at offset ${issue.offset})`,
      options,
    )
  }
  const root = parsed.parsed.expr
  const Vars = foldConstants(root)
  const program = plan(CEL_ENV, parsed.parsed) as unknown as Program
  const fast = useFast ? compileFast(root) : undefined
  const errors = new Map<string, string>()
  const compiled: CompiledExpression = {
    source,
    context,
    evaluate(bindings) {
      if (fast !== undefined) {
        const value = fast(bindings)
        if (value !== FALLBACK) return {ok: true, value}
      }
      try {
        const result = program(new Vars(bindings))
        if (isCelError(result)) {
          // The same few failures repeat (a key missing for many customers); describe each once.
          const key = `${String(result.exprId)}:${result.message}`
          let error = errors.get(key)
          if (error === undefined) {
            error = describeError(result, root)
            if (errors.size < 100) errors.set(key, error)
          }
          return {ok: false, error}
        }
        return {ok: true, value: toPlain(result)}
      } catch (error) {
        return {ok: false, error: error instanceof Error ? error.message : String(error)}
      }
    },
  }
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(key, compiled)
  return compiled
}

/** Evaluates a condition; a result that is not a bool is an error, never a silent false. */
export function evaluateCondition(
  expr: CompiledExpression,
  bindings: ExprBindings,
): {ok: true; value: boolean} | {ok: false; error: string} {
  const result = expr.evaluate(bindings)
  if (!result.ok) return result
  if (typeof result.value === 'boolean') return {ok: true, value: result.value}
  const shown = JSON.stringify(result.value) ?? String(result.value)
  return {ok: false, error: `the condition produced ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}, not true or false`}
}

/**
 * The variables as CEL reads them. Getters make conversion lazy: an
 * expression that never reads `event` never pays for converting it.
 */
class Activation {
  constructor(private readonly b: ExprBindings) {}
  get profile(): unknown {
    return celInput(this.b.profile)
  }
  get journey(): unknown {
    return celInput({id: this.b.journey.id, entered_at: celTimestamp(this.b.journey.entered_at)})
  }
  get now(): unknown {
    return celTimestamp(this.b.now)
  }
  get event(): unknown {
    const event = this.b.event
    if (event === undefined) return undefined
    return celInput({type: event.type, timestamp: celTimestamp(event.timestamp), properties: event.properties})
  }
  get channel(): unknown {
    return this.b.channel
  }
}

/**
 * Folds `duration("1h")` and `timestamp("...")` with literal arguments into
 * precomputed values (CEL would parse them on every evaluation), bound to
 * names starting with `@`, which user expressions cannot spell. Returns an
 * activation class carrying those values on its prototype.
 */
function foldConstants(root: Expr): new (b: ExprBindings) => Activation {
  const constants = new Map<string, unknown>()
  const visit = (e: Expr | undefined): void => {
    if (e === undefined) return
    const k = e.exprKind
    switch (k.case) {
      case 'selectExpr':
        visit(k.value.operand)
        return
      case 'listExpr':
        for (const item of k.value.elements) visit(item)
        return
      case 'structExpr':
        for (const entry of k.value.entries) {
          if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value)
          visit(entry.value)
        }
        return
      case 'comprehensionExpr':
        for (const part of [k.value.iterRange, k.value.accuInit, k.value.loopCondition, k.value.loopStep, k.value.result]) visit(part)
        return
      case 'callExpr': {
        const call = k.value
        const arg = call.args[0]?.exprKind
        const literal =
          (call.function === 'duration' || call.function === 'timestamp') &&
          call.target === undefined &&
          call.args.length === 1 &&
          arg?.case === 'constExpr' &&
          arg.value.constantKind.case === 'stringValue'
        if (literal) {
          const value = plan(CEL_ENV, e)()
          if (isCelError(value)) return
          const name = `@const${constants.size}`
          constants.set(name, value)
          e.exprKind = {case: 'identExpr', value: {$typeName: 'cel.expr.Expr.Ident', name}}
          return
        }
        visit(call.target)
        for (const item of call.args) visit(item)
        return
      }
      default:
        return
    }
  }
  visit(root)
  if (constants.size === 0) return Activation
  class WithConstants extends Activation {}
  for (const [name, value] of constants) Object.defineProperty(WithConstants.prototype, name, {value})
  return WithConstants
}

/** CEL's message plus, where it can be found, the path that failed: "no such key: `profile.tier`". */
function describeError(error: Error & {exprId?: bigint | undefined}, root: Expr): string {
  const raw = error.message
  const path = error.exprId === undefined ? undefined : pathOf(findExpr(root, error.exprId))
  const notFound = /^(?:field|key) not found: (.*)$/.exec(raw) ?? /^no such key: (.*)$/.exec(raw)
  if (notFound !== null) {
    const key = notFound[1] ?? ''
    // CEL sometimes blames the whole attribute (`profile`) rather than the missing step.
    if (path !== undefined && (path.endsWith(`.${key}`) || path.endsWith(`[${JSON.stringify(key)}]`))) return `\`${path}\` is not set`
    return path === undefined ? `no such key \`${key}\`` : `no such key \`${key}\` (under \`${path}\`)`
  }
  const outOfRange = /^index (-?\d+) out of bounds/.exec(raw)
  if (outOfRange !== null) {
    return `the list has no element at index ${outOfRange[1]}${path === undefined ? '' : ` (under \`${path}\`)`}`
  }
  if (raw === 'unresolved attribute') return path === undefined ? 'a variable has no value here' : `\`${path}\` has no value here`
  return path === undefined ? raw : `${raw} (in \`${path}\`)`
}

function findExpr(e: Expr | undefined, id: bigint): Expr | undefined {
  if (e === undefined) return undefined
  if (e.id === id) return e
  const k = e.exprKind
  switch (k.case) {
    case 'selectExpr':
      return findExpr(k.value.operand, id)
    case 'callExpr': {
      const inTarget = findExpr(k.value.target, id)
      if (inTarget !== undefined) return inTarget
      for (const arg of k.value.args) {
        const found = findExpr(arg, id)
        if (found !== undefined) return found
      }
      return undefined
    }
    case 'listExpr':
      for (const item of k.value.elements) {
        const found = findExpr(item, id)
        if (found !== undefined) return found
      }
      return undefined
    case 'structExpr':
      for (const entry of k.value.entries) {
        const found = (entry.keyKind.case === 'mapKey' ? findExpr(entry.keyKind.value, id) : undefined) ?? findExpr(entry.value, id)
        if (found !== undefined) return found
      }
      return undefined
    case 'comprehensionExpr': {
      const c = k.value
      for (const part of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result]) {
        const found = findExpr(part, id)
        if (found !== undefined) return found
      }
      return undefined
    }
    default:
      return undefined
  }
}

function pathOf(e: Expr | undefined): string | undefined {
  if (e === undefined) return undefined
  const k = e.exprKind
  if (k.case === 'identExpr') return k.value.name.startsWith('@') ? undefined : k.value.name
  if (k.case === 'selectExpr') {
    const base = pathOf(k.value.operand)
    return base === undefined ? undefined : `${base}.${k.value.field}`
  }
  if (k.case === 'callExpr' && k.value.function === '_[_]') {
    const base = pathOf(k.value.args[0])
    const key = k.value.args[1]?.exprKind
    if (base !== undefined && key?.case === 'constExpr') return `${base}[${JSON.stringify(String(key.value.constantKind.value))}]`
    return base
  }
  return undefined
}
