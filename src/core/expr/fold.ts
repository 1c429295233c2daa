/**
 * Constant folding: `duration("1h")` and `timestamp("2026-01-01T00:00:00Z")`
 * with a literal argument become references to values computed once, since
 * CEL would parse the text again on every evaluation. The values are bound
 * to names starting with `@` (`@const0`), which user expressions cannot
 * spell; activation.ts puts them where the planner looks names up.
 *
 * The result is a new tree: the input is never modified, so a parsed tree can
 * be shared (checked, folded, fast-compiled, searched for error paths).
 */
import {isCelError, plan} from '@bufbuild/cel'
import {CEL_ENV} from './runtime.js'
import {identNode, mapChildren} from './tree.js'
import type {Expr} from './types.js'

export interface Folded {
  expr: Expr
  /** Name -> precomputed CEL value, for every folded call. */
  constants: ReadonlyMap<string, unknown>
}

export function foldConstants(root: Expr): Folded {
  const constants = new Map<string, unknown>()
  const fold = (e: Expr): Expr => {
    const value = literalTime(e)
    if (value === undefined) return mapChildren(e, fold)
    const name = `@const${constants.size}`
    constants.set(name, value)
    // The node keeps its id, so positions and error paths still find it.
    return identNode(e.id, name)
  }
  return {expr: fold(root), constants}
}

/** The value of `duration("...")` or `timestamp("...")` with a valid literal argument; undefined for anything else. */
function literalTime(e: Expr): unknown {
  const k = e.exprKind
  if (k.case !== 'callExpr') return undefined
  const call = k.value
  const arg = call.args[0]?.exprKind
  const literal =
    (call.function === 'duration' || call.function === 'timestamp') &&
    call.target === undefined &&
    call.args.length === 1 &&
    arg?.case === 'constExpr' &&
    arg.value.constantKind.case === 'stringValue'
  if (!literal) return undefined
  const value = plan(CEL_ENV, e)()
  // An invalid literal stays a call, so it fails at run time with CEL's own message.
  return isCelError(value) ? undefined : value
}
