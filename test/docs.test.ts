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
