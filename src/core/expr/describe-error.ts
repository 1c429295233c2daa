/**
 * Run-time failures in words a journey author can act on: CEL's message plus,
 * where it can be found in the tree, the path that failed
 * ("`profile.tier` is not set" rather than "no such key: tier").
 */
import {findById, isInternalName} from './tree.js'
import type {Expr} from './types.js'

export function describeError(error: Error & {exprId?: bigint | undefined}, root: Expr): string {
  const raw = error.message
  const path = error.exprId === undefined ? undefined : pathOf(findById(root, error.exprId))
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

/**
 * The attribute a failing node reads: `profile.tier`, `profile["first name"]`;
 * for an index with a computed key, the indexed value. Undefined for anything else.
 */
function pathOf(e: Expr | undefined): string | undefined {
  if (e === undefined) return undefined
  const k = e.exprKind
  if (k.case === 'identExpr') return isInternalName(k.value.name) ? undefined : k.value.name
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
