import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {eventStoreStats, generateEventsInto, importEventFiles, showCustomer} from '../../../src/core/events/local-events.js'
import {assertOutput} from '../../helpers/output-schemas.js'
import {tempProject} from '../../helpers/temp-project.js'

const NOW = Date.UTC(2026, 3, 1)
const line = (customer: string, type: string, timestamp: string, properties = {}) =>
  JSON.stringify({customer_id: customer, type, timestamp, properties})

describe('the local event store operations', () => {
  it('import, stats and show give the --json results: snake_case, ISO times, null for no value', async () => {
    const dir = await tempProject({
      'a.ndjson': `${[line('c1', 'identify', '2026-03-01T10:00:00Z', {first_name: 'Ann'}), line('c1', 'cart_updated', '2026-03-02T10:00:00Z')].join('\n')}\n`,
    })
    const store = path.join(dir, 'events.db')
    const done: string[] = []
    const progress: string[] = []
    const options = {store, format: 'auto' as const, skipInvalid: false, normalizeNames: 'none' as const, now: NOW}
    const imported = await importEventFiles({
      ...options,
      files: [path.join(dir, 'a.ndjson')],
      progress: (file) => ({update: () => progress.push(file), stop: () => {}}),
      onImported: (f) => done.push(f.file),
    })
    assertOutput('events-import', imported)
    expect(imported.imports[0]).toMatchObject({imported: 2, already_imported: false, import_id: 1, skipped_count: 0})
    expect(done).toEqual([path.join(dir, 'a.ndjson')])
    expect(progress.length).toBeGreaterThan(0)
    const again = await importEventFiles({...options, files: [path.join(dir, 'a.ndjson')]})
    expect(again.imports[0]).toMatchObject({already_imported: true, import_id: null})

    const stats = await eventStoreStats({store})
    assertOutput('events-stats', stats)
    expect(stats).toMatchObject({events: 2, customers: 1, from: '2026-03-01T10:00:00.000Z', until: '2026-03-02T10:00:00.000Z'})

    const shown = await showCustomer({store, customer: 'c1', asOf: Date.UTC(2026, 2, 1, 12)})
    assertOutput('events-show', shown)
    expect(shown).toMatchObject({customer_id: 'c1', as_of: '2026-03-01T12:00:00.000Z', profile: {first_name: 'Ann'}})
    expect(shown.events).toEqual([{seq: 1, type: 'identify', timestamp: '2026-03-01T10:00:00.000Z', properties: {first_name: 'Ann'}}])
    expect((await showCustomer({store, customer: 'c1'})).as_of).toBeNull()
    await expect(showCustomer({store, customer: 'C1'})).rejects.toMatchObject({code: 'JOE4004'})
  })

  it('reports a later file refused after the earlier ones were imported and reported', async () => {
    const dir = await tempProject({'good.ndjson': `${line('c1', 'x', '2026-03-01T10:00:00Z')}\n`, 'bad.ndjson': 'not json\n'})
    const done: string[] = []
    const run = importEventFiles({
      store: path.join(dir, 'events.db'),
      files: [path.join(dir, 'good.ndjson'), path.join(dir, 'bad.ndjson')],
      format: 'joe',
      skipInvalid: false,
      normalizeNames: 'none',
      now: NOW,
      onImported: (f) => done.push(path.basename(f.file)),
    })
    await expect(run).rejects.toMatchObject({code: 'JOE3001'})
    expect(done).toEqual(['good.ndjson'])
    expect((await eventStoreStats({store: path.join(dir, 'events.db')})).events).toBe(1)
  })

  it('stats of an empty store have null times; generate echoes its options and is idempotent', async () => {
    const dir = await tempProject({})
    const store = path.join(dir, 'gen.db')
    const options = {store, customers: 3, days: 2, seed: 5, scenario: 'saas' as const, start: Date.UTC(2026, 2, 1), now: NOW}
    const generated = await generateEventsInto(options)
    assertOutput('events-generate', generated)
    expect(generated).toMatchObject({scenario: 'saas', seed: 5, start: '2026-03-01T00:00:00.000Z', already_generated: false})
    expect(await generateEventsInto(options)).toMatchObject({already_generated: true, import_id: null, events: 0})

    const blank = await importEventFiles({
      store: path.join(dir, 'blank.db'),
      files: [],
      format: 'auto',
      skipInvalid: false,
      normalizeNames: 'none',
      now: NOW,
    })
    expect(blank.imports).toEqual([])
    expect(await eventStoreStats({store: path.join(dir, 'blank.db')})).toMatchObject({events: 0, from: null, until: null})
  })
})
