import {describe, expect, it} from 'vitest'
import {ev, journey, run} from './helpers.js'

describe('loop guard', () => {
  it('stops a customer who spins at one instant (validate forbids such journeys)', () => {
    const j = journey(`
entry: { event: go }
steps:
  - { id: a, branch: { cases: [], else: b } }
  - { id: b, update: { set: { n: "has(profile.n) ? profile.n + 1 : 1" } }, next: a }
`)
    const r = run(j, {events: [ev('go', '2026-01-01T00:00:00Z')], until: '2026-02-01T00:00:00Z', options: {maxStepsPerInstant: 50}})
    expect(r.entries[0]).toMatchObject({outcome: 'exited', stopped: 'loop_guard'})
    expect(r.entries[0]?.path).toHaveLength(50)
    expect(r.trace.at(-1)?.kind).toBe('loop-guard')
  })
  it('defaults to 1000 steps', () => {
    const j = journey(`
entry: { event: go }
steps:
  - { id: a, branch: { cases: [], else: a } }
`)
    const r = run(j, {events: [ev('go', '2026-01-01T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]?.path).toHaveLength(1000)
    expect(r.entries[0]?.stopped).toBe('loop_guard')
  })
})
