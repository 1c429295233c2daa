import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {JoeError} from '../errors.js'
import type {RuntimeContext} from './context.js'
import {copyToEventStore} from './export-events.js'

/**
 * `joe simulate --env`: the events an environment received (each at the instant it was received, as
 * the environment processed it), copied into a temporary event store for `fn` to replay, so a change
 * can be judged on production's history rather than the local sample. The copy is removed afterwards.
 */
export async function withEnvironmentHistory<T>(ctx: RuntimeContext, fn: (storePath: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'joe-env-history-'))
  try {
    const file = path.join(dir, 'events.db')
    const copied = await copyToEventStore(ctx, file, ctx.wall())
    if (copied === 0) {
      throw new JoeError('JOE4002', `environment "${ctx.env}" has received no events yet`, {
        hint: 'send some (`joe events send --env NAME FILE`, or to `joe serve`), or simulate the local store without --env',
      })
    }
    return await fn(file)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
