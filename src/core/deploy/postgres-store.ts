import {JoeError} from '../errors.js'
import {maskUrl, redactSecrets, urlSecrets} from '../secrets.js'
import {LockTimeoutError, type SqlConnection, type SqlExecutor} from './sql-connection.js'
import type {StatementHook} from './sqlite-store.js'

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
 * A store in PostgreSQL: the deploy store, and the runtime of `joe serve`. Deploys are serialised
 * per environment by a transaction-scoped advisory lock, `pg_advisory_xact_lock(hashtext(key))`,
 * waited for at most `SET LOCAL lock_timeout`; it is released by COMMIT or ROLLBACK, and by the server
 * when the client dies. One session runs one transaction at a time, so a connection over one
 * session queues them; over a pool (`sessions` gives a session per transaction) they run side by side.
 */
export function postgresConnection(session: PgSession, options: {onStatement?: StatementHook; sessions?: PgSessions} = {}): SqlConnection {
  let queue: Promise<unknown> = Promise.resolve()
  const queryOn =
    (on: PgSession): SqlExecutor['query'] =>
    async <R extends object>(sql: string, params: readonly unknown[] = []) =>
      (await on.query(sql, params)).rows as R[]
  const query = queryOn(session)
  /** Runs `run` with a session of its own (pooled), or on the shared session after the transactions queued before it. */
  const withSession = <T>(run: (on: PgSession) => Promise<T>): Promise<T> => {
    const pool = options.sessions
    if (pool !== undefined) return pool.with(run)
    const result = queue.then(
      () => run(session),
      () => run(session),
    )
    queue = result.catch(() => undefined)
    return result
  }
  const inTransaction = async <T>(on: PgSession, prepare: () => Promise<void>, fn: (tx: SqlExecutor) => Promise<T>, tx: SqlExecutor) => {
    await on.query('BEGIN')
    try {
      await prepare()
      const result = await fn(tx)
      await on.query('COMMIT')
      return result
    } catch (error) {
      await on.query('ROLLBACK').catch(() => undefined)
      throw error
    }
  }
  return {
    dialect: 'postgres',
    query: options.sessions ? (sql, params) => options.sessions!.with((on) => queryOn(on)(sql, params)) : query,
    exec: (script) => withSession((on) => on.exec(script)),
    lockedTransaction<T>(key: string, timeoutMs: number, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const started = performance.now()
      return withSession(async (on) => {
        const left = Math.max(1, Math.floor(timeoutMs - (performance.now() - started)))
        if (performance.now() - started > timeoutMs) throw new LockTimeoutError(key, timeoutMs)
        const plain = queryOn(on)
        const tx: SqlExecutor = options.onStatement
          ? {
              query: async (sql, params) => {
                await options.onStatement?.(key)
                return plain(sql, params)
              },
            }
          : {query: plain}
        try {
          return await inTransaction(
            on,
            async () => {
              await on.query(`SET LOCAL lock_timeout = ${left}`)
              // Keyed by schema too, so that separate joe stores in one database do not block each other.
              await on.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':' || $1))", [key])
            },
            fn,
            tx,
          )
        } catch (error) {
          if ((error as {code?: string}).code === LOCK_NOT_AVAILABLE) throw new LockTimeoutError(key, timeoutMs, {cause: error})
          throw error
        }
      })
    },
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return withSession((on) => inTransaction(on, async () => undefined, fn, {query: queryOn(on)}))
    },
    close: async () => {
      await session.close()
      await options.sessions?.close()
    },
  }
}

