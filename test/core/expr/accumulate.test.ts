import {parse, plan} from '@bufbuild/cel'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {accumulateInPlace} from '../../../src/core/expr/accumulate.js'
import {compileExpression, type ExprBindings} from '../../../src/core/expr/cel.js'
import {CEL_ENV, toPlain} from '../../../src/core/expr/runtime.js'

function bindings(profile: Record<string, unknown>): ExprBindings {
  return {profile, journey: {id: 'j', entered_at: 0}, now: 0}
}
const value = (source: string, profile: Record<string, unknown> = {}) => compileExpression(source, 'value').evaluate(bindings(profile))

/** The library on the tree as parsed, without joe's rewrite. */
function libraryAsParsed(source: string, vars: {a: number[]}): unknown {
  const result = plan(CEL_ENV, parse(source))(vars)
  return result instanceof Error ? 'error' : toPlain(result)
}

/** The library on the rewritten tree. */
function rewritten(source: string, vars: {a: number[]}): unknown {
  const result = plan(CEL_ENV, accumulateInPlace(parse(source).expr))(vars)
  return result instanceof Error ? 'error' : toPlain(result)
}

describe('map and filter build flat lists', () => {
  it.each<[string, unknown]>([
    ['[1, 2, 3].map(x, x * 2)', [2, 4, 6]],
    ['[1, 2, 3].filter(x, x > 1)', [2, 3]],
    ['[1, 2, 3].map(x, x > 1, x * 10)', [20, 30]],
    ['[].map(x, x)', []],
    [
      '[1, 2].map(x, [3, 4].map(y, x * y))',
      [
        [3, 4],
        [6, 8],
      ],
    ],
    ['[1, 2].map(x, [1, 2, 3].filter(y, y > x))', [[2, 3], [3]]],
    ['{"a": 1, "b": 2}.map(k, k + "!")', ['a!', 'b!']],
    ['[1, 2].map(x, x).map(y, y + 1).filter(z, z > 2)', [3]],
  ])('%s', (source, expected) => {
    expect(value(source)).toEqual({ok: true, value: expected})
  })

  it('every evaluation starts from a new list', () => {
    const expr = compileExpression('profile.a.map(x, x)', 'value')
    expect(expr.evaluate(bindings({a: [1, 2]}))).toEqual({ok: true, value: [1, 2]})
    expect(expr.evaluate(bindings({a: [3]}))).toEqual({ok: true, value: [3]})
    const inner = compileExpression('[1, 2, 3].map(x, [0].map(y, x))', 'value')
    expect(inner.evaluate(bindings({}))).toEqual({ok: true, value: [[1], [2], [3]]})
  })

  it('a failing element fails the whole map, as before', () => {
    const result = value('profile.a.map(x, x.missing)', {a: [{missing: 1}, {}]})
    expect(result.ok).toBe(false)
  })

  it('reads a long mapped list, whose chain of concatenations overflowed the stack before', () => {
    const a = Array.from({length: 20_000}, (_, i) => i)
    expect(libraryAsParsed('a.map(x, x).all(y, y >= 0)', {a})).toBe('error')
    expect(value('profile.a.map(x, x).filter(y, y >= 0.0).all(y, y >= 0.0)', {a})).toEqual({ok: true, value: true})
  })

  it('property: the rewrite never changes a result', () => {
    const list = fc.array(fc.integer({min: -5, max: 5}), {maxLength: 6})
    const source = fc.constantFrom(
      'a.map(x, x * 2)',
      'a.filter(x, x > 0)',
      'a.map(x, x > 0, x - 1)',
      'a.map(x, a.filter(y, y < x))',
      'a.filter(x, a.map(y, y * x).exists(z, z > 3))',
      'a.map(x, 10 / x)',
      'a.map(x, [x, x]).filter(p, p[0] != 0).size()',
    )
    fc.assert(
      fc.property(source, list, (src, a) => {
        expect(rewritten(src, {a})).toEqual(libraryAsParsed(src, {a}))
      }),
      {seed: 20260302, numRuns: 300},
    )
  })
})
