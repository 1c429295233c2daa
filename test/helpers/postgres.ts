// Deploy store backends for tests: the same suite runs on each (describe.each).
//   sqlite   a temp file
//   pglite   real PostgreSQL in WASM, in-process (the default `npm test`)
//   postgres a real server, only when JOE_TEST_POSTGRES_URL is set (CI sets it in .ci/run)
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {DeployStore} from '../../src/core/deploy/deploy-store.js'
import {openDeployStore, openOnConnection, type StoreOpener} from '../../src/core/deploy/open-deploy-store.js'
import {type PgSession, postgresConnection} from '../../src/core/deploy/postgres-store.js'
import type {SqlConnection} from '../../src/core/deploy/sql-connection.js'

export const POSTGRES_URL = process.env.JOE_TEST_POSTGRES_URL

/** One isolated deploy store database for a test; several environments can live in it. */
export interface TestStore {
  /** A store URL for `environments.NAME.store` (for pglite, a placeholder only `open` understands). */
  url(env: string): string
  /** Store opener for EnvOptions.open; absent means joe's own. */
  open?: StoreOpener
  /** Opens the store directly. */
  connect(): Promise<DeployStore>
  /** Runs one SQL statement on the store, bypassing joe (to check its protections). */
  raw(sql: string): Promise<void>
  dispose(): Promise<void>
}

export interface Backend {
  name: 'sqlite' | 'pglite' | 'postgres'
  create(): Promise<TestStore>
}

const sqlite: Backend = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'joe-deploy-'))
    const file = join(dir, 'deploy.db')
    return {
      url: () => `sqlite:${file}`,
      connect: () => openDeployStore({kind: 'sqlite', path: file, display: `sqlite:${file}`}, {now: 0}),
      raw: async (sql) => {
        const {default: Database} = await import('better-sqlite3')
        const db = new Database(file)
        try {
          db.exec(sql)
        } finally {
          db.close()
        }
      },
      dispose: async () => rmSync(dir, {recursive: true, force: true}),
    }
  },
}

/** A PGlite database (in memory, or in `dir`) as a PgSession. */
export async function pgliteSession(dir?: string): Promise<PgSession & {raw: unknown}> {
  const {PGlite} = await import('@electric-sql/pglite')
  const db = dir ? await PGlite.create(dir) : await PGlite.create()
  return {
    raw: db,
    query: async (sql, params) => ({rows: (await db.query(sql, params as unknown[])).rows as Record<string, unknown>[]}),
    exec: async (script) => {
      await db.exec(script)
    },
    close: () => db.close(),
  }
}

let sharedPglite: Promise<PgSession> | undefined

const pglite: Backend = {
  name: 'pglite',
  async create() {
    // PGlite takes a second or two to start: one instance per test file, a fresh schema per test.
    sharedPglite ??= pgliteSession()
    const session = await sharedPglite
    const schema = `joe_test_${randomBytes(6).toString('hex')}`
    await session.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`)
    // Stores opened by joe close their connection; the shared in-process database stays open.
    const shared: SqlConnection = postgresConnection({...session, close: async () => undefined})
    const open: StoreOpener = (target, options) => openOnConnection(shared, target.display, options.now)
    return {
      url: (env) => `postgres://pglite/${env}`,
      open,
      connect: () => openOnConnection(shared, 'pglite', 0),
      raw: (sql) => session.exec(sql),
      dispose: () => session.exec(`DROP SCHEMA ${schema} CASCADE; SET search_path TO public`),
    }
  },
}

const postgres: Backend = {
  name: 'postgres',
  async create() {
    const {default: pg} = await import('pg')
    const schema = `joe_test_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({connectionString: POSTGRES_URL})
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
    const url = withSearchPath(POSTGRES_URL as string, schema)
    return {
      url: () => url,
      connect: () => openDeployStore({kind: 'postgres', url, display: url}, {now: 0}),
      raw: async (sql) => {
        await admin.query(`SET search_path TO ${schema}; ${sql}`)
      },
      dispose: async () => {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`)
        await admin.end()
      },
    }
  },
}

/** The URL with `options=-c search_path=SCHEMA`, so every connection works in its own schema. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set('options', `-c search_path=${schema}`)
  return parsed.toString()
}

export const BACKENDS: Backend[] = [sqlite, pglite, ...(POSTGRES_URL ? [postgres] : [])]
