// Upgrading joe while workers run (docs/operations.md): migrations only add, so the previous joe,
// still running, keeps working on a store the new joe migrated.
//
// 1. Every migration, from the first with `joe serve`'s tables on, is additive, as read back from
//    the database's own catalog after it ran: no table, column, index or default of the schema before
//    it is gone or changed, new columns on old tables accept the previous joe's INSERTs (nullable or
//    with a default), and no new unique index, constraint or trigger can refuse its writes. On SQLite,
//    on PostgreSQL in WebAssembly (PGlite), and on a real server when JOE_TEST_POSTGRES_URL is set.
// 2. A joe that knows only the previous migrations, running when the newest one lands, goes on
//    ingesting, working, delivering and inspecting; started afresh, it refuses the newer store
//    (JOE6004) rather than guess.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {applyPrepared} from '../../src/core/deploy/apply.js'
import {prepareDeploy} from '../../src/core/deploy/deploy.js'
import {sqlDeployStore} from '../../src/core/deploy/deploy-store.js'
import {DEPLOY_MIGRATIONS, type DeployMigration, migrateDeployStore} from '../../src/core/deploy/migrations.js'
import {environment, type StoreOpener} from '../../src/core/deploy/open-deploy-store.js'
import type {SqlConnection} from '../../src/core/deploy/sql-connection.js'
import {openSqliteConnection} from '../../src/core/deploy/sqlite-store.js'
import {ensureRuntimeRows, type RuntimeContext, setManualClock} from '../../src/core/runtime/context.js'
import {appendEvents} from '../../src/core/runtime/events-log.js'
import {inspectCustomer} from '../../src/core/runtime/inspect.js'
import {claimMessages, recordDeliveries} from '../../src/core/runtime/outbox.js'
import {journey} from '../core/deploy/helpers.js'
import {drainWorker} from '../helpers/live.js'
import {POSTGRES_URL, pgliteSession, withSearchPath} from '../helpers/postgres.js'
import {ACTOR, type LiveEnv, RUNTIME_BACKENDS} from '../helpers/runtime.js'

/** Migration 3 created `joe serve`'s tables: from then on processes run for long, through upgrades. */
const ROLLING_UPGRADES_SINCE = 3

interface Column {
  type: string
  nullable: boolean
  default: string | null
}
interface Schema {
  /** table -> column -> definition */
  tables: Record<string, Record<string, Column>>
  /** name -> table and whether it refuses rows (unique) */
  indexes: Record<string, {table: string; unique: boolean; definition: string}>
  /** Constraints and triggers, by table: what may refuse a write. */
  guards: Record<string, string[]>
}

interface Dialect {
  name: string
  open(): Promise<{conn: SqlConnection; close(): Promise<void>}>
  schema(conn: SqlConnection): Promise<Schema>
}

async function sqliteSchema(conn: SqlConnection): Promise<Schema> {
  const schema: Schema = {tables: {}, indexes: {}, guards: {}}
  const tables = await conn.query<{name: string}>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
  for (const {name} of tables) {
    const columns = await conn.query<{name: string; type: string; notnull: number; dflt_value: string | null; pk: number}>(
      `SELECT * FROM pragma_table_info('${name}')`,
    )
    schema.tables[name] = Object.fromEntries(
      columns.map((c) => [c.name, {type: c.type, nullable: c.notnull === 0 && c.pk === 0, default: c.dflt_value}]),
    )
    const indexes = await conn.query<{name: string; unique: number}>(`SELECT name, "unique" FROM pragma_index_list('${name}')`)
    for (const index of indexes) {
      const sql = await conn.query<{sql: string | null}>('SELECT sql FROM sqlite_master WHERE name = $1', [index.name])
      schema.indexes[index.name] = {table: name, unique: index.unique === 1, definition: sql[0]?.sql ?? `(automatic) ${index.name}`}
    }
    schema.guards[name] = (
      await conn.query<{name: string}>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1", [name])
    ).map((t) => `trigger ${t.name}`)
  }
  return schema
}

async function postgresSchema(conn: SqlConnection): Promise<Schema> {
  const schema: Schema = {tables: {}, indexes: {}, guards: {}}
  const columns = await conn.query<{
    table_name: string
    column_name: string
    data_type: string
    is_nullable: string
    column_default: string | null
  }>(
    'SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = current_schema()',
  )
  for (const c of columns) {
    schema.tables[c.table_name] ??= {}
    ;(schema.tables[c.table_name] as Record<string, Column>)[c.column_name] = {
      type: c.data_type,
      nullable: c.is_nullable === 'YES',
      default: c.column_default,
    }
  }
  const indexes = await conn.query<{indexname: string; tablename: string; indexdef: string}>(
    'SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()',
  )
  for (const i of indexes)
    schema.indexes[i.indexname] = {table: i.tablename, unique: /^CREATE UNIQUE/.test(i.indexdef), definition: i.indexdef}
  const guards = await conn.query<{table: string; guard: string}>(
    `SELECT c.relname AS table, 'constraint ' || k.conname || ' ' || pg_get_constraintdef(k.oid) AS guard
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND k.contype <> 'n' -- NOT NULL (PostgreSQL 18 lists them): the columns say
     UNION ALL
     SELECT event_object_table, 'trigger ' || trigger_name || ' ' || event_manipulation
       FROM information_schema.triggers WHERE trigger_schema = current_schema()`,
  )
  for (const g of guards) schema.guards[g.table] = [...(schema.guards[g.table] ?? []), g.guard].sort()
  return schema
}

