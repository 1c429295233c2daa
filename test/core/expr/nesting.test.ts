import {describe, expect, it} from 'vitest'
import {checkExpression, compileExpression} from '../../../src/core/expr/cel.js'
import {MAX_NESTING} from '../../../src/core/expr/limits.js'
import {parseExpression} from '../../../src/core/expr/syntax.js'

const first = (source: string) => checkExpression(source, 'value')[0]

describe('JOE2014: nesting deeper than MAX_NESTING is a located issue, never a stack overflow', () => {
  it.each<[string, string, number]>([
    ['5,000 nested parentheses', `${'('.repeat(5000)}true${')'.repeat(5000)}`, MAX_NESTING],
    ['5,000 negations', `${'!'.repeat(5000)}true`, MAX_NESTING],
    ['5,001 negations with spaces', `${'! '.repeat(5001)}true`, 2 * MAX_NESTING],
    ['5,000 unary minus', `${'-'.repeat(5000)}1`, MAX_NESTING],
    ['5,000 nested lists', `1 in ${'['.repeat(5000)}${']'.repeat(5000)}`, 5 + MAX_NESTING],
    ['5,000 nested calls', `${'size('.repeat(5000)}"a"${')'.repeat(5000)}`, 5 * (MAX_NESTING + 1) - 1],
  ])('%s', (_name, source, offset) => {
    expect(first(source)).toMatchObject({code: 'JOE2014', offset, message: `the expression nests more than ${MAX_NESTING} levels deep`})
    expect(() => compileExpression(source, 'value')).toThrow(expect.objectContaining({code: 'JOE2014', name: 'JoeError'}))
  })

  it.each<[string, string]>([
    ['a chain of 5,000 additions', `profile.x == ${Array(5000).fill('1').join(' + ')}`],
    ['a chain of 5,000 field selections', `profile${'.b'.repeat(5000)} == 1`],
    ['a chain of 5,000 method calls', `profile.s${'.trim()'.repeat(5000)}`],
    ['5,000 ternaries', `${Array(5000).fill('profile.a ? 1').join(' : ')} : 2`],
  ])('%s: the parser accepts it, but the tree is refused where it gets too deep', (_name, source) => {
    const issue = first(source)
    expect(issue?.code).toBe('JOE2014')
    expect(issue?.offset).toBeGreaterThan(0)
    expect(issue?.offset).toBeLessThan(source.length)
    expect(() => compileExpression(source, 'value')).toThrow(expect.objectContaining({code: 'JOE2014'}))
  })

  it('a long chain of ternaries gets a hint to use a map lookup', () => {
    expect(first(`${Array(500).fill('profile.a ? 1').join(' : ')} : 2`)?.hint).toContain('map lookup')
  })

  it('nesting up to the limit is fine', () => {
    expect(checkExpression(`${'('.repeat(MAX_NESTING)}true${')'.repeat(MAX_NESTING)}`, 'value')).toEqual([])
    expect(checkExpression(`${'!'.repeat(MAX_NESTING)}true`, 'value')).toEqual([])
    expect(checkExpression(`${'['.repeat(MAX_NESTING)}${']'.repeat(MAX_NESTING)}`, 'value')).toEqual([])
    expect(
      checkExpression(
        `profile.x == ${Array(MAX_NESTING - 2)
          .fill('1')
          .join(' + ')}`,
        'value',
      ),
    ).toEqual([])
  })

  it('long flat expressions are not nesting', () => {
    const ors = Array.from({length: 5000}, (_, i) => `profile.x == ${i}`).join(' || ')
    expect(checkExpression(ors, 'event-condition')).toEqual([])
    expect(checkExpression(`profile.x in [${Array(5000).fill('1').join(', ')}]`, 'event-condition')).toEqual([])
    expect(checkExpression(`f(${Array(200).fill('(1)').join(', ')})`, 'value').map((i) => i.code)).toEqual(['JOE2012'])
  })

  it('brackets and operators inside strings do not count', () => {
    expect(checkExpression(`"${'('.repeat(500)}" == r'${'['.repeat(500)}\\'`, 'value')).toEqual([])
    expect(checkExpression(`'''${'?'.repeat(500)}''' + "\\"${'('.repeat(500)}"`, 'value')).toEqual([])
  })

  it('a subtraction is not a unary minus', () => {
    expect(
      checkExpression(
        Array(MAX_NESTING + 10)
          .fill('1')
          .join(' - '),
        'value',
      ).map((i) => i.code),
    ).toEqual(['JOE2014'])
    expect(
      checkExpression(
        Array(MAX_NESTING - 2)
          .fill('1')
          .join(' - '),
        'value',
      ),
    ).toEqual([])
  })

  it('parseExpression returns no tree deeper than the limit', () => {
    const parsed = parseExpression(`profile${'.b'.repeat(MAX_NESTING)}`)
    expect(parsed.ok).toBe(false)
  })
})
