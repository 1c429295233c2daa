import type {Severity} from '../../core/errors.js'
import {VALIDATE_FORMAT_VERSION, type ValidateResult} from '../../core/validate-result.js'

/**
 * The stable, versioned envelope printed by `joe validate --json` / `--format json`.
 * Keys are snake_case; bump format_version on any breaking change.
 */
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
    /** Present when the file's id could be read. */
    id?: string
    error_count: number
    warning_count: number
    info_count: number
  }>
  diagnostics: Array<{
    code: string
    severity: Severity
    message: string
    /** Present when there is something useful to say about the fix. */
    hint?: string
    file: string
    line: number
    column: number
    /** Present when the problem spans a known range; end_column is exclusive. */
    end_line?: number
    end_column?: number
  }>
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
      ...(f.id === undefined ? {} : {id: f.id}),
      error_count: f.errorCount,
      warning_count: f.warningCount,
      info_count: f.infoCount,
    })),
    diagnostics: result.diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      ...(d.hint === undefined ? {} : {hint: d.hint}),
      file: d.location.file,
      line: d.location.line,
      column: d.location.column,
      ...(d.location.endLine === undefined ? {} : {end_line: d.location.endLine}),
      ...(d.location.endColumn === undefined ? {} : {end_column: d.location.endColumn}),
    })),
  }
}
