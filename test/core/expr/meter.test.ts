import {describe, expect, it} from 'vitest'
import {compileExpression, type ExprBindings} from '../../../src/core/expr/cel.js'
import {buildEvaluator} from '../../../src/core/expr/compile.js'
import {RUNTIME_STEP_BUDGET} from '../../../src/core/expr/limits.js'
import {runMetered} from '../../../src/core/expr/meter.js'
import {parseExpression} from '../../../src/core/expr/syntax.js'

function bindings(profile: Record<string, unknown>): ExprBindings {
  return {profile, journey: {id: 'j', entered_at: 0}, now: 0, event: {type: 'x', timestamp: 0, properties: {}}}
}

/** An evaluator without the validation checks, as if the static estimate had let it through. */
function unchecked(source: string, budget = RUNTIME_STEP_BUDGET) {
  const parsed = parseExpression(source)
  if (!parsed.ok) throw new Error(`does not parse: ${source}`)
  return buildEvaluator(parsed.parsed, {fast: true, budget})
}

const range = (n: number) => Array.from({length: n}, (_, i) => i)
const OVER =
  /^the evaluation was stopped: it needs more than [\d,]+ steps \(elements iterated by all, exists, exists_one, map and filter\), the limit for one evaluation$/

describe('the run-time step budget', () => {
  it('stops eight nested .all() over a ten-element list with an error (instead of running for minutes)', () => {
    let source = 'x7 >= 0.0'
    for (let i = 6; i >= -1; i--) source = `profile.ten.all(x${i + 1}, ${source})`
    const result = unchecked(source)(bindings({ten: range(10)}))
    expect(result).toEqual({
      ok: false,
      error: `the evaluation was stopped: it needs more than ${RUNTIME_STEP_BUDGET.toLocaleString('en-US')} steps (elements iterated by all, exists, exists_one, map and filter), the limit for one evaluation`,
    })
  })

  it('stops a validated expression whose data is larger than validation assumed', () => {
    // 100 + 100 * 100 steps with the assumed sizes; 2,000 + 2,000 * 2,000 with these.
    const expr = compileExpression('profile.a.all(x, profile.a.all(y, y >= 0.0))', 'event-condition')
    expect(expr.evaluate(bindings({a: range(100)}))).toEqual({ok: true, value: true})
    const result = expr.evaluate(bindings({a: range(2000)}))
    expect(result.ok === false && result.error).toMatch(OVER)
  })

  it('is an error even where CEL would absorb a failure', () => {
    const evaluate = unchecked('profile.a.all(x, profile.a.all(y, true)) || true', 50)
    expect(evaluate(bindings({a: range(5)}))).toEqual({ok: true, value: true})
    expect(evaluate(bindings({a: range(10)})).ok).toBe(false)
    expect(unchecked('profile.a.exists(x, x == 99) && false', 5)(bindings({a: range(10)})).ok).toBe(false)
  })

  it('charges every element of every range, the whole range before iterating it', () => {
    const evaluate = unchecked('profile.a.exists(x, x == 0)', 10)
    expect(evaluate(bindings({a: range(10)}))).toEqual({ok: true, value: true})
    // exists would stop at the first element, but the charge is the worst case: the whole list.
    expect(evaluate(bindings({a: range(11)})).ok).toBe(false)
    const nested = unchecked('profile.a.all(x, profile.b.all(y, true))', 2 + 2 * 3)
    expect(nested(bindings({a: range(2), b: range(3)}))).toEqual({ok: true, value: true})
    expect(nested(bindings({a: range(2), b: range(4)})).ok).toBe(false)
    const map = unchecked('profile.m.all(k, profile.m[k] > 0.0)', 3)
    expect(map(bindings({m: {a: 1, b: 2, c: 3}}))).toEqual({ok: true, value: true})
    expect(map(bindings({m: {a: 1, b: 2, c: 3, d: 4}})).ok).toBe(false)
  })

  it('starts afresh for every evaluation', () => {
    const evaluate = unchecked('profile.a.all(x, true)', 10)
    for (let i = 0; i < 5; i++) expect(evaluate(bindings({a: range(10)}))).toEqual({ok: true, value: true})
  })

  it('a macro over something that is not a list or map still fails with its own message', () => {
    const result = unchecked('profile.n.all(x, true)')(bindings({n: 3}))
    expect(result.ok === false && result.error).not.toMatch(OVER)
  })

  it('runMetered restores the meter of an evaluation it interrupts', () => {
    const outer = runMetered(5, () => runMetered(100, () => 'inner').exceeded)
    expect(outer).toEqual({value: false, exceeded: false})
  })
})
