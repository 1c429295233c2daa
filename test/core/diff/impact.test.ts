import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {matchSteps} from '../../../src/core/diff/diff-journeys.js'
import {computeImpact, type PathEntry} from '../../../src/core/diff/impact.js'
import type {Journey} from '../../../src/core/journey/model.js'
import {simulate} from '../../../src/core/simulate/simulate.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {tempProject} from '../../helpers/temp-project.js'
import {BASE, load} from './helpers.js'

let storePath: string
beforeAll(async () => {
  storePath = path.join(await tempProject({}), 'events.db')
  const store = openEventStore(storePath)
  writeGeneratedEvents(store, {customers: 400, days: 14, seed: 7, start: Date.UTC(2026, 2, 1), now: 0})
  store.close()
})

const old = load(BASE)
const impactOf = (next: Journey) => computeImpact({old, new: next, storePath, renames: matchSteps(old, next).renames})

/** Every customer's entries, straight from the simulator: the independent answer to compare with. */
function allPaths(journey: Journey): Map<string, string> {
  const paths = new Map<string, string>()
  simulate({
    journeys: [journey],
    storePath,
    onResult: (_id, r) => {
      if (r.entries.length > 0)
        paths.set(
          r.customerId,
          JSON.stringify(r.entries.map((e) => ({path: e.path, outcome: e.group === 'holdout' ? 'held_out' : e.outcome}))),
        )
    },
  })
  return paths
}

describe('computeImpact', () => {
  it('the same journey has no impact', () => {
    const impact = impactOf(old)
    expect(impact.changed).toBe(false)
    expect(impact.customers.entered.old).toBeGreaterThan(20)
    expect(impact.customers.entered.delta).toBe(0)
    expect(impact.paths).toMatchObject({changed: 0, messages_changed: 0, samples: []})
    expect(impact.paths.compared).toBe(impact.customers.entered.new)
  })

  it('a renamed step changes no path; its arrivals are compared under the new id', () => {
    const next = load(BASE.replace('id: wait-1h', 'id: wait-hour'))
    const impact = impactOf(next)
    expect(impact.paths.changed).toBe(0)
    expect(impact.steps['wait-hour']).toMatchObject({delta: 0})
    expect(impact.steps['wait-hour']?.new).toBeGreaterThan(0)
    expect(impact.steps['wait-1h']).toBeUndefined()
  })

  it('a new template: same paths, other messages', () => {
    const impact = impactOf(load(BASE.replace('template: t1', 'template: t1-v2')))
    const sent = impact.messages.by_template.t1?.old ?? 0
    expect(sent).toBeGreaterThan(0)
    expect(impact.messages.by_template.t1).toEqual({old: sent, new: 0, delta: -sent})
    expect(impact.messages.by_template['t1-v2']).toEqual({old: 0, new: sent, delta: sent})
    expect(impact.messages.total.delta).toBe(0)
    expect(impact.paths.changed).toBe(0)
    expect(impact.paths.messages_changed).toBeGreaterThan(0)
    expect(impact.changed).toBe(true)
  })

  it('a flipped branch: counts every customer on another path, with the smallest ids as samples', () => {
    const next = load(BASE.replace('profile.email_opt_in == true', 'profile.email_opt_in != true'))
    const impact = impactOf(next)
    const before = allPaths(old)
    const after = allPaths(next)
    const differing = [...new Set([...before.keys(), ...after.keys()])].filter((id) => before.get(id) !== after.get(id)).sort()
    expect(differing.length).toBeGreaterThan(5)
    expect(impact.paths.changed).toBe(differing.length)
    expect(impact.paths.samples.map((s) => s.customer_id)).toEqual(differing.slice(0, 5))
    for (const sample of impact.paths.samples) {
      expect(JSON.stringify(sample.old)).toBe(before.get(sample.customer_id) ?? '[]')
      expect(JSON.stringify(sample.new)).toBe(after.get(sample.customer_id) ?? '[]')
    }
    const route = (entries: PathEntry[]) => entries[0]?.path[2]
    expect(impact.paths.samples.every((s) => route(s.old) !== route(s.new))).toBe(true)
    expect(impact.messages.by_channel.email?.delta).not.toBe(0)
    // Deterministic: the same inputs give the same impact.
    expect(JSON.stringify(impactOf(next))).toBe(JSON.stringify(impact))
  })

  it('an added journey compares with nothing; a window applies to both sides', () => {
    const added = computeImpact({new: old, storePath})
    expect(added.customers.entered.old).toBe(0)
    expect(added.paths.changed).toBe(added.customers.entered.new)
    const windowed = computeImpact({old, new: old, storePath, from: Date.UTC(2026, 2, 8), until: Date.UTC(2026, 2, 10)})
    expect(windowed.window).toEqual({from: '2026-03-08T00:00:00.000Z', until: '2026-03-10T00:00:00.000Z'})
    expect(windowed.customers.entered.new).toBeLessThan(impactOf(old).customers.entered.new)
  })
})
