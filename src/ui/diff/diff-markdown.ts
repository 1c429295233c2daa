import type {Delta, JourneyImpact} from '../../core/diff/impact.js'
import type {DiffResult, JourneyDiffWithImpact} from '../../core/diff/run-diff.js'
import type {ChangeClass, DiffOperation} from '../../core/diff/types.js'
import {buildGraph} from '../../core/graph/build-graph.js'
import {toMermaid} from '../../core/graph/mermaid.js'
import type {Journey} from '../../core/journey/model.js'
import {CLASS_LABEL, describeOperation, formatPath, impactHeadline} from './describe.js'

/** First line of the comment, so a workflow can find and update its own comment. */
export const MARKDOWN_MARKER = '<!-- joe-diff -->'

/** Operations listed per journey; the rest are counted (GitHub comments are limited to 65,536 characters). */
const MAX_OPERATIONS = 60

const ICON: Record<ChangeClass, string> = {'breaking-in-flight': '🔴', behaviour: '🟡', cosmetic: '⚪'}

/** Text safe in a table cell and outside code: no pipes, newlines or HTML. */
export function mdText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
}

/** Inline code that survives backticks and pipes inside table cells. */
export function mdCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|')
  const fence = flat.includes('`') ? '``' : '`'
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

const num = (v: number) => v.toLocaleString('en-US')

/** A pull-request comment: a summary table, then per journey its operations, impact and a Mermaid graph. */
export function renderDiffMarkdown(result: DiffResult, versions: ReadonlyMap<string, {old?: Journey; new?: Journey}>): string {
  const out = [MARKDOWN_MARKER, '## Journey changes', '']
  const changed = result.journeys.filter((j) => j.status !== 'unchanged')
  const base = result.base ? `Compared with ${mdCode(result.base.ref)} (${mdCode(result.base.commit.slice(0, 7))}). ` : ''
  if (!result.changed) {
    out.push(`${base}No journey changes (${result.journeys.length} compared).`)
    const renamed = result.journeys.filter((j) => j.file_renamed)
    for (const j of renamed)
      out.push('', `- ${mdCode(j.id)}: file renamed ${mdCode(j.old_path ?? '')} → ${mdCode(j.new_path ?? '')}, no change`)
    return out.join('\n')
  }
  const c = result.counts
  out.push(
    `${base}${changed.length} of ${result.journeys.length} journeys changed: ${c['breaking-in-flight'] > 0 ? `**${c['breaking-in-flight']} breaking in flight**, ` : ''}${c.behaviour} behaviour, ${c.cosmetic} cosmetic.`,
    '',
  )
  if (c['breaking-in-flight'] > 0) {
    out.push(
      '> [!WARNING]',
      '> Some changes remove steps where customers may be waiting, with no `moved` entry for them. When deployed, those customers leave the journey at once. Add `moved: { OLD-STEP: NEW-STEP }` to the journey to say where they continue.',
      '',
    )
  }
  const withImpact = result.impact !== undefined
  out.push(
    `| journey | status | 🔴 breaking in flight | 🟡 behaviour | ⚪ cosmetic |${withImpact ? ' impact |' : ''}`,
    `|---|---|--:|--:|--:|${withImpact ? '---|' : ''}`,
  )
  for (const j of changed) {
    const impact = withImpact ? ` ${j.impact ? mdText(impactHeadline(j.impact)) : 'cosmetic only, not simulated'} |` : ''
    out.push(
      `| [${mdCode(j.id)}](#${anchor(j.id)}) | ${j.status} | ${j.counts['breaking-in-flight']} | ${j.counts.behaviour} | ${j.counts.cosmetic} |${impact}`,
    )
  }
  if (withImpact)
    out.push(
      '',
      `<sub>Impact: the old and the new version simulated over the same events (${mdCode(result.impact?.store ?? '')}) and window.</sub>`,
    )
  for (const j of changed) out.push('', ...renderJourney(j, versions.get(j.id) ?? {}))
  return out.join('\n')
}

function anchor(id: string): string {
  return `journey-${id}`
}

