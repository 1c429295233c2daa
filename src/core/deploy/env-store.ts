import type {JoeConfig} from '../project/config.js'
import type {DeployStore} from './deploy-store.js'
import {environment, openDeployStore, type StoreOpener} from './open-deploy-store.js'
import type {StatementHook} from './sqlite-store.js'

/** What every deploy operation needs: the project, the environment and the outside world, passed in. */
export interface EnvOptions {
  config: JoeConfig
  env: string
  /** Environment variables for `${VAR}` in store URLs and JOE_PLAN_KEY (process.env in the CLI). */
  vars: Readonly<Record<string, string | undefined>>
  /** Epoch ms: the time recorded in the ledger and in plans. */
  now: number
  /** For tests: awaited before each statement of the deploy transaction. */
  onStatement?: StatementHook
  /** Opens environment stores (default: {@link openDeployStore}); tests inject PGlite here. */
  open?: StoreOpener
}

/** Opens an environment's store, runs `fn`, closes it. */
export async function withEnvStore<T>(options: EnvOptions, fn: (store: DeployStore) => Promise<T>): Promise<T> {
  const env = environment(options.config, options.env, options.vars)
  const open = options.open ?? openDeployStore
  const store = await open(env.target, {now: options.now, ...(options.onStatement ? {onStatement: options.onStatement} : {})})
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}
