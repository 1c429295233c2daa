import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {checkExpression, compileExpression, type ExprBindings} from '../../../src/core/expr/cel.js'
import {compileFast, FALLBACK} from '../../../src/core/expr/fast-eval.js'
import {EXPR_CONTEXTS, type ExprContext} from '../../../src/core/expr/scope.js'
import {parseExpression} from '../../../src/core/expr/syntax.js'

const T0 = Date.parse('2026-03-02T10:00:00Z')

/** Overrides may unbind a variable (`{event: undefined}`), which the engine never does but CEL must survive. */
type Overrides = {[K in keyof ExprBindings]?: ExprBindings[K] | undefined}

function bindings(profile: Record<string, unknown> = {}, over: Overrides = {}): ExprBindings {
  return {
    event: {type: 'cart_updated', timestamp: T0, properties: {cart_value: 80, price: 80.5}},
    profile,
    journey: {id: 'cart', entered_at: T0 - 3_600_000},
    now: T0,
    channel: 'email',
    ...over,
  } as ExprBindings
}

const PROFILE = {name: 'Ada', points: 10, price: 80.5, email_opt_in: true, opt_outs: ['sms'], nested: {level: 3}, nothing: null}

/** The fast path alone: its value, FALLBACK, or 'none' when it compiled to nothing. */
function fastOnly(source: string, b: ExprBindings): unknown {
  const parsed = parseExpression(source)
  if (!parsed.ok) throw new Error(`does not parse: ${source}`)
  const evaluate = compileFast(parsed.parsed.expr)
  return evaluate === undefined ? 'none' : evaluate(b)
}

function libraryOnly(source: string, b: ExprBindings, context: ExprContext) {
  return compileExpression(source, context, {fast: false}).evaluate(b)
}

/** Only the consent context has `channel`, and it wants a bool; `value` takes anything else. */
const contextFor = (source: string): ExprContext => (source.includes('channel') ? 'consent' : 'value')

/** Evaluates through the hook and checks it agrees with the library alone. */
function evaluate(source: string, b: ExprBindings, context: ExprContext = contextFor(source)) {
  const result = compileExpression(source, context).evaluate(b)
  expect(result).toStrictEqual(libraryOnly(source, b, context))
  return result
}

describe('the fast path answers simple expressions exactly as the library does', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ["'SAVE10'", {}, 'SAVE10'],
    ['42', {}, 42],
    ['2.5', {}, 2.5],
    ['null', {}, null],
    ['event.properties.cart_value > 50.0', {}, true],
    ['event.properties.price == 80', {}, false],
    ['event.type', {}, 'cart_updated'],
    ['journey.id', {}, 'cart'],
    ['profile.name', PROFILE, 'Ada'],
    ['profile["name"]', PROFILE, 'Ada'],
    ['profile.nested.level', PROFILE, 3],
    ['profile.nothing', PROFILE, null],
    ['profile.points == 10', PROFILE, true],
    ['profile.points == 10.0', PROFILE, true],
    ['profile.points != 10', PROFILE, false],
    ['profile.points > 4.5', PROFILE, true],
    ['profile.points >= 10 && profile.points <= 10.0', PROFILE, true],
    ['9007199254740993 == profile.big', {big: 2 ** 53}, false],
    ['profile.big == 9007199254740993', {big: 2 ** 53}, false],
    ['profile.big in [9007199254740993]', {big: 2 ** 53}, false],
    ['9007199254740993 > profile.big', {big: 2 ** 53}, false],
    ["profile.name < 'B'", PROFILE, true],
    ["profile.name < 'B'", {name: 'a'}, false],
    ['false < true', {}, true],
    ["profile.name == 'Ada'", PROFILE, true],
    ['profile.name == 5', PROFILE, false],
    ['profile.nothing == null', PROFILE, true],
    ['has(profile.email_opt_in)', PROFILE, true],
    ['has(profile.missing)', PROFILE, false],
    ['has(profile.nothing)', PROFILE, false],
    ['has(profile.gone)', {gone: undefined}, false],
    ['has(profile.name.first)', PROFILE, false],
    ['has(profile.opt_outs.first)', PROFILE, false],
    ['has(profile.nested.level)', PROFILE, true],
    ['has(event.properties.coupon)', {}, false],
    ['has(profile.unsubscribed) && profile.unsubscribed == true', {}, false],
    ['has(profile.unsubscribed) && profile.unsubscribed == true', {unsubscribed: true}, true],
    ['has(profile.email_opt_in) && profile.email_opt_in == true', PROFILE, true],
    ["has(profile.first_name) ? profile.first_name : 'there'", {}, 'there'],
    ["has(profile.first_name) ? profile.first_name : 'there'", {first_name: 'Grace'}, 'Grace'],
    ['!(has(profile.opt_outs) && channel in profile.opt_outs)', PROFILE, true],
    ['!(has(profile.opt_outs) && channel in profile.opt_outs)', {opt_outs: ['email']}, false],
    ["channel in ['email', 'sms']", {}, true],
    ['profile.points in [9, 10]', PROFILE, true],
    ["'name' in profile", PROFILE, true],
    ["'nothing' in profile", PROFILE, false],
    ['false && profile.missing == 1', {}, false],
    ['true || profile.missing == 1', {}, true],
    ['profile.missing == 1 || true', {}, 'fallback'],
    ["has(profile.last_order_at) && timestamp(profile.last_order_at) < now - duration('2160h')", {}, false],
  ])('%s with %j', (source, profile, expected) => {
    const b = bindings({...profile})
    const fast = fastOnly(source, b)
    if (expected === 'fallback') expect(fast).toBe(FALLBACK)
    else expect(fast).toStrictEqual(expected)
    evaluate(source, b)
  })

  it('keeps the sign of zero', () => {
    expect(evaluate('-0.0', bindings())).toStrictEqual({ok: true, value: -0})
    expect(fastOnly('-0.0', bindings())).toBe(-0)
    expect(fastOnly('profile.z', bindings({z: -0}))).toBe(-0)
  })
})

