import type {Diagnostic} from './errors.js'

/** Format version of `joe validate --json`. Bump on breaking change. 2: absent `id`, `hint`, `end_line`, `end_column` are null. */
export const VALIDATE_FORMAT_VERSION = 2

export interface ValidatedFile {
  file: string
  kind: 'journey' | 'test' | 'config' | 'template'
  /** The journey or test's declared id, when it could be read. */
  id?: string
  errorCount: number
  warningCount: number
  /** Notes (severity `info`), which never fail a run. */
  infoCount: number
}

export interface ValidateResult {
  formatVersion: typeof VALIDATE_FORMAT_VERSION
  /** Files checked, in a stable (sorted) order; paths relative to cwd. */
  files: ValidatedFile[]
  /** Every problem, sorted by file, line, column, code. */
  diagnostics: Diagnostic[]
  errorCount: number
  warningCount: number
  infoCount: number
}
