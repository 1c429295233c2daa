/** Where a problem is, 1-based like editors show it. */
export interface SourceLocation {
  file: string
  line: number
  column: number
  /** Present when the problem spans a known range. */
  endLine?: number
  endColumn?: number
}

/** `info` notes something worth knowing that is not a problem (an SMS that takes several segments); it never fails a run. */
export type Severity = 'error' | 'warning' | 'info'

/** One problem found in a user's file; never thrown, always collected. */
export interface Diagnostic {
  code: string
  severity: Severity
  message: string
  /** How to fix it; present when there is something useful to say. */
  hint?: string
  location: SourceLocation
}

export interface JoeErrorOptions {
  hint?: string
  where?: SourceLocation
  /** Exit code the CLI uses for this error: 1 bad input (default), 2 usage. */
  exitCode?: 1 | 2
  cause?: unknown
}

/**
 * The only error type shown to users as a friendly message. Anything else that
 * escapes is a bug and keeps its stack trace (behind --debug).
 */
export class JoeError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly where: SourceLocation | undefined
  readonly exitCode: 1 | 2

  constructor(code: string, message: string, options: JoeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'JoeError'
    this.code = code
    this.hint = options.hint
    this.where = options.where
    this.exitCode = options.exitCode ?? 1
  }
}

export function isJoeError(value: unknown): value is JoeError {
  return value instanceof JoeError
}
