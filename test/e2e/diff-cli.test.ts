import {cp, readFile} from 'node:fs/promises'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {parseMermaid} from '../core/graph/mermaid-parse.js'
import {assertOutput} from '../helpers/output-schemas.js'
import {tempProject} from '../helpers/temp-project.js'
import {HEAVY_TEST_TIMEOUT} from '../helpers/timeouts.js'

// End-to-end with the built CLI (npm test builds first) in a real git repository.
const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'joe test',
  GIT_AUTHOR_EMAIL: 'joe@example.com',
  GIT_COMMITTER_NAME: 'joe test',
  GIT_COMMITTER_EMAIL: 'joe@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
}

async function exampleRepo() {
  const cwd = await tempProject({})
  for (const entry of ['joe.config.yaml', 'journeys', 'events'])
    await cp(path.join(root, 'examples', entry), path.join(cwd, entry), {recursive: true})
  const git = (...args: string[]) => execa('git', args, {cwd, env: GIT_ENV})
  await git('init', '-q', '-b', 'main')
  await git('add', '-A')
  await git('commit', '-q', '-m', 'journeys')
  const joe = (...args: string[]) => execa('node', [bin, ...args], {cwd, reject: false, env: {NO_COLOR: '1'}})
  return {cwd, git, joe}
}

