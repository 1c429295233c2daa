import {Chalk, type ChalkInstance} from 'chalk'
import type {Delta, JourneyImpact} from '../../core/diff/impact.js'
import type {DiffResult, JourneyDiffWithImpact} from '../../core/diff/run-diff.js'
import type {ChangeClass, ClassCounts} from '../../core/diff/types.js'
import {safeText} from '../safe-text.js'
import {CLASS_LABEL, describeOperation, formatDelta, formatPath, impactHeadline} from './describe.js'

const n = (v: number) => v.toLocaleString('en-US')

/** Human output of `joe diff`: changed journeys with their operations (most severe first marked), impact, a summary line. */
export function renderDiffText(result: DiffResult, options: {color: boolean}): string {
  const c = new Chalk({level: options.color ? 3 : 0})
  const mark: Record<ChangeClass, string> = {
    'breaking-in-flight': c.red('✖'),
    behaviour: c.yellow('●'),
    cosmetic: c.dim('○'),
  }
  const out: string[] = []
  if (result.base) out.push(c.dim(`comparing ${safeText(result.base.ref)} (${result.base.commit.slice(0, 7)}) → working tree`), '')
  for (const j of result.journeys) {
    if (j.status === 'unchanged') {
      if (j.file_renamed) out.push(`${c.bold(j.id)}  ${c.dim(safeText(`no change; file renamed ${j.old_path} → ${j.new_path}`))}`, '')
      continue
    }
    out.push(`${c.bold(j.id)}  ${c.dim(safeText(where(j)))}  ${statusText(j, c)}`)
    for (const op of j.operations) {
      const described = describeOperation(op)
      const [subject, change] = [safeText(described.subject), safeText(described.change)]
      const text =
        op.class === 'cosmetic' ? c.dim(`${subject}${change ? `  ${change}` : ''}`) : `${subject}${change ? `  ${c.cyan(change)}` : ''}`
      out.push(`  ${mark[op.class]} ${text}`)
      if (op.note && op.op !== 'step.moved')
        out.push(`      ${op.class === 'breaking-in-flight' ? c.red(safeText(op.note)) : c.dim(safeText(op.note))}`)
    }
    if (j.impact) out.push(...renderImpact(j.impact, c))
    else if (result.impact && j.operations.every((op) => op.class === 'cosmetic'))
      out.push(c.dim('  impact: cosmetic changes only, not simulated'))
    out.push('')
  }
  out.push(summaryLine(result, c))
  return out.join('\n')
}

function where(j: JourneyDiffWithImpact): string {
  if (j.old_path && j.new_path && j.old_path !== j.new_path) return `${j.old_path} → ${j.new_path}`
  return j.new_path ?? j.old_path ?? ''
}

function statusText(j: JourneyDiffWithImpact, c: ChalkInstance): string {
  if (j.status === 'added') return c.green('added')
  if (j.status === 'removed') return j.counts['breaking-in-flight'] > 0 ? c.red('removed') : c.yellow('removed')
  return countsText(j.counts, c)
}

function countsText(counts: ClassCounts, c: ChalkInstance): string {
  const parts: string[] = []
  if (counts['breaking-in-flight'] > 0) parts.push(c.red(`${counts['breaking-in-flight']} ${CLASS_LABEL['breaking-in-flight']}`))
  if (counts.behaviour > 0) parts.push(c.yellow(`${counts.behaviour} behaviour`))
  if (counts.cosmetic > 0) parts.push(c.dim(`${counts.cosmetic} cosmetic`))
  return parts.join(', ')
}

function renderImpact(impact: JourneyImpact, c: ChalkInstance): string[] {
  const out = [
    '',
    `  ${c.bold('impact')} ${c.dim(`simulated ${impact.window.from} → ${impact.window.until}, old and new over the same events`)}`,
  ]
  out.push(`    ${impactHeadline(impact)}`)
  const k = impact.customers
  out.push(
    `    customers  ${(['entered', 'converted', 'completed', 'exited', 'in_flight', 'held_out'] as const)
      .map((key) => `${key.replace('_', ' ')} ${formatDelta(k[key])}`)
      .join(', ')}`,
  )
  const m = impact.messages
  const moved = (record: Record<string, Delta>) => Object.entries(record).filter(([, d]) => d.delta !== 0)
  const channels = moved(m.by_channel).map(([ch, d]) => `${safeText(ch)} ${formatDelta(d)}`)
  const templates = moved(m.by_template).map(([t, d]) => `${safeText(t)} ${formatDelta(d)}`)
  out.push(`    messages   total ${formatDelta(m.total)}${channels.length > 0 ? `; ${channels.join(', ')}` : ''}`)
  if (templates.length > 0) out.push(`               templates: ${templates.join(', ')}`)
  const steps = moved(impact.steps).map(([id, d]) => `${id} ${formatDelta(d)}`)
  if (steps.length > 0) out.push(`    steps      ${steps.join(', ')}`)
  const p = impact.paths
  out.push(
    `    paths      ${n(p.changed)} of ${n(p.compared)} customers take a different path; ${n(p.messages_changed)} get different messages`,
  )
  for (const s of p.samples) {
    out.push(`      ${c.bold(safeText(s.customer_id))}`, `        old  ${formatPath(s.old)}`, `        new  ${c.cyan(formatPath(s.new))}`)
  }
  return out
}

function summaryLine(result: DiffResult, c: ChalkInstance): string {
  const changed = result.journeys.filter((j) => j.status !== 'unchanged').length
  const total = result.journeys.length
  if (!result.changed) return c.green(`✔ no changes (${total} journey${total === 1 ? '' : 's'} compared)`)
  return `${changed} of ${total} journey${total === 1 ? '' : 's'} changed: ${countsText(result.counts, c)}`
}
