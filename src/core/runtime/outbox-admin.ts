// `joe outbox` and `joe outbox retry`: the outbox as an operator sees it, and dead letters sent again.
import {JoeError} from '../errors.js'
import {environmentNow, type RuntimeContext} from './context.js'
import {type Backlog, listOutbox, type OutboxEntry, retryDead, runtimeBacklog} from './outbox.js'

export const OUTBOX_STATUSES = ['pending', 'sent', 'dead'] as const
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number]

/** `joe outbox --json` (schemas/output/outbox.schema.json). */
export interface OutboxResult {
  format_version: 1
  env: string
  /** Work not done yet upstream of the outbox. */
  backlog: Backlog
  counts: Record<OutboxStatus, number>
  /** The newest `limit` messages of the statuses asked for, oldest first. */
  messages: OutboxEntry[]
}

/** `--status pending,dead`: the statuses of a comma-separated list; JOE7021 (usage) for an unknown one. */
export function parseOutboxStatuses(list: string): OutboxStatus[] {
  const statuses = list.split(',').map((s) => s.trim())
  const unknown = statuses.filter((s) => !(OUTBOX_STATUSES as readonly string[]).includes(s))
  if (unknown.length > 0) {
    throw new JoeError('JOE7021', `unknown outbox status ${unknown.map((s) => `"${s}"`).join(', ')}`, {
      hint: `statuses: ${OUTBOX_STATUSES.join(', ')}`,
      exitCode: 2,
    })
  }
  return statuses as OutboxStatus[]
}

/** The outbox's counts, the backlog upstream of it, and the messages asked for. */
export async function outboxReport(
  ctx: RuntimeContext,
  options: {statuses: readonly OutboxStatus[]; customer?: string; limit: number},
): Promise<OutboxResult> {
  const listed = await listOutbox(ctx, options)
  const backlog = await runtimeBacklog(ctx, await environmentNow(ctx))
  return {format_version: 1, env: ctx.env, backlog, counts: listed.counts, messages: listed.entries}
}

/** `joe outbox retry --json` (schemas/output/outbox-retry.schema.json). */
export interface RetryResult {
  format_version: 1
  env: string
  /** Outbox ids sent back to pending, ascending. */
  retried: number[]
}

/**
 * Sends dead letters again: those with the ids given (outbox ids as the user typed them), or every
 * one with `all`. JOE7022 (usage) for an id that is not a number or for neither; JOE7020 for an id
 * that is not a dead letter.
 */
export async function retryDeadLetters(ctx: RuntimeContext, target: {ids: readonly string[]; all: boolean}): Promise<RetryResult> {
  const ids = target.ids.map((text) => {
    if (!/^\d+$/.test(text))
      throw new JoeError('JOE7022', `"${text}" is not an outbox id`, {hint: 'ids are the numbers `joe outbox` lists', exitCode: 2})
    return Number(text)
  })
  if (ids.length === 0 && !target.all) {
    throw new JoeError('JOE7022', 'name the dead letters to send again, or give --all', {
      hint: `e.g. joe outbox retry --env ${ctx.env} 41 42`,
      exitCode: 2,
    })
  }
  return {format_version: 1, env: ctx.env, retried: await retryDead(ctx, target.all ? 'all' : ids)}
}
