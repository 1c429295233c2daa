import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {diffJourneys} from '../../../src/core/diff/diff-journeys.js'
import {CHANGE_CLASSES} from '../../../src/core/diff/types.js'
import {CHANNELS, type Journey, type Step} from '../../../src/core/journey/model.js'

const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g']
const target = fc.constantFrom(...ids, 'end')
const expr = fc.constantFrom('profile.vip == true', 'event.properties.x > 1', 'has(profile.y)')

const action = fc.oneof(
  fc.record({
    kind: fc.constant('wait' as const),
    wait: fc.record({kind: fc.constant('duration' as const), ms: fc.integer({min: 1, max: 9}).map((n) => n * 3_600_000)}),
  }),
  fc.record({
    kind: fc.constant('wait_for' as const),
    event: fc.constantFrom('x', 'y'),
    timeoutMs: fc.integer({min: 1, max: 5}).map((n) => n * 86_400_000),
    onTimeout: target,
  }),
  fc.record({
    kind: fc.constant('branch' as const),
    cases: fc.array(fc.record({when: expr, next: target}), {minLength: 1, maxLength: 3}),
    else: target,
  }),
  fc.record({
    kind: fc.constant('split' as const),
    variants: fc.integer({min: 0, max: 100}).chain((p) =>
      fc.tuple(target, target).map(([x, y]) => [
        {variant: 'v1', percent: p, next: x},
        {variant: 'v2', percent: 100 - p, next: y},
      ]),
    ),
  }),
  fc.record({
    kind: fc.constant('send' as const),
    channel: fc.constantFrom(...CHANNELS),
    template: fc.constantFrom('t1', 't2', 't3'),
    data: fc.dictionary(fc.constantFrom('k1', 'k2'), expr),
  }),
  fc.record({kind: fc.constant('update' as const), set: fc.dictionary(fc.constantFrom('p', 'q'), expr, {minKeys: 1})}),
)

const journeyArb: fc.Arbitrary<Journey> = fc
  .record({
    count: fc.integer({min: 1, max: ids.length}),
    actions: fc.array(action, {minLength: ids.length, maxLength: ids.length}),
    nexts: fc.array(fc.option(target, {nil: undefined}), {minLength: ids.length, maxLength: ids.length}),
    names: fc.array(fc.option(fc.constantFrom('One', 'Two'), {nil: undefined}), {minLength: ids.length, maxLength: ids.length}),
    order: fc.shuffledSubarray(ids, {minLength: ids.length, maxLength: ids.length}),
    holdout: fc.integer({min: 0, max: 50}),
    quiet: fc.boolean(),
    exits: fc.array(fc.constantFrom('order', 'unsub'), {maxLength: 2}),
    moved: fc.dictionary(fc.constantFrom('old-1', 'old-2'), target),
  })
  .map(({count, actions, nexts, names, order, holdout, quiet, exits, moved}) => {
    const chosen = order.slice(0, count)
    const steps = chosen.map((id, i) => {
      const explicit = nexts[i]
      return {
        id,
        ...(names[i] ? {name: names[i]} : {}),
        next: explicit ?? chosen[i + 1] ?? 'end',
        nextExplicit: explicit !== undefined,
        ...actions[i],
      } as Step
    })
    return {
      version: 1,
      id: 'random',
      name: 'Random',
      tags: [],
      entry: {kind: 'event', event: 'start'},
      reentry: {kind: 'never'},
      exit: exits.map((event) => ({kind: 'event' as const, event})),
      settings: {
        timezone: 'UTC',
        holdout,
        ...(quiet ? {quietHours: {start: '21:00', end: '08:00', startMinute: 1260, endMinute: 480}} : {}),
      },
      steps,
      moved,
    } satisfies Journey
  })

/** The same value with every object's keys in reverse order (what reordering YAML keys does). */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  ) as T
}

describe('diffJourneys over random journeys', () => {
  it('diff(a, a) is empty, also after a deep copy, reordered keys and explicit nexts', () => {
    fc.assert(
      fc.property(journeyArb, (j) => {
        expect(diffJourneys(j, j)).toEqual([])
        expect(diffJourneys(j, structuredClone(j))).toEqual([])
        expect(diffJourneys(j, reverseKeys(j))).toEqual([])
        const explicit = {...j, steps: j.steps.map((s) => ({...s, nextExplicit: true}))}
        expect(diffJourneys(j, explicit)).toEqual([])
      }),
      {numRuns: 300},
    )
  })

  it('is deterministic and well formed for any two journeys; emptiness is symmetric', () => {
    fc.assert(
      fc.property(journeyArb, journeyArb, (a, b) => {
        const ops = diffJourneys(a, b)
        expect(diffJourneys(structuredClone(a), structuredClone(b))).toEqual(ops)
        expect(diffJourneys(b, a).length === 0).toBe(ops.length === 0)
        const known = new Set([...a.steps, ...b.steps].map((s) => s.id))
        for (const op of ops) {
          expect(CHANGE_CLASSES).toContain(op.class)
          if (op.step !== undefined) expect(known.has(op.step)).toBe(true)
        }
      }),
      {numRuns: 300},
    )
  })

  it('a changed send template is exactly one operation', () => {
    fc.assert(
      fc.property(journeyArb, (j) => {
        const index = j.steps.findIndex((s) => s.kind === 'send')
        fc.pre(index >= 0)
        const step = j.steps[index] as Extract<Step, {kind: 'send'}>
        const changed = {...j, steps: j.steps.map((s, i) => (i === index ? {...step, template: `${step.template}-v2`} : s))}
        expect(diffJourneys(j, changed)).toEqual([
          {op: 'step.changed', class: 'behaviour', step: step.id, field: 'send.template', from: step.template, to: `${step.template}-v2`},
        ])
      }),
      {numRuns: 200},
    )
  })
})