describe('joe diff and joe graph (built CLI)', () => {
  it('diffs a branch against main in text, json and markdown, with exit codes and impact', {timeout: HEAVY_TEST_TIMEOUT}, async () => {
    const {cwd, git, joe} = await exampleRepo()
    const clean = await joe('diff', '--base', 'main', '--exit-code')
    expect(clean.exitCode).toBe(0)
    expect(clean.stdout).toContain('✔ no changes (3 journeys compared)')

    await git('checkout', '-q', '-b', 'feature')
    const file = path.join(cwd, 'journeys/cart-abandonment.journey.yaml')
    const cart = await readFile(file, 'utf8')
    const {writeFile} = await import('node:fs/promises')
    await writeFile(file, cart.replace('template: cart-reminder-1', 'template: cart-reminder-2').replace('wait: 1h', 'wait: 2h'))
    await git('rm', '-q', 'journeys/welcome-series.journey.yaml', 'journeys/welcome-series.test.yaml')
    await git('mv', 'journeys/win-back.journey.yaml', 'journeys/lapsed.journey.yaml')
    await git('commit', '-q', '-am', 'change cart, drop welcome, rename win-back')

    const text = await joe('diff', '--base', 'main', '--exit-code')
    expect(text.exitCode).toBe(2)
    expect(text.stdout).toContain('● step email-reminder: send.template  cart-reminder-1 → cart-reminder-2')
    expect(text.stdout).toContain('● step wait-1h: wait  1h → 2h')
    expect(text.stdout).toContain('welcome-series  journeys/welcome-series.journey.yaml  removed')
    expect(text.stdout).toContain('win-back  no change; file renamed journeys/win-back.journey.yaml → journeys/lapsed.journey.yaml')
    expect((await joe('diff', '--base', 'main')).exitCode).toBe(0)

    const json = JSON.parse((await joe('diff', '--base', 'main', '--json')).stdout)
    assertOutput('diff', json)
    expect(json).toMatchObject({format_version: 2, base: {ref: 'main'}, impact: null})
    expect(JSON.parse((await joe('diff', '--base', 'main', '--format', 'json')).stdout)).toEqual(json)
    expect(json.journeys.map((j: {id: string; status: string}) => `${j.id} ${j.status}`)).toEqual([
      'cart-abandonment changed',
      'welcome-series removed',
      'win-back unchanged',
    ])
    expect(json.journeys[0].operations[0]).toEqual({
      op: 'step.changed',
      class: 'behaviour',
      step: 'wait-1h',
      field: 'wait',
      from: '1h',
      to: '2h',
      note: null,
    })
    expect(json.journeys[1]).toMatchObject({id: 'welcome-series', new_path: null, impact: null})
    // A journey id names the journey at the ref too, wherever its file is.
    const byId = JSON.parse((await joe('diff', 'win-back', '--base', 'main', '--json')).stdout)
    expect(byId.journeys.map((j: {id: string; file_renamed: boolean}) => `${j.id} ${j.file_renamed}`)).toEqual(['win-back true'])

    expect((await joe('events', 'import', 'events/sample.ndjson')).exitCode).toBe(0)
    const md = await joe('diff', '--base', 'main', '--impact', '--format', 'markdown')
    expect(md.exitCode).toBe(0)
    expect(md.stdout.startsWith('<!-- joe-diff -->\n## Journey changes')).toBe(true)
    expect(md.stdout).toMatch(/\| \[`cart-abandonment`\]\(#journey-cart-abandonment\) \| changed \| 0 \| 2 \| 0 \| .*\|/)
    expect(md.stdout).toContain('#### Impact')
    const graphs = [...md.stdout.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1] as string)
    expect(graphs).toHaveLength(1)
    for (const graph of graphs) await expect(parseMermaid(graph)).resolves.toBeTruthy()
    const impact = JSON.parse((await joe('diff', '--base', 'main', '--impact', '--json')).stdout)
    assertOutput('diff', impact)
    expect(impact.journeys[0].impact.messages.by_template['cart-reminder-2'].new).toBeGreaterThan(0)
    expect(impact.journeys[1].impact.customers.entered.new).toBe(0)
  })

  it('compares two files, and reports errors with the right exit codes', {timeout: HEAVY_TEST_TIMEOUT}, async () => {
    const {cwd, joe} = await exampleRepo()
    const same = await joe('diff', 'journeys/cart-abandonment.journey.yaml', 'journeys/cart-abandonment.journey.yaml', '--exit-code')
    expect(same.exitCode).toBe(0)
    const other = await joe('diff', 'journeys/win-back.journey.yaml', 'journeys/cart-abandonment.journey.yaml', '--json')
    assertOutput('diff', JSON.parse(other.stdout))
    expect(JSON.parse(other.stdout)).toMatchObject({base: null, impact: null})
    expect(JSON.parse(other.stdout).journeys[0].operations[0]).toMatchObject({op: 'journey.changed', field: 'id'})
    const missing = await joe('diff', 'journeys/nope.journey.yaml', 'journeys/cart-abandonment.journey.yaml', '--json')
    expect(missing.exitCode).toBe(2)
    expect(JSON.parse(missing.stdout).error.code).toBe('JOE1037')

    const unknown = await joe('diff', '--base', 'nope', '--exit-code')
    expect(unknown.exitCode).toBe(1)
    expect(unknown.stderr).toContain('error JOE5002')
    const usage = await joe('diff')
    expect(usage.exitCode).toBe(2)
    expect(usage.stderr).toContain('JOE5004')
    expect((await joe('diff', '--exit-code')).exitCode).toBe(1)
    expect((await joe('diff', '--base', 'main', '--bogus', '--exit-code')).exitCode).toBe(1)
    const outside = await execa('node', [bin, 'diff', '--base', 'main'], {cwd: path.dirname(cwd), reject: false})
    expect(outside.exitCode).toBe(1)
  })

  it('draws a journey as Mermaid, DOT and SVG, with simulated counts', {timeout: HEAVY_TEST_TIMEOUT}, async () => {
    const {cwd, joe} = await exampleRepo()
    const mermaid = await joe('graph', 'cart-abandonment')
    expect(mermaid.exitCode).toBe(0)
    await expect(parseMermaid(mermaid.stdout)).resolves.toBeTruthy()
    expect((await joe('graph', 'journeys/win-back.journey.yaml', '--format', 'dot')).stdout).toMatch(/^digraph "win-back" \{/)
    const svg = await joe('graph', 'cart-abandonment', '--format', 'svg', '--out', 'cart.svg')
    expect(svg.exitCode).toBe(0)
    expect(await readFile(path.join(cwd, 'cart.svg'), 'utf8')).toContain('<svg')
    await joe('events', 'import', 'events/sample.ndjson')
    const counted = await joe('graph', 'cart-abandonment', '--simulate')
    expect(counted.stdout).toMatch(/-->\|"else: \d+"\|/)
    const json = JSON.parse((await joe('graph', 'cart-abandonment', '--json')).stdout)
    assertOutput('graph', json)
    expect(json).toMatchObject({format_version: 2, journey: 'cart-abandonment', format: 'mermaid', out: null})
    expect(json.text).toBe(mermaid.stdout)
    // --json with svg: the SVG is the `text` field; with --out it is also written.
    const svgJson = JSON.parse((await joe('graph', 'cart-abandonment', '--format', 'svg', '--json', '--simulate')).stdout)
    assertOutput('graph', svgJson)
    expect(svgJson.text).toContain('<svg')
    expect(svgJson.edges.some((e: {count: number | null}) => typeof e.count === 'number')).toBe(true)
    const missing = await joe('graph', 'nope')
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('JOE1037')
    const several = await joe('graph', 'journeys', '--json')
    expect(several.exitCode).toBe(2)
    assertOutput('error', JSON.parse(several.stdout))
    expect(JSON.parse(several.stdout).error.code).toBe('JOE1039')
    const badTime = await joe('graph', 'cart-abandonment', '--simulate', '--from', '2026-02-31')
    expect(badTime.exitCode).toBe(2)
    expect(badTime.stderr).toMatch(
      /^error JOE4005: --from "2026-02-31" is not a real date or time: .*\n {2}hint: e.g. 2026-03-01 or 2026-03-01T09:00:00Z$/,
    )
  })
})
