import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {HistoryResult, StatusResult} from '../../src/core/deploy/operations.js'
import type {DiffResult} from '../../src/core/diff/run-diff.js'
import type {SimulateResult} from '../../src/core/simulate/simulate.js'
import type {TestRunResult} from '../../src/core/testing/test-types.js'
import type {ValidateResult} from '../../src/core/validate-result.js'
import {renderHistory, renderStatus} from '../../src/ui/deploy/deploy-text.js'
import {renderDiffText} from '../../src/ui/diff/diff-text.js'
import {renderStoreStats, renderTimeline} from '../../src/ui/events/events-text.js'
import {isUnsafeCodePoint, safeOutput, safeText} from '../../src/ui/safe-text.js'
import {renderSimulateText} from '../../src/ui/simulate/simulate-text.js'
import {renderTestGithub, renderTestJunit} from '../../src/ui/test/test-formats.js'
import {renderTestText} from '../../src/ui/test/test-text.js'
import {renderValidateGithub} from '../../src/ui/validate/github.js'
import {renderValidateText} from '../../src/ui/validate/text.js'

const EVIL = 'a\u001b[2J\u001b]0;t\u0007\u009b31m\u202e\r\nb'
const ESCAPED = 'a\\x1b[2J\\x1b]0;t\\x07\\x9b31m\\u202e\\r\\nb'
/** Anything unsafe except the line breaks of a layout. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

describe('safeText', () => {
  it('shows every unsafe character as a visible escape and leaves other text alone', () => {
    expect(safeText(EVIL)).toBe(ESCAPED)
    expect(safeText('plain → text, ünïcode 日本 🎉')).toBe('plain → text, ünïcode 日本 🎉')
    expect(safeText('tab\there')).toBe('tab\\there')
  })

  it('never lets an unsafe character through (property, seed fixed by the suite)', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary', maxLength: 40}), (text) => {
        const out = safeText(text)
        expect(
          [...out].some((char) => isUnsafeCodePoint(char.codePointAt(0) ?? 0)),
          JSON.stringify(out),
        ).toBe(false)
      }),
    )
  })

  it('safeOutput keeps line breaks and colour, and escapes the rest', () => {
    const coloured = '\u001b[31mred\u001b[39m\nnext'
    expect(safeOutput(coloured)).toBe(coloured)
    expect(safeOutput(`x${EVIL}`)).toBe('x' + 'a\\x1b[2J\\x1b]0;t\\x07\\x9b31m\\u202e\\r\nb')
    expect(safeOutput('\u001b[31mred', {color: false})).toBe('\\x1b[31mred')
  })
})

describe('every renderer escapes the data it prints', () => {
  it('events show and events stats', () => {
    const timeline = renderTimeline({
      format_version: 1,
      store: 's',
      customer_id: EVIL,
      as_of: null,
      profile: {name: EVIL},
      events: [{seq: 1, type: EVIL, timestamp: '2026-03-01T00:00:00.000Z', properties: {x: EVIL}}],
    })
    expect(timeline).toContain(ESCAPED)
    expect(timeline).not.toMatch(RAW)
    const stats = renderStoreStats({
      format_version: 1,
      store: `/tmp/${EVIL}`,
      events: 1,
      customers: 1,
      types: {[EVIL]: 1},
      from: null,
      until: null,
      imports: 1,
    })
    expect(stats).toContain(ESCAPED)
    expect(stats).not.toMatch(RAW)
  })

  it('simulate: the report, the trace, expression errors, policy breaches', () => {
    const report = {
      format_version: 2,
      journey: 'j',
      window: {from: 'x', until: 'y'},
      customers: {evaluated: 1, entered: 1, held_out: 0, completed: 0, exited: 0, converted: 0, in_flight: 1},
      entries: 1,
      steps: {s: {entered: 1}},
      messages: {
        total: 1,
        by_channel: {[EVIL]: 1},
        by_template: {[EVIL]: 1},
        suppressed: {frequency_cap: 0, consent: 0},
        deferred: {quiet_hours: 0},
      },
      branches: {},
      variants: {},
      in_flight_at: {},
      expression_errors: {[EVIL]: {count: 1, customers: 1, sample: EVIL}},
      coverage: {unreached_steps: [], unreached_cases: [], unreached_variants: []},
    }
    const result = {
      reports: [report],
      customer: {
        id: EVIL,
        results: {
          j: {
            customerId: EVIL,
            entries: [],
            trace: [{at: 0, kind: 'enter', detail: EVIL}],
            exprErrors: [{at: 0, where: EVIL, message: EVIL}],
            profile: {},
            eventsInWindow: 1,
          },
        },
      },
      load: {distribution: {'1': 1}, max: 1, busiest: [EVIL]},
      policy: {
        policy: 'max_messages_per_customer',
        limit: 1,
        per: '1d',
        ok: false,
        breaches: [{customerId: EVIL, messages: 2, from: 'x', until: 'y'}],
      },
    } as unknown as SimulateResult
    const text = renderSimulateText(result, {color: false})
    expect(text).toContain(ESCAPED)
    expect(text).not.toMatch(RAW)
  })

  it('history and status: actor, email, message, store', () => {
    const entry = {
      id: 1,
      deployment: 1,
      kind: 'deploy',
      journey: 'cart',
      action: 'create',
      from: null,
      to: 'a'.repeat(64),
      actor: EVIL,
      actor_email: EVIL,
      at: '2026-03-01T00:00:00.000Z',
      git_commit: null,
      message: EVIL,
      details: {},
      prev_hash: null,
      hash: 'b'.repeat(64),
    } as const
    const history = renderHistory(
      {format_version: 1, env: 'dev', store: EVIL, journey: null, entries: [entry]} as unknown as HistoryResult,
      {color: false},
    )
    expect(history).toContain(ESCAPED)
    expect(history).not.toMatch(RAW)
    const status = renderStatus(
      {
        env: 'dev',
        store: EVIL,
        head: null,
        journeys: [{journey: 'cart', revision: 'a'.repeat(64), paused: false, since: 'x', by: EVIL, kind: 'deploy', ledger_id: 1}],
      } as unknown as StatusResult,
      {color: false},
    )
    expect(status).toContain(ESCAPED)
    expect(status).not.toMatch(RAW)
  })

  it('validate: text and GitHub annotations', () => {
    const result = {
      files: [EVIL],
      errorCount: 1,
      warningCount: 0,
      diagnostics: [{code: 'JOE2003', severity: 'error', message: EVIL, hint: EVIL, location: {file: EVIL, line: 1, column: 1}}],
    } as unknown as ValidateResult
    const text = renderValidateText(result, {color: false, readSource: () => `x: "${EVIL}"\n`})
    expect(text).toContain(ESCAPED)
    expect(text).not.toMatch(RAW)
    expect(renderValidateGithub(result)).not.toMatch(RAW)
  })

  it('test: text, GitHub annotations and JUnit XML', () => {
    const result = {
      formatVersion: 1,
      passed: 0,
      failed: 1,
      diagnostics: [{code: 'JOE2090', severity: 'error', message: EVIL, hint: EVIL, location: {file: EVIL, line: 1, column: 1}}],
      files: [
        {
          file: EVIL,
          journey: EVIL,
          cases: [
            {
              name: EVIL,
              customerId: 'c',
              passed: false,
              location: {file: EVIL, line: 1, column: 1},
              mismatches: [{key: 'path', message: EVIL, expected: [EVIL], actual: [EVIL]}],
              actual: {path: [], sends: [], outcome: 'completed'},
            },
          ],
        },
      ],
      coverage: [],
    } as unknown as TestRunResult
    const text = renderTestText(result, {color: false})
    expect(text).toContain(ESCAPED)
    expect(text).not.toMatch(RAW)
    expect(renderTestGithub(result)).not.toMatch(RAW)
    expect(renderTestJunit(result)).not.toMatch(RAW)
  })

  it('diff: paths, values and notes', () => {
    const counts = {'breaking-in-flight': 0, behaviour: 1, cosmetic: 0}
    const result = {
      changed: true,
      counts,
      journeys: [
        {
          id: 'j',
          status: 'changed',
          old_path: EVIL,
          new_path: EVIL,
          counts,
          operations: [{op: 'step.changed', class: 'behaviour', step: 's', field: 'send.template', from: EVIL, to: 'x', note: EVIL}],
        },
      ],
    } as unknown as DiffResult
    const text = renderDiffText(result, {color: false})
    expect(text).toContain('\\x1b[2J')
    expect(text).not.toMatch(RAW)
  })
})
