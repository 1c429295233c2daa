import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {checkExpression} from '../../../src/core/expr/cel.js'
import {contextVariables, EXPR_CONTEXTS, type ExprContext} from '../../../src/core/expr/scope.js'

const codes = (source: string, context: ExprContext = 'event-condition') => checkExpression(source, context).map((i) => i.code)
const first = (source: string, context: ExprContext = 'event-condition') => checkExpression(source, context)[0]

describe('valid expressions pass', () => {
  const conditions = [
    'has(profile.x)',
    '"a" in ["a","b"]',
    'profile.tags.exists(t, t == "vip")',
    'profile.tags.all(t, t != "")',
    '[1, 2].exists_one(x, x == 1)',
    'profile.tags.filter(t, t.startsWith("a")).size() == 1',
    'profile.tags.map(t, t + "x").size() > 0',
    'event.properties.cart_value > 50.0',
    'event.properties.cart_value > 50',
    'now - journey.entered_at > duration("1h")',
    'event.timestamp > timestamp("2026-01-01T00:00:00Z")',
    'event.timestamp < now',
    'now + duration("90m") > event.timestamp',
    'profile.name.startsWith("A") && profile.name.endsWith("z")',
    'profile.email.contains("@") || profile.email.matches("^a")',
    'profile.email.lowerAscii().endsWith("@x.com")',
    'size(profile.tags) > 2',
    'profile.tags.size() > 2',
    '"abc".size() == 3',
    'profile.vip ? true : false',
    'profile.vip ? profile.a > 1 : profile.b < 2',
    'int(profile.age) >= 18',
    'double(profile.x) > 1',
    'string(profile.n) == "3"',
    'type(profile.x) == string',
    'dyn(profile.x) == 1',
    'event.type == "cart_updated"',
    'event.type in ["a", "b"]',
    'event["type"] == "x"',
    'profile["first name"] == "x"',
    '{"a": 1}.a == 1',
    'profile.n + 1 > 2',
    'profile.points * 2 > 10',
    'profile.score / 2.0 > 1',
    '1 + 1.0 == 2.0',
    '-profile.x < 0',
    'int(profile.x) % 2 == 0',
    'profile.tags[0] == "a"',
    'null == profile.x',
    'profile.x != null',
    'journey.id == "cart-abandonment"',
    'now.getHours("Europe/Berlin") >= 9',
    'now.getDayOfWeek() == 1',
    'timestamp(profile.signup_at) < now',
    'strings.quote("a") == "\\"a\\""',
    'true',
    '.profile.x == 1',
    'profile.a.b.c.d == true',
    '// a comment\nprofile.x == 1',
    '[1, 2, 3].map(x, x * 2)[0] == 2',
    'profile.tags.exists(event, event == "x")',
    'profile.x == 1u',
    '!(profile.unsubscribed == true)',
  ]
  for (const source of conditions) {
    it(source, () => {
      expect(checkExpression(source, 'event-condition')).toEqual([])
      expect(checkExpression(source, 'branch-condition')).toEqual([])
      expect(checkExpression(source, 'consent')).toEqual([])
    })
  }

  it('consent has channel', () => {
    expect(checkExpression('!(has(profile.opt_outs) && channel in profile.opt_outs)', 'consent')).toEqual([])
    expect(checkExpression('channel == "sms"', 'consent')).toEqual([])
  })

  it('profile conditions work without event', () => {
    for (const source of ['profile.unsubscribed == true', 'has(profile.email) && now > journey.entered_at', 'profile.x']) {
      expect(checkExpression(source, 'profile-condition')).toEqual([])
    }
  })

  it('values may have any type', () => {
    for (const source of ["'SAVE10'", '"a" + profile.name', '42', 'event.type', 'now', 'profile.tags', '{"a": 1}', '1.5 * 2']) {
      expect(checkExpression(source, 'value')).toEqual([])
    }
  })
})

