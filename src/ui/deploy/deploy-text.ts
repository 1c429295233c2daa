import {Chalk} from 'chalk'
import {DIRTY_SUFFIX} from '../../core/deploy/actor.js'
import {shortHash} from '../../core/deploy/canonical.js'
import {formatSummary} from '../../core/deploy/change-summary.js'
import type {DeployResult} from '../../core/deploy/deploy.js'
import type {LedgerEntry, LedgerHead} from '../../core/deploy/deploy-types.js'
import type {GateReport} from '../../core/deploy/gates.js'
import type {HistoryResult, PauseResult, StatusResult} from '../../core/deploy/operations.js'
import type {DeployPlan} from '../../core/deploy/plan.js'

export interface TextOptions {
  color: boolean
}

const head = (h: LedgerHead | null) => (h ? `ledger #${h.id}` : 'nothing deployed yet')
const pad = (text: string, width: number) => text.padEnd(width)

/** The plan, Terraform-style: + create, ~ update, - remove, then the gate findings. */
export function renderPlan(plan: DeployPlan, gates: GateReport, options: TextOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const width = Math.max(8, ...plan.changes.map((ch) => ch.journey.length))
  const lines = [`Plan for ${c.bold(plan.env)} (${plan.store}, ${head(plan.head)}):`]
  for (const change of plan.changes) {
    if (change.action === 'create') lines.push(`  ${c.green('+')} ${pad(change.journey, width)}  new revision ${shortHash(change.to)}`)
    if (change.action === 'remove') lines.push(`  ${c.red('-')} ${pad(change.journey, width)}  remove ${shortHash(change.from)}`)
    if (change.action === 'update') {
      const summary = change.summary ? `  ${formatSummary(change.summary)}` : ''
      lines.push(`  ${c.yellow('~')} ${pad(change.journey, width)}  ${shortHash(change.from)} → ${shortHash(change.to)}${summary}`)
    }
  }
  if (plan.unchanged.length > 0)
    lines.push(c.dim(`  = ${plan.unchanged.length} unchanged: ${plan.unchanged.map((u) => u.journey).join(', ')}`))
  if (plan.kept.length > 0) {
    lines.push(
      c.dim(`  · kept, not in this deploy${plan.prune ? '' : ' (--prune removes them)'}: ${plan.kept.map((k) => k.journey).join(', ')}`),
    )
  }
  for (const drop of gates.drops) {
    lines.push(
      c.red(`  ! ${drop.journey}: customers waiting at ${drop.steps.join(', ')} would be dropped (no \`moved\` entry); needs --allow-drop`),
    )
  }
  if (gates.protected && gates.protected.missing.length > 0) {
    const list = gates.protected.missing.map((m) => `${m.journey}@${shortHash(m.revision)}`).join(', ')
    lines.push(
      c.red(
        gates.protected.source
          ? `  ! ${plan.env} is protected: not active in ${gates.protected.source}: ${list}; needs promotion first, or --force -m`
          : `  ! ${plan.env} is protected without promote_from: needs --force -m`,
      ),
    )
  }
  const counts = (['create', 'update', 'remove'] as const).map((a) => plan.changes.filter((ch) => ch.action === a).length)
  lines.push(
    plan.changes.length === 0
      ? `No changes: ${plan.env} is up to date.`
      : `${counts[0]} to create, ${counts[1]} to update, ${counts[2]} to remove.`,
  )
  return lines.join('\n')
}

/** What a deploy, promote or rollback did. */
export function renderDeployResult(result: DeployResult, options: TextOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  if (!result.applied) {
    if (result.reason === 'dry-run') return c.dim('Dry run: nothing was applied.')
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
  if (result.gates.forced) lines.push(c.yellow('  protected-environment gate bypassed with --force (recorded)'))
  if (result.gates.skipped_policies) lines.push(c.yellow('  policies not checked: --skip-policies (recorded)'))
  if (result.gates.policy)
    lines.push(c.dim(`  policies: ${result.gates.policy.policy} ${result.gates.policy.limit} per ${result.gates.policy.per} ok`))
  return lines.join('\n')
}

function entryLine(entry: LedgerEntry): string {
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
  const lines = [`${c.bold(status.env)} (${status.store}, ${head(status.head)})`]
  if (status.journeys.length === 0) lines.push('  nothing is active')
  const width = Math.max(8, ...status.journeys.map((j) => j.journey.length))
  for (const j of status.journeys) {
    const state = j.paused ? c.yellow('paused') : c.green('active')
    lines.push(`  ${pad(j.journey, width)}  ${shortHash(j.revision)}  ${state}  since ${j.since} by ${j.by} (${j.kind} #${j.ledger_id})`)
  }
  return lines.join('\n')
}

export function renderHistory(history: HistoryResult, options: TextOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const lines = [`${c.bold(history.env)} ledger${history.journey ? ` for ${history.journey}` : ''} (${history.store}), newest first:`]
  if (history.entries.length === 0) lines.push('  (empty)')
  for (const e of history.entries) {
    const who = `${e.actor}${e.actorEmail ? ` <${e.actorEmail}>` : ''}`
    const commit = e.gitCommit ? ` @${shortCommit(e.gitCommit)}` : ''
    const flags = ['force', 'skip_policies', 'allow_drop', 'promoted_from'].filter((k) => e.details[k] !== undefined)
    const extra = flags.map((k) => (k === 'promoted_from' ? `from ${e.details[k]}` : k)).join(', ')
    lines.push(
      `  #${String(e.id).padEnd(4)} ${new Date(e.at).toISOString()}  ${pad(e.kind, 8)} ${entryLine(e)}  ${c.dim(`${who}${commit}`)}${extra ? c.yellow(` [${extra}]`) : ''}${e.message ? `  "${e.message}"` : ''}`,
    )
  }
  return lines.join('\n')
}

export function renderPause(result: PauseResult): string {
  const word = result.paused ? 'paused' : 'resumed'
  if (!result.changed) return `${result.journey} is already ${result.paused ? 'paused' : 'running'} in ${result.env}; nothing changed.`
  return `✓ ${result.journey} ${word} in ${result.env} (ledger #${result.ledger[0]?.id}).`
}

/** The first 8 hex digits, keeping a `-dirty` mark. */
function shortCommit(commit: string): string {
  return commit.endsWith(DIRTY_SUFFIX) ? `${commit.slice(0, 8)}${DIRTY_SUFFIX}` : commit.slice(0, 8)
}
