// Live environments for runtime tests: a project root in a temp folder with one environment, `live`,
// whose store is a SQLite file or (when JOE_TEST_POSTGRES_URL is set) a schema of its own in a real
// PostgreSQL server, plus deploys through the same core functions `joe deploy` uses.
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach} from 'vitest'
import {applyPrepared} from '../../src/core/deploy/apply.js'
import {prepareDeploy} from '../../src/core/deploy/deploy.js'
import {setPaused} from '../../src/core/deploy/operations.js'
import type {Journey} from '../../src/core/journey/model.js'
import {defaultConfig, type EnvironmentConfig, type JoeConfig} from '../../src/core/project/config.js'
import {type OpenRuntime, openRuntime} from '../../src/core/runtime/open-runtime.js'
import {type RunningServe, type ServeOptions, startServe} from '../../src/core/runtime/serve.js'
import {POSTGRES_URL, withSearchPath} from './postgres.js'

export const ACTOR = {name: 'Test', email: 'test@example.com'}

export interface LiveEnv {
  root: string
  config: JoeConfig
  /** A clock the test moves by hand (the wall clock of deploys and deliveries). */
  wall: {now: number}
  open(): Promise<OpenRuntime>
  deploy(journeys: Journey[], options?: {allowDrop?: boolean; prune?: boolean}): Promise<void>
  pause(journey: string, paused: boolean): Promise<void>
  dispose(): Promise<void>
}

export interface RuntimeBackend {
  name: 'sqlite' | 'postgres'
  create(settings?: Partial<EnvironmentConfig>): Promise<LiveEnv>
}

async function liveEnv(store: string, root: string, settings: Partial<EnvironmentConfig>, cleanup: () => Promise<void>): Promise<LiveEnv> {
  const wall = {now: Date.UTC(2026, 2, 1)}
  const config: JoeConfig = {
    ...defaultConfig(root),
    environments: {live: {store, protected: false, clock: 'manual', ...settings}},
  }
  const envOptions = () => ({config, env: 'live', vars: {}, now: wall.now})
  return {
    root,
    config,
    wall,
    open: () => openRuntime({config, env: 'live', vars: {}, wall: () => wall.now}),
    async deploy(journeys, options = {}) {
      const bypass = {force: false, allowDrop: options.allowDrop === true, skipPolicies: true}
      const prepared = await prepareDeploy({...envOptions(), journeys, prune: options.prune === true, bypass})
      await applyPrepared(prepared, {...envOptions(), actor: ACTOR, lockTimeoutMs: 30_000})
    },
    async pause(journey, paused) {
      await setPaused({...envOptions(), journey, paused, actor: ACTOR, lockTimeoutMs: 30_000})
    },
    dispose: cleanup,
  }
}

const sqlite: RuntimeBackend = {
  name: 'sqlite',
  async create(settings = {}) {
    const root = mkdtempSync(join(tmpdir(), 'joe-live-'))
    return liveEnv(`sqlite:${join(root, '.joe', 'live.db')}`, root, settings, async () => rmSync(root, {recursive: true, force: true}))
  },
}

const postgres: RuntimeBackend = {
  name: 'postgres',
  async create(settings = {}) {
    const {default: pg} = await import('pg')
    const root = mkdtempSync(join(tmpdir(), 'joe-live-'))
    const schema = `joe_live_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({connectionString: POSTGRES_URL})
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
    return liveEnv(withSearchPath(POSTGRES_URL as string, schema), root, settings, async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`)
      await admin.end()
      rmSync(root, {recursive: true, force: true})
    })
  },
}

export const RUNTIME_BACKENDS: RuntimeBackend[] = [sqlite, ...(POSTGRES_URL ? [postgres] : [])]

/**
 * A live environment for each test of a `describe.each(RUNTIME_BACKENDS)`, closed and removed after
 * the test: `const live = await env.create(settings)`, then `const runtime = await env.open()`.
 */
export function liveEnvPerTest(backend: RuntimeBackend): {
  create(settings?: Partial<EnvironmentConfig>): Promise<LiveEnv>
  open(): Promise<OpenRuntime>
} {
  let live: LiveEnv | undefined
  let runtime: OpenRuntime | undefined
  afterEach(async () => {
    await runtime?.close()
    await live?.dispose()
    runtime = undefined
    live = undefined
  })
  return {
    async create(settings) {
      live = await backend.create(settings)
      return live
    },
    async open() {
      if (live === undefined) throw new Error('create the environment first')
      runtime = await live.open()
      return runtime
    },
  }
}

/** `joe serve` in this process on a live environment, on a free port of 127.0.0.1, on the environment's hand-moved wall clock. */
export function serveLive(live: LiveEnv, options: Partial<ServeOptions> = {}): Promise<RunningServe> {
  return startServe({
    config: live.config,
    env: 'live',
    vars: {},
    wall: () => live.wall.now,
    host: '127.0.0.1',
    port: 0,
    write: () => undefined,
    userAgent: 'joe-test',
    ...options,
  })
}
