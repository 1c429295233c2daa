import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {streamOutput} from '../../src/cli/output-file.js'
import {tempProject} from '../helpers/temp-project.js'

describe('streamOutput', () => {
  it('writes a file whole, under its name only once complete', async () => {
    const dir = await tempProject({})
    const file = path.join(dir, 'out.ndjson')
    const result = await streamOutput('--out', file, async (write) => {
      await write('a\n')
      expect(existsSync(file)).toBe(false)
      await write('b\n')
      return 2
    })
    expect(result).toBe(2)
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n')
    expect(readdirSync(dir)).toEqual(['out.ndjson'])
  })

  it('leaves nothing behind when the producer fails, and refuses a folder or a missing folder as JOE1036', async () => {
    const dir = await tempProject({})
    const file = path.join(dir, 'out.ndjson')
    const failing = streamOutput('--out', file, async (write) => {
      await write('a\n')
      throw new Error('store went away')
    })
    await expect(failing).rejects.toThrow('store went away')
    expect(readdirSync(dir)).toEqual([])
    await expect(streamOutput('--out', dir, async () => 0)).rejects.toMatchObject({code: 'JOE1036', exitCode: 2})
    await expect(streamOutput('--out', path.join(dir, 'no/such.ndjson'), async () => 0)).rejects.toMatchObject({code: 'JOE1036'})
  })
})
