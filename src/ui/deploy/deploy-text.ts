import {Chalk} from 'chalk'
import {DIRTY_SUFFIX} from '../../core/deploy/actor.js'
import type {DeployResult} from '../../core/deploy/apply.js'
import {shortHash} from '../../core/deploy/canonical.js'
import {formatSummary} from '../../core/deploy/change-summary.js'
import type {LedgerHead} from '../../core/deploy/deploy-types.js'
import type {GateReport} from '../../core/deploy/gates.js'
import type {HistoryResult, PauseResult, StatusResult, VerifyResult} from '../../core/deploy/operations.js'
import type {DeployPlan} from '../../core/deploy/plan.js'
import type {LedgerRecord} from '../../core/deploy/results.js'
import {safeText} from '../safe-text.js'

export interface TextOptions {
  color: boolean
}

const head = (h: LedgerHead | null) => (h ? `ledger #${h.id}` : 'nothing deployed yet')
const pad = (text: string, width: number) => text.padEnd(width)

/** The plan, Terraform-style: + create, ~ update, - remove; then every gate finding. */
export function renderPlan(plan: DeployPlan, gates: GateReport, options: TextOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const width = Math.max(8, ...plan.changes.map((ch) => ch.journey.length))
  const lines = [`Plan for ${c.bold(plan.env)} (${safeText(plan.store)}, ${head(plan.head)}):`]
  for (const change of plan.changes) {
    const drops = change.drops.length > 0 ? c.red(`  drops customers waiting at ${change.drops.join(', ')}`) : ''
    if (change.action === 'create') lines.push(`  ${c.green('+')} ${pad(change.journey, width)}  new revision ${shortHash(change.to)}`)
    if (change.action === 'remove') lines.push(`  ${c.red('-')} ${pad(change.journey, width)}  remove ${shortHash(change.from)}${drops}`)
    if (change.action === 'update') {
      const summary = change.summary ? `  ${formatSummary(change.summary)}` : ''
      lines.push(`  ${c.yellow('~')} ${pad(change.journey, width)}  ${shortHash(change.from)} → ${shortHash(change.to)}${summary}${drops}`)
    }
  }
  if (plan.unchanged.length > 0)
    lines.push(c.dim(`  = ${plan.unchanged.length} unchanged: ${plan.unchanged.map((u) => u.journey).join(', ')}`))
  if (plan.kept.length > 0) {
    lines.push(
      c.dim(`  · kept, not in this deploy${plan.prune ? '' : ' (--prune removes them)'}: ${plan.kept.map((k) => k.journey).join(', ')}`),
    )
  }
  const counts = (['create', 'update', 'remove'] as const).map((a) => plan.changes.filter((ch) => ch.action === a).length)
  lines.push(
    plan.changes.length === 0
      ? `No changes: ${plan.env} is up to date.`
      : `${counts[0]} to create, ${counts[1]} to update, ${counts[2]} to remove.`,
  )
  const findings = renderGates(gates, options)
  return findings ? `${lines.join('\n')}\n${findings}` : lines.join('\n')
}

/** The gate findings: what refuses the deploy (and the flag that would bypass it), and bypasses in use. */
export function renderGates(gates: GateReport, options: TextOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const lines: string[] = []
  for (const finding of gates.findings) {
    if (finding.blocking) {
      lines.push(c.red(`! ${finding.code} ${finding.message}`))
      lines.push(`  refused unless ${finding.bypass}${finding.bypass === '--force' ? ' -m "why"' : ''}; ${finding.hint}`)
    } else {
      lines.push(c.yellow(`! ${finding.code} ${finding.message}`))
      lines.push(`  bypassed with ${finding.bypass} (recorded in the ledger)`)
    }
  }
  if (gates.bypassed.skip_policies) lines.push(c.yellow('  policies not checked: --skip-policies (recorded in the ledger)'))
  if (gates.policy?.ok) lines.push(c.dim(`  policies: ${gates.policy.policy} ${gates.policy.limit} per ${gates.policy.per} ok`))
  return lines.join('\n')
}

