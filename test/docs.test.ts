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

  it('keeps retired codes (never reused) but emits none of them, and documents them as no longer emitted', async () => {
    const {readdir, readFile} = await import('node:fs/promises')
    const retired = Object.entries(CODES as Record<string, {replacedBy?: string}>).filter(([, info]) => info.replacedBy !== undefined)
    expect(retired.map(([code]) => code).sort()).toEqual(['JOE4006', 'JOE5006'])
    const doc = readFileSync(new URL('../docs/journey-format.md', import.meta.url), 'utf8')
    for (const [code] of retired) expect(doc.split(`### ${code}`)[1]?.split('###')[0], code).toContain('No longer emitted')
    const files = (await readdir(new URL('../src/', import.meta.url), {recursive: true})).filter(
      (f) => /\.tsx?$/.test(f) && !f.endsWith('codes.ts'),
    )
    for (const file of files) {
      const text = await readFile(new URL(`../src/${file}`, import.meta.url), 'utf8')
      for (const [code] of retired) expect(text.includes(`'${code}'`), `${file} emits ${code}`).toBe(false)
    }
  })
})
