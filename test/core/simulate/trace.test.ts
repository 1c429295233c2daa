import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildJourney} from '../../../src/core/journey/build-model.js'
import {parseYamlSource} from '../../../src/core/journey/source.js'
import {simulate, simulatePaced} from '../../../src/core/simulate/simulate.js'
import {openTrace, traceLines} from '../../../src/core/simulate/trace.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {tempProject} from '../../helpers/temp-project.js'

const JOURNEY = buildJourney(
  parseYamlSource(
    'j.yaml',
    `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
steps:
  - { id: wait-1h, wait: 1h }
  - { id: email-1, send: { channel: email, template: cart-email } }
`,
  ).source.value as Record<string, unknown>,
)

async function store(): Promise<{dir: string; storePath: string}> {
  const dir = await tempProject({})
  const storePath = path.join(dir, 'events.db')
  const events = openEventStore(storePath)
  writeGeneratedEvents(events, {customers: 400, days: 14, seed: 3, start: Date.UTC(2026, 2, 1), now: 0})
  events.close()
  return {dir, storePath}
}

describe('--trace through a stream', () => {
  it('writes every line of every customer, pausing the replay while the stream is full', async () => {
    const {dir, storePath} = await store()
    let expected = ''
    const plain = simulate({journeys: [JOURNEY], storePath, onResult: (journey, customer) => (expected += traceLines(journey, customer))})
    const file = path.join(dir, 'trace.ndjson')
    const trace = await openTrace(file)
    let pauses = 0
    let waits = 0
    const paced = await simulatePaced({journeys: [JOURNEY], storePath, onResult: trace.onResult}, () => {
      pauses++
      const wait = trace.pause()
      if (wait) waits++
      return wait
    })
    await trace.close()
    expect(paced).toEqual(plain)
    expect(await readFile(file, 'utf8')).toBe(expected)
    // Between every two customers, and the stream was full (16 KiB) at least once.
    expect(pauses).toBe(plain.reports[0]?.customers.evaluated)
    expect(expected.length).toBeGreaterThan(64 * 1024)
    expect(waits).toBeGreaterThan(0)
  })

  it('rejects when the file cannot be opened, and a failed pause stops the replay and closes the store', async () => {
    const {dir, storePath} = await store()
    await expect(openTrace(path.join(dir, 'missing', 'trace.ndjson'))).rejects.toMatchObject({code: 'ENOENT'})
    const failure = Object.assign(new Error('no space left'), {code: 'ENOSPC'})
    await expect(simulatePaced({journeys: [JOURNEY], storePath, onResult: () => {}}, () => Promise.reject(failure))).rejects.toBe(failure)
    // The store was closed: it opens again for writing.
    openEventStore(storePath).close()
  })
})
