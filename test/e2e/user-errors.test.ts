import {existsSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import path from 'node:path'
import {execa} from 'execa'
import {beforeAll, describe, expect, it} from 'vitest'
import {writeGeneratedEvents} from '../../src/core/store/generate-events.js'
import {openEventStore} from '../../src/core/store/open-store.js'
import {tempProject} from '../helpers/temp-project.js'
import {HEAVY_TEST_TIMEOUT} from '../helpers/timeouts.js'

// Bad paths, bad stores and bad data given on the command line are user errors: a clear message
// and exit 1 or 2, never exit 3 ("a bug in joe"). And Ctrl-C stops `simulate --trace` at once.
const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')

const journey = `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
exit: [{ event: order_completed }]
steps:
  - { id: wait-1h, wait: 1h }
  - { id: email-1, send: { channel: email, template: cart-1 } }
`

describe('user errors exit 1 or 2, with a code (built CLI)', {timeout: HEAVY_TEST_TIMEOUT}, () => {
  let dir: string
  const joe = (...args: string[]) => execa('node', [bin, ...args], {cwd: dir, reject: false, env: {NO_COLOR: '1'}})
  const expectUserError = (run: {exitCode?: number; stderr: string}, exitCode: number, code: string) => {
    expect(run.stderr).toContain(code)
    expect(run.stderr).not.toContain('internal error')
    expect(run.exitCode, run.stderr).toBe(exitCode)
  }

  beforeAll(async () => {
    dir = await tempProject({'journeys/cart.journey.yaml': journey, 'afile.txt': 'not a folder\n'})
    await mkdir(path.join(dir, 'a-folder'))
    const store = openEventStore(path.join(dir, '.joe/events.db'))
    writeGeneratedEvents(store, {customers: 20_000, days: 30, seed: 1, start: Date.UTC(2026, 2, 1), now: 0})
    store.close()
  })

  it('--trace and --out that name a folder, or a folder that does not exist', async () => {
    expectUserError(await joe('simulate', '--trace', 'a-folder'), 2, 'JOE1036')
    expectUserError(await joe('simulate', '--trace', 'missing/trace.ndjson'), 2, 'JOE1036')
    expectUserError(await joe('graph', 'cart', '--out', 'a-folder'), 2, 'JOE1036')
    expectUserError(await joe('init', 'afile.txt'), 1, 'JOE1036')
  })

  it('stores that are folders, devices or other applications’ databases; events nested 5,000 deep', async () => {
    expectUserError(await joe('events', 'stats', '--store', 'a-folder'), 1, 'JOE3008')
    expectUserError(await joe('simulate', '--store', '/dev/null'), 1, 'JOE3008')
    const foreign = path.join(dir, 'foreign.db')
    const {default: Database} = await import('better-sqlite3')
    const db = new Database(foreign)
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT); CREATE TABLE events (x TEXT)')
    db.close()
    writeFileSync(path.join(dir, 'one.ndjson'), '{"customer_id":"c","type":"x","timestamp":"2026-03-01T10:00:00Z"}\n')
    expectUserError(await joe('events', 'import', 'one.ndjson', '--store', 'foreign.db'), 1, 'JOE3006')
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`
    writeFileSync(path.join(dir, 'deep.ndjson'), `{"customer_id":"c","type":"x","timestamp":"2026-03-01T10:00:00Z","properties":${deep}}\n`)
    expectUserError(await joe('events', 'import', 'deep.ndjson', '--store', 'deep.db'), 1, 'JOE3001')
  })

  it('Ctrl-C during simulate --trace stops at once, exits 130 and leaves no trace file', async () => {
    const run = execa('node', [bin, 'simulate', 'cart', '--trace', 'trace.ndjson'], {
      cwd: dir,
      reject: false,
      env: {NO_COLOR: '1'},
      // "At once" is checked by what it leaves behind, not by execa's SIGKILL 5 s later (a loaded machine may be slower).
      forceKillAfterDelay: false,
    })
    // Wait until the trace is being written (the first megabyte is out), then interrupt.
    const partial = () => readdirSync(dir).find((f) => f.startsWith('.trace.ndjson.') && f.endsWith('.partial'))
    for (;;) {
      const file = partial()
      if (file !== undefined && statSync(path.join(dir, file)).size > 0) break
      if (run.exitCode !== null && run.exitCode !== undefined) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    run.kill('SIGINT')
    const result = await run
    expect(result.exitCode, result.stderr).toBe(130)
    expect(result.stderr).toContain('interrupted')
    expect(result.stdout).toBe('')
    expect(existsSync(path.join(dir, 'trace.ndjson'))).toBe(false)
    expect(partial()).toBeUndefined()
    // Run to the end, the trace is complete and only then under its name.
    const whole = await execa('node', [bin, 'simulate', 'cart', '--trace', 'trace.ndjson', '--until', '2026-03-05'], {
      cwd: dir,
      reject: false,
    })
    expect(whole.exitCode, whole.stderr).toBe(0)
    expect(statSync(path.join(dir, 'trace.ndjson')).size).toBeGreaterThan(0)
    expect(partial()).toBeUndefined()
  })
})
