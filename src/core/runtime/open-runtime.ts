import {migrateDeployStore} from '../deploy/migrations.js'
import {environment} from '../deploy/open-deploy-store.js'
import type {SqlConnection} from '../deploy/sql-connection.js'
import {expandVariables} from '../deploy/store-url.js'
import {JoeError} from '../errors.js'
import type {JoeConfig} from '../project/config.js'
import {ensureRuntimeRows, type RuntimeContext} from './context.js'

export interface OpenRuntimeOptions {
  config: JoeConfig
  env: string
  vars: Readonly<Record<string, string | undefined>>
  wall: () => number
  /** PostgreSQL sessions to pool (joe serve runs ingest, worker and delivery side by side); default 2. */
  pool?: number
  /** How its sessions are named in pg_stat_activity (default `joe ENV`). */
  applicationName?: string
}

/** An environment's runtime store, opened and migrated. */
export interface OpenRuntime {
  ctx: RuntimeContext
  /** The store URL, password masked. */
  display: string
  /** The environment's write keys with `${VAR}` expanded (JOE1021 when a variable is missing). */
  writeKeys(): string[]
  /**
   * Calls `onNotify` when another process announces work on `channel` for this environment
   * (PostgreSQL's LISTEN/NOTIFY, on a connection of its own). A no-op on SQLite, where the loops
   * poll. Returns a function that stops listening.
   */
  listen(channel: NotifyChannel, onNotify: () => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

/** What processes tell each other: new events (workers wake), new outbox rows (delivery wakes). */
export type NotifyChannel = 'joe_events' | 'joe_outbox'

/** Opens the store of an environment for its runtime (the same database as its deploy ledger). */
export async function openRuntime(options: OpenRuntimeOptions): Promise<OpenRuntime> {
  const env = environment(options.config, options.env, options.vars)
  let conn: SqlConnection
  if (env.target.kind === 'sqlite') {
    const {openSqliteConnection} = await import('../deploy/sqlite-store.js')
    // WAL with synchronous=NORMAL: what was accepted survives a crash of joe (tested by SIGKILL),
    // not a power loss of the machine; environments that need that run on PostgreSQL.
    conn = openSqliteConnection(env.target.path, {synchronous: 'NORMAL'})
  } else {
    const {openPostgresPool} = await import('../deploy/postgres-store.js')
    conn = await openPostgresPool(env.target.url, {
      size: options.pool ?? 2,
      applicationName: options.applicationName ?? `joe ${options.env}`,
    })
  }
  const ctx: RuntimeContext = {
    conn,
    env: options.env,
    clock: env.config.clock ?? 'real',
    wall: options.wall,
    eventNames: options.config.events.normalizeNames,
  }
  try {
    await migrateDeployStore(conn, {now: options.wall(), display: env.target.display})
    await ensureRuntimeRows(ctx)
  } catch (error) {
    await conn.close().catch(() => undefined)
    if (error instanceof JoeError) throw error
    throw new JoeError('JOE6003', `cannot set up the store ${env.target.display}: ${(error as Error).message}`, {
      hint: 'check that the store is a joe store (or empty) and that joe may create tables in it',
      cause: error,
    })
  }
  return {
    ctx,
    display: env.target.display,
    writeKeys: () =>
      (env.config.writeKeys ?? []).map((key, i) => expandVariables(key, options.vars, `write_keys[${i}] of environment "${options.env}"`)),
    async listen(channel, onNotify) {
      if (env.target.kind !== 'postgres') return async () => undefined
      const {listenPostgres} = await import('../deploy/postgres-store.js')
      // Named after the process's sessions (`joe serve prod worker listen`), so an operator can tell them apart.
      const name = `${options.applicationName ?? `joe ${options.env}`} listen`
      return listenPostgres(
        env.target.url,
        channel,
        (payload) => {
          if (payload === options.env) onNotify()
        },
        name,
      )
    },
    close: () => conn.close(),
  }
}
