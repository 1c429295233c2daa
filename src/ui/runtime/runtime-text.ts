import {Chalk, type ChalkInstance} from 'chalk'
import type {ClockResult} from '../../core/runtime/context.js'
import type {ExportResult} from '../../core/runtime/export-events.js'
import type {InspectResult} from '../../core/runtime/inspect.js'
import type {OutboxEntry} from '../../core/runtime/outbox.js'
import type {OutboxResult, RetryResult} from '../../core/runtime/outbox-admin.js'
import type {SendResult} from '../../core/runtime/send-events.js'
import type {RunningServe} from '../../core/runtime/serve.js'
import {safeText} from '../safe-text.js'

const n = (value: number) => value.toLocaleString('en-US')

/** `joe events send`. */
export function renderSend(result: SendResult): string {
  const lines = result.files.map(
    (f) =>
      `${safeText(f.file)}: sent ${n(f.accepted)} event${f.accepted === 1 ? '' : 's'} to ${result.env} (${f.format})${f.duplicates > 0 ? `, ${n(f.duplicates)} duplicates dropped` : ''}`,
  )
  if (result.clock) lines.push(`the clock of ${result.env} is now at ${result.clock}`)
  return lines.join('\n')
}

/** `joe inspect`. */
export function renderInspect(result: InspectResult, options: {color: boolean; trace: boolean}): string {
  const c = new Chalk({level: options.color ? 3 : 0})
  const out: string[] = []
  out.push(`${c.bold(`Customer ${safeText(result.customer_id)}`)} in ${result.env}${c.dim(`  (clock ${result.now ?? 'not set'})`)}`)
  if (!result.known) {
    out.push(`  ${result.env} has received nothing from ${safeText(result.customer_id)}`)
    return out.join('\n')
  }
  const traits = Object.entries(result.profile)
  out.push(`  profile: ${traits.length === 0 ? '{}' : safeText(traits.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', '))}`)
  if (result.pending_events > 0) out.push(c.yellow(`  ${n(result.pending_events)} event(s) received and not processed yet`))
  out.push('', c.bold('  journeys'))
  for (const j of result.journeys) {
    const head = `    ${j.journey}${j.paused ? c.yellow(' (paused)') : ''}`
    if (j.status === 'out') {
      out.push(
        `${head}: not in it${j.entries > 0 ? c.dim(` (${j.entries} entr${j.entries === 1 ? 'y' : 'ies'}, last ${j.last_entered_at})`) : ''}`,
      )
      continue
    }
    const where = j.status === 'held_out' ? 'in the holdout group' : `at ${c.cyan(j.step ?? '?')}`
    out.push(`${head}: ${where} since ${j.since}`)
    if (j.next) out.push(`      next, at ${j.next.at}: ${safeText(j.next.does)}`)
  }
  if (result.sends.length > 0) {
    out.push('', c.bold('  messages'))
    for (const s of result.sends) out.push(`    ${sendLine(s, c)}`)
  }
  if (result.errors.length > 0) {
    out.push('', c.bold('  errors'))
    for (const e of result.errors) out.push(c.red(`    ${e.at}  ${e.seq === null ? 'due' : `event #${e.seq}`}: ${safeText(e.message)}`))
  }
  if (options.trace && result.trace.length > 0) {
    out.push('', c.bold('  trace'))
    for (const t of result.trace) out.push(`    ${t.at}  ${(t.journey ?? '').padEnd(18)} ${c.dim(safeText(t.detail))}`)
  }
  return out.join('\n')
}

function sendLine(s: OutboxEntry, c: ChalkInstance): string {
  const status = s.status === 'sent' ? c.green('sent') : s.status === 'dead' ? c.red('dead') : c.yellow('pending')
  const detail =
    s.status === 'sent'
      ? `at ${s.sent_at}`
      : s.status === 'dead'
        ? `after ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}: ${safeText(s.last_error ?? '')}`
        : `next attempt ${s.next_attempt_at}${s.last_error ? ` (last: ${safeText(s.last_error)})` : ''}`
  return `#${s.id} ${s.decided_at}  ${s.journey}/${s.step}  ${safeText(s.channel)} ${safeText(s.template)}  ${status} ${c.dim(detail)}`
}

/** `joe outbox`. */
export function renderOutbox(result: OutboxResult, options: {color: boolean}): string {
  const c = new Chalk({level: options.color ? 3 : 0})
  const {counts} = result
  const out = [`${c.bold(`Outbox of ${result.env}`)}: ${n(counts.pending)} pending, ${n(counts.dead)} dead, ${n(counts.sent)} sent`]
  const {backlog} = result
  if (backlog.events > 0 || backlog.customers_due > 0) {
    out.push(
      c.dim(
        `  upstream: ${n(backlog.events)} event(s) not processed yet, ${n(backlog.customers_due)} customer(s) with something due (is \`joe serve --env ${result.env}\` running?)`,
      ),
    )
  }
  if (result.messages.length === 0) out.push('  nothing to show')
  for (const s of result.messages) out.push(`  ${safeText(s.customer_id)}  ${sendLine(s, c)}`)
  if (counts.dead > 0) out.push(c.dim(`  send dead letters again with \`joe outbox retry --env ${result.env} --all\` (or their ids)`))
  return out.join('\n')
}

/** `joe outbox retry`. */
export function renderRetry(result: RetryResult): string {
  return result.retried.length === 0 ? 'no dead letters to send again' : `sending again: ${result.retried.join(', ')}`
}

/** `joe clock`. */
export function renderClock(result: ClockResult): string {
  return `${safeText(result.env)}: ${result.clock} clock at ${result.now ?? 'not set yet (it starts at the first event received)'}`
}

/** `joe events export --out FILE` (to standard output, the events are the output). */
export function renderExport(result: ExportResult): string {
  return `wrote ${n(result.events)} events of ${safeText(result.env)} to ${safeText(result.out ?? 'standard output')}`
}

/** `joe serve`, once it listens (scripts wait for this line on standard error). */
export function renderServeStarted(running: Pick<RunningServe, 'env' | 'url' | 'clock' | 'store'>): string {
  return `joe serve: environment ${safeText(running.env)} on ${running.url} (clock ${running.clock}, store ${safeText(running.store)})`
}
