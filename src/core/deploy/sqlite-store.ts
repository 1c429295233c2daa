import {mkdirSync} from 'node:fs'
import {dirname} from 'node:path'
import Database from 'better-sqlite3'
import {JoeError} from '../errors.js'
import {LockTimeoutError, type SqlConnection, type SqlExecutor, type SqlValue, toPositional} from './sql-connection.js'

/** Hook for tests: awaited before every statement inside a locked transaction (e.g. to pause mid-apply), with the lock's key. */
export type StatementHook = (lockKey: string) => Promise<void>

/**
 * A deploy store in a SQLite file (WAL mode). Deploys are serialised by `BEGIN IMMEDIATE`, which takes
 * the database's write lock; `busy_timeout` makes a second deploy wait for it up to the lock timeout.
 * The lock is per file, so environments sharing one file also share it.
 */
export function openSqliteConnection(path: string, options: {onStatement?: StatementHook} = {}): SqlConnection {
  let db: Database.Database
  try {
    mkdirSync(dirname(path), {recursive: true})
    db = new Database(path)
    db.pragma('journal_mode = WAL')
    // FULL: a deploy that reported success survives even an OS crash.
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
  } catch (cause) {
    throw new JoeError('JOE6003', `cannot open the deploy store sqlite:${path}: ${(cause as Error).message}`, {
      hint: 'check the `store` path of the environment in joe.config.yaml and that its folder is writable',
      cause,
    })
  }
  const run = <R extends object>(sql: string, params: readonly SqlValue[] = []): R[] => {
    const positional = toPositional(sql, params)
    const statement = db.prepare(positional.sql)
    if (statement.reader) return statement.all(...positional.params) as R[]
    statement.run(...positional.params)
    return []
  }
  const executor: SqlExecutor = {query: async (sql, params) => run(sql, params)}
  let inTransaction = false
  return {
    dialect: 'sqlite',
    query: executor.query,
    exec: async (script) => {
      db.exec(script)
    },
    async lockedTransaction<T>(key: string, timeoutMs: number, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (inTransaction) throw new Error('nested deploy transactions are not supported')
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(timeoutMs))}`)
      try {
        db.exec('BEGIN IMMEDIATE')
      } catch (error) {
        if ((error as {code?: string}).code === 'SQLITE_BUSY') throw new LockTimeoutError(key, timeoutMs, {cause: error})
        throw error
      }
      inTransaction = true
      const tx: SqlExecutor = options.onStatement
        ? {
            query: async (sql, params) => {
              await options.onStatement?.(key)
              return run(sql, params)
            },
          }
        : executor
      try {
        const result = await fn(tx)
        db.exec('COMMIT')
        return result
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw error
      } finally {
        inTransaction = false
      }
    },
    close: async () => {
      if (db.open) db.close()
    },
  }
}
