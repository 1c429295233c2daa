/**
 * JOE2014: expressions nested deeper than MAX_NESTING. The parser recurses once
 * per bracket or `? :`, and the checker, the cost estimate, the rewrites and
 * the CEL planner once per level of the parsed tree, so a deeper expression
 * would overflow the stack (a crash, exit 3) instead of being reported. The
 * source is checked before parsing and the tree after, both without recursion.
 */
import {MAX_NESTING} from './limits.js'
import {children} from './tree.js'
import type {Expr, ExprIssue, ParsedExpr} from './types.js'

function tooDeep(offset: number, hint: string): ExprIssue {
  return {code: 'JOE2014', message: `the expression nests more than ${MAX_NESTING} levels deep`, hint, offset}
}

const SPLIT = 'split it into simpler expressions'

/**
 * Brackets, `?` and unary operators nest at most MAX_NESTING deep. A `?` stays
 * open until the end of its bracket or argument (`a ? b : c ? d : e` nests to
 * the right); a run of unary operators (`!!!!x`, `- -x`) nests as deep as it
 * is long. String literals are skipped.
 */
export function sourceNestingIssue(source: string): ExprIssue | undefined {
  // Open `?`s per open bracket; the bottom entry is the top level.
  const pending: number[] = [0]
  let depth = 0
  let unary = 0
  let operandExpected = true
  for (let i = 0; i < source.length; i++) {
    const c = source.charAt(i)
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') continue
    const isUnary = (c === '!' && source.charAt(i + 1) !== '=') || (c === '-' && operandExpected)
    unary = isUnary ? unary + 1 : 0
    if (isUnary && depth + unary > MAX_NESTING) return tooDeep(i, SPLIT)
    switch (c) {
      case '"':
      case "'":
        i = stringEnd(source, i) - 1
        operandExpected = false
        break
      case '(':
      case '[':
      case '{':
      case '?':
        if (c === '?') pending[pending.length - 1] = (pending.at(-1) ?? 0) + 1
        else pending.push(0)
        depth++
        if (depth > MAX_NESTING) {
          const hint =
            c === '?'
              ? `${SPLIT}; a long chain of \`? :\` reads better as a map lookup, e.g. {"gold": 3, "silver": 2}[profile.tier]`
              : SPLIT
          return tooDeep(i, hint)
        }
        operandExpected = true
        break
      case ',':
      case ')':
      case ']':
      case '}':
        depth -= pending.at(-1) ?? 0
        pending[pending.length - 1] = 0
        if (c !== ',' && pending.length > 1) {
          pending.pop()
          depth--
        }
        operandExpected = c === ','
        break
      default:
        // After a name, number or closing bracket comes an operator; after an operator, an operand.
        operandExpected = !isWordChar(c)
    }
  }
  return undefined
}

function isWordChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '.'
}

/** The offset just after the string literal whose opening quote is at `start` (or the end of the source). */
function stringEnd(source: string, start: number): number {
  const quote = source.charAt(start)
  const triple = source.startsWith(quote.repeat(3), start)
  const close = triple ? quote.repeat(3) : quote
  // A raw string (r"...", rb'...') has no escapes.
  const raw = /[rR][bB]?$/.test(source.slice(Math.max(0, start - 2), start))
  let i = start + close.length
  while (i < source.length) {
    if (!raw && source.charAt(i) === '\\') i += 2
    else if (source.startsWith(close, i)) return i + close.length
    else i++
  }
  return source.length
}

/** The parsed tree is at most MAX_NESTING levels deep (long `+` chains, `.field` chains, nested calls). */
export function treeNestingIssue(parsed: ParsedExpr): ExprIssue | undefined {
  const positions = parsed.sourceInfo?.positions ?? {}
  const stack: Array<{e: Expr; depth: number; at: number}> = [{e: parsed.expr, depth: 1, at: 0}]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const at = positions[String(top.e.id)] ?? top.at
    if (top.depth > MAX_NESTING) {
      return tooDeep(at, `${SPLIT}, e.g. several conditions joined with && or ||`)
    }
    for (const child of children(top.e).reverse()) stack.push({e: child, depth: top.depth + 1, at})
  }
  return undefined
}