/** Sessions handed out one per task (a `pg.Pool`). */
export interface PgSessions {
  with<T>(run: (session: PgSession) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * JOE6003 for a failed connection: its message never shows a credential of `url`, and it keeps no
 * `cause` (a driver error may hold the connection settings).
 */
function connectionError(url: string, cause: unknown, what: string): JoeError {
  const message = redactSecrets(String((cause as Error).message ?? cause).replaceAll(url, maskUrl(url)), urlSecrets(url))
  return new JoeError('JOE6003', `cannot connect to the ${what} ${maskUrl(url)}: ${message}`, {
    hint: 'check that the server is running and that the URL (and its ${VARIABLES}) in joe.config.yaml are right',
  })
}

/** Connects to a PostgreSQL server with `pg`; connection problems are JoeErrors that never show a credential. */
export async function openPostgresConnection(url: string, options: {onStatement?: StatementHook} = {}): Promise<SqlConnection> {
  const {default: pg} = await import('pg')
  // BIGINT columns hold epoch milliseconds and ledger ids, all well inside 2^53: read them as numbers.
  const types = {getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format))}
  let client: InstanceType<typeof pg.Client>
  try {
    client = new pg.Client({connectionString: url, types: types as never, application_name: 'joe'})
    client.on('error', () => undefined)
    await client.connect()
  } catch (cause) {
    throw connectionError(url, cause, 'deploy store')
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

/**
 * A pooled PostgreSQL connection for `joe serve`: ingest, the worker and delivery run their
 * transactions side by side, each on a session of its own (at most `size`).
 */
export async function openPostgresPool(url: string, options: {size: number; applicationName?: string}): Promise<SqlConnection> {
  const {default: pg} = await import('pg')
  const types = {getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format))}
  const pool = new pg.Pool({
    connectionString: url,
    types: types as never,
    max: options.size,
    application_name: options.applicationName ?? 'joe',
  })
  // A session the server ends (a restart, pg_terminate_backend) fails its current query; the pool replaces it.
  // Idle sessions report that on the pool, sessions in use on themselves: both must be listened to,
  // or the process dies of an unhandled 'error' event.
  pool.on('error', () => undefined)
  pool.on('connect', (client) => {
    client.on('error', () => undefined)
  })
  const wrap = (client: import('pg').PoolClient): PgSession => ({
    query: (sql, params) => client.query(sql, params as unknown[]),
    exec: async (script) => {
      await client.query(script)
    },
    close: async () => client.release(),
  })
  try {
    const probe = await pool.connect()
    probe.release()
  } catch (cause) {
    await pool.end().catch(() => undefined)
    throw connectionError(url, cause, 'store')
  }
  const sessions: PgSessions = {
    async with(run) {
      const client = await pool.connect()
      let broken: unknown
      // A checked-out client has no error listener of the pool's: a connection lost between two
      // queries would be an uncaught exception (and end joe serve). Its next query fails instead.
      const onError = (error: Error) => {
        broken ??= error
      }
      client.on('error', onError)
      try {
        return await run(wrap(client))
      } catch (error) {
        broken = error
        throw error
      } finally {
        client.off('error', onError)
        // A session whose connection broke is destroyed rather than handed out again.
        client.release(isConnectionError(broken) ? (broken as Error) : undefined)
      }
    },
    close: () => pool.end(),
  }
  return postgresConnection(
    {
      query: (sql, params) => pool.query(sql, params as unknown[]),
      exec: async (script) => void (await pool.query(script)),
      close: async () => undefined,
    },
    {sessions},
  )
}

function isConnectionError(error: unknown): boolean {
  if (error === undefined) return false
  const code = (error as {code?: string}).code
  // Class 08: connection exceptions; 57P01-57P03: the server shut the session down (pg_terminate_backend).
  return code === undefined || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03'
}

/**
 * Listens to a NOTIFY channel on a connection of its own, reconnecting when it drops (the loops poll
 * meanwhile, so a lost notification only delays work). Returns a function that stops listening.
 */
export async function listenPostgres(
  url: string,
  channel: string,
  onNotify: (payload: string) => void,
  applicationName = 'joe listen',
): Promise<() => Promise<void>> {
  const {default: pg} = await import('pg')
  let stopped = false
  let client: import('pg').Client | undefined
  const connect = async (): Promise<void> => {
    if (stopped) return
    const next = new pg.Client({connectionString: url, application_name: applicationName})
    next.on('notification', (message) => onNotify(message.payload ?? ''))
    next.on('error', () => {
      next.end().catch(() => undefined)
      if (!stopped) setTimeout(() => void connect().catch(() => undefined), 1_000)
    })
    try {
      await next.connect()
      await next.query(`LISTEN ${channel}`)
      client = next
    } catch {
      await next.end().catch(() => undefined)
      if (!stopped) setTimeout(() => void connect().catch(() => undefined), 1_000)
    }
  }
  await connect()
  return async () => {
    stopped = true
    await client?.end().catch(() => undefined)
  }
}