function renderJourney(j: JourneyDiffWithImpact, version: {old?: Journey; new?: Journey}): string[] {
  const title = version.new?.name ?? version.old?.name
  const path =
    j.old_path && j.new_path && j.old_path !== j.new_path
      ? `${mdCode(j.old_path)} → ${mdCode(j.new_path)}`
      : mdCode(j.new_path ?? j.old_path ?? '')
  const out = [`<a id="${anchor(j.id)}"></a>`, `### ${mdCode(j.id)}${title ? ` — ${mdText(title)}` : ''} (${j.status})`, '', path, '']
  for (const op of j.operations.slice(0, MAX_OPERATIONS)) out.push(operationLine(op))
  if (j.operations.length > MAX_OPERATIONS)
    out.push(`- …and ${j.operations.length - MAX_OPERATIONS} more (run \`joe diff\` locally, or see \`--json\`)`)
  if (j.impact) out.push('', ...renderImpact(j.impact))
  if (version.new) {
    const changes = highlights(j.operations, version.old)
    out.push(
      '',
      `<details${j.status === 'added' ? '' : ' open'}><summary>Flowchart of the new version${changes.added.size + changes.changed.size + changes.removed.length > 0 ? ' (🟩 added, 🟨 changed, 🟥 removed steps)' : ''}</summary>`,
      '',
      '```mermaid',
      toMermaid(buildGraph(version.new, {changes})),
      '```',
      '',
      '</details>',
    )
  }
  return out
}

function operationLine(op: DiffOperation): string {
  const {subject, change} = describeOperation(op)
  const label = op.class === 'breaking-in-flight' ? `**${CLASS_LABEL[op.class]}**` : CLASS_LABEL[op.class]
  const note = op.note && op.op !== 'step.moved' ? `<br>${mdText(op.note).replace(/\\\|/g, '|')}` : ''
  return `- ${ICON[op.class]} ${label} — ${mdText(subject)}${change ? `: ${mdCode(change)}` : ''}${note}`
}

/** Steps to colour in the new version's graph, and removed steps of the old one to show beside it. */
function highlights(operations: readonly DiffOperation[], old: Journey | undefined) {
  const added = new Set<string>()
  const changed = new Set<string>()
  const removedIds = new Set<string>()
  for (const op of operations) {
    if (op.step === undefined) continue
    if (op.op === 'step.added') added.add(op.step)
    else if (op.op === 'step.removed') removedIds.add(op.step)
    else if (op.op === 'step.changed' || op.op === 'step.renamed') changed.add(op.step)
  }
  return {added, changed, removed: old ? old.steps.filter((s) => removedIds.has(s.id)) : []}
}

function deltaRow(label: string, d: Delta): string {
  const sign = d.delta > 0 ? `+${num(d.delta)}` : d.delta < 0 ? `−${num(-d.delta)}` : '0'
  return `| ${label} | ${num(d.old)} | ${num(d.new)} | ${d.delta === 0 ? sign : `**${sign}**`} |`
}

function renderImpact(impact: JourneyImpact): string[] {
  const out = [
    `#### Impact`,
    '',
    `Simulated ${impact.window.from} → ${impact.window.until}: ${mdText(impactHeadline(impact))}.`,
    '',
    '| | old | new | Δ |',
    '|---|--:|--:|--:|',
  ]
  for (const key of ['entered', 'converted', 'completed', 'exited', 'in_flight', 'held_out'] as const)
    out.push(deltaRow(`customers ${key.replace('_', ' ')}`, impact.customers[key]))
  out.push(deltaRow('messages', impact.messages.total))
  for (const [channel, d] of Object.entries(impact.messages.by_channel))
    if (d.delta !== 0) out.push(deltaRow(`&nbsp;&nbsp;${mdCode(channel)}`, d))
  for (const [template, d] of Object.entries(impact.messages.by_template))
    if (d.delta !== 0) out.push(deltaRow(`&nbsp;&nbsp;template ${mdCode(template)}`, d))
  const s = impact.messages.suppressed
  if (s.frequency_cap.delta !== 0) out.push(deltaRow('suppressed by frequency cap', s.frequency_cap))
  if (s.consent.delta !== 0) out.push(deltaRow('suppressed by consent', s.consent))
  if (impact.messages.deferred.quiet_hours.delta !== 0) out.push(deltaRow('deferred by quiet hours', impact.messages.deferred.quiet_hours))
  for (const [step, d] of Object.entries(impact.steps)) if (d.delta !== 0) out.push(deltaRow(`step ${mdCode(step)} arrivals`, d))
  const p = impact.paths
  out.push(
    '',
    `**${num(p.changed)} of ${num(p.compared)} customers take a different path**; ${num(p.messages_changed)} get different messages.`,
  )
  if (p.samples.length > 0) {
    out.push('', '| customer | old path | new path |', '|---|---|---|')
    for (const sample of p.samples)
      out.push(`| ${mdCode(sample.customer_id)} | ${mdText(formatPath(sample.old))} | ${mdText(formatPath(sample.new))} |`)
  }
  return out
}
