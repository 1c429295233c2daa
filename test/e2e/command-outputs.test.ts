import {cp, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {execa} from 'execa'
import {beforeAll, describe, expect, it} from 'vitest'
import {assertOutput} from '../helpers/output-schemas.js'
import {startServeJson} from '../helpers/serve-process.js'
import {tempProject} from '../helpers/temp-project.js'
import {HEAVY_TEST_TIMEOUT} from '../helpers/timeouts.js'

// The --json output of every project, event and runtime command, as the built CLI prints it, checked
// against its schema in schemas/output/ (docs/cli-output.md). The deploy family is checked in
// deploy-cli.test.ts.
const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')
const WRITE_KEY = 'outputs-write-key'

describe('--json outputs follow docs/cli-output.md (built CLI)', {timeout: HEAVY_TEST_TIMEOUT}, () => {
  let dir: string
  const joe = (args: string[], cwd = dir) =>
    execa('node', [bin, ...args], {cwd, reject: false, env: {NO_COLOR: '1', JOE_DEV_WRITE_KEY: WRITE_KEY}})
  /** Runs a command with --json, checks its exit code and its output against schemas/output/SCHEMA.schema.json. */
  const json = async (schema: string, args: string[], {exitCode = 0, cwd = dir}: {exitCode?: number; cwd?: string} = {}) => {
    const run = await joe([...args, '--json'], cwd)
    expect(run.exitCode, run.stderr || run.stdout).toBe(exitCode)
    const output = JSON.parse(run.stdout)
    assertOutput(schema, output)
    return output
  }

  beforeAll(async () => {
    dir = await tempProject({})
    for (const entry of ['joe.config.yaml', 'journeys', 'events', 'templates'])
      await cp(path.join(root, 'examples', entry), path.join(dir, entry), {recursive: true})
  })

  it('init, new journey, schema', async () => {
    const fresh = await tempProject({})
    const init = await json('init', ['init', '.', '--template', 'welcome-series'], {cwd: fresh})
    expect(init).toMatchObject({format_version: 1, journey_id: 'welcome-series', dir: expect.stringMatching(/^\//)})
    const list = await json('new-journey', ['new', 'journey', '--list'], {cwd: fresh})
    expect(list.templates.map((t: {name: string}) => t.name)).toContain('cart-abandonment')
    const created = await json('new-journey', ['new', 'journey', 'spring-sale', '--template', 'cart-abandonment'], {cwd: fresh})
    expect(created).toMatchObject({id: 'spring-sale', created: ['journeys/spring-sale.journey.yaml', 'journeys/spring-sale.test.yaml']})
    const schema = await json('schema', ['schema', 'config'])
    expect(schema).toMatchObject({name: 'config', schema: {$id: 'https://joe.dev/schemas/config.schema.json'}})
  })

  it('validate and test, with --json and the older --format json alike', async () => {
    const validate = await json('validate', ['validate'])
    expect(validate).toMatchObject({format_version: 2, ok: true})
    expect(JSON.parse((await joe(['validate', '--format', 'json'])).stdout)).toEqual(validate)
    const tests = await json('test', ['test'])
    expect(tests).toMatchObject({format_version: 2, ok: true, failed: 0})
    expect(tests.files[0].cases.flatMap((c: {actual: {sends: object[]}}) => c.actual.sends)[0]).toHaveProperty('step_id')
    expect(JSON.parse((await joe(['test', '-f', 'json'])).stdout)).toEqual(tests)

    await writeFile(
      path.join(dir, 'broken.journey.yaml'),
      'version: 1\nid: broken\nname: B\nentry: { event: x }\nsteps:\n  - { id: a, goto: nowhere }\n',
    )
    const broken = await json('validate', ['validate', 'broken.journey.yaml'], {exitCode: 1})
    expect(broken.diagnostics[0]).toMatchObject({file: 'broken.journey.yaml', hint: expect.anything()})
    // A usage error under --format json is the error envelope too.
    const usage = await joe(['validate', '--format', 'json', '--bogus'])
    expect(usage.exitCode).toBe(2)
    assertOutput('error', JSON.parse(usage.stdout))
  })

  it('events import, stats, show, generate; preview', async () => {
    const imported = await json('events-import', ['events', 'import', 'events/sample.ndjson'])
    expect(imported.imports[0]).toMatchObject({file: 'events/sample.ndjson', already_imported: false, import_id: 1})
    const again = await json('events-import', ['events', 'import', 'events/sample.ndjson'])
    expect(again.imports[0]).toMatchObject({already_imported: true, import_id: null})
    const stats = await json('events-stats', ['events', 'stats'])
    expect(stats).toMatchObject({events: 94, from: '2026-03-01T10:00:00.000Z'})
    const shown = await json('events-show', ['events', 'show', 'cus_026', '--as-of', '2026-03-05'])
    expect(shown).toMatchObject({customer_id: 'cus_026', as_of: '2026-03-05T00:00:00.000Z'})
    expect(shown.events[0].timestamp).toBe('2026-03-01T10:00:00.000Z')
    const missing = await joe(['events', 'stats', '--store', 'missing.db', '--json'])
    expect(missing.exitCode).toBe(1)
    assertOutput('error', JSON.parse(missing.stdout))
    const generated = await json('events-generate', ['events', 'generate', '--customers', '3', '--days', '2', '--store', 'gen.db'])
    expect(generated).toMatchObject({customers: 3, already_generated: false, start: '2026-03-01T00:00:00.000Z'})
    const genStats = await json('events-stats', ['events', 'stats', '--store', 'gen.db'])
    expect(genStats.events).toBe(generated.events)

    const sms = await json('preview', ['preview', 'cart-sms-1', '--customer', 'cus_026'])
    expect(sms).toMatchObject({customer: {id: 'cus_026'}, content: {channel: 'sms'}, segments: {encoding: 'GSM-7', first_non_gsm: null}})
    const email = await json('preview', ['preview', 'email/cart-offer-10', '--data', 'code=SAVE10', '--out', 'offer.html'])
    expect(email).toMatchObject({customer: null, content: {channel: 'email', reply_to: null}, segments: null})
    expect(await readFile(path.join(dir, 'offer.html'), 'utf8')).toContain('SAVE10')
  })

  it('events send, clock, outbox, outbox retry, inspect, events export, serve', async () => {
    expect((await joe(['deploy', '--env', 'dev', '--yes', '--skip-policies'])).exitCode).toBe(0)
    const clock = await json('clock', ['clock', '--env', 'dev'])
    expect(clock).toEqual({format_version: 1, env: 'dev', clock: 'manual', now: null})
    const sent = await json('events-send', ['events', 'send', '--env', 'dev', 'events/sample.ndjson'])
    expect(sent).toMatchObject({format_version: 2, accepted: 94, clock: null, files: [{file: 'events/sample.ndjson'}]})
    expect(await json('clock', ['clock', '--env', 'dev', 'set', '2026-03-15'])).toMatchObject({now: '2026-03-15T00:00:00.000Z'})
    expect(await json('clock', ['clock', '--env', 'dev', 'advance', '1h'])).toMatchObject({now: '2026-03-15T01:00:00.000Z'})
    const outbox = await json('outbox', ['outbox', '--env', 'dev'])
    expect(outbox.backlog.events).toBe(94)
    expect(await json('outbox-retry', ['outbox', 'retry', '--env', 'dev', '--all'])).toEqual({format_version: 1, env: 'dev', retried: []})
    const inspect = await json('inspect', ['inspect', '--env', 'dev', 'cus_026'])
    expect(inspect).toMatchObject({format_version: 2, customer_id: 'cus_026', pending_events: expect.any(Number)})
    const exported = await json('events-export', ['events', 'export', '--env', 'dev', '--out', 'export.ndjson', '--from', '2026-03-01'])
    expect(exported).toMatchObject({events: 94, out: 'export.ndjson', from: '2026-03-01T00:00:00.000Z', until: null})

    // Under --json the startup line is left out; the JSON log line says when it listens.
    const {subprocess: serve} = await startServeJson(dir, 'dev', '"joe serve started"', {JOE_DEV_WRITE_KEY: WRITE_KEY})
    serve.kill('SIGTERM')
    const stopped = await serve
    expect(stopped.exitCode, stopped.stderr).toBe(0)
    const output = JSON.parse(stopped.stdout)
    assertOutput('serve', output)
    expect(output).toMatchObject({env: 'dev', role: 'all', clock: 'manual', stopped_by: 'SIGTERM'})
  })
})
