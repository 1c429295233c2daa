import {existsSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it, vi} from 'vitest'
import Schema from '../../src/commands/schema.js'
import {readSchema, SCHEMA_NAMES, schemaPath} from '../../src/core/schemas.js'
import {assertOutput} from '../helpers/output-schemas.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Runs `joe schema ARGV` in-process and returns what it wrote to stdout and returned. */
async function run(argv: string[]): Promise<{stdout: string; result: unknown}> {
  let stdout = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  })
  // oclif prints --json output with console.log.
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    stdout += `${args.join(' ')}\n`
  })
  const result = await Schema.run(argv, ROOT)
  return {stdout, result}
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('schemaPath / readSchema', () => {
  it.each(SCHEMA_NAMES)('finds the %s schema in the package root', async (name) => {
    expect(schemaPath(name)).toBe(path.join(ROOT, 'schemas', `${name}.schema.json`))
    expect(existsSync(schemaPath(name))).toBe(true)
    expect(await readSchema(name)).toMatchObject({$id: `https://joe.dev/schemas/${name}.schema.json`})
  })
})

describe('joe schema', () => {
  it('prints the journey schema by default, pretty with 2 spaces', async () => {
    const {stdout} = await run([])
    expect(stdout).toBe(`${JSON.stringify(await readSchema('journey'), null, 2)}\n`)
  })

  it('prints the named schema', async () => {
    const {stdout} = await run(['config'])
    expect(JSON.parse(stdout)).toEqual(await readSchema('config'))
  })

  it('returns the schema, named and versioned, with --json', async () => {
    const {stdout, result} = await run(['journey-test', '--json'])
    const expected = {format_version: 1, name: 'journey-test', schema: await readSchema('journey-test')}
    expect(result).toEqual(expected)
    expect(JSON.parse(stdout)).toEqual(expected)
    assertOutput('schema', expected)
  })

  it('rejects an unknown name as a usage error (exit 2)', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    await expect(run(['jouney'])).rejects.toMatchObject({oclif: {exit: 2}})
  })
})
