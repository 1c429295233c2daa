import {mkdirSync} from 'node:fs'
import {dirname} from 'node:path'
import Database from 'better-sqlite3'
import {JoeError} from '../errors.js'
import {maskUrl} from '../secrets.js'
import {LockTimeoutError, type SqlConnection, type SqlExecutor, type SqlValue, toPositional} from './sql-connection.js'

/** Hook for tests: awaited before every statement inside a locked transaction (e.g. to pause mid-apply), with the lock's key. */
export type StatementHook = (lockKey: string) => Promise<void>

/** Prepared statements kept per connection: the runtime runs the same few statements very often. */
const STATEMENT_CACHE_LIMIT = 500

/**
 * A store in a SQLite file (WAL mode): the deploy store, and the runtime of `joe serve`. Deploys are
 * serialised by `BEGIN IMMEDIATE`, which takes the database's write lock; `busy_timeout` makes a
 * second deploy wait for it up to the lock timeout. The lock is per file, so environments sharing
 * one file also share it. Within one process every use of the connection is queued: a transaction
 * awaits its statements, and nothing else may slip in between them.
 */
export function openSqliteConnection(
  path: string,
  options: {
    onStatement?: StatementHook
    /**
     * FULL (default): a commit survives even an OS crash (deploys). NORMAL: it survives a crash of
     * the process, not of the machine, for a fraction of the syncing (the runtime of `joe serve`).
     */
    synchronous?: 'FULL' | 'NORMAL'
  } = {},
): SqlConnection {
  let db: Database.Database
  try {
    mkdirSync(dirname(path), {recursive: true})
    db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`)
    db.pragma('foreign_keys = ON')
  } catch (cause) {
    throw new JoeError('JOE6003', `cannot open the store ${maskUrl(`sqlite:${path}`)}: ${(cause as Error).message}`, {
      hint: 'check the `store` path of the environment in joe.config.yaml and that its folder is writable',
      cause,
    })
  }
  const statements = new Map<string, {statement: Database.Statement; order: (params: readonly SqlValue[]) => SqlValue[]}>()
  const prepare = (sql: string) => {
    let cached = statements.get(sql)
    if (cached === undefined) {
      // Parameters are reordered per call; the statement text is the same for every call.
      const {sql: positional} = toPositional(sql, sqlPlaceholders(sql))
      const statement = db.prepare(positional)
      const order = (params: readonly SqlValue[]) => toPositional(sql, params).params
      cached = {statement, order}
      if (statements.size >= STATEMENT_CACHE_LIMIT) statements.clear()
      statements.set(sql, cached)
    }
    return cached
  }
  const run = <R extends object>(sql: string, params: readonly SqlValue[] = []): R[] => {
    const {statement, order} = prepare(sql)
    const ordered = order(params)
    if (statement.reader) return statement.all(...ordered) as R[]
    statement.run(...ordered)
    return []
  }
  const executor: SqlExecutor = {query: async (sql, params) => run(sql, params)}
  let queue: Promise<unknown> = Promise.resolve()
  const serialised = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task, task)
    queue = result.catch(() => undefined)
    return result
  }
  const inTransaction = async <T>(begin: () => void, tx: SqlExecutor, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => {
    begin()
    try {
      const result = await fn(tx)
      db.exec('COMMIT')
      return result
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw error
    }
  }
  return {
    dialect: 'sqlite',
    query: (sql, params) => serialised(async () => run(sql, params)),
    exec: (script) =>
      serialised(async () => {
        db.exec(script)
      }),
    lockedTransaction<T>(key: string, timeoutMs: number, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const tx: SqlExecutor = options.onStatement
        ? {
            query: async (sql, params) => {
              await options.onStatement?.(key)
              return run(sql, params)
            },
          }
        : executor
      return serialised(() =>
        inTransaction(
          () => {
            db.pragma(`busy_timeout = ${Math.max(0, Math.floor(timeoutMs))}`)
            try {
              db.exec('BEGIN IMMEDIATE')
            } catch (error) {
              if ((error as {code?: string}).code === 'SQLITE_BUSY') throw new LockTimeoutError(key, timeoutMs, {cause: error})
              throw error
            }
          },
          tx,
          fn,
        ),
      )
    },
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return serialised(() =>
        inTransaction(
          () => {
            // Another process (a deploy, `joe events send`) may hold the write lock for a moment.
            db.pragma('busy_timeout = 30000')
            db.exec('BEGIN IMMEDIATE')
          },
          executor,
          fn,
        ),
      )
    },
    close: () =>
      serialised(async () => {
        if (db.open) db.close()
      }),
  }
}

/** Placeholder values for every `$n` of a statement, so its positional text can be prepared once. */
function sqlPlaceholders(sql: string): SqlValue[] {
  let highest = 0
  for (const match of sql.matchAll(/\$(\d+)/g)) highest = Math.max(highest, Number(match[1]))
  return Array.from({length: highest}, () => null)
}
