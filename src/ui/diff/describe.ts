import type {Delta, JourneyImpact, PathEntry} from '../../core/diff/impact.js'
import type {ChangeClass, DiffOperation, DiffValue} from '../../core/diff/types.js'

/** Prose for diff operations, shared by the text and Markdown renderers. */

const PLAIN = /^[A-Za-z0-9_.:/@+-]+$/

/** A value in compact YAML flow style: `{ channel: email, template: t1 }`. */
export function flow(value: DiffValue | undefined): string {
  if (value === undefined) return '(none)'
  if (value === null) return 'null'
  if (typeof value === 'string') return PLAIN.test(value) ? value : JSON.stringify(value)
  if (typeof value !== 'object') return String(value)
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`
  return `{ ${Object.entries(value)
    .map(([k, v]) => `${k}: ${flow(v)}`)
    .join(', ')} }`
}

export const CLASS_LABEL: Record<ChangeClass, string> = {
  'breaking-in-flight': 'breaking in flight',
  behaviour: 'behaviour',
  cosmetic: 'cosmetic',
}

export interface Described {
  /** What changed, e.g. "step email-1: send.template". */
  subject: string
  /** Old -> new, or the value added/removed; empty when the subject says it all. */
  change: string
}

/** One operation as a subject and a change, without colour or markup. */
export function describeOperation(op: DiffOperation): Described {
  const arrow = `${flow(op.from)} → ${flow(op.to)}`
  switch (op.op) {
    case 'journey.added':
      return {subject: 'journey added', change: ''}
    case 'journey.removed':
      return {subject: 'journey removed', change: ''}
    case 'journey.changed':
      return {subject: `journey ${op.field}`, change: arrow}
    case 'step.added':
      return {subject: `step ${op.step} added`, change: flow(withoutId(op.to))}
    case 'step.removed':
      return {subject: `step ${op.step} removed`, change: `was ${flow(withoutId(op.from))}`}
    case 'step.renamed':
      return {subject: `step ${flow(op.from)} renamed to ${flow(op.to)}`, change: 'same action'}
    case 'step.moved':
      return {subject: `step ${op.step} moved`, change: op.note ?? arrow}
    case 'step.changed':
      return {subject: `step ${op.step}: ${op.field}`, change: change(op)}
    case 'exit.changed':
      return {subject: op.from === undefined ? 'exit criterion added' : 'exit criterion removed', change: flow(op.from ?? op.to)}
    default:
      return {subject: op.field ?? op.op, change: change(op)}
  }
}

function change(op: DiffOperation): string {
  if (op.from === undefined) return `added ${flow(op.to)}`
  if (op.to === undefined) return `removed (was ${flow(op.from)})`
  return `${flow(op.from)} → ${flow(op.to)}`
}

function withoutId(value: DiffValue | undefined): DiffValue | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const {id: _id, ...rest} = value
  return rest
}

/** `12 → 15 (+3)`; `12 (=)` when equal. */
export function formatDelta(d: Delta, options: {percent?: boolean} = {}): string {
  const n = (v: number) => (options.percent ? `${(v * 100).toFixed(1)}%` : v.toLocaleString('en-US'))
  if (d.delta === 0) return `${n(d.new)} (=)`
  const sign = d.delta > 0 ? '+' : '−'
  const magnitude = options.percent ? `${(Math.abs(d.delta) * 100).toFixed(1)} pts` : Math.abs(d.delta).toLocaleString('en-US')
  return `${n(d.old)} → ${n(d.new)} (${sign}${magnitude})`
}

/** A customer's entries as `a → b → c (completed)`, `not entered` when there are none. */
export function formatPath(entries: readonly PathEntry[]): string {
  if (entries.length === 0) return 'not entered'
  return entries.map((e) => `${e.path.length > 0 ? e.path.join(' → ') : '(no steps)'} (${e.outcome.replace('_', ' ')})`).join('; then ')
}

/** One line for a summary: the customer counts that moved, messages, and path changes. */
export function impactHeadline(impact: JourneyImpact): string {
  if (!impact.changed) return `no difference over ${impact.customers.evaluated.new.toLocaleString('en-US')} customers`
  const parts: string[] = []
  for (const key of ['entered', 'converted', 'completed', 'exited'] as const) {
    const d = impact.customers[key]
    if (d.delta !== 0) parts.push(`${key} ${formatDelta(d)}`)
  }
  if (impact.messages.total.delta !== 0) parts.push(`messages ${formatDelta(impact.messages.total)}`)
  const p = impact.paths
  if (p.changed > 0)
    parts.push(`${p.changed.toLocaleString('en-US')} of ${p.compared.toLocaleString('en-US')} customers on a different path`)
  else if (p.messages_changed > 0) parts.push(`${p.messages_changed.toLocaleString('en-US')} customers get different messages`)
  return parts.length > 0 ? parts.join(' · ') : 'counts unchanged'
}
