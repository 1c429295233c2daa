import {JoeError} from '../errors.js'
import type {EnvironmentConfig, JoeConfig} from '../project/config.js'
import {type DeployStore, sqlDeployStore} from './deploy-store.js'
import {migrateDeployStore} from './migrations.js'
import type {SqlConnection} from './sql-connection.js'
import type {StatementHook} from './sqlite-store.js'
import {resolveStoreUrl, type StoreTarget} from './store-url.js'

export interface OpenDeployStoreOptions {
  /** Epoch ms, recorded with schema migrations. */
  now: number
  /** For tests: awaited before each statement of a deploy transaction. */
  onStatement?: StatementHook
}

/** Opens the store of an environment; tests pass their own (e.g. for PGlite). */
export type StoreOpener = (target: StoreTarget, options: OpenDeployStoreOptions) => Promise<DeployStore>

/** The environment named `name` of the config, with its store URL resolved (JOE6001 when unknown). */
export function environment(
  config: JoeConfig,
  name: string,
  vars: Readonly<Record<string, string | undefined>>,
): {name: string; config: EnvironmentConfig; target: StoreTarget} {
  const env = config.environments[name]
  if (!env) {
    const known = Object.keys(config.environments).sort()
    throw new JoeError('JOE6001', `there is no environment "${name}" in joe.config.yaml`, {
      hint:
        known.length > 0
          ? `environments: ${known.join(', ')}`
          : 'add one, e.g. `environments: { dev: { store: "sqlite:.joe/dev.db" } }`, to joe.config.yaml',
      exitCode: 2,
    })
  }
  return {name, config: env, target: resolveStoreUrl(env.store, {env: name, root: config.root, vars})}
}

/** Opens (creating and migrating on first use) the deploy store at `target`. */
export async function openDeployStore(target: StoreTarget, options: OpenDeployStoreOptions): Promise<DeployStore> {
  const hook = options.onStatement ? {onStatement: options.onStatement} : {}
  let conn: SqlConnection
  if (target.kind === 'sqlite') {
    const {openSqliteConnection} = await import('./sqlite-store.js')
    conn = openSqliteConnection(target.path, hook)
  } else {
    const {openPostgresConnection} = await import('./postgres-store.js')
    conn = await openPostgresConnection(target.url, hook)
  }
  return openOnConnection(conn, target.display, options.now)
}

/** Migrates the store behind `conn` and wraps it; closes the connection when that fails. */
export async function openOnConnection(conn: SqlConnection, display: string, now: number): Promise<DeployStore> {
  try {
    await migrateDeployStore(conn, {now, display})
  } catch (error) {
    await conn.close().catch(() => undefined)
    if (error instanceof JoeError) throw error
    throw new JoeError('JOE6003', `cannot set up the deploy store ${display}: ${(error as Error).message}`, {
      hint: 'check that the store is a joe deploy store (or empty) and that joe may create tables in it',
      cause: error,
    })
  }
  return sqlDeployStore(conn, display)
}
