import {chmod, mkdir} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {validateProjectDetailed} from '../../../src/core/validate.js'
import {tempProject} from '../../helpers/temp-project.js'

async function validateOne(content: string | Buffer, name = 'journeys/j.journey.yaml') {
  const cwd = await tempProject({[name]: content})
  return (await validateProjectDetailed({paths: [], cwd})).result
}

const codes = (result: Awaited<ReturnType<typeof validateProjectDetailed>>['result']) => result.diagnostics.map((d) => d.code)

describe('bad input never throws and is always located', () => {
  it('empty file', async () => {
    const result = await validateOne('')
    expect(codes(result)).toEqual(['JOE1005'])
    expect(result.diagnostics[0]?.location).toMatchObject({file: 'journeys/j.journey.yaml', line: 1, column: 1})
  })

  it('a file of only comments is empty too', async () => {
    expect(codes(await validateOne('# nothing here\n'))).toEqual(['JOE1005'])
  })

  it('non-YAML text', async () => {
    const result = await validateOne('version: 1\nid: [unclosed\n  name: "x\n')
    expect(result.errorCount).toBeGreaterThan(0)
    expect(codes(result).every((c) => c === 'JOE1001')).toBe(true)
  })

  it('a scalar or a list is not a journey', async () => {
    expect(codes(await validateOne('just words\n'))).toEqual(['JOE1008'])
    expect(codes(await validateOne('- a\n- b\n'))).toEqual(['JOE1008'])
  })

  it('billion laughs is refused quickly', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i)
      const next = String.fromCharCode(97 + i)
      lines.push(`${next}: &${next} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`)
    }
    expect(codes(await validateOne(`${lines.join('\n')}\n`))).toEqual(['JOE1004'])
  })

  it('tabs used for indentation', async () => {
    const result = await validateOne('version: 1\nentry:\n\tevent: x\n')
    expect(codes(result)).toContain('JOE1003')
    expect(result.diagnostics[0]?.location.line).toBe(3)
  })

  it('duplicate keys', async () => {
    const result = await validateOne('version: 1\nid: a\nid: b\n')
    expect(codes(result)).toEqual(['JOE1002'])
    expect(result.diagnostics[0]?.location.line).toBe(3)
  })

  it('a huge file is refused before parsing', async () => {
    expect(codes(await validateOne(`x: "${'a'.repeat(1024 * 1024 + 10)}"\n`))).toEqual(['JOE1007'])
  })

  it('binary garbage', async () => {
    expect(codes(await validateOne(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff])))).toEqual(['JOE1006'])
  })

  it('an unreadable file', async () => {
    if (process.getuid?.() === 0) return // root reads everything; nothing to test
    const cwd = await tempProject({'journeys/j.journey.yaml': 'version: 1\n'})
    await chmod(path.join(cwd, 'journeys/j.journey.yaml'), 0o000)
    expect(codes((await validateProjectDetailed({paths: [], cwd})).result)).toEqual(['JOE1006'])
  })

  it('a folder with no journeys', async () => {
    const cwd = await tempProject({'readme.txt': 'hi'})
    await mkdir(path.join(cwd, 'journeys'))
    const result = (await validateProjectDetailed({paths: [], cwd})).result
    expect(codes(result)).toEqual(['JOE1030'])
  })

  it('a path that does not exist', async () => {
    const cwd = await tempProject({'readme.txt': 'hi'})
    expect(codes((await validateProjectDetailed({paths: ['nope/'], cwd})).result)).toEqual(['JOE1031'])
  })

  it('a config that does not parse', async () => {
    const cwd = await tempProject({'joe.config.yaml': 'journeys: [unclosed\n', 'journeys/a.journey.yaml': 'x: 1\n'})
    const result = (await validateProjectDetailed({paths: [], cwd})).result
    expect(result.diagnostics.some((d) => d.location.file === 'joe.config.yaml' && d.code === 'JOE1001')).toBe(true)
  })

  it('a config with an unknown key', async () => {
    const cwd = await tempProject({'joe.config.yaml': 'journey: journeys\n', 'journeys/a.journey.yaml': 'x: 1\n'})
    const result = (await validateProjectDetailed({paths: [], cwd})).result
    expect(result.diagnostics.find((d) => d.location.file === 'joe.config.yaml')).toMatchObject({
      code: 'JOE1010',
      location: {line: 1, column: 1},
    })
  })

  it('more than one document', async () => {
    expect(codes(await validateOne('version: 1\n---\nversion: 1\n'))).toContain('JOE1009')
  })
})
