/**
 * Walking and rebuilding parsed CEL trees. Nothing here changes a tree: a
 * rebuilt tree shares the nodes that did not change and copies the path to
 * those that did, so a parsed tree can be handed to several users safely.
 * Recursion is safe because parseExpression refuses trees nested deeper than
 * MAX_NESTING.
 */
import type {Expr} from './types.js'

/** The direct sub-expressions of `e`, in evaluation order (a call's target before its arguments). */
export function children(e: Expr): Expr[] {
  const k = e.exprKind
  switch (k.case) {
    case 'selectExpr':
      return k.value.operand === undefined ? [] : [k.value.operand]
    case 'callExpr':
      return k.value.target === undefined ? [...k.value.args] : [k.value.target, ...k.value.args]
    case 'listExpr':
      return [...k.value.elements]
    case 'structExpr': {
      const out: Expr[] = []
      for (const entry of k.value.entries) {
        if (entry.keyKind.case === 'mapKey') out.push(entry.keyKind.value)
        if (entry.value !== undefined) out.push(entry.value)
      }
      return out
    }
    case 'comprehensionExpr': {
      const c = k.value
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].filter((part) => part !== undefined)
    }
    default:
      return []
  }
}

/**
 * `e` with every direct sub-expression replaced by `rewrite(child)`; `e` itself
 * when nothing changed. Never modifies `e`.
 */
export function mapChildren(e: Expr, rewrite: (child: Expr) => Expr): Expr {
  const k = e.exprKind
  const map = (child: Expr | undefined): Expr | undefined => (child === undefined ? undefined : rewrite(child))
  switch (k.case) {
    case 'selectExpr': {
      const operand = map(k.value.operand)
      return operand === k.value.operand ? e : {...e, exprKind: {case: k.case, value: {...k.value, operand}}}
    }
    case 'callExpr': {
      const target = map(k.value.target)
      const args = k.value.args.map(rewrite)
      if (target === k.value.target && args.every((arg, i) => arg === k.value.args[i])) return e
      return {...e, exprKind: {case: k.case, value: {...k.value, target, args}}}
    }
    case 'listExpr': {
      const elements = k.value.elements.map(rewrite)
      if (elements.every((item, i) => item === k.value.elements[i])) return e
      return {...e, exprKind: {case: k.case, value: {...k.value, elements}}}
    }
    case 'structExpr': {
      let changed = false
      const entries = k.value.entries.map((entry) => {
        const keyKind = entry.keyKind.case === 'mapKey' ? {case: 'mapKey' as const, value: rewrite(entry.keyKind.value)} : entry.keyKind
        const value = map(entry.value)
        if (keyKind.value === entry.keyKind.value && value === entry.value) return entry
        changed = true
        return {...entry, keyKind, value}
      })
      return changed ? {...e, exprKind: {case: k.case, value: {...k.value, entries}}} : e
    }
    case 'comprehensionExpr': {
      const c = k.value
      const next = {
        ...c,
        iterRange: map(c.iterRange),
        accuInit: map(c.accuInit),
        loopCondition: map(c.loopCondition),
        loopStep: map(c.loopStep),
        result: map(c.result),
      }
      const same =
        next.iterRange === c.iterRange &&
        next.accuInit === c.accuInit &&
        next.loopCondition === c.loopCondition &&
        next.loopStep === c.loopStep &&
        next.result === c.result
      return same ? e : {...e, exprKind: {case: k.case, value: next}}
    }
    default:
      return e
  }
}

/** The node with this id, or undefined. */
export function findById(e: Expr, id: bigint): Expr | undefined {
  if (e.id === id) return e
  for (const child of children(e)) {
    const found = findById(child, id)
    if (found !== undefined) return found
  }
  return undefined
}

/** The largest node id in the tree, so rewrites can number new nodes after it. */
export function maxId(e: Expr): bigint {
  let max = e.id
  for (const child of children(e)) {
    const m = maxId(child)
    if (m > max) max = m
  }
  return max
}

/** `event.properties.cart_value` for ident/select chains; undefined for anything else (and for `has()` tests). */
export function selectPath(e: Expr | undefined): string | undefined {
  if (e === undefined) return undefined
  const k = e.exprKind
  if (k.case === 'identExpr') return isInternalName(k.value.name) ? undefined : k.value.name
  if (k.case === 'selectExpr' && !k.value.testOnly) {
    const base = selectPath(k.value.operand)
    return base === undefined ? undefined : `${base}.${k.value.field}`
  }
  return undefined
}

/**
 * Names that joe's own rewrites and the parser's macros introduce (`@const0`,
 * `@result`): the parser never accepts `@` in what a user writes.
 */
export function isInternalName(name: string): boolean {
  return name.startsWith('@')
}

/** A node `id` calling `fn` (a function the environment defines) with `args`. */
export function callNode(id: bigint, fn: string, args: Expr[]): Expr {
  return {
    $typeName: 'cel.expr.Expr',
    id,
    exprKind: {case: 'callExpr', value: {$typeName: 'cel.expr.Expr.Call', function: fn, args}},
  } as Expr
}

/** A node `id` naming the variable `name`. */
export function identNode(id: bigint, name: string): Expr {
  return {$typeName: 'cel.expr.Expr', id, exprKind: {case: 'identExpr', value: {$typeName: 'cel.expr.Expr.Ident', name}}} as Expr
}
