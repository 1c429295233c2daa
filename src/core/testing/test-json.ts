// The `--json` output of `joe test` (docs/cli-output.md; schemas/output/test.schema.json).
import {type DiagnosticJson, diagnosticJson} from '../validate-json.js'
import {
  type ExpectedOutcome,
  type JourneyCoverage,
  type Mismatch,
  type SendSummary,
  TEST_FORMAT_VERSION,
  type TestRunResult,
} from './test-types.js'

export interface SendJson {
  step_id: string
  channel: string
  template: string
  at: string
}

type Coverage = JourneyCoverage['steps']

export interface TestJson {
  format_version: typeof TEST_FORMAT_VERSION
  /** True when every case passed and every file could run. */
  ok: boolean
  passed: number
  failed: number
  files: Array<{
    file: string
    journey: string
    cases: Array<{
      name: string
      customer_id: string
      passed: boolean
      line: number
      /** `expected` is as the test file wrote it; `actual` is in this output's shape (sends as SendJson). */
      mismatches: Mismatch[]
      actual: {path: string[]; sends: SendJson[]; outcome: ExpectedOutcome}
    }>
  }>
  coverage: Array<{journey: string; steps: Coverage; branch_cases: Coverage; variants: Coverage}>
  diagnostics: DiagnosticJson[]
}

const sendJson = (s: SendSummary): SendJson => ({step_id: s.stepId, channel: s.channel, template: s.template, at: s.at})

export function toTestJson(result: TestRunResult): TestJson {
  return {
    format_version: TEST_FORMAT_VERSION,
    ok: result.failed === 0 && result.diagnostics.length === 0,
    passed: result.passed,
    failed: result.failed,
    files: result.files.map((f) => ({
      file: f.file,
      journey: f.journey,
      cases: f.cases.map((c) => ({
        name: c.name,
        customer_id: c.customerId,
        passed: c.passed,
        line: c.location.line,
        mismatches: c.mismatches.map((m) => (m.key === 'sends' ? {...m, actual: (m.actual as SendSummary[]).map(sendJson)} : m)),
        actual: {path: c.actual.path, sends: c.actual.sends.map(sendJson), outcome: c.actual.outcome},
      })),
    })),
    coverage: result.coverage.map((c) => ({journey: c.journey, steps: c.steps, branch_cases: c.branchCases, variants: c.variants})),
    diagnostics: result.diagnostics.map(diagnosticJson),
  }
}