/** What the schema after a migration breaks for a joe that knew the schema before it (empty: nothing). */
function incompatibilities(before: Schema, after: Schema): string[] {
  const problems: string[] = []
  for (const [table, columns] of Object.entries(before.tables)) {
    const now = after.tables[table]
    if (now === undefined) {
      problems.push(`table ${table} was dropped or renamed`)
      continue
    }
    for (const [name, column] of Object.entries(columns)) {
      const changed = now[name]
      if (changed === undefined) problems.push(`column ${table}.${name} was dropped or renamed`)
      else if (JSON.stringify(changed) !== JSON.stringify(column))
        problems.push(`column ${table}.${name} changed from ${JSON.stringify(column)} to ${JSON.stringify(changed)}`)
    }
    for (const [name, column] of Object.entries(now)) {
      if (!(name in columns) && !column.nullable && column.default === null)
        problems.push(`new column ${table}.${name} is NOT NULL without a default: the previous joe's INSERTs fail`)
    }
    const guards = new Set(before.guards[table] ?? [])
    for (const guard of after.guards[table] ?? [])
      if (!guards.has(guard)) problems.push(`new ${guard} on ${table} may refuse the previous joe's writes`)
  }
  for (const [name, index] of Object.entries(before.indexes)) {
    if (after.indexes[name]?.definition !== index.definition) problems.push(`index ${name} was dropped or changed`)
  }
  for (const [name, index] of Object.entries(after.indexes)) {
    if (!(name in before.indexes) && index.unique && index.table in before.tables)
      problems.push(`new unique index ${name} on ${index.table} may refuse the previous joe's writes`)
  }
  return problems
}

const DIALECTS: Dialect[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(path.join(tmpdir(), 'joe-upgrade-'))
      const conn = openSqliteConnection(path.join(dir, 'store.db'))
      return {
        conn,
        async close() {
          await conn.close()
          rmSync(dir, {recursive: true, force: true})
        },
      }
    },
    schema: sqliteSchema,
  },
  {
    name: 'pglite',
    async open() {
      const {postgresConnection} = await import('../../src/core/deploy/postgres-store.js')
      const session = await pgliteSession()
      const conn = postgresConnection(session)
      return {conn, close: () => conn.close()}
    },
    schema: postgresSchema,
  },
  ...(POSTGRES_URL
    ? [
        {
          name: 'postgres',
          async open() {
            const {default: pg} = await import('pg')
            const {openPostgresConnection} = await import('../../src/core/deploy/postgres-store.js')
            const schemaName = `joe_upgrade_${process.pid}_${Date.now()}`
            const admin = new pg.Client({connectionString: POSTGRES_URL})
            await admin.connect()
            await admin.query(`CREATE SCHEMA ${schemaName}`)
            const conn = await openPostgresConnection(withSearchPath(POSTGRES_URL as string, schemaName))
            return {
              conn,
              async close() {
                await conn.close()
                await admin.query(`DROP SCHEMA ${schemaName} CASCADE`)
                await admin.end()
              },
            }
          },
          schema: postgresSchema,
        },
      ]
    : []),
]

describe.each(DIALECTS)('schema migrations on $name', {timeout: 120_000}, (dialect) => {
  const upgrades = DEPLOY_MIGRATIONS.filter((m) => m.version >= ROLLING_UPGRADES_SINCE)

  it.each(upgrades.map((m) => [m.version, m.name, m] as const))(
    '%i (%s) only adds to the schema before it',
    async (version, _name, migration) => {
      const {conn, close} = await dialect.open()
      try {
        const before = DEPLOY_MIGRATIONS.filter((m) => m.version < version)
        await migrateDeployStore(conn, {now: 1, display: dialect.name, migrations: before})
        const old = await dialect.schema(conn)
        await migrateDeployStore(conn, {now: 2, display: dialect.name, migrations: [...before, migration]})
        expect(incompatibilities(old, await dialect.schema(conn))).toEqual([])
      } finally {
        await close()
      }
    },
  )

  it('would catch a migration that is not additive', async () => {
    const {conn, close} = await dialect.open()
    try {
      await migrateDeployStore(conn, {now: 1, display: dialect.name})
      const old = await dialect.schema(conn)
      const newest = DEPLOY_MIGRATIONS.at(-1)?.version ?? 0
      const breaking: DeployMigration = {
        version: newest + 1,
        name: 'breaking',
        up: `ALTER TABLE joe_outbox ADD COLUMN channel_kind TEXT NOT NULL DEFAULT 'x';
          ALTER TABLE joe_events ADD COLUMN origin TEXT NOT NULL;
          CREATE UNIQUE INDEX joe_events_ts ON joe_events (env, ts);
          ALTER TABLE joe_journal DROP COLUMN detail;`,
      }
      // SQLite refuses a NOT NULL column without a default outright on tables with rows; empty here.
      await migrateDeployStore(conn, {now: 2, display: dialect.name, migrations: [...DEPLOY_MIGRATIONS, breaking]})
      const problems = incompatibilities(old, await dialect.schema(conn))
      expect(problems).toEqual(
        expect.arrayContaining([
          'column joe_journal.detail was dropped or renamed',
          "new column joe_events.origin is NOT NULL without a default: the previous joe's INSERTs fail",
          "new unique index joe_events_ts on joe_events may refuse the previous joe's writes",
        ]),
      )
      expect(problems.filter((p) => p.includes('channel_kind'))).toEqual([])
    } finally {
      await close()
    }
  })
})