/** What a deploy, promote or rollback did (or, for a dry run, would do). */
export function renderDeployResult(result: DeployResult, options: TextOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  if (!result.applied) {
    if (result.reason === 'dry-run') return c.dim('Dry run: nothing was applied.')
    if (result.reason === 'refused') return c.red('Dry run: nothing was applied; the deploy would be refused (see above).')
    if (result.reason === 'applied-concurrently') return `No changes: another deploy to ${result.env} applied the same revisions meanwhile.`
    return `No changes: ${result.env} is already up to date.`
  }
  const first = result.ledger[0]
  const last = result.ledger.at(-1)
  const verb = {deploy: 'Deployed', promote: 'Promoted', rollback: 'Rolled back'}[result.kind]
  const lines = [
    c.green(
      `✓ ${verb} ${result.ledger.length} change${result.ledger.length === 1 ? '' : 's'} to ${result.env} (ledger #${first?.id}${last && last !== first ? `–#${last.id}` : ''}, deployment ${first?.deployment}):`,
    ),
  ]
  for (const entry of result.ledger) lines.push(`  ${entryLine(entry)}`)
  if (result.gates.bypassed.force) lines.push(c.yellow('  protected-environment gate bypassed with --force (recorded)'))
  if (result.gates.bypassed.allow_drop.length > 0) lines.push(c.yellow('  waiting customers dropped with --allow-drop (recorded)'))
  return lines.join('\n')
}

function entryLine(entry: LedgerRecord): string {
  switch (entry.action) {
    case 'create':
      return `+ ${entry.journey} ${shortHash(entry.to)}`
    case 'remove':
      return `- ${entry.journey} ${shortHash(entry.from)} removed`
    case 'pause':
    case 'resume':
      return `${entry.action} ${entry.journey} ${shortHash(entry.to)}`
    default:
      return `~ ${entry.journey} ${shortHash(entry.from)} → ${shortHash(entry.to)}`
  }
}

export function renderStatus(status: StatusResult, options: TextOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const lines = [`${c.bold(status.env)} (${safeText(status.store)}, ${head(status.head)})`]
  if (status.journeys.length === 0) lines.push('  nothing is active')
  const width = Math.max(8, ...status.journeys.map((j) => j.journey.length))
  for (const j of status.journeys) {
    const state = j.paused ? c.yellow('paused') : c.green('active')
    lines.push(
      `  ${pad(j.journey, width)}  ${shortHash(j.revision)}  ${state}  since ${j.since} by ${safeText(j.by)} (${j.kind} #${j.ledger_id})`,
    )
  }
  return lines.join('\n')
}

export function renderHistory(history: HistoryResult, options: TextOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const lines = [
    `${c.bold(history.env)} ledger${history.journey ? ` for ${history.journey}` : ''} (${safeText(history.store)}), newest first:`,
  ]
  if (history.entries.length === 0) lines.push('  (empty)')
  for (const e of history.entries) {
    const who = safeText(`${e.actor}${e.actor_email ? ` <${e.actor_email}>` : ''}`)
    const commit = e.git_commit ? ` @${shortCommit(e.git_commit)}` : ''
    const flags = ['force', 'skip_policies', 'allow_drop', 'promoted_from'].filter((k) => e.details[k] !== undefined)
    const extra = flags.map((k) => (k === 'promoted_from' ? `from ${e.details[k]}` : k)).join(', ')
    lines.push(
      `  #${String(e.id).padEnd(4)} ${e.at}  ${pad(e.kind, 8)} ${entryLine(e)}  ${c.dim(`${who}${commit}`)}${extra ? c.yellow(` [${extra}]`) : ''}${e.message ? `  "${safeText(e.message)}"` : ''}`,
    )
  }
  return lines.join('\n')
}

export function renderPause(result: PauseResult): string {
  const word = result.paused ? 'paused' : 'resumed'
  if (!result.changed) return `${result.journey} is already ${result.paused ? 'paused' : 'running'} in ${result.env}; nothing changed.`
  return `✓ ${result.journey} ${word} in ${result.env} (ledger #${result.ledger[0]?.id}).`
}

export function renderVerify(result: VerifyResult, options: TextOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const {entries, revisions, active} = result.checked
  const counts = `${entries} ledger entr${entries === 1 ? 'y' : 'ies'}, ${revisions} revision${revisions === 1 ? '' : 's'}, ${active} active journey${active === 1 ? '' : 's'}`
  const at = result.head ? `, head #${result.head.id} ${shortHash(result.head.hash)}` : ''
  if (result.ok) return c.green(`✓ ${result.env} (${safeText(result.store)}) verified: ${counts}${at}.`)
  const lines = [
    c.red(
      `✖ ${result.env} (${safeText(result.store)}) fails verification: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${counts}${at}:`,
    ),
  ]
  for (const p of result.problems) lines.push(`  ${p.entry === null ? '' : `#${p.entry} `}${p.kind}: ${safeText(p.message)}`)
  return lines.join('\n')
}

/** The first 8 hex digits, keeping a `-dirty` mark. */
function shortCommit(commit: string): string {
  return commit.endsWith(DIRTY_SUFFIX) ? `${commit.slice(0, 8)}${DIRTY_SUFFIX}` : commit.slice(0, 8)
}
