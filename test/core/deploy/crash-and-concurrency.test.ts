// A deploy killed with SIGKILL mid-apply leaves the environment exactly at the old state or the
// new one; two deploys at once: one applies, the other waits or fails clearly; no ledger gaps.
// Child processes, on SQLite and (with JOE_TEST_POSTGRES_URL) a real PostgreSQL server. Not on
// PGlite: it is one process's in-memory database (its on-disk mode does not survive SIGKILL,
// not even committed data), so there is no second process to kill or race.
import {type ChildProcess, spawn} from 'node:child_process'
import {once} from 'node:events'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {journeyRevision} from '../../../src/core/deploy/canonical.js'
import type {DeployStore} from '../../../src/core/deploy/deploy-store.js'
import {manyJourneys} from '../../fixtures/deploy/many-journeys.js'
import {BACKENDS, type TestStore} from '../../helpers/postgres.js'
import {HEAVY_TEST_TIMEOUT} from '../../helpers/timeouts.js'

const root = path.resolve(import.meta.dirname, '../../..')
const child = path.join(root, 'test/fixtures/deploy/apply-child.ts')
const COUNT = 60

interface Child {
  process: ChildProcess
  /** Lets a child started with `hold` go on. */
  release: () => void
  stdout: () => string
  paused: Promise<void>
  done: Promise<{code: number | null; signal: NodeJS.Signals | null; result: Record<string, unknown> | undefined; stderr: string}>
}

/** Lock waits that only a hang could exhaust: these tests never depend on how fast the machine is. */
const PATIENT_MS = 120_000

function startChild(options: {
  url: string
  variant: string
  pauseAfter?: number
  pauseMs?: number
  hold?: boolean
  lockTimeoutMs?: number
}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    cwd: root,
    env: {...process.env, JOE_CHILD: JSON.stringify({count: COUNT, lockTimeoutMs: PATIENT_MS, ...options})},
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let onPaused!: () => void
  const paused = new Promise<void>((resolve) => {
    onPaused = resolve
  })
  proc.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    if (stdout.includes('paused\n')) onPaused()
  })
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const done = once(proc, 'exit').then(([code, signal]) => {
    const last = stdout.trim().split('\n').at(-1)
    const result = last?.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : undefined
    return {code: code as number | null, signal: signal as NodeJS.Signals | null, result, stderr}
  })
  const release = () => {
    proc.stdin?.end('go\n')
  }
  // A child that never reads stdin must not keep the pipe (or this process) waiting.
  if (!options.hold) proc.stdin?.end()
  return {process: proc, release, stdout: () => stdout, paused, done}
}

const revisionsOf = (variant: string) => Object.fromEntries(manyJourneys(COUNT, variant).map((j) => [j.id, journeyRevision(j).hash]))

async function snapshot(store: DeployStore) {
  const state = await store.state('dev')
  return {
    state,
    revisions: Object.fromEntries(state.active.map((a) => [a.journey, a.revision])),
    ledgerIds: (await store.history('dev')).map((e) => e.id),
  }
}

const contiguous = (ids: number[]) => ids.every((id, i) => id === i + 1)

describe.each(BACKENDS.filter((b) => b.name !== 'pglite'))('deploys in child processes on $name', (backend) => {
  let store: TestStore
  let direct: DeployStore
  beforeEach(async () => {
    store = await backend.create()
    direct = await store.connect()
  })
  afterEach(async () => {
    await direct.close()
    await store.dispose()
  })

  it('a deploy killed with SIGKILL mid-apply leaves the old state; run again it leaves the new one', {
    timeout: HEAVY_TEST_TIMEOUT,
  }, async () => {
    const first = await startChild({url: store.url('dev'), variant: 'old'}).done
    expect(first.result).toMatchObject({applied: true})
    const before = await snapshot(direct)
    expect(before.revisions).toEqual(revisionsOf('old'))

    // Held mid-apply (90 statements in, holding the lock) until killed.
    const killed = startChild({url: store.url('dev'), variant: 'new', pauseAfter: 90, hold: true})
    await killed.paused
    killed.process.kill('SIGKILL')
    const exit = await killed.done
    expect(exit.signal).toBe('SIGKILL')
    expect(exit.result).toBeUndefined()

    // Exactly the old state: same head, same active revisions, no ledger rows of the killed deploy.
    expect(await snapshot(direct)).toEqual(before)

    // The lock died with the process: the next deploy gets it at once and applies everything.
    const again = await startChild({url: store.url('dev'), variant: 'new'}).done
    expect(again.result).toMatchObject({applied: true})
    const after = await snapshot(direct)
    expect(after.revisions).toEqual(revisionsOf('new'))
    expect(after.ledgerIds).toHaveLength(2 * COUNT)
    expect(contiguous(after.ledgerIds)).toBe(true)
  })

  it('two deploys of the same content at once: one applies, the other waits and finds it done', {timeout: HEAVY_TEST_TIMEOUT}, async () => {
    const a = startChild({url: store.url('dev'), variant: 'same', pauseAfter: 1, pauseMs: 5})
    const b = startChild({url: store.url('dev'), variant: 'same', pauseAfter: 1, pauseMs: 5})
    const results = await Promise.all([a.done, b.done])
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    const outcomes = results.map((r) => r.result)
    expect(outcomes.filter((o) => o?.applied === true)).toHaveLength(1)
    expect(
      outcomes.filter((o) => o?.applied === false && ['applied-concurrently', 'up-to-date'].includes(o.reason as string)),
    ).toHaveLength(1)
    const after = await snapshot(direct)
    expect(after.revisions).toEqual(revisionsOf('same'))
    expect(after.ledgerIds).toEqual(Array.from({length: COUNT}, (_, i) => i + 1))
  })

  it('a second deploy that cannot get the lock in time fails clearly and writes nothing', {timeout: HEAVY_TEST_TIMEOUT}, async () => {
    // The slow deploy holds the lock until released: the impatient one can only time out.
    const slow = startChild({url: store.url('dev'), variant: 'slow', pauseAfter: 1, hold: true})
    await slow.paused
    const impatient = await startChild({url: store.url('dev'), variant: 'other', lockTimeoutMs: 300}).done
    expect(impatient.code).toBe(1)
    expect(impatient.result).toMatchObject({error: 'JOE6005', message: expect.stringContaining('holds the deploy lock')})
    slow.release()
    const applied = await slow.done
    expect(applied.result).toMatchObject({applied: true})
    const after = await snapshot(direct)
    expect(after.revisions).toEqual(revisionsOf('slow'))
    expect(contiguous(after.ledgerIds)).toBe(true)
    expect(after.ledgerIds).toHaveLength(COUNT)
  })
})
