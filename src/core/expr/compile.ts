/**
 * A checked expression made ready to run: the parsed tree is rewritten into a
 * new one (folded constants, metered macros, linear list building; the parsed
 * tree itself is never modified), planned once by the CEL library, and
 * wrapped in an evaluator that tries the fast path first, runs the library
 * within the step budget, and turns failures into readable messages.
 */
import {type CelResult, isCelError, plan} from '@bufbuild/cel'
import {LruCache} from '../lru.js'
import {accumulateInPlace} from './accumulate.js'
import {type Activation, activationWith} from './activation.js'
import {describeError} from './describe-error.js'
import {compileFast, FALLBACK} from './fast-eval.js'
import {foldConstants} from './fold.js'
import {meterComprehensions, runMetered} from './meter.js'
import {CEL_ENV, toPlain} from './runtime.js'
import {maxId} from './tree.js'
import type {EvalResult, ExprBindings, ParsedExpr} from './types.js'

export interface EvaluatorOptions {
  /** Try the fast path (fast-eval.ts) before the library. */
  fast: boolean
  /** Steps one evaluation may take (limits.ts). */
  budget: number
}

type Program = (activation: Activation) => CelResult

/** The evaluator for `parsed`, which must have passed the checks (checkParsed, costIssue). */
export function buildEvaluator(parsed: ParsedExpr, options: EvaluatorOptions): (bindings: ExprBindings) => EvalResult {
  const root = parsed.expr
  const folded = foldConstants(root)
  let lastId = maxId(root)
  const prepared = accumulateInPlace(meterComprehensions(folded.expr, () => ++lastId))
  const program = plan(CEL_ENV, prepared) as unknown as Program
  const Vars = activationWith(folded.constants)
  const fast = options.fast ? compileFast(root) : undefined
  const overBudget = `the evaluation was stopped: it needs more than ${options.budget.toLocaleString('en-US')} steps (elements iterated by all, exists, exists_one, map and filter), the limit for one evaluation`
  // The same few failures repeat (a key missing for many customers); describe each once.
  const messages = new LruCache<string, string>(100)
  return (bindings) => {
    if (fast !== undefined) {
      const value = fast(bindings)
      if (value !== FALLBACK) return {ok: true, value}
    }
    try {
      const run = runMetered(options.budget, () => program(new Vars(bindings)))
      if (run.exceeded) return {ok: false, error: overBudget}
      const result = run.value
      if (isCelError(result)) {
        const key = `${String(result.exprId)}:${result.message}`
        let error = messages.get(key)
        if (error === undefined) {
          error = describeError(result, root)
          messages.set(key, error)
        }
        return {ok: false, error}
      }
      return {ok: true, value: toPlain(result)}
    } catch (error) {
      return {ok: false, error: error instanceof Error ? error.message : String(error)}
    }
  }
}
