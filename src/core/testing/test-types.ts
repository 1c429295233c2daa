/** Format version of `joe test --json`. Bump on breaking change. 2: snake_case `step_id`, `branch_cases`, `end_line`; null `hint`. */
export const TEST_FORMAT_VERSION = 2

export type ExpectedOutcome = 'not_entered' | 'held_out' | 'completed' | 'exited' | 'converted' | 'in_flight'

export interface SendSummary {
  stepId: string
  channel: string
  template: string
  /** ISO 8601. */
  at: string
}

/** One expectation that did not hold. */
export interface Mismatch {
  /** Which `expect` key: path, sends or outcome. */
  key: 'path' | 'sends' | 'outcome'
  expected: unknown
  actual: unknown
  /** Human explanation, e.g. "step 3: expected email-1, got sms-1". */
  message: string
}

export interface CaseResult {
  name: string
  customerId: string
  passed: boolean
  mismatches: Mismatch[]
  actual: {path: string[]; sends: SendSummary[]; outcome: ExpectedOutcome}
  /** File position of the case, for annotations. */
  location: {file: string; line: number; column: number}
}

export interface TestFileResult {
  file: string
  journey: string
  cases: CaseResult[]
}

export interface JourneyCoverage {
  journey: string
  steps: {total: number; reached: number; unreached: string[]}
  /** "step-id case 1", "step-id else" */
  branchCases: {total: number; reached: number; unreached: string[]}
  /** "step-id/variant" */
  variants: {total: number; reached: number; unreached: string[]}
}

export interface TestRunResult {
  formatVersion: typeof TEST_FORMAT_VERSION
  files: TestFileResult[]
  coverage: JourneyCoverage[]
  passed: number
  failed: number
  /** Validation problems that stopped test files from running (also a failure). */
  diagnostics: import('../errors.js').Diagnostic[]
}
