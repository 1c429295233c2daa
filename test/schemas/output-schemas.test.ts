import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {assertOutput, outputSchemaNames} from '../helpers/output-schemas.js'

// Real outputs are validated against these schemas where the commands run: test/e2e/deploy-cli.test.ts,
// test/e2e/deploy-integrity.test.ts and test/e2e/command-outputs.test.ts pass every --json output
// through assertOutput, as test/e2e/simulate-cli.test.ts (simulate) and test/e2e/diff-cli.test.ts
// (diff, graph) do.
describe('schemas/output', () => {
  it('has a schema for every command that follows the convention and for errors, all compiling in strict mode', () => {
    expect(outputSchemaNames()).toEqual(
      expect.arrayContaining([
        ...['deploy', 'diff', 'error', 'graph', 'history', 'pause', 'plan', 'promote', 'resume', 'rollback', 'status', 'verify'],
        ...['clock', 'events-export', 'events-generate', 'events-import', 'events-send', 'events-show', 'events-stats', 'init'],
        ...['inspect', 'new-journey', 'outbox', 'outbox-retry', 'preview', 'schema', 'serve', 'simulate', 'test', 'validate'],
      ]),
    )
    for (const name of outputSchemaNames().filter((n) => !n.endsWith('-defs')))
      expect(() => assertOutput(name, {}), name).toThrow(/does not match/)
  })

  it('holds outputs to the convention: format_version, snake_case keys, ISO 8601 UTC times', () => {
    const ok = {
      format_version: 1,
      env: 'dev',
      store: 'sqlite:x',
      ok: true,
      head: null,
      checked: {entries: 0, revisions: 0, active: 0},
      problems: [],
    }
    expect(() => assertOutput('verify', ok)).not.toThrow()
    expect(() => assertOutput('verify', {...ok, format_version: 2})).toThrow()
    expect(() => assertOutput('verify', {...ok, headId: 1})).toThrow()
    const status = {format_version: 1, env: 'dev', store: 's', head: null, journeys: []}
    const journey = {
      journey: 'a',
      revision: 'a'.repeat(64),
      paused: false,
      by: 'x',
      email: null,
      ledger_id: 1,
      kind: 'deploy',
      message: null,
    }
    expect(() => assertOutput('status', {...status, journeys: [{...journey, since: '2026-03-10T09:00:00.000Z'}]})).not.toThrow()
    expect(() => assertOutput('status', {...status, journeys: [{...journey, since: 1773133200000}]})).toThrow()
    expect(() => assertOutput('status', {...status, journeys: [{...journey, since: '2026-03-10T10:00:00+01:00'}]})).toThrow()
  })

  it('holds simulate to one shape: the envelope always, the report keys at the top only with one journey', () => {
    const report = {
      format_version: 2,
      journey: 'a',
      window: {from: '2026-03-01T00:00:00.000Z', until: '2026-03-02T00:00:00.000Z'},
      customers: {evaluated: 1, entered: 1, held_out: 0, completed: 1, exited: 0, converted: 0, in_flight: 0},
      entries: 1,
      steps: {s: {entered: 1}},
      messages: {total: 0, by_channel: {}, by_template: {}, suppressed: {frequency_cap: 0, consent: 0}, deferred: {quiet_hours: 0}},
      branches: {},
      variants: {},
      in_flight_at: {},
      expression_errors: {},
      coverage: {unreached_steps: [], unreached_cases: [], unreached_variants: []},
    }
    const {format_version: _report, ...top} = report
    const one = {format_version: 3, ...top, journeys: [report], load: null, policy: null, customer: null, warnings: []}
    expect(() => assertOutput('simulate', one)).not.toThrow()
    const two = {
      format_version: 3,
      journeys: [report, {...report, journey: 'b'}],
      load: {distribution: {}, max: 0, busiest: []},
      policy: null,
      customer: null,
      warnings: [],
    }
    expect(() => assertOutput('simulate', two)).not.toThrow()
    expect(() => assertOutput('simulate', {...two, ...top})).toThrow()
    expect(() =>
      assertOutput('simulate', {format_version: 3, journeys: [report], load: null, policy: null, customer: null, warnings: []}),
    ).toThrow()
    const {customer: _customer, ...withoutCustomer} = one
    expect(() => assertOutput('simulate', withoutCustomer)).toThrow()
  })

  it('lists every schema in the format version table of docs/cli-output.md, with the version the schema holds', () => {
    const root = path.resolve(import.meta.dirname, '../..')
    const docs = readFileSync(path.join(root, 'docs/cli-output.md'), 'utf8')
    const table = new Map([...docs.matchAll(/^\| [^|]+ \| `([a-z-]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]))
    const read = (file: string) => JSON.parse(readFileSync(path.join(root, 'schemas/output', file), 'utf8'))
    // The const of the first format_version property, following $refs into the -defs files.
    const versionOf = (node: unknown): number | undefined => {
      if (typeof node !== 'object' || node === null) return undefined
      const record = node as Record<string, unknown>
      const own = (record.properties as {format_version?: {const?: number}} | undefined)?.format_version?.const
      if (own !== undefined) return own
      const ref = typeof record.$ref === 'string' ? /^([a-z-]+\.schema\.json)#\/\$defs\/(\w+)$/.exec(record.$ref) : null
      if (ref) return versionOf(read(ref[1] as string).$defs[ref[2] as string])
      for (const value of Object.values(record)) {
        const found = versionOf(value)
        if (found !== undefined) return found
      }
      return undefined
    }
    for (const name of outputSchemaNames().filter((n) => !n.endsWith('-defs'))) {
      expect(table.get(name), name).toBe(versionOf(read(`${name}.schema.json`)))
    }
  })
})
