import {describe, expect, it} from 'vitest'
import {checkExpression, compileExpression} from '../../../src/core/expr/cel.js'
import {estimateCost} from '../../../src/core/expr/cost.js'
import {ASSUMED_LIST_SIZE, STATIC_STEP_BUDGET} from '../../../src/core/expr/limits.js'
import {parseExpression} from '../../../src/core/expr/syntax.js'

const N = ASSUMED_LIST_SIZE
const TEN = '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]'

function steps(source: string): number {
  const parsed = parseExpression(source)
  if (!parsed.ok) throw new Error(`does not parse: ${source}`)
  return estimateCost(parsed.parsed.expr).steps
}

/** `depth` macros `.all()` nested in each other over `list`. */
function nestedAll(list: string, depth: number): string {
  let body = 'true'
  for (let i = depth - 1; i >= 0; i--) body = `${list}.all(x${i}, ${body})`
  return body
}

describe('the static estimate counts the elements macros iterate in the worst case', () => {
  it.each<[string, number]>([
    ['profile.x == 1', 0],
    ['"vip" in profile.tags', 0],
    ['profile.tags.exists(t, t == "vip")', N],
    [`${TEN}.exists(x, x == profile.n)`, 10],
    ['[].all(x, x)', 0],
    ['{"a": 1, "b": 2}.all(k, k != "")', 2],
    ['profile.a.all(x, profile.b.all(y, x != y))', N + N * N],
    [`${TEN}.all(x, profile.b.exists(y, x == y))`, 10 + 10 * N],
    ['profile.a.exists(x, true) && profile.b.exists(y, true)', 2 * N],
    // The elements of a literal list of lists are known too.
    ['[[1, 2], [3]].all(l, l.all(x, x > 0))', 2 + 2 * 2],
    // Iterating a macro's own variable: an element from data has the assumed size.
    ['profile.orders.exists(o, o.items.exists(i, i.price > 100))', N + N * N],
    // map and filter give at most as many elements as they read; + adds sizes.
    [`${TEN}.map(x, x * 2).all(y, y > 0)`, 10 + 10],
    [`(${TEN} + ${TEN}).exists(x, x == 3)`, 20],
    [`(profile.vip ? [1, 2] : ${TEN}).exists(x, x == 3)`, 10],
    // The range is iterated once per run of the enclosing macro.
    [`${TEN}.all(x, ${TEN}.filter(y, y > x).size() > 0)`, 10 + 10 * 10],
  ])('%s costs %d', (source, expected) => {
    expect(steps(source)).toBe(expected)
  })

  it('nesting multiplies', () => {
    expect(steps(nestedAll(TEN, 8))).toBe(111_111_110)
    expect(steps(nestedAll('profile.tags', 3))).toBe(N + N ** 2 + N ** 3)
  })
})

describe('JOE2013: expressions over the static budget are refused where the nesting starts', () => {
  it('eight nested .all() over a ten-element list (the reported case)', () => {
    const source = `profile.vip && ${nestedAll(TEN, 8)}`
    const issues = checkExpression(source, 'event-condition')
    expect(issues).toEqual([
      {
        code: 'JOE2013',
        message: `this expression may iterate 111,111,110 times in the worst case; the limit is ${STATIC_STEP_BUDGET.toLocaleString('en-US')}`,
        hint: expect.stringContaining('Nest fewer macros'),
        offset: source.indexOf('all('),
      },
    ])
    expect(() => compileExpression(source, 'event-condition')).toThrow(expect.objectContaining({code: 'JOE2013', name: 'JoeError'}))
  })

  it('three macros nested over data are over, two are within', () => {
    expect(checkExpression(nestedAll('profile.tags', 2), 'event-condition')).toEqual([])
    expect(checkExpression(nestedAll('profile.tags', 3), 'event-condition').map((i) => i.code)).toEqual(['JOE2013'])
  })

  it('points at the first macro nest that is over on its own, after cheap ones', () => {
    const heavy = nestedAll('profile.tags', 4)
    const source = `profile.a.exists(x, x == 1) || ${heavy}`
    expect(checkExpression(source, 'event-condition')[0]).toMatchObject({code: 'JOE2013', offset: source.indexOf('all(')})
  })

  it('many cheap macros side by side are over together, reported at the start', () => {
    const source = Array.from({length: 1001}, (_, i) => `profile.l${i}.exists(x, x)`).join(' || ')
    expect(checkExpression(source, 'event-condition')[0]).toMatchObject({code: 'JOE2013', offset: 0})
  })

  it('huge estimates are written as powers of ten', () => {
    const issue = checkExpression(nestedAll('profile.tags', 12), 'event-condition')[0]
    expect(issue?.message).toContain('about 10^24 times')
  })

  it('is reported together with type errors, in source order', () => {
    const source = `${nestedAll('profile.tags', 3)} && "a" > 1`
    expect(checkExpression(source, 'event-condition').map((i) => i.code)).toEqual(['JOE2013', 'JOE2012'])
  })
})
