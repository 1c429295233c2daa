/**
 * The shapes every part of expr/ shares: the parsed tree, a problem found while
 * checking, the values an expression sees and what evaluating it gives. Types
 * only, so the modules that use them depend on this one and not on each other.
 */
import type {parse} from '@bufbuild/cel'
import type {ExprContext} from './scope.js'

export type ParsedExpr = ReturnType<typeof parse>
export type Expr = ParsedExpr['expr']

/** One problem found while checking an expression. */
export interface ExprIssue {
  /**
   * JOE2010 syntax, JOE2011 unknown variable or field, JOE2012 type error (incl. unknown function),
   * JOE2013 worst-case cost above the budget, JOE2014 nested too deeply.
   */
  code: 'JOE2010' | 'JOE2011' | 'JOE2012' | 'JOE2013' | 'JOE2014'
  message: string
  /** How to fix it; present when there is something useful to say. */
  hint?: string
  /** 0-based char offset into the source */
  offset: number
}

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
 * is a readable run-time failure (missing key, wrong type, evaluation budget
 * exceeded, ...).
 */
export type EvalResult = {ok: true; value: unknown} | {ok: false; error: string}

export interface CompiledExpression {
  source: string
  context: ExprContext
  evaluate(bindings: ExprBindings): EvalResult
}

/** How an expression is evaluated; the defaults suit everyone but tests and benchmarks. */
export interface CompileOptions {
  /** false: always run the CEL library, never the fast path (tests compare the two). Default true. */
  fast?: boolean
}