describe('JOE2010 syntax errors', () => {
  it.each([
    ['profile.x ==', 10, '`==` is missing the value after it'],
    ['a +', 2, '`+` is missing the value after it'],
    ['profile.x = 1', 10, '`=` is not a CEL operator; use `==` to compare'],
    ['profile.x > 1 and profile.y', 14, '`and` is not a CEL operator; use `&&`'],
    ['profile.x > 1 or profile.y', 14, '`or` is not a CEL operator; use `||`'],
    ['not profile.x', 0, '`not` is not a CEL operator; use `!`'],
    ['(profile.x', 0, '`(` is never closed'],
    ['profile.x)', 9, '`)` has no matching opening bracket'],
    ['(profile.x]', 10, 'expected `)` to close the `(` at offset 0, found `]`'],
    ['profile.x == "abc', 13, 'this string is never closed'],
    ['profile.x > 1 &&& true', 16, '`&` is not a CEL operator; use `&&`'],
    ['1 +* 2', 3, 'unexpected `*` right after `+`'],
    ['a b', 2, 'missing an operator between `a` and `b`'],
    ['', 0, 'the expression is empty'],
    ['  ', 0, 'the expression is empty'],
    ['profile.', 7, 'expected a field name after `.`'],
    ['profile.x # 1', 10, 'unexpected character `#`'],
    ['== 1', 0, 'the expression starts with `==`'],
  ])('%j', (source, offset, message) => {
    const issues = checkExpression(source, 'event-condition')
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatchObject({code: 'JOE2010', offset, message})
  })

  it('reserved words are explained', () => {
    expect(first('profile.in == 1')).toMatchObject({code: 'JOE2010', offset: 8, message: expect.stringContaining('reserved')})
    expect(first('let == 1')).toMatchObject({code: 'JOE2010', offset: 0, message: expect.stringContaining('reserved')})
    expect(first('in')?.code).toBe('JOE2010')
  })

  it('messages never dump the PEG expectation list', () => {
    for (const source of ['f(a,)', 'a ? b', '{1: 2', 'a.b(', 'profile[', '[1, 2']) {
      const issue = first(source)
      expect(issue?.code).toBe('JOE2010')
      expect(issue?.message).not.toContain('expecting')
      expect(issue?.message.length).toBeLessThan(120)
      expect(issue?.offset).toBeGreaterThanOrEqual(0)
      expect(issue?.offset).toBeLessThanOrEqual(source.length)
    }
  })
})

describe('JOE2011 unknown variables and fields', () => {
  it('suggests the closest variable', () => {
    expect(first('prfile.x == 1')).toEqual({
      code: 'JOE2011',
      message: 'unknown variable `prfile`; did you mean `profile`?',
      hint: 'variables here: event, profile, journey, now',
      offset: 0,
    })
    expect(first('profile.x > 1 && evnt.type == "a"')).toMatchObject({
      code: 'JOE2011',
      offset: 17,
      message: expect.stringContaining('`event`'),
    })
  })

  it('an unknown name far from any variable gets no suggestion', () => {
    expect(first('customer.age > 3')?.message).toBe('unknown variable `customer`')
  })

  it('event is not available in a profile condition', () => {
    const issue = first('profile.x == 1 && event.type == "a"', 'profile-condition')
    expect(issue).toMatchObject({code: 'JOE2011', offset: 18})
    expect(issue?.message).toContain('`event` is not available in a profile condition')
  })

  it('channel exists only in consent', () => {
    for (const context of EXPR_CONTEXTS.filter((c) => c !== 'consent')) {
      expect(codes('channel == "sms"', context)).toEqual(['JOE2011'])
    }
  })

  it('unknown fields on event and journey, with did-you-mean', () => {
    expect(first('event.typ == "a"')).toMatchObject({
      code: 'JOE2011',
      offset: 6,
      message: '`event` has no field `typ`; did you mean `type`?',
    })
    expect(first('event.type == "a" || event.tpye == "b"')).toMatchObject({
      offset: 27,
      message: expect.stringContaining('did you mean `type`?'),
    })
    expect(first('journey.idd == "x"')).toMatchObject({
      code: 'JOE2011',
      offset: 8,
      message: '`journey` has no field `idd`; did you mean `id`?',
    })
    expect(first('has(event.typ)')).toMatchObject({code: 'JOE2011', offset: 10})
    expect(first('event["typ"] == "a"')?.code).toBe('JOE2011')
  })

  it('points event data to event.properties', () => {
    expect(first('event.cart_value > 50')?.message).toBe('`event` has no field `cart_value`; did you mean `event.properties.cart_value`?')
  })

  it('comprehension variables are in scope only inside the macro', () => {
    expect(codes('profile.tags.exists(t, t == "a") && t == "b"')).toEqual(['JOE2011'])
  })

  it('lists the variables of each context', () => {
    expect(contextVariables('profile-condition')).toEqual(['profile', 'journey', 'now'])
    expect(contextVariables('consent')).toContain('channel')
  })
})

