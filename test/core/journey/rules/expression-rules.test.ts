import {describe, expect, it} from 'vitest'
import {runJourneyTests} from '../../../../src/core/testing/run-tests.js'
import {validateProjectDetailed} from '../../../../src/core/validate.js'
import {tempProject} from '../../../helpers/temp-project.js'

/** Eight `.all()` nested over a ten-element list: 10^8 evaluations of the innermost body. */
function eightNestedAll(): string {
  let body = 'x7 > 0'
  for (let i = 7; i >= 0; i--) body = `[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(x${i}, ${body})`
  return body
}

function journey(when: string): string {
  return `version: 1
id: costly
name: Costly
entry:
  event: cart_updated
  when: ${JSON.stringify(when)}
steps:
  - { id: email-1, send: { channel: email, template: cart-email } }
`
}

const TESTS = `journey: costly
cases:
  - name: enters
    events:
      - { type: cart_updated, at: "2026-03-02T10:00:00Z" }
    expect:
      path: [email-1]
`

async function validateOne(when: string) {
  const cwd = await tempProject({'journeys/costly.journey.yaml': journey(when)})
  return (await validateProjectDetailed({paths: [], cwd})).result
}

describe('expression limits in validation', () => {
  it('refuses eight nested .all() over a ten-element list (JOE2013), at the outermost macro', async () => {
    const when = eightNestedAll()
    const result = await validateOne(when)
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: 'JOE2013',
        severity: 'error',
        message: 'this expression may iterate 111,111,110 times in the worst case; the limit is 100,000',
        hint: expect.stringContaining('Nest fewer macros'),
        // Line 6 is `  when: "..."`; the column is that of the first `all` inside the quoted string.
        location: expect.objectContaining({file: 'journeys/costly.journey.yaml', line: 6, column: 10 + when.indexOf('all(')}),
      }),
    ])
  })

  it('joe test refuses to run the tests of that journey instead of running for minutes', async () => {
    const cwd = await tempProject({'journeys/costly.journey.yaml': journey(eightNestedAll()), 'journeys/costly.test.yaml': TESTS})
    const result = await runJourneyTests({paths: [], cwd})
    expect(result.files).toEqual([])
    expect(result.diagnostics).toEqual([
      expect.objectContaining({code: 'JOE4001', message: 'journey "costly" has errors, so its tests cannot run'}),
    ])
  })

  it.each([
    ['5,000 nested parentheses', `${'('.repeat(5000)}event.type == "a"${')'.repeat(5000)}`, 100],
    ['5,000 negations', `${'!'.repeat(5000)}true`, 100],
  ])('reports %s as JOE2014 at the point it gets too deep, not as a crash', async (_name, when, offset) => {
    const result = await validateOne(when)
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: 'JOE2014',
        message: 'the expression nests more than 100 levels deep',
        location: expect.objectContaining({file: 'journeys/costly.journey.yaml', line: 6, column: 10 + offset}),
      }),
    ])
  })
})
