import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {validateProject} from '../../src/core/validate.js'

const fixtures = path.resolve(import.meta.dirname, '../fixtures/validate')

describe('validateProject', () => {
  it('reports ten different mistakes in one journey as ten located diagnostics', async () => {
    const result = await validateProject({paths: ['ten-mistakes'], cwd: fixtures})
    expect(result.errorCount).toBe(10)
    expect(result.diagnostics.map((d) => `${d.location.line}:${d.location.column} ${d.code}`)).toEqual([
      '4:1 JOE1010',
      '7:38 JOE2010',
      '9:12 JOE2040',
      '12:11 JOE2060',
      '16:18 JOE2011',
      '20:22 JOE1013',
      '21:11 JOE2003',
      '22:9 JOE2001',
      '24:5 JOE1015',
      '28:5 JOE2006',
    ])
    for (const d of result.diagnostics) expect(d.location.file).toBe('ten-mistakes/journeys/broken.journey.yaml')
    expect(result.diagnostics.find((d) => d.code === 'JOE1010')?.hint).toContain('did you mean "description"?')
    expect(result.diagnostics.find((d) => d.code === 'JOE1013')?.hint).toContain('did you mean "email"?')
    expect(result.diagnostics.find((d) => d.code === 'JOE2011')?.message).toContain('did you mean `profile`?')
  })

  it('accepts a clean journey and its test file', async () => {
    const result = await validateProject({paths: ['clean'], cwd: fixtures})
    expect(result.diagnostics).toEqual([])
    expect(result.files.map((f) => [f.file, f.kind, f.id])).toEqual([
      ['clean/journeys/cart.journey.yaml', 'journey', 'cart'],
      ['clean/journeys/cart.test.yaml', 'test', 'cart'],
    ])
  })

  it('reports a missing path and a folder without journeys', async () => {
    const result = await validateProject({paths: ['does-not-exist', 'ten-mistakes/..//clean/..'], cwd: fixtures})
    expect(result.diagnostics.map((d) => d.code)).toContain('JOE1031')
  })
})
