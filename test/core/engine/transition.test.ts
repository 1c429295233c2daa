import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {createCollector} from '../../../src/core/engine/collect.js'
import {
  type Activation,
  BEGINNING_OF_TIME,
  createMachine,
  type Machine,
  machineJourney,
  machineOf,
} from '../../../src/core/engine/machine.js'
import {replayCustomer} from '../../../src/core/engine/replay-customer.js'
import {type CustomerState, newCustomerState} from '../../../src/core/engine/state.js'
import {applyInput, nextDue} from '../../../src/core/engine/transition.js'
import type {CustomerEvent, CustomerTimeline, Effect} from '../../../src/core/engine/types.js'
import type {Journey} from '../../../src/core/journey/model.js'
import {ev, journey, simulateTimelines, t} from './helpers.js'
import {HOUR, PROPERTY_JOURNEYS, PROPERTY_START as start, timelineArb} from './property-fixtures.js'

/** The replay loop of replay-customer.ts, with the state written to JSON and read back between any two transitions. */
function replayThroughJson(machine: Machine, timeline: CustomerTimeline, until: number): {effects: Effect[]; state: CustomerState} {
  let state = newCustomerState(timeline.customerId, timeline.profile)
  const effects: Effect[] = []
  const step = (input: Parameters<typeof applyInput>[2]) => {
    effects.push(...applyInput(machine, state, input).effects)
    state = JSON.parse(JSON.stringify(state)) as CustomerState
  }
  const drain = (limit: number, inclusive: boolean) => {
    for (
      let due = nextDue(machine, state);
      due !== undefined && (due < limit || (inclusive && due === limit));
      due = nextDue(machine, state)
    )
      step({kind: 'due', at: due})
  }
  for (const event of timeline.events) {
    if (event.timestamp > until) break
    drain(event.timestamp, false)
    step({kind: 'event', event, at: event.timestamp})
  }
  drain(until, true)
  return {effects, state}
}

function replayInMemory(machine: Machine, timeline: CustomerTimeline, until: number): {effects: Effect[]; state: CustomerState} {
  const effects: Effect[] = []
  const {state} = replayCustomer(machine, timeline, until, (transition) => effects.push(...transition.effects))
  return {effects, state}
}

describe('transitions over stored state', () => {
  it('serialising and restoring the state between any two transitions changes nothing (property; seed fixed)', () => {
    const machine = createMachine(PROPERTY_JOURNEYS, {trace: false})
    fc.assert(
      fc.property(timelineArb, (timeline) => {
        const until = start + 12 * 24 * HOUR
        const kept = replayInMemory(machine, structuredClone(timeline), until)
        const restored = replayThroughJson(machine, structuredClone(timeline), until)
        expect(JSON.stringify(restored.effects)).toBe(JSON.stringify(kept.effects))
        expect(restored.state).toEqual(JSON.parse(JSON.stringify(kept.state)))
      }),
      {numRuns: 200, seed: 1201},
    )
  })

  it('the state is plain JSON: lazily parsed events are copied with their properties', () => {
    const j = journey(`
id: lazy
entry: { event: cart }
steps:
  - { id: w, wait: 1h }
  - id: route
    branch: { cases: [ { when: "event.properties.v > 5", next: big } ], else: end }
  - { id: big, send: { channel: email, template: big } }
`)
    const properties = {v: 10}
    let parsed = 0
    const lazy = {
      type: 'cart',
      timestamp: start,
      get properties() {
        parsed++
        return properties
      },
    }
    const machine = createMachine([j])
    const state = newCustomerState('c1')
    applyInput(machine, state, {kind: 'event', event: lazy, at: start})
    const restored = JSON.parse(JSON.stringify(state)) as CustomerState
    expect(restored.journeys.lazy?.active?.lastEvent).toEqual({type: 'cart', timestamp: start, properties: {v: 10}})
    const sends = applyInput(machine, restored, {kind: 'due', at: start + HOUR}).effects.filter((e) => e.kind === 'send')
    expect(sends).toHaveLength(1)
    expect(parsed).toBeGreaterThan(0)
  })

  it('memory stays bounded by what later inputs need, however many steps a customer takes', () => {
    const looping = journey(`
id: loop
entry: { event: go }
goal: { event: never, within: 1d }
settings: { frequency_cap: { limit: 3, per: 1d } }
steps:
  - { id: w, wait: 1h }
  - { id: s, send: { channel: push, template: ping } }
  - id: again
    branch: { cases: [ { when: "true", next: w } ], else: end }
`)
    const machine = createMachine([looping], {trace: false})
    let effects = 0
    let largest = 0
    const {state} = replayCustomer(
      machine,
      {customerId: 'c', events: [ev('go', '2026-01-01T00:00:00Z')]},
      t('2030-01-01T00:00:00Z'),
      (tr) => {
        effects += tr.effects.length
        largest = Math.max(largest, JSON.stringify(tr.state).length)
      },
    )
    // Four years of hourly loops: about 35,000 passes, each a handful of effects...
    expect(effects).toBeGreaterThan(100_000)
    // ...while the state never holds more than the entry, its timer and the cap's window.
    expect(largest).toBeLessThan(600)
    expect(state.journeys.loop?.sendTimes?.length).toBeLessThanOrEqual(3)
  })
})

