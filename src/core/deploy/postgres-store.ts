import {JoeError} from '../errors.js'
import {LockTimeoutError, type SqlConnection, type SqlExecutor} from './sql-connection.js'
import type {StatementHook} from './sqlite-store.js'
import {maskUrl} from './store-url.js'

/** What joe needs of a PostgreSQL session: `pg.Client` and PGlite both fit through a small adapter. */
export interface PgSession {
  query(sql: string, params?: readonly unknown[]): Promise<{rows: Record<string, unknown>[]}>
  /** Several statements, no parameters. */
  exec(script: string): Promise<void>
  close(): Promise<void>
}

/** PostgreSQL's lock_not_available: `lock_timeout` expired. */
const LOCK_NOT_AVAILABLE = '55P03'

/**
 * A deploy store in PostgreSQL. Deploys are serialised per environment by a transaction-scoped
 * advisory lock, `pg_advisory_xact_lock(hashtext(key))`, waited for at most `SET LOCAL lock_timeout`;
 * it is released by COMMIT or ROLLBACK, and by the server when the client dies. Within one process
 * (one session) transactions are queued, since a session can run only one at a time.
 */
export function postgresConnection(session: PgSession, options: {onStatement?: StatementHook} = {}): SqlConnection {
  let queue: Promise<unknown> = Promise.resolve()
  const query: SqlExecutor['query'] = async <R extends object>(sql: string, params: readonly unknown[] = []) =>
    (await session.query(sql, params)).rows as R[]
  return {
    dialect: 'postgres',
    query,
    exec: (script) => session.exec(script),
    lockedTransaction<T>(key: string, timeoutMs: number, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const started = performance.now()
      const run = async (): Promise<T> => {
        const left = Math.max(1, Math.floor(timeoutMs - (performance.now() - started)))
        if (performance.now() - started > timeoutMs) throw new LockTimeoutError(key, timeoutMs)
        await session.query('BEGIN')
        try {
          await session.query(`SET LOCAL lock_timeout = ${left}`)
          // Keyed by schema too, so that separate joe stores in one database do not block each other.
          await session.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':' || $1))", [key])
          const tx: SqlExecutor = options.onStatement
            ? {
                query: async (sql, params) => {
                  await options.onStatement?.(key)
                  return query(sql, params)
                },
              }
            : {query}
          const result = await fn(tx)
          await session.query('COMMIT')
          return result
        } catch (error) {
          await session.query('ROLLBACK').catch(() => undefined)
          if ((error as {code?: string}).code === LOCK_NOT_AVAILABLE) throw new LockTimeoutError(key, timeoutMs, {cause: error})
          throw error
        }
      }
      const result = queue.then(run, run)
      queue = result.catch(() => undefined)
      return result
    },
    close: () => session.close(),
  }
}

/** Connects to a PostgreSQL server with `pg`; connection problems are JoeErrors that never show the password. */
export async function openPostgresConnection(url: string, options: {onStatement?: StatementHook} = {}): Promise<SqlConnection> {
  const {default: pg} = await import('pg')
  // BIGINT columns hold epoch milliseconds and ledger ids, all well inside 2^53: read them as numbers.
  const types = {getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format))}
  const client = new pg.Client({connectionString: url, types: types as never, application_name: 'joe'})
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (cause) {
    const message = String((cause as Error).message ?? cause).replaceAll(url, maskUrl(url))
    throw new JoeError('JOE6003', `cannot connect to the deploy store ${maskUrl(url)}: ${message}`, {
      hint: 'check that the server is running and that the URL (and its ${VARIABLES}) in joe.config.yaml are right',
      cause,
    })
  }
  return postgresConnection(
    {
      query: (sql, params) => client.query(sql, params as unknown[]),
      exec: async (script) => {
        await client.query(script)
      },
      close: () => client.end(),
    },
    options,
  )
}