describe('the fast path falls back whenever it is not sure', () => {
  const weird = Object.defineProperty({}, 'boom', {
    enumerable: true,
    get() {
      throw new Error('boom')
    },
  })

  // Profiles that are not plain objects: CEL reads a Map as a map and rejects class instances.
  class ProfileRecord {
    x = 1
  }
  const asProfile = (value: object) => value as Record<string, unknown>

  it.each<[string, ExprBindings]>([
    ['profile.missing == 1', bindings(PROFILE)],
    ['profile.nested.missing', bindings(PROFILE)],
    ['has(profile.missing.level)', bindings(PROFILE)],
    ['profile.name > 5', bindings(PROFILE)],
    ['!profile.name', bindings(PROFILE)],
    ["profile.name ? 1 : 'x'", bindings(PROFILE)],
    ['profile.name && false', bindings(PROFILE)],
    ['profile.opt_outs', bindings(PROFILE)],
    ['profile.nested', bindings(PROFILE)],
    ["profile.opt_outs == ['sms']", bindings(PROFILE)],
    ['profile.x > 1', bindings({x: Number.NaN})],
    ['profile.x == 1', bindings({x: Number.POSITIVE_INFINITY})],
    ['profile.x == 1', bindings({x: 1n})],
    ['profile.x == 1', bindings({x: new Date(0)})],
    ['has(profile.x)', bindings({x: new Date(0)})],
    ['has(profile.x)', bindings({x: () => 1})],
    ['profile.x == 1', bindings({x: {$typeName: 'google.protobuf.Timestamp'}})],
    ['profile.boom == 1', bindings(asProfile(weird))],
    ['has(profile.x)', bindings(asProfile(new Map([['x', 1]])))],
    ['profile.x == 1', bindings(asProfile(new ProfileRecord()))],
    ['channel in profile.opt_outs', bindings({opt_outs: ['email', {a: 1}]})],
    ['channel in profile.opt_outs', bindings({opt_outs: 'email'})],
    ['1 in profile', bindings(PROFILE)],
    ['event.type', bindings({}, {event: {type: 'x', timestamp: Number.NaN, properties: {}}})],
    ["event.type == 'x'", bindings({}, {event: undefined})],
    ['has(event.properties.a)', bindings({}, {event: undefined})],
    ['journey.id', bindings({}, {journey: {id: 'j', entered_at: Number.NaN}})],
    ["channel == 'email'", bindings({}, {channel: undefined})],
  ])('%s', (source, b) => {
    expect(fastOnly(source, b)).toBe(FALLBACK)
    evaluate(source, b)
  })

  it.each([
    'now - journey.entered_at > duration("1h")',
    "profile.opt_outs.exists(t, t == 'sms')",
    'size(profile.opt_outs) > 1',
    'profile.points + 1',
    'now',
    'event.timestamp',
    'journey.entered_at',
    '1u',
    'b"ab"',
    "profile.name.startsWith('A')",
    "{'a': 1}",
  ])('compiles %s to nothing', (source) => {
    expect(fastOnly(source, bindings(PROFILE))).toBe('none')
    evaluate(source, bindings(PROFILE), 'value')
  })

  it('errors keep the library message', () => {
    expect(evaluate('profile.tier == "gold"', bindings(PROFILE))).toEqual({ok: false, error: '`profile.tier` is not set'})
  })
})

