/** A value bound to a `$n` parameter. Times are epoch milliseconds, flags 0/1. */
export type SqlValue = string | number | null

/** Runs one statement; SQL is written once, for PostgreSQL, with `$1`-style parameters. */
export interface SqlExecutor {
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<R[]>
}

/** One connection to a deploy store, whatever the database. */
export interface SqlConnection extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres'
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>
  /**
   * Runs `fn` in one transaction that holds the exclusive lock named `key` (a deploy lock per
   * environment), waiting at most `timeoutMs` for it. Commits when `fn` resolves, rolls back when
   * it throws. Lock waits that time out throw a {@link LockTimeoutError}.
   */
  lockedTransaction<T>(key: string, timeoutMs: number, fn: (tx: SqlExecutor) => Promise<T>): Promise<T>
  /**
   * Runs `fn` in one transaction without a named lock (the runtime's batches). Commits when `fn`
   * resolves, rolls back when it throws. On SQLite every use of the connection is serialised, so
   * nothing else runs inside another's transaction; on PostgreSQL a pooled connection runs
   * transactions side by side.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Thrown by {@link SqlConnection.lockedTransaction} when another transaction holds the lock too long. */
export class LockTimeoutError extends Error {
  constructor(
    readonly key: string,
    readonly timeoutMs: number,
    options?: {cause?: unknown},
  ) {
    super(`timed out after ${timeoutMs} ms waiting for the lock "${key}"`, options)
    this.name = 'LockTimeoutError'
  }
}

/**
 * `$1`-style SQL for drivers that only know positional `?`: each `$n` becomes `?` and the
 * parameters are reordered (and repeated) to match. `$` inside string literals is left alone.
 */
export function toPositional(sql: string, params: readonly SqlValue[]): {sql: string; params: SqlValue[]} {
  const ordered: SqlValue[] = []
  let out = ''
  let inString = false
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string
    if (ch === "'") inString = !inString
    if (!inString && ch === '$') {
      const match = /^\$(\d+)/.exec(sql.slice(i))
      if (match) {
        const index = Number(match[1]) - 1
        if (index < 0 || index >= params.length) throw new Error(`SQL parameter $${match[1]} has no value`)
        ordered.push(params[index] as SqlValue)
        out += '?'
        i += (match[0] as string).length - 1
        continue
      }
    }
    out += ch
  }
  return {sql: out, params: ordered}
}
