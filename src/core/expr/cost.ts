/**
 * JOE2013: a static estimate of the worst case an expression can cost, in the
 * steps of limits.ts (elements iterated by macros), refused above
 * STATIC_STEP_BUDGET. Modelled on Kubernetes' CEL cost estimator: sizes come
 * from list and map literals where the expression has them, and
 * ASSUMED_LIST_SIZE where they come from data; a macro costs the size of its
 * range each time it runs, and its body runs once per element, so nested
 * macros multiply. run-time metering (meter.ts) charges the same way, so an
 * expression validation accepts runs within budget as long as its data is no
 * larger than assumed.
 */
import {ASSUMED_LIST_SIZE, STATIC_STEP_BUDGET} from './limits.js'
import {children} from './tree.js'
import type {Expr, ExprIssue, ParsedExpr} from './types.js'

/** What is known of a value's size as a list or map: its size, and that of its elements. */
interface Size {
  n: number
  /** Undefined: the elements' size is not known. */
  element?: Size
}

const UNKNOWN: Size = {n: ASSUMED_LIST_SIZE}

interface Estimate {
  /** The expression's worst-case steps in all. */
  steps: number
  /** The outermost macro whose own cost (with everything nested in it) is over the budget. */
  worst?: Expr
}

export function estimateCost(root: Expr): Estimate {
  const estimate: Estimate = {steps: 0}
  const visit = (e: Expr, runs: number, scope: ReadonlyMap<string, Size>): Size => {
    const k = e.exprKind
    switch (k.case) {
      case 'comprehensionExpr': {
        const c = k.value
        const before = estimate.steps
        const worstBefore = estimate.worst
        const range = c.iterRange === undefined ? UNKNOWN : visit(c.iterRange, runs, scope)
        const init = c.accuInit === undefined ? UNKNOWN : visit(c.accuInit, runs, scope)
        estimate.steps += runs * range.n
        const loop = new Map(scope)
        loop.set(c.iterVar, range.element ?? UNKNOWN)
        if (c.iterVar2 !== '') loop.set(c.iterVar2, UNKNOWN)
        loop.set(c.accuVar, init)
        for (const part of [c.loopCondition, c.loopStep]) if (part !== undefined) visit(part, runs * range.n, loop)
        const done = new Map(scope)
        done.set(c.accuVar, init)
        if (c.result !== undefined) visit(c.result, runs, done)
        // Post-order, so this replaces a macro nested in this one, but not an earlier one beside it.
        if (worstBefore === undefined && estimate.steps - before > STATIC_STEP_BUDGET) estimate.worst = e
        // `map` and `filter` (which start from an empty list) give at most one element per element of the range.
        return isEmptyList(c.accuInit) ? {n: range.n} : UNKNOWN
      }
      case 'listExpr': {
        const sizes = k.value.elements.map((item) => visit(item, runs, scope))
        return {n: sizes.length, ...largest(sizes)}
      }
      case 'structExpr':
        for (const child of children(e)) visit(child, runs, scope)
        return {n: k.value.entries.length}
      case 'identExpr':
        return scope.get(k.value.name) ?? UNKNOWN
      case 'callExpr': {
        const sizes = children(e).map((child) => visit(child, runs, scope))
        const [a, b, c] = sizes
        if (k.value.function === '_+_' && a !== undefined && b !== undefined) return {n: a.n + b.n}
        if (k.value.function === '_?_:_' && b !== undefined && c !== undefined) return {n: Math.max(b.n, c.n)}
        return UNKNOWN
      }
      default:
        for (const child of children(e)) visit(child, runs, scope)
        return UNKNOWN
    }
  }
  visit(root, 1, new Map())
  return estimate
}

/** The size of the largest element, when every element's size is known from a literal. */
function largest(sizes: readonly Size[]): {element?: Size} {
  let max: Size | undefined
  for (const size of sizes) if (max === undefined || size.n > max.n) max = size
  return max === undefined ? {} : {element: max}
}

function isEmptyList(e: Expr | undefined): boolean {
  return e?.exprKind.case === 'listExpr' && e.exprKind.value.elements.length === 0
}

/** JOE2013 when the worst case is over the budget, at the outermost macro responsible. */
export function costIssue(parsed: ParsedExpr, source: string): ExprIssue | undefined {
  const {steps, worst} = estimateCost(parsed.expr)
  if (steps <= STATIC_STEP_BUDGET) return undefined
  let offset = worst === undefined ? 0 : (parsed.sourceInfo?.positions[String(worst.id)] ?? 0)
  // A macro's position is the `.` before its name; point at the name.
  if (source.charAt(offset) === '.') offset++
  return {
    code: 'JOE2013',
    message: `this expression may iterate ${describeSteps(steps)} times in the worst case; the limit is ${STATIC_STEP_BUDGET.toLocaleString('en-US')}`,
    hint: `macros nested in each other multiply (all, exists, exists_one, map, filter run their body once per element); lists from profiles and events count as ${ASSUMED_LIST_SIZE} elements. Nest fewer macros, or compute the answer upstream into a profile attribute`,
    offset,
  }
}

function describeSteps(steps: number): string {
  if (steps < 1e9) return steps.toLocaleString('en-US')
  return `about 10^${Math.floor(Math.log10(steps))}`
}
