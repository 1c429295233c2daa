import {describe, expect, it} from 'vitest'
import {compileExpression, type ExprBindings, evaluateCondition} from '../../../src/core/expr/cel.js'
import type {ExprContext} from '../../../src/core/expr/scope.js'

const T0 = Date.parse('2026-03-02T10:00:00Z')
const HOUR = 3_600_000

function bindings(over: Partial<ExprBindings> = {}): ExprBindings {
  return {
    event: {type: 'cart_updated', timestamp: T0, properties: {cart_value: 80, price: 80.5, items: [{sku: 'a', qty: 2}]}},
    profile: {email_opt_in: true, tags: ['vip', 'new'], opt_outs: ['sms'], points: 10, name: 'Ada', nested: {level: 3}},
    journey: {id: 'cart-abandonment', entered_at: T0 - 2 * HOUR},
    now: T0,
    channel: 'email',
    ...over,
  }
}

const value = (source: string, b: ExprBindings = bindings(), context: ExprContext = 'value') =>
  compileExpression(source, context).evaluate(b)
const cond = (source: string, b: ExprBindings = bindings(), context: ExprContext = 'event-condition') =>
  evaluateCondition(compileExpression(source, context), b)

describe('numbers from JSON compare with int and double literals alike', () => {
  it.each([
    ['event.properties.cart_value > 50', true],
    ['event.properties.cart_value > 50.0', true],
    ['event.properties.price > 50', true],
    ['event.properties.price > 50.0', true],
    ['event.properties.cart_value == 80', true],
    ['event.properties.cart_value == 80.0', true],
    ['event.properties.price == 80', false],
    ['event.properties.price < 81', true],
    ['event.properties.cart_value in [79, 80]', true],
    ['profile.points >= 10 && profile.points <= 10.0', true],
    ['80 < event.properties.price', true],
  ])('%s', (source, expected) => {
    expect(cond(source)).toEqual({ok: true, value: expected})
  })

  it('mixed int/double arithmetic works', () => {
    expect(value('profile.points + 5')).toEqual({ok: true, value: 15})
    expect(value('profile.points - 5')).toEqual({ok: true, value: 5})
    expect(value('profile.points * 2')).toEqual({ok: true, value: 20})
    expect(value('profile.points / 4')).toEqual({ok: true, value: 2.5})
    expect(value('5 + profile.points')).toEqual({ok: true, value: 15})
    expect(value('int(profile.points) % 3')).toEqual({ok: true, value: 1})
  })
})

describe('evaluation', () => {
  it('has() tests presence', () => {
    expect(cond('has(profile.email_opt_in)')).toEqual({ok: true, value: true})
    expect(cond('has(profile.missing)')).toEqual({ok: true, value: false})
    expect(cond('has(profile.nested.level)')).toEqual({ok: true, value: true})
  })

  it('in lists and maps', () => {
    expect(cond('"vip" in profile.tags')).toEqual({ok: true, value: true})
    expect(cond('"a" in ["a", "b"]')).toEqual({ok: true, value: true})
    expect(cond('"name" in profile')).toEqual({ok: true, value: true})
    expect(cond('profile.tags.exists(t, t == "vip")')).toEqual({ok: true, value: true})
    expect(cond('event.properties.items.all(i, i.qty > 1)')).toEqual({ok: true, value: true})
  })

  it('consent sees channel', () => {
    const consent = '!(has(profile.opt_outs) && channel in profile.opt_outs)'
    expect(cond(consent, bindings({channel: 'email'}), 'consent')).toEqual({ok: true, value: true})
    expect(cond(consent, bindings({channel: 'sms'}), 'consent')).toEqual({ok: true, value: false})
  })

  it('timestamps and durations', () => {
    expect(cond('now - journey.entered_at > duration("1h")')).toEqual({ok: true, value: true})
    expect(cond('now - journey.entered_at > duration("3h")')).toEqual({ok: true, value: false})
    expect(cond('event.timestamp > timestamp("2026-01-01T00:00:00Z")')).toEqual({ok: true, value: true})
    expect(cond('event.timestamp == now')).toEqual({ok: true, value: true})
    expect(cond('now.getHours() == 10 && now.getHours("Europe/Berlin") == 11')).toEqual({ok: true, value: true})
  })

  it('converts results to plain values', () => {
    expect(value("'SAVE10'")).toEqual({ok: true, value: 'SAVE10'})
    expect(value('event.type')).toEqual({ok: true, value: 'cart_updated'})
    expect(value('42')).toEqual({ok: true, value: 42})
    expect(value('2u')).toEqual({ok: true, value: 2})
    expect(value('profile.tags')).toEqual({ok: true, value: ['vip', 'new']})
    expect(value('profile.nested')).toEqual({ok: true, value: {level: 3}})
    expect(value('{"a": [1, 2.5], 1: null}')).toEqual({ok: true, value: {a: [1, 2.5], 1: null}})
    expect(value('now')).toEqual({ok: true, value: '2026-03-02T10:00:00.000Z'})
    expect(value('now - journey.entered_at')).toEqual({ok: true, value: '7200s'})
    expect(value('duration("1.5s")')).toEqual({ok: true, value: '1.5s'})
    expect(value('b"ab"')).toEqual({ok: true, value: 'YWI='})
    expect(value('type(1)')).toEqual({ok: true, value: 'int'})
    expect(value('profile.tags.map(t, t + "!")')).toEqual({ok: true, value: ['vip!', 'new!']})
    expect(value('profile.name.upperAscii()')).toEqual({ok: true, value: 'ADA'})
  })

  it('timestamps round-trip through timestamp()', () => {
    const iso = value('now')
    expect(iso.ok && cond(`timestamp("${String(iso.value)}") == now`)).toEqual({ok: true, value: true})
  })

  it('profile conditions run without an event', () => {
    const {event: _event, ...rest} = bindings()
    expect(cond('profile.email_opt_in == true', rest, 'profile-condition')).toEqual({ok: true, value: true})
  })
})

