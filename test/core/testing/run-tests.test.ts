import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runJourneyTests} from '../../../src/core/testing/run-tests.js'
import {toTestJson} from '../../../src/core/testing/test-json.js'
import {renderTestJunit} from '../../../src/ui/test/test-formats.js'
import {renderTestText} from '../../../src/ui/test/test-text.js'
import {tempProject} from '../../helpers/temp-project.js'

const JOURNEY = `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
exit: [{ event: order_completed }]
steps:
  - { id: wait-1h, wait: 1h }
  - id: route
    branch:
      cases: [{ when: "profile.email_opt_in == true", next: email-1 }]
      else: sms-1
  - { id: email-1, send: { channel: email, template: cart-email }, next: end }
  - { id: sms-1, send: { channel: sms, template: cart-sms } }
`

const TESTS = `journey: cart
cases:
  - name: opted-in shopper gets the email
    profile: { email_opt_in: true }
    events:
      - { type: cart_updated, at: "2026-03-02T10:00:00Z" }
    until: "+2h"
    expect:
      path: [wait-1h, route, email-1]
      sends: [{ template: cart-email, at: "2026-03-02T11:00:00Z" }]
      outcome: completed
  - name: wrong expectations
    events:
      - { type: cart_updated, at: "2026-03-02T10:00:00Z" }
      - { type: order_completed, at: "+30m" }
    expect:
      path: [wait-1h, route]
      sends: [{ template: cart-sms }]
      outcome: converted
`

describe('runJourneyTests', () => {
  it('runs cases, reports expected against actual, and coverage', async () => {
    const cwd = await tempProject({'journeys/cart.journey.yaml': JOURNEY, 'journeys/cart.test.yaml': TESTS})
    const result = await runJourneyTests({paths: [], cwd})
    expect(result.diagnostics).toEqual([])
    expect(result.passed).toBe(1)
    expect(result.failed).toBe(1)
    const [ok, bad] = result.files[0]?.cases ?? []
    expect(ok).toMatchObject({passed: true, customerId: 'opted-in-shopper-gets-the-email'})
    expect(bad?.mismatches.map((m) => m.key)).toEqual(['path', 'sends', 'outcome'])
    expect(bad?.mismatches[0]?.message).toBe('step 2: expected "route", but the customer stopped after "wait-1h"')
    expect(bad?.mismatches[2]?.message).toBe('expected outcome converted, got exited')
    expect(result.coverage).toEqual([
      {
        journey: 'cart',
        steps: {total: 4, reached: 3, unreached: ['sms-1']},
        branchCases: {total: 2, reached: 1, unreached: ['route else']},
        variants: {total: 0, reached: 0, unreached: []},
      },
    ])
    const text = renderTestText(result, {color: false})
    expect(text).toContain('✖ wrong expectations')
    expect(text).toContain('expected: wait-1h → route')
    expect(text).toContain('cart: steps sms-1; branch cases route else')
    expect(text).toContain('✖ 1 of 2 cases failed')
    const junit = renderTestJunit(result)
    expect(junit).toContain('<testsuites name="joe test" tests="2" failures="1" errors="0">')
    expect(junit.match(/<testcase /g)).toHaveLength(2)
    expect(junit.match(/<failure /g)).toHaveLength(1)
    expect(toTestJson(result).ok).toBe(false)
  })

  it('refuses to run tests of a journey with errors, with a located message', async () => {
    const cwd = await tempProject({
      'journeys/cart.journey.yaml': JOURNEY.replace('next: end', 'next: nowhere'),
      'journeys/cart.test.yaml': TESTS,
    })
    const result = await runJourneyTests({paths: ['journeys/cart.test.yaml'], cwd})
    expect(result.diagnostics.map((d) => d.code)).toEqual(['JOE4001'])
    expect(result.diagnostics[0]?.location).toMatchObject({file: 'journeys/cart.test.yaml', line: 1})
  })

  it('every template passes its own tests', async () => {
    const templates = path.resolve(import.meta.dirname, '../../../templates')
    const files: Record<string, string> = {}
    for (const name of await readdir(templates)) files[`journeys/${name}`] = await readFile(path.join(templates, name), 'utf8')
    const cwd = await tempProject(files)
    const result = await runJourneyTests({paths: [], cwd})
    expect(result.diagnostics).toEqual([])
    const failures = result.files.flatMap((f) =>
      f.cases.filter((c) => !c.passed).map((c) => `${f.file}: ${c.name}: ${c.mismatches.map((m) => m.message).join('; ')}`),
    )
    expect(failures).toEqual([])
    expect(result.passed).toBeGreaterThanOrEqual(10)
  })
})
