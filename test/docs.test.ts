import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {CODES} from '../src/core/codes.js'

describe('docs/journey-format.md', () => {
  const doc = readFileSync(new URL('../docs/journey-format.md', import.meta.url), 'utf8')

  it('documents every diagnostic code under its own anchor (SARIF helpUri points there)', () => {
    for (const code of Object.keys(CODES)) {
      expect(doc, code).toContain(`<a id="${code.toLowerCase()}"></a>\n### ${code}`)
    }
  })
})

describe('the code catalog', () => {
  it('lists every code the source uses', async () => {
    const {readdir, readFile} = await import('node:fs/promises')
    const used = new Set<string>()
    const walk = async (dir: URL): Promise<void> => {
      for (const entry of await readdir(dir, {withFileTypes: true})) {
        if (entry.isDirectory()) await walk(new URL(`${entry.name}/`, dir))
        else if (/\.tsx?$/.test(entry.name))
          for (const m of (await readFile(new URL(entry.name, dir), 'utf8')).matchAll(/'(JOE\d{4})'/g)) used.add(m[1] as string)
      }
    }
    await walk(new URL('../src/', import.meta.url))
    expect([...used].filter((code) => !(code in CODES)).sort()).toEqual([])
  })
})