describe('run-time failures are results, not exceptions', () => {
  it('missing keys', () => {
    const r = cond('profile.tier == "gold"')
    expect(r.ok).toBe(false)
    expect(!r.ok && r.error).toBe('`profile.tier` is not set')
    const nested = cond('profile.nested.missing == 1')
    expect(!nested.ok && nested.error).toBe('`profile.nested.missing` is not set')
    expect(cond('event.properties.coupon.code == "x"').ok).toBe(false)
  })

  it('wrong types', () => {
    const r = cond('profile.name > 5')
    expect(r.ok).toBe(false)
    expect(!r.ok && r.error).toContain('no matching overload')
    expect(cond('int(profile.name) > 1').ok).toBe(false)
  })

  it('out of range and division by zero', () => {
    const r = value('profile.tags[5]')
    expect(!r.ok && r.error).toContain('no element at index 5')
    expect(value('int(profile.points) / 0').ok).toBe(false)
  })

  it('an event used where none is bound', () => {
    const {event: _event, ...rest} = bindings()
    const r = cond('event.type == "x"', rest)
    expect(r.ok).toBe(false)
  })

  it('a condition that is not a bool is an error', () => {
    const r = cond('profile.name')
    expect(r).toEqual({ok: false, error: 'the condition produced "Ada", not true or false'})
    expect(cond('profile.points').ok).toBe(false)
  })
})

describe('unusual inputs', () => {
  it('profiles without a prototype and keys holding undefined', () => {
    const profile = Object.assign(Object.create(null) as Record<string, unknown>, {tier: 'gold', gone: undefined})
    expect(cond('profile.tier == "gold"', bindings({profile}))).toEqual({ok: true, value: true})
    expect(cond('has(profile.gone)', bindings({profile}))).toEqual({ok: true, value: false})
    expect(value('profile', bindings({profile}))).toEqual({ok: true, value: {tier: 'gold'}})
  })

  it('an invalid time is an error result', () => {
    expect(cond('now > event.timestamp', bindings({now: Number.NaN})).ok).toBe(false)
  })

  it('literal durations and timestamps are folded once and still compare correctly', () => {
    const c = compileExpression('now - journey.entered_at > duration("90m") && now < timestamp("2027-01-01T00:00:00Z")', 'event-condition')
    expect(evaluateCondition(c, bindings())).toEqual({ok: true, value: true})
    expect(evaluateCondition(c, bindings({now: T0 - HOUR}))).toEqual({ok: true, value: false})
  })
})

describe('compileExpression', () => {
  it('caches by (context, source)', () => {
    const a = compileExpression('profile.x == 1', 'event-condition')
    expect(compileExpression('profile.x == 1', 'event-condition')).toBe(a)
    expect(compileExpression('profile.x == 1', 'branch-condition')).not.toBe(a)
  })

  it('throws JoeError for expressions that do not check', () => {
    expect(() => compileExpression('profile.x ==', 'value')).toThrow(expect.objectContaining({code: 'JOE2010'}))
    expect(() => compileExpression('prfile.x', 'value')).toThrow(expect.objectContaining({code: 'JOE2011', name: 'JoeError'}))
    expect(() => compileExpression('event.type', 'profile-condition')).toThrow(expect.objectContaining({code: 'JOE2011'}))
  })

  it('is deterministic across evaluations', () => {
    const c = compileExpression('profile.points * 2 + event.properties.price', 'value')
    const results = Array.from({length: 5}, () => c.evaluate(bindings()))
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1)
  })
})