describe('one profile across journeys (spec section 8)', () => {
  const tagger = (id: string) =>
    journey(`
id: ${id}
entry: { event: signup }
steps: [ { id: tag, update: { set: { vip: "true" } } } ]
`)
  const vip = (id: string) =>
    journey(`
id: ${id}
entry: { segment: "has(profile.vip) && profile.vip == true" }
steps: [ { id: welcome, send: { channel: email, template: vip-welcome } } ]
`)
  const customers = [{customerId: 'c1', events: [ev('signup', '2026-03-02T10:00:00Z')]}]
  const until = t('2026-03-03T00:00:00Z')

  it('an update in one journey is a profile change the later journeys see at that instant', () => {
    const {reports} = simulateTimelines([tagger('a-tag'), vip('b-vip')], customers, {until})
    expect(reports.map((r) => [r.journey, r.customers.entered, r.messages.total])).toEqual([
      ['a-tag', 1, 0],
      ['b-vip', 1, 1],
    ])
  })

  it('and the journeys before it in id order too (a second pass at the same instant)', () => {
    const results: Record<string, string[]> = {}
    simulateTimelines([tagger('z-tag'), vip('a-vip')], customers, {
      until,
      onResult: (id, result) => {
        results[id] = result.entries.flatMap((e) => e.sends.map((s) => `${s.template}@${new Date(s.at).toISOString()}`))
      },
    })
    expect(results['a-vip']).toEqual(['vip-welcome@2026-03-02T10:00:00.000Z'])
  })

  it('each journey alone still sees only its own updates', () => {
    const {reports} = simulateTimelines([vip('b-vip')], customers, {until})
    expect(reports[0]?.customers.entered).toBe(0)
  })
})

describe('activations: revisions, pauses and removal (spec sections 7 and 8)', () => {
  const v1 = journey(`
id: flow
entry: { event: go }
exit: [ { event: stop } ]
steps:
  - { id: w, wait: 2h }
  - { id: s, send: { channel: email, template: first } }
  - { id: w2, wait: 2h }
  - { id: s2, send: { channel: email, template: second } }
`)
  const at = (h: number) => t('2026-03-02T10:00:00Z') + h * HOUR
  const machineWith = (activations: Array<{since: number; journey: Journey | null; paused?: boolean; revision?: string}>) =>
    machineOf([
      {
        id: 'flow',
        overrides: {},
        activations: activations.map(
          (a, i): Activation => ({
            since: a.since,
            revision: a.revision ?? `r${i}`,
            journey: a.journey === null ? null : machineJourney(a.journey),
            paused: a.paused === true,
          }),
        ),
      },
    ])
  const replay = (machine: Machine, events: CustomerEvent[], until: number) => {
    const collector = createCollector(['flow'])
    const outcome = replayCustomer(machine, {customerId: 'c1', events}, until, (tr) => collector.add(tr))
    return collector.finish(outcome).get('flow')
  }
  const sendTimes = (result: ReturnType<typeof replay>) =>
    result?.entries.flatMap((e) => e.sends.map((s) => `${s.template}@${new Date(s.at).toISOString().slice(11, 16)}`))

  it('a paused journey admits nobody and sends nothing; what came due meanwhile happens at resume', () => {
    const machine = machineWith([
      {since: BEGINNING_OF_TIME, journey: v1},
      {since: at(1), journey: v1, paused: true, revision: 'r0'},
      {since: at(5), journey: v1, revision: 'r0'},
    ])
    // Enters at 10:00; the 12:00 timer falls in the pause and fires at 15:00; a stop at 13:00 is not seen.
    const result = replay(machine, [ev('go', '2026-03-02T10:00:00Z'), ev('stop', '2026-03-02T13:00:00Z')], at(20))
    expect(sendTimes(result)).toEqual(['first@15:00', 'second@17:00'])
    // Nobody enters while paused.
    expect(replay(machine, [ev('go', '2026-03-02T12:00:00Z')], at(20))?.entries).toEqual([])
  })

  it('a removed journey ends every customer inside it at that instant (exited)', () => {
    const machine = machineWith([
      {since: BEGINNING_OF_TIME, journey: v1},
      {since: at(3), journey: null},
    ])
    const result = replay(machine, [ev('go', '2026-03-02T10:00:00Z')], at(20))
    expect(result?.entries[0]).toMatchObject({outcome: 'exited', exitedAt: at(3), path: ['w', 's', 'w2']})
  })

  it('a new revision keeps waiting customers at the step of the same id; the pending timer keeps its instant', () => {
    const v2 = journey(`
id: flow
entry: { event: go }
steps:
  - { id: w, wait: 5h }
  - { id: s, send: { channel: email, template: first-v2 } }
`)
    const machine = machineWith([
      {since: BEGINNING_OF_TIME, journey: v1},
      {since: at(1), journey: v2},
    ])
    expect(sendTimes(replay(machine, [ev('go', '2026-03-02T10:00:00Z')], at(20)))).toEqual(['first-v2@12:00'])
  })

  it('moves customers waiting at a removed step where `moved` says, when their timer comes due', () => {
    const v2 = journey(`
id: flow
entry: { event: go }
moved: { w: hello }
steps:
  - { id: pause, wait: 1h }
  - { id: hello, send: { channel: email, template: hello } }
`)
    const machine = machineWith([
      {since: BEGINNING_OF_TIME, journey: v1},
      {since: at(1), journey: v2},
    ])
    const result = replay(machine, [ev('go', '2026-03-02T10:00:00Z')], at(20))
    expect(sendTimes(result)).toEqual(['hello@12:00'])
    expect(result?.entries[0]?.outcome).toBe('completed')
  })

  it('completes at once customers whose step is gone without a `moved` entry (--allow-drop)', () => {
    const v2 = journey(`
id: flow
entry: { event: go }
steps: [ { id: other, wait: 1h } ]
`)
    const machine = machineWith([
      {since: BEGINNING_OF_TIME, journey: v1},
      {since: at(1), journey: v2},
    ])
    const result = replay(machine, [ev('go', '2026-03-02T10:00:00Z')], at(20))
    expect(result?.entries[0]).toMatchObject({outcome: 'completed', completedAt: at(1), sends: []})
  })
})
