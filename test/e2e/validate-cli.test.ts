import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {compileSarifSchema} from '../helpers/sarif-schema.js'
import {HEAVY_TEST_TIMEOUT} from '../helpers/timeouts.js'

// End-to-end: the built CLI, as a user runs it (npm test builds first).
const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')
const fixtures = path.join(root, 'test/fixtures/validate')
const joe = (args: string[]) => execa('node', [bin, ...args], {cwd: fixtures, reject: false, env: {NO_COLOR: '1'}})

describe('joe validate (built CLI)', {timeout: HEAVY_TEST_TIMEOUT}, () => {
  it('reports ten mistakes, located, in text', async () => {
    const {stdout, exitCode} = await joe(['validate', 'ten-mistakes'])
    expect(exitCode).toBe(1)
    expect(stdout.match(/^ten-mistakes\/journeys\/broken\.journey\.yaml:\d+:\d+ {2}error {2}JOE\d{4}/gm)).toHaveLength(10)
    expect(stdout).toContain('✖ 10 errors')
  })

  it('reports ten mistakes in json', async () => {
    const {stdout, exitCode} = await joe(['validate', 'ten-mistakes', '--format', 'json'])
    expect(exitCode).toBe(1)
    const json = JSON.parse(stdout)
    expect(json.format_version).toBe(2)
    expect(json.diagnostics).toHaveLength(10)
    for (const d of json.diagnostics)
      expect(d).toMatchObject({file: 'ten-mistakes/journeys/broken.journey.yaml', line: expect.any(Number), column: expect.any(Number)})
    const viaFlag = await joe(['validate', 'ten-mistakes', '--json'])
    expect(JSON.parse(viaFlag.stdout)).toEqual(json)
  })

  it('reports ten mistakes as GitHub annotations', async () => {
    const {stdout, exitCode} = await joe(['validate', 'ten-mistakes', '--format', 'github'])
    expect(exitCode).toBe(1)
    expect(stdout.split('\n').filter((l) => l.startsWith('::error file=ten-mistakes/journeys/broken.journey.yaml,line='))).toHaveLength(10)
  })

  it('reports ten mistakes as SARIF 2.1.0 that validates against the SARIF schema', async () => {
    const {stdout, exitCode} = await joe(['validate', 'ten-mistakes', '--format', 'sarif'])
    expect(exitCode).toBe(1)
    const sarif = JSON.parse(stdout)
    expect(sarif.runs[0].results).toHaveLength(10)
    const validate = compileSarifSchema()
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true)
  })

  it('exits 0 on a clean project, 2 on a usage error', async () => {
    expect((await joe(['validate', 'clean'])).exitCode).toBe(0)
    const usage = await joe(['validate', '--format', 'xml'])
    expect(usage.exitCode).toBe(2)
    expect(usage.stderr).toContain('Expected --format=xml to be one of')
    expect(usage.stderr).not.toMatch(/\n\s+at /)
  })

  it('answers a usage error under --json with a small JSON error, exit 2', async () => {
    const {stdout, exitCode} = await joe(['validate', '--bogus', '--json'])
    expect(exitCode).toBe(2)
    expect(JSON.parse(stdout)).toEqual({format_version: 1, error: {code: 'usage', message: 'Nonexistent flag: --bogus'}})
  })

  it('prints the version without a stack of oclif', async () => {
    const {stdout, exitCode} = await joe(['--version'])
    expect(exitCode).toBe(0)
    expect(stdout).toMatch(/^joe-cli\/\d+\.\d+\.\d+ \S+ node-v\d+/)
  })
})
