// The `--json` output of `joe validate`, and the diagnostic shape `joe test --json` shares with it
// (docs/cli-output.md; schemas/output/validate.schema.json).
import type {Diagnostic, Severity} from './errors.js'
import {VALIDATE_FORMAT_VERSION, type ValidateResult} from './validate-result.js'

/** A diagnostic as `--json` prints it: every field present, null when it has no value. */
export interface DiagnosticJson {
  code: string
  severity: Severity
  message: string
  /** Null when there is nothing useful to say about the fix. */
  hint: string | null
  file: string
  line: number
  column: number
  /** Null unless the problem spans a known range; end_column is exclusive. */
  end_line: number | null
  end_column: number | null
}

export function diagnosticJson(d: Diagnostic): DiagnosticJson {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    hint: d.hint ?? null,
    file: d.location.file,
    line: d.location.line,
    column: d.location.column,
    end_line: d.location.endLine ?? null,
    end_column: d.location.endColumn ?? null,
  }
}

/** `joe validate --json` (and `--format json`). Keys are snake_case; bump format_version on any breaking change. */
export interface ValidateJson {
  format_version: typeof VALIDATE_FORMAT_VERSION
  /** True when there are no errors (warnings allowed). */
  ok: boolean
  error_count: number
  warning_count: number
  /** Notes (severity `info`); they never make `ok` false. */
  info_count: number
  files: Array<{
    file: string
    kind: string
    /** Null when the file's id could not be read. */
    id: string | null
    error_count: number
    warning_count: number
    info_count: number
  }>
  diagnostics: DiagnosticJson[]
}

export function toValidateJson(result: ValidateResult): ValidateJson {
  return {
    format_version: VALIDATE_FORMAT_VERSION,
    ok: result.errorCount === 0,
    error_count: result.errorCount,
    warning_count: result.warningCount,
    info_count: result.infoCount,
    files: result.files.map((f) => ({
      file: f.file,
      kind: f.kind,
      id: f.id ?? null,
      error_count: f.errorCount,
      warning_count: f.warningCount,
      info_count: f.infoCount,
    })),
    diagnostics: result.diagnostics.map(diagnosticJson),
  }
}