describe('property: the hook never changes a result', () => {
  const KEYS = ['a', 'b', 'tags'] as const
  const key = fc.constantFrom(...KEYS)

  const scalar = fc.oneof(
    fc.integer({min: -2, max: 3}),
    fc.constantFrom(0.5, -0, 2.5, 1e21, 2 ** 53, Number.NaN),
    fc.constantFrom('a', 'b', '', 'B', 'é', '😀', '1'),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  )
  const stringList = fc.array(fc.oneof({weight: 5, arbitrary: fc.constantFrom('a', 'b', 'email', 'sms')}, scalar), {maxLength: 3})
  const {value} = fc.letrec<{value: unknown}>((tie) => ({
    value: fc.oneof({depthSize: 'small', withCrossShrink: true}, scalar, stringList, fc.dictionary(key, tie('value'), {maxKeys: 3})),
  }))
  const profile = fc
    .tuple(fc.dictionary(key, value, {minKeys: 1, maxKeys: 3}), fc.boolean())
    .map(([entries, bare]) => (bare ? Object.assign(Object.create(null) as Record<string, unknown>, entries) : entries))

  const boundValues = fc.record({
    profile,
    properties: fc.dictionary(key, value, {minKeys: 1, maxKeys: 3}),
    type: fc.constantFrom('cart_updated', 'a'),
    channel: fc.constantFrom('email', 'sms', 'a', undefined),
    withEvent: fc.constantFrom(true, true, true, false),
    eventTime: fc.constantFrom(T0, T0, T0, Number.NaN),
  })
  const allBindings = boundValues.map((v): ExprBindings => {
    const b: ExprBindings = {profile: v.profile, journey: {id: 'j', entered_at: T0}, now: T0}
    if (v.withEvent) b.event = {type: v.type, timestamp: v.eventTime, properties: v.properties}
    if (v.channel !== undefined) b.channel = v.channel
    return b
  })

  const path = fc.oneof(
    key.map((k) => `profile.${k}`),
    fc.tuple(key, key).map(([k, l]) => `profile.${k}.${l}`),
    key.map((k) => `event.properties.${k}`),
    key.map((k) => `profile["${k}"]`),
    fc.constantFrom('event.type', 'journey.id', 'event.timestamp', 'journey.entered_at', 'event.properties'),
  )
  const literal = fc.constantFrom(
    ...['0', '1', '-1', '3', '9007199254740993', '0.5', '-0.0', '2.5', '1.0', '1e21'],
    ...["'a'", "'b'", "''", "'é'", "'😀'", "'email'", 'true', 'false', 'null', '1u'],
    ...["['a', 'b']", "[1, 2.5, 'a', null]", '[]', "['email', 'sms']"],
  )
  const comparison = fc.constantFrom('==', '!=', '<', '<=', '>', '>=', 'in')
  const binary = fc.constantFrom('==', '!=', '<', '<=', '>', '>=', 'in', '&&', '||', '&&', '||')
  const selectPath = path.filter((p) => !p.includes('['))
  const {expr} = fc.letrec<{expr: string}>((tie) => {
    const unsupported = fc.oneof(
      fc.tuple(fc.constantFrom('size', 'string', 'int', 'type'), tie('expr')).map(([f, e]) => `${f}(${e})`),
      tie('expr').map((e) => `(${e}) + 1`),
      path.map((p) => `${p}.startsWith('a')`),
      fc.constantFrom("profile.tags.exists(t, t == 'a')", 'now - journey.entered_at > duration("1h")', 'now'),
    )
    return {
      expr: fc.oneof(
        {depthSize: 'small', withCrossShrink: true},
        {weight: 3, arbitrary: literal},
        {weight: 3, arbitrary: path},
        {weight: 1, arbitrary: fc.constantFrom('channel', 'profile')},
        {weight: 3, arbitrary: selectPath.map((p) => `has(${p})`)},
        {weight: 1, arbitrary: tie('expr').map((e) => `!(${e})`)},
        {weight: 4, arbitrary: fc.tuple(tie('expr'), binary, tie('expr')).map(([l, op, r]) => `(${l}) ${op} (${r})`)},
        {weight: 1, arbitrary: fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, t, f]) => `(${c}) ? (${t}) : (${f})`)},
        // The shapes journeys use most.
        {weight: 2, arbitrary: fc.tuple(selectPath, literal).map(([p, l]) => `has(${p}) ? ${p} : ${l}`)},
        {weight: 2, arbitrary: fc.tuple(selectPath, comparison, literal).map(([p, op, l]) => `has(${p}) && ${p} ${op} ${l}`)},
        {weight: 1, arbitrary: unsupported},
      ),
    }
  })

  it('compileExpression(src).evaluate(b) deep-equals the library alone', () => {
    let checked = 0
    let answered = 0
    fc.assert(
      fc.property(expr, fc.constantFrom(...EXPR_CONTEXTS), allBindings, (source, context, b) => {
        fc.pre(checkExpression(source, context).length === 0)
        checked++
        const library = libraryOnly(source, b, context)
        expect(compileExpression(source, context).evaluate(b)).toStrictEqual(library)
        const fast = fastOnly(source, b)
        if (fast !== FALLBACK && fast !== 'none') {
          answered++
          expect({ok: true, value: fast}).toStrictEqual(library)
        }
      }),
      {numRuns: 3000, maxSkipsPerRun: 1000},
    )
    // Guards against a generator that only ever exercises the fallback (the seed is fixed by the suite).
    expect(answered, `fast-check seed ${fc.readConfigureGlobal().seed}`).toBeGreaterThan(checked / 5)
  })
})