const PREVIOUS = DEPLOY_MIGRATIONS.slice(0, -1)

const welcome = journey(`
version: 1
id: welcome
name: Welcome
entry: { event: signed_up }
steps:
  - { id: hello, send: { channel: email, template: welcome-1 } }
`)

describe.each(RUNTIME_BACKENDS)('a running joe that knows only the previous migrations, on $name', {timeout: 120_000}, (backend) => {
  let live: LiveEnv | undefined
  let running: SqlConnection | undefined
  afterEach(async () => {
    await running?.close()
    await live?.dispose()
    running = undefined
    live = undefined
  })

  it('keeps ingesting, working, delivering and inspecting after the newest migration lands; started afresh it refuses the store', async () => {
    live = await backend.create({channels: {email: {connector: 'file', path: 'messages.ndjson'}}})
    const {config, wall} = live
    const target = environment(config, 'live', {}).target
    const connect = async (): Promise<SqlConnection> => {
      if (target.kind === 'sqlite') return openSqliteConnection(target.path, {synchronous: 'NORMAL'})
      const {openPostgresPool} = await import('../../src/core/deploy/postgres-store.js')
      return openPostgresPool(target.url, {size: 2, applicationName: 'joe previous'})
    }
    // The previous joe: its store opener and its runtime migrate to what it knows, no further.
    const previousOpener: StoreOpener = async (t) => {
      const conn = await connect()
      try {
        await migrateDeployStore(conn, {now: wall.now, display: t.display, migrations: PREVIOUS})
      } catch (error) {
        await conn.close()
        throw error
      }
      return sqlDeployStore(conn, t.display)
    }
    const previousDeploy = async (journeys = [welcome]) => {
      const options = {config, env: 'live', vars: {}, now: wall.now, open: previousOpener}
      const prepared = await prepareDeploy({
        ...options,
        journeys,
        prune: false,
        bypass: {force: false, allowDrop: false, skipPolicies: true},
      })
      return applyPrepared(prepared, {...options, actor: ACTOR, lockTimeoutMs: 30_000})
    }
    await previousDeploy()
    running = await connect()
    await migrateDeployStore(running, {now: wall.now, display: target.display, migrations: PREVIOUS})
    const ctx: RuntimeContext = {conn: running, env: 'live', clock: 'manual', wall: () => wall.now}
    await ensureRuntimeRows(ctx)
    const runtime = {
      ctx,
      display: target.display,
      writeKeys: () => [],
      listen: async () => async () => undefined,
      close: async () => undefined,
    }
    const T0 = Date.UTC(2026, 2, 2, 10)
    const signUp = (customer: string, at: number) => ({customer_id: customer, type: 'signed_up', timestamp: at, properties: {}})
    await appendEvents(ctx, [signUp('c1', T0)], {source: 'http'})
    expect(await drainWorker(runtime)).toMatchObject({sends: 1})

    // The new joe starts somewhere and brings the store to the newest schema.
    const upgraded = await connect()
    expect(await migrateDeployStore(upgraded, {now: wall.now, display: target.display})).toBe(DEPLOY_MIGRATIONS.at(-1)?.version)
    await upgraded.close()

    // The previous joe, still running, goes on: ingest, worker, delivery, inspect.
    await setManualClock(ctx, T0 + 60_000)
    await appendEvents(ctx, [signUp('c2', T0 + 60_000)], {source: 'http'})
    expect(await drainWorker(runtime)).toMatchObject({customers: 1, sends: 1})
    const messages = await claimMessages(ctx, 10)
    expect(messages.map((m) => m.customerId).sort()).toEqual(['c1', 'c2'])
    await recordDeliveries(
      ctx,
      messages.map((message) => ({message, outcome: {status: 'sent' as const}, maxAttempts: 3})),
    )
    const inspected = await inspectCustomer(ctx, 'c2')
    expect(inspected.sends).toEqual([expect.objectContaining({status: 'sent'})])
    expect(inspected.journeys).toEqual([expect.objectContaining({journey: 'welcome'})])

    // A previous joe started now (a deploy from an old CLI, a restarted old worker) is refused, with a hint.
    await expect(previousDeploy()).rejects.toMatchObject({code: 'JOE6004'})
  })
})
