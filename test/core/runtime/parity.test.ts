import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {createMachine} from '../../../src/core/engine/machine.js'
import {replayCustomer} from '../../../src/core/engine/replay-customer.js'
import type {Effect} from '../../../src/core/engine/types.js'
import type {Journey} from '../../../src/core/journey/model.js'
import {analyzeProject} from '../../../src/core/project/analyze.js'
import {setManualClock} from '../../../src/core/runtime/context.js'
import {appendEvents} from '../../../src/core/runtime/events-log.js'
import type {OpenRuntime} from '../../../src/core/runtime/open-runtime.js'
import {generateCustomer} from '../../../src/core/store/generate-events.js'
import {fromJoeRecord} from '../../../src/core/store/parse-event.js'
import type {NewEvent} from '../../../src/core/store/store-types.js'
import {drainWorker} from '../../helpers/live.js'
import {liveEnvPerTest, RUNTIME_BACKENDS} from '../../helpers/runtime.js'

// Spec section 8: what a simulation of a timeline shows is what the environment does with it. The
// same events go through `joe simulate`'s replay and through the live runtime on a manual clock
// moved to each event's time; every effect (entries, steps, branches, sends, exits, conversions,
// profile changes, expression errors) must be the same, at the same instants, in the same order.
const examples = path.resolve(import.meta.dirname, '../../../examples')

async function exampleJourneys(): Promise<Journey[]> {
  const analysis = await analyzeProject({cwd: examples, paths: []})
  return analysis.files.flatMap((f) => (f.journey ? [f.journey] : []))
}

function sampleEvents(): NewEvent[] {
  return readFileSync(path.join(examples, 'events/sample.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => fromJoeRecord(JSON.parse(line)).event as NewEvent)
}

type Line = [customer: string, at: number, kind: string, journey: string | null, detail: string]

/** The effects of simulating every customer through all the journeys together, as journal lines. */
function simulated(journeys: Journey[], events: NewEvent[], until: number): Line[] {
  const machine = createMachine(journeys, {trace: false})
  const byCustomer = new Map<string, NewEvent[]>()
  for (const event of events) byCustomer.set(event.customer_id, [...(byCustomer.get(event.customer_id) ?? []), event])
  const lines: Line[] = []
  for (const [customer, own] of [...byCustomer].sort(([a], [b]) => (a < b ? -1 : 1))) {
    replayCustomer(
      machine,
      {customerId: customer, events: own.map((e) => ({type: e.type, timestamp: e.timestamp, properties: e.properties}))},
      until,
      (t) => {
        for (const effect of t.effects) lines.push(asLine(customer, effect))
      },
    )
  }
  return lines
}

function asLine(customer: string, effect: Effect): Line {
  const {kind, at, ...rest} = effect
  return [customer, at, kind, 'journey' in effect ? effect.journey : null, JSON.stringify(rest)]
}

/**
 * Sends the events with the manual clock moving to each one's time (as `joe events send --replay`):
 * an instant at a time with the worker running in between, or in large batches with the worker
 * catching up at the end. Then lets time pass `until`.
 */
async function live(runtime: OpenRuntime, events: NewEvent[], until: number, workBetween: boolean): Promise<Line[]> {
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp)
  if (workBetween) {
    for (const at of [...new Set(sorted.map((e) => e.timestamp))]) {
      await appendEvents(
        runtime.ctx,
        sorted.filter((e) => e.timestamp === at),
        {source: 'cli', replay: true},
      )
      await drainWorker(runtime)
    }
  } else {
    for (let i = 0; i < sorted.length; i += 5_000)
      await appendEvents(runtime.ctx, sorted.slice(i, i + 5_000), {source: 'cli', replay: true})
  }
  await setManualClock(runtime.ctx, until + 1)
  await drainWorker(runtime)
  const rows = await runtime.ctx.conn.query<{customer_id: string; at: number; kind: string; journey_id: string | null; detail: string}>(
    "SELECT customer_id, at, kind, journey_id, detail FROM joe_journal WHERE env = 'live' ORDER BY customer_id, line",
  )
  return rows.map((r) => [r.customer_id, Number(r.at), r.kind, r.journey_id, r.detail])
}

describe.each(RUNTIME_BACKENDS)('live runs equal simulations on $name', {timeout: 300_000}, (backend) => {
  const environments = liveEnvPerTest(backend)

  it("the example project's sample events, the worker running after every instant", async () => {
    const journeys = await exampleJourneys()
    const events = sampleEvents()
    const until = Math.max(...events.map((e) => e.timestamp))
    const env = await environments.create()
    await env.deploy(journeys)
    const runtime = await environments.open()
    const expected = simulated(journeys, events, until)
    expect(expected.filter((l) => l[2] === 'send').length).toBeGreaterThan(5)
    expect(await live(runtime, events, until, true)).toEqual(expected)
  })

  it('a generated store of 2,000 customers, the worker catching up at the end', async () => {
    const journeys = await exampleJourneys()
    const options = {customers: 2_000, days: 21, seed: 7, start: Date.UTC(2026, 2, 1)}
    const events = Array.from({length: options.customers}, (_, i) => generateCustomer(options, i)).flat()
    const until = Math.max(...events.map((e) => e.timestamp))
    const env = await environments.create()
    await env.deploy(journeys)
    const runtime = await environments.open()
    const expected = simulated(journeys, events, until)
    expect(expected.filter((l) => l[2] === 'send').length).toBeGreaterThan(100)
    expect(await live(runtime, events, until, false)).toEqual(expected)
  })
})
