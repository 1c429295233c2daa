import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildJourney} from '../../../src/core/journey/build-model.js'
import type {Journey} from '../../../src/core/journey/model.js'
import {parseYamlSource} from '../../../src/core/journey/source.js'
import {mergePartials, type ReplaySetup} from '../../../src/core/simulate/replay.js'
import {type SimulateOptions, simulate} from '../../../src/core/simulate/simulate.js'
import {rangesFrom, replayInThreads} from '../../../src/core/simulate/threads.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {tempProject} from '../../helpers/temp-project.js'

const root = path.resolve(import.meta.dirname, '../../..')
const START = Date.UTC(2026, 2, 1)
const DAY = 86_400_000

function journey(yaml: string): Journey {
  return buildJourney(parseYamlSource('j.yaml', yaml).source.value as Record<string, unknown>)
}

const template = (name: string) => journey(readFileSync(path.join(root, 'templates', `${name}.journey.yaml`), 'utf8'))

// Every entry kind: event entries (skipped for customers without the event), a schedule and a segment.
const JOURNEYS = [
  template('cart-abandonment'),
  template('post-purchase-review'),
  template('welcome-series'),
  template('win-back'),
  journey(`version: 1
id: vip
name: VIP
entry: { segment: "has(profile.plan) && profile.plan == 'pro'" }
steps:
  - { id: hello, send: { channel: email, template: vip-hello } }
  - { id: pause, wait: 2d }
  - { id: again, send: { channel: push, template: vip-again } }
`),
]

async function generatedStore(customers: number, seed: number): Promise<string> {
  const dir = await tempProject({})
  const file = path.join(dir, 'events.db')
  const store = openEventStore(file)
  writeGeneratedEvents(store, {customers, days: 21, seed, start: START, now: 0})
  store.close()
  return file
}

describe('simulate over worker threads', () => {
  it('gives byte-identical JSON with 1, 2 and 3 threads, and the same as replaying everyone', async () => {
    const storePath = await generatedStore(400, 7)
    const windows: Array<Pick<SimulateOptions, 'from' | 'until'>> = [{}, {from: START + 5 * DAY, until: START + 15 * DAY}]
    for (const window of windows) {
      const options: SimulateOptions = {journeys: JOURNEYS, storePath, policy: {limit: 2, per: '3d'}, ...window}
      const one = JSON.stringify(simulate({...options, workers: 1}))
      expect(JSON.stringify(simulate({...options, workers: 2}))).toBe(one)
      expect(JSON.stringify(simulate({...options, workers: 3}))).toBe(one)
      // onResult runs every customer through the engine, on this thread: no customer is skipped.
      expect(JSON.stringify(simulate({...options, onResult: () => {}}))).toBe(one)
      const result = JSON.parse(one)
      expect(result.reports[0].customers.entered).toBeGreaterThan(0)
      expect(result.load.max).toBeGreaterThan(0)
    }
  })

  it('merges what the workers replayed into what one thread counts', async () => {
    const storePath = await generatedStore(300, 3)
    const store = openEventStore(storePath, {readonly: true})
    try {
      const setup: ReplaySetup = {journeys: JOURNEYS, until: START + 21 * DAY, policy: {limit: 1, per: '7d'}}
      const events = (store.db.prepare('SELECT count(*) AS n FROM events').get() as {n: number}).n
      let progress = 0
      const threads = new Set<number>()
      const partials = replayInThreads(store, setup, 2, events, {
        workersFirst: true,
        progress: (done) => {
          progress = done
        },
        chunk: (_, thread) => threads.add(thread),
      })
      expect(partials.length).toBeGreaterThan(2)
      expect(threads.has(1)).toBe(true)
      const merged = mergePartials(setup, partials)
      const single = mergePartials(setup, replayInThreads(store, setup, 1, events))
      expect(merged.customers).toBe(300)
      expect(progress).toBe(300)
      const build = (m: typeof merged) => ({
        reports: m.builders.map((b) => b.build({until: setup.until})),
        policy: m.policy?.result(),
        load: [...m.loadCounts].sort(([a], [b]) => a - b),
        max: m.max,
        busiest: m.busiest,
      })
      expect(build(merged)).toEqual(build(single))
      expect(merged.policy?.result().breaches.length).toBeGreaterThan(0)
    } finally {
      store.close()
    }
  })

  it('turns split points into contiguous ranges', () => {
    expect(rangesFrom([])).toEqual([{}])
    expect(rangesFrom(['b', 'd'])).toEqual([{through: 'b'}, {after: 'b', through: 'd'}, {after: 'd'}])
  })
})
