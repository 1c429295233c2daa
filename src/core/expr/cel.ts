/**
 * What the rest of joe calls: checkExpression (validation), compileExpression
 * and evaluateCondition (the engine). Both entry points cache by (context,
 * source) in bounded LRU caches, because projects repeat the same conditions
 * across journeys and a long-running server compiles expressions for days.
 *
 * expr/ in one line per module: syntax (parse, explain parse errors), nesting
 * (JOE2014), check + check-types (JOE2011, JOE2012), cost (JOE2013), compile
 * (a checked tree to an evaluator) with fold, meter, accumulate, activation,
 * fast-eval and describe-error; runtime (the CEL environment and value
 * conversion), scope (contexts and variables), limits, tree, types.
 */
import {JoeError} from '../errors.js'
import {LruCache} from '../lru.js'
import {checkParsed} from './check.js'
import {buildEvaluator} from './compile.js'
import {costIssue} from './cost.js'
import {RUNTIME_STEP_BUDGET} from './limits.js'
import type {ExprContext} from './scope.js'
import {parseExpression} from './syntax.js'
import type {CompiledExpression, CompileOptions, EvalResult, ExprBindings, ExprIssue, ParsedExpr} from './types.js'

export type {CompiledExpression, CompileOptions, EvalResult, ExprBindings, ExprIssue} from './types.js'

/** Distinct expressions kept; journeys hold far fewer, so only a server running for days ever evicts. */
const CACHE_SIZE = 10_000

const checkCache = new LruCache<string, readonly ExprIssue[]>(CACHE_SIZE)
const compileCache = new LruCache<string, CompiledExpression>(CACHE_SIZE)

/** Parses and checks; issues in source order, or the parsed tree when there are none. */
function analyze(source: string, context: ExprContext): {issues: ExprIssue[]; parsed?: ParsedExpr} {
  const parsed = parseExpression(source)
  if (!parsed.ok) return {issues: [parsed.issue]}
  const issues = checkParsed(parsed.parsed, source, context)
  const cost = costIssue(parsed.parsed, source)
  if (cost !== undefined) issues.push(cost)
  issues.sort((a, b) => a.offset - b.offset)
  return issues.length === 0 ? {issues, parsed: parsed.parsed} : {issues}
}

/**
 * Every problem `source` has in `context`, in source order: parse errors and
 * nesting too deep (then nothing else), unknown variables and fields, type
 * errors that are certain, and a worst-case cost over the budget. Never throws.
 */
export function checkExpression(source: string, context: ExprContext): ExprIssue[] {
  const key = `${context}\u0000${source}`
  let issues = checkCache.get(key)
  if (issues === undefined) {
    issues = analyze(source, context).issues
    checkCache.set(key, issues)
  }
  return issues.map((issue) => ({...issue}))
}

/**
 * A checked, planned expression, cached by (context, source) because the
 * engine evaluates the same few expressions very many times. Simple
 * expressions are answered by a fast path (fast-eval.ts) that gives the
 * library's exact value or defers to it; the library runs within
 * RUNTIME_STEP_BUDGET steps, and an evaluation over it is an error result.
 * Throws JoeError with the first issue's code (JOE2010-JOE2014) when the
 * source does not check; validation reports those before the engine runs.
 */
export function compileExpression(source: string, context: ExprContext, options: CompileOptions = {}): CompiledExpression {
  const fast = options.fast !== false
  const key = `${fast ? '' : 'library\u0000'}${context}\u0000${source}`
  const hit = compileCache.get(key)
  if (hit !== undefined) return hit
  const {issues, parsed} = analyze(source, context)
  const first = issues[0]
  if (parsed === undefined || first !== undefined) {
    const issue = first ?? {code: 'JOE2010', message: 'the expression does not check', offset: 0}
    throw new JoeError(
      issue.code,
      `invalid CEL expression ${JSON.stringify(source)}: ${issue.message} (at offset ${issue.offset})`,
      issue.hint === undefined ? {} : {hint: issue.hint},
    )
  }
  const compiled: CompiledExpression = {source, context, evaluate: buildEvaluator(parsed, {fast, budget: RUNTIME_STEP_BUDGET})}
  compileCache.set(key, compiled)
  return compiled
}

/** Evaluates a condition; a result that is not a bool is an error, never a silent false. */
export function evaluateCondition(
  expr: CompiledExpression,
  bindings: ExprBindings,
): {ok: true; value: boolean} | {ok: false; error: string} {
  const result: EvalResult = expr.evaluate(bindings)
  if (!result.ok) return result
  if (typeof result.value === 'boolean') return {ok: true, value: result.value}
  const shown = JSON.stringify(result.value) ?? String(result.value)
  return {ok: false, error: `the condition produced ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}, not true or false`}
}
