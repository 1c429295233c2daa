import {cp, readFile, stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {assertOutput} from '../helpers/output-schemas.js'
import {tempProject} from '../helpers/temp-project.js'
import {HEAVY_TEST_TIMEOUT} from '../helpers/timeouts.js'

// End-to-end on a copy of the example project, with the built CLI (npm test builds first).
const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')

async function exampleProject(): Promise<string> {
  const dir = await tempProject({})
  for (const entry of ['joe.config.yaml', 'journeys', 'events'])
    await cp(path.join(root, 'examples', entry), path.join(dir, entry), {recursive: true})
  return dir
}

describe('events, simulate and test (built CLI)', {timeout: HEAVY_TEST_TIMEOUT}, () => {
  it('imports the sample, simulates deterministically, traces a customer and checks policies', async () => {
    const cwd = await exampleProject()
    const joe = (...args: string[]) => execa('node', [bin, ...args], {cwd, reject: false, env: {NO_COLOR: '1'}})
    const imported = await joe('events', 'import', 'events/sample.ndjson')
    expect(imported.exitCode).toBe(0)
    expect(imported.stdout).toMatch(/imported \d+ events \(joe\)/)
    expect((await joe('events', 'import', 'events/sample.ndjson')).stdout).toContain('already imported')

    const first = await joe('simulate', 'cart-abandonment', '--json')
    const second = await joe('simulate', 'cart-abandonment', '--json')
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toBe(second.stdout)
    const report = JSON.parse(first.stdout)
    assertOutput('simulate', report)
    expect(report).toMatchObject({format_version: 3, journey: 'cart-abandonment', customers: {entered: expect.any(Number)}})
    expect(report.conversion).toHaveProperty('uplift')
    // One journey: the spec's report keys at the top level, and the same report in `journeys`.
    expect(report).toMatchObject({load: null, policy: null, customer: null, warnings: []})
    const {format_version: _version, journeys, load: _load, policy: _policy, customer: _customer, warnings: _warnings, ...topLevel} = report
    expect(journeys).toHaveLength(1)
    expect({...topLevel, format_version: 2}).toEqual(journeys[0])

    // Several: the same envelope, reports sorted by journey id, each the report of the journey alone.
    const several = JSON.parse((await joe('simulate', 'win-back', 'journeys/', '--json')).stdout)
    assertOutput('simulate', several)
    expect(several.journeys.map((j: {journey: string}) => j.journey)).toEqual(['cart-abandonment', 'welcome-series', 'win-back'])
    expect(several.load).toMatchObject({max: expect.any(Number)})
    expect(several).not.toHaveProperty('journey')

    const text = await joe('simulate', 'cart-abandonment')
    expect(text.stdout).toContain('step funnel')

    const stats = JSON.parse((await joe('events', 'stats', '--json')).stdout)
    expect(stats.events).toBeGreaterThan(0)

    const customer = JSON.parse((await joe('simulate', 'cart-abandonment', '--json', '--customer', 'cus_001')).stdout)
    assertOutput('simulate', customer)
    expect(customer.customer.id).toBe('cus_001')
    expect(customer.customer.results['cart-abandonment'].trace[0].at).toMatch(/Z$/)

    const traced = await joe('simulate', 'cart-abandonment', '--trace', 'traces.ndjson')
    expect(traced.exitCode).toBe(0)
    const lines = (await readFile(path.join(cwd, 'traces.ndjson'), 'utf8')).trim().split('\n')
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      journey: 'cart-abandonment',
      customer_id: expect.any(String),
      kind: expect.any(String),
    })

    const checked = await joe('simulate', '--check')
    expect(checked.exitCode).toBe(0)
    expect(checked.stdout).toContain('policy max_messages_per_customer')

    const config = await readFile(path.join(cwd, 'joe.config.yaml'), 'utf8')
    await writeFile(path.join(cwd, 'joe.config.yaml'), config.replace(/limit: \d+/, 'limit: 1'))
    const breached = await joe('simulate', '--check')
    expect(breached.exitCode).toBe(1)
    expect(breached.stdout).toMatch(/customers? over the limit/)
    const breachedJson = await joe('simulate', '--check', '--json')
    expect(breachedJson.exitCode).toBe(1)
    const policy = JSON.parse(breachedJson.stdout)
    assertOutput('simulate', policy)
    expect(policy.policy.breaches[0]).toMatchObject({customer_id: expect.any(String)})

    const unknown = await joe('simulate', 'cart-abandonmnt', '--json')
    expect(unknown.exitCode).toBe(2)
    assertOutput('error', JSON.parse(unknown.stdout))
    expect(JSON.parse(unknown.stdout).error).toMatchObject({
      code: 'JOE1037',
      hint: expect.stringContaining('did you mean "cart-abandonment"?'),
    })
  })

  it('refuses a broken import whole and leaves the store as it was', async () => {
    const cwd = await exampleProject()
    const joe = (...args: string[]) => execa('node', [bin, ...args], {cwd, reject: false, env: {NO_COLOR: '1'}})
    await joe('events', 'import', 'events/sample.ndjson')
    const before = JSON.parse((await joe('events', 'stats', '--json')).stdout)
    const good = '{"customer_id":"x1","type":"page","timestamp":"2026-03-02T10:00:00Z"}'
    await writeFile(path.join(cwd, 'broken.ndjson'), `${good}\n{not json\n${good.replace('x1', 'x2')}\n{"customer_id":"x3"}\n`)
    const refused = await joe('events', 'import', 'broken.ndjson')
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain('broken.ndjson:2:')
    expect(refused.stderr).toContain('broken.ndjson:4:')
    expect(refused.stderr).not.toMatch(/\n\s+at /)
    const after = JSON.parse((await joe('events', 'stats', '--json')).stdout)
    expect(after.events).toBe(before.events)
    const skipped = await joe('events', 'import', 'broken.ndjson', '--skip-invalid')
    expect(skipped.exitCode).toBe(0)
    expect(skipped.stdout).toContain('imported 2 events')
  })

  it('joe test passes on the example project and writes JUnit', async () => {
    const cwd = await exampleProject()
    const result = await execa('node', [bin, 'test', '--format', 'junit'], {cwd, reject: false})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="joe test" tests="\d+" failures="0"/)
    expect((await stat(path.join(cwd, 'journeys'))).isDirectory()).toBe(true)
  })
})
