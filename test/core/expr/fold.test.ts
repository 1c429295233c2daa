import {describe, expect, it} from 'vitest'
import {type ExprBindings, evaluateCondition} from '../../../src/core/expr/cel.js'
import {buildEvaluator} from '../../../src/core/expr/compile.js'
import {foldConstants} from '../../../src/core/expr/fold.js'
import {parseExpression} from '../../../src/core/expr/syntax.js'
import type {ParsedExpr} from '../../../src/core/expr/types.js'

const T0 = Date.parse('2026-03-02T10:00:00Z')
const bindings = (now: number): ExprBindings => ({profile: {tags: ['a']}, journey: {id: 'j', entered_at: T0 - 7_200_000}, now})

function parsed(source: string): ParsedExpr {
  const outcome = parseExpression(source)
  if (!outcome.ok) throw new Error(`does not parse: ${source}`)
  return outcome.parsed
}

const SOURCE =
  'now - journey.entered_at > duration("90m") && profile.tags.map(t, t + "!").exists(t, now < timestamp("2027-01-01T00:00:00Z"))'

describe('constant folding builds a new tree', () => {
  it('replaces literal durations and timestamps by constants, in a copy', () => {
    const tree = parsed(SOURCE)
    const before = structuredClone(tree)
    const folded = foldConstants(tree.expr)
    expect(tree).toEqual(before)
    expect(folded.expr).not.toBe(tree.expr)
    expect([...folded.constants.keys()]).toEqual(['@const0', '@const1'])
  })

  it('returns the same tree when there is nothing to fold', () => {
    const tree = parsed('profile.tags.exists(t, t == duration(profile.d))')
    expect(foldConstants(tree.expr)).toEqual({expr: tree.expr, constants: new Map()})
  })

  it('a parsed tree shared by several evaluators is never modified, and each evaluates it correctly', () => {
    const tree = parsed(SOURCE)
    const before = structuredClone(tree)
    const evaluators = [buildEvaluator(tree, {fast: true, budget: 1000}), buildEvaluator(tree, {fast: false, budget: 1000})]
    expect(tree).toEqual(before)
    for (const evaluate of evaluators) {
      const expr = {source: SOURCE, context: 'event-condition' as const, evaluate}
      expect(evaluateCondition(expr, bindings(T0))).toEqual({ok: true, value: true})
      expect(evaluateCondition(expr, bindings(T0 - 3_600_000))).toEqual({ok: true, value: false})
    }
    expect(tree).toEqual(before)
  })
})
