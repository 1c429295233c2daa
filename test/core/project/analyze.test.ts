import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {type AnalyzedFile, analyzeProject} from '../../../src/core/project/analyze.js'
import {checkJourneyFile} from '../../../src/core/project/check-file.js'
import {checkJourneysInThreads} from '../../../src/core/project/check-threads.js'
import {defaultConfig} from '../../../src/core/project/config.js'
import {discoverFiles} from '../../../src/core/project/discover.js'
import {validateProjectDetailed} from '../../../src/core/validate.js'
import {tempProject} from '../../helpers/temp-project.js'

const root = path.resolve(import.meta.dirname, '../../..')
const cart = readFileSync(path.join(root, 'templates/cart-abandonment.journey.yaml'), 'utf8')
const broken = readFileSync(path.join(root, 'test/fixtures/validate/ten-mistakes/journeys/broken.journey.yaml'), 'utf8')

/** 40 journeys: clean ones, broken ones, a duplicate id, unreadable YAML, and a test file naming one. */
async function mixedProject(): Promise<string> {
  const files: Record<string, string> = {'joe.config.yaml': 'journeys: journeys\n'}
  for (let i = 0; i < 40; i++) {
    const name = `journeys/j${String(i).padStart(2, '0')}.journey.yaml`
    if (i % 7 === 3) files[name] = broken
    else if (i === 5) files[name] = 'version: 1\nid: [unclosed\n'
    else files[name] = cart.replace('id: cart-abandonment', `id: cart-${i === 9 ? 8 : i}`)
  }
  files['journeys/j08.test.yaml'] = [
    'journey: cart-8',
    'cases:',
    '  - name: enters',
    '    events:',
    '      - { type: cart_updated, at: "2026-03-01T10:00:00Z", properties: { cart_value: 80 } }',
    '    expect: { path: [wait-1h, nowhere] }',
    '',
  ].join('\n')
  return tempProject(files)
}

/** What the analysis says, without functions: every field, and positions asked for afterwards. */
function plain(files: AnalyzedFile[]) {
  return files.map(({source, outline, ...rest}) => ({
    ...rest,
    text: source?.text,
    idAt: source ? source.locate(['id']) : undefined,
    outline: outline ? {...outline, steps: [...outline.steps], variants: [...outline.variants].map(([k, v]) => [k, [...v]])} : undefined,
  }))
}

describe('analyzeProject on worker threads', () => {
  it('finds exactly what one thread finds, in the same order', async () => {
    const cwd = await mixedProject()
    const one = await analyzeProject({paths: [], cwd, threads: 1})
    const three = await analyzeProject({paths: [], cwd, threads: 3})
    expect(plain(three.files)).toEqual(plain(one.files))
    expect(three.projectDiagnostics).toEqual(one.projectDiagnostics)
    // The mix is what it should be: models for clean journeys only, the duplicate id and the test reported.
    const codes = one.files.flatMap((f) => f.diagnostics.map((d) => d.code))
    expect(codes).toContain('JOE2050')
    expect(codes).toContain('JOE2003')
    expect(codes).toContain('JOE1001')
    // 6 broken, 1 unreadable, and the second of the two files with id cart-8.
    expect(one.files.filter((f) => f.journey).length).toBe(40 - 6 - 1 - 1)
  })

  it('validates to the same result and sources with and without threads', async () => {
    const cwd = await mixedProject()
    const one = await validateProjectDetailed({paths: [], cwd, threads: 1})
    const two = await validateProjectDetailed({paths: [], cwd, threads: 2})
    expect(two.result).toEqual(one.result)
    expect([...two.sources]).toEqual([...one.sources])
  })
})

describe('checkJourneysInThreads', () => {
  it("puts the workers' results in file order", async () => {
    const cwd = await mixedProject()
    const {files} = await discoverFiles(['journeys'], {cwd, root: cwd})
    const journeys = files.filter((f) => f.kind === 'journey')
    const config = defaultConfig(cwd)
    const options = {models: true, outlines: true}
    const inline = await Promise.all(journeys.map((f) => checkJourneyFile(f, config, options)))
    const fromWorkers = new Set<number>()
    const threaded = await checkJourneysInThreads(journeys, config, options, 3, {
      workersOnly: true,
      chunk: (_index, thread) => fromWorkers.add(thread),
    })
    expect(fromWorkers.size).toBeGreaterThan(0)
    expect(threaded).toEqual(inline)
  })
})