describe('JOE2012 type errors', () => {
  it.each([
    ['"a" == 1', 4],
    ['event.type == 1', 11],
    ['1.5 != "x"', 4],
    ['"a" < 1', 4],
    ['now > 5', 4],
    ['event.timestamp > "2026-01-01"', 16],
    ['!"a"', 1],
    ['!5', 1],
    ['profile.x && "a"', 13],
    ['"a" ? true : false', 0],
    ['"a" in "abc"', 4],
    ['event.type + 1 == "x1"', 11],
    ['event.type.foo == 1', 11],
    ['size(5) == 1', 0],
    ['event.type.getHours() == 1', 10],
    ['now.startsWith("a")', 3],
    ['[1] < [2]', 4],
    ['5.0 % 2 == 1', 4],
    ['"abc".exists(c, c == "a")', 0],
    ['foo(profile.x)', 0],
    ['profile.name.lower() == "a"', 12],
    ['duration("1d") < now - event.timestamp', 0],
    ['timestamp("yesterday") < now', 0],
    ['has(profile)', 0],
  ])('%j', (source, offset) => {
    const issues = checkExpression(source, 'event-condition')
    expect(issues.map((i) => i.code)).toEqual(['JOE2012'])
    expect(issues[0]?.offset).toBe(offset)
  })

  it('conditions must be bool at the top level', () => {
    for (const source of ['"a"', "'SAVE10'", '5', '1.5', 'event.type', 'now', '[true]', 'now - event.timestamp']) {
      expect(checkExpression(source, 'event-condition')).toMatchObject([
        {code: 'JOE2012', offset: 0, message: expect.stringContaining('must be true or false')},
      ])
    }
    expect(codes('  "a"')).toEqual(['JOE2012'])
    expect(first('  "a"')?.offset).toBe(2)
  })

  it('dyn values are never flagged', () => {
    for (const source of ['profile.x', 'event.properties.x', 'profile.x + 1 == "a"', 'event.properties.a > "b"']) {
      expect(checkExpression(source, 'branch-condition')).toEqual([])
    }
  })

  it('messages name the operands', () => {
    expect(first('event.type == 1')?.message).toBe('`==` compares `event.type` (a string) with the int 1; they are never equal')
    expect(first('duration("1d") < now - event.timestamp')?.hint).toContain('24h')
  })

  it('suggests close function names', () => {
    expect(first('profile.name.startWith("a")')?.message).toBe('unknown function `startWith`; did you mean `startsWith`?')
  })

  it('reports several problems in source order', () => {
    expect(checkExpression('prfile.x == 1 && event.type == 2', 'event-condition').map((i) => [i.code, i.offset])).toEqual([
      ['JOE2011', 0],
      ['JOE2012', 28],
    ])
  })
})

describe('robustness', () => {
  it('checkExpression never throws for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 60}), fc.constantFrom(...EXPR_CONTEXTS), (source, context) => {
        const issues = checkExpression(source, context)
        for (const issue of issues) {
          expect(issue.offset).toBeGreaterThanOrEqual(0)
          expect(issue.offset).toBeLessThanOrEqual(source.length)
        }
      }),
      {numRuns: 500},
    )
  })

  it('never throws for token soup', () => {
    const token = fc.constantFrom(
      'profile',
      'event',
      'now',
      'journey',
      'channel',
      '.',
      'x',
      'type',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      ',',
      ':',
      '?',
      '==',
      '&&',
      '||',
      '!',
      '-',
      '+',
      ' in ',
      '1',
      '2.5',
      '"s"',
      'has',
      'exists',
      'size',
      'timestamp',
      'duration',
      ' ',
    )
    fc.assert(
      fc.property(fc.array(token, {maxLength: 25}), fc.constantFrom(...EXPR_CONTEXTS), (tokens, context) => {
        checkExpression(tokens.join(''), context)
      }),
      {numRuns: 1000},
    )
  })

  it('deep nesting does not throw', () => {
    expect(() => checkExpression(`${'('.repeat(2000)}1${')'.repeat(2000)}`, 'value')).not.toThrow()
    expect(() => checkExpression(`${'!'.repeat(3000)}true`, 'value')).not.toThrow()
  })
})
