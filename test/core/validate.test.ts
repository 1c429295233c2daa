import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {openEventStore} from '../../src/core/store/open-store.js'
import {EventWriter} from '../../src/core/store/write-events.js'
import {validateProjectDetailed} from '../../src/core/validate.js'
import {tempProject} from '../helpers/temp-project.js'

const fixtures = path.resolve(import.meta.dirname, '../fixtures/validate')

describe('validateProjectDetailed', () => {
  it('reports ten different mistakes in one journey as ten located diagnostics', async () => {
    const result = (await validateProjectDetailed({paths: ['ten-mistakes'], cwd: fixtures})).result
    expect(result.errorCount).toBe(10)
    expect(result.diagnostics.map((d) => `${d.location.line}:${d.location.column} ${d.code}`)).toEqual([
      '4:1 JOE1010',
      '7:38 JOE2010',
      '9:12 JOE2040',
      '12:11 JOE2060',
      '16:18 JOE2011',
      '20:22 JOE1013',
      '21:11 JOE2003',
      '22:9 JOE2001',
      '24:5 JOE1015',
      '28:5 JOE2006',
    ])
    for (const d of result.diagnostics) expect(d.location.file).toBe('ten-mistakes/journeys/broken.journey.yaml')
    expect(result.diagnostics.find((d) => d.code === 'JOE1010')?.hint).toContain('did you mean "description"?')
    expect(result.diagnostics.find((d) => d.code === 'JOE1013')?.hint).toContain('did you mean "email"?')
    expect(result.diagnostics.find((d) => d.code === 'JOE2011')?.message).toContain('did you mean `profile`?')
  })

  it('accepts a clean journey and its test file', async () => {
    const result = (await validateProjectDetailed({paths: ['clean'], cwd: fixtures})).result
    expect(result.diagnostics).toEqual([])
    expect(result.files.map((f) => [f.file, f.kind, f.id])).toEqual([
      ['clean/journeys/cart.journey.yaml', 'journey', 'cart'],
      ['clean/journeys/cart.test.yaml', 'test', 'cart'],
    ])
  })

  it('reports a missing path and a folder without journeys', async () => {
    const result = (await validateProjectDetailed({paths: ['does-not-exist', 'ten-mistakes/..//clean/..'], cwd: fixtures})).result
    expect(result.diagnostics.map((d) => d.code)).toContain('JOE1031')
  })
})

describe('validateProjectDetailed against the local event store', () => {
  const journey = (entry: string, exit: string) =>
    [
      'version: 1',
      'id: buyers',
      'name: Buyers',
      `entry: { event: ${entry} }`,
      `exit: [{ event: ${exit} }]`,
      'steps:',
      '  - { id: thanks, send: { channel: email, template: thanks } }',
      '',
    ].join('\n')

  async function project(entry: string, exit: string, storeTypes?: string[]): Promise<string> {
    const cwd = await tempProject({'joe.config.yaml': 'journeys: journeys\n', 'journeys/buyers.journey.yaml': journey(entry, exit)})
    if (storeTypes) {
      const store = openEventStore(path.join(cwd, '.joe/events.db'))
      const writer = new EventWriter(store, {sourceName: 'test', format: 'joe', byteSize: 0, importedAt: 0})
      storeTypes.forEach((type, i) => {
        writer.add({customer_id: 'c1', type, timestamp: i, properties: {}})
      })
      writer.finish('hash', storeTypes.length)
      store.close()
    }
    return cwd
  }

  it('warns (JOE2070) at an event name the store has never seen when it has one spelled differently', async () => {
    const cwd = await project('order_completed', 'cart_emptied', ['Order Completed', 'Cart Updated', 'identify'])
    const result = (await validateProjectDetailed({paths: [], cwd})).result
    expect(result.errorCount).toBe(0)
    expect(result.diagnostics).toEqual([
      {
        code: 'JOE2070',
        severity: 'warning',
        message: 'the local event store has no "order_completed" events, but has "Order Completed"',
        hint: expect.stringContaining('--normalize-names snake_case'),
        location: expect.objectContaining({file: 'journeys/buyers.journey.yaml', line: 4, column: 17}),
      },
    ])
  })

  it('says nothing without a store, when the store has the name, or when nothing is near', async () => {
    for (const cwd of [
      await project('order_completed', 'order_refunded'),
      await project('order_completed', 'order_refunded', ['order_completed', 'identify']),
      await project('subscription_renewed', 'plan_changed', ['Order Completed', 'identify']),
    ]) {
      expect((await validateProjectDetailed({paths: [], cwd})).result.diagnostics).toEqual([])
    }
  })
})
