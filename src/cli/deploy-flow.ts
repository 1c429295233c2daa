// The sequence deploy, promote and rollback share once their plan is prepared: show it with the
// gates' findings, stop for a dry run (or nothing to do), refuse what a gate refuses, confirm,
// apply, show what was done. It prompts, so it lives with the commands, not in core or ui.
import {applyPrepared, type DeployResult, dryRunResult} from '../core/deploy/apply.js'
import type {EnvOptions} from '../core/deploy/env-store.js'
import {assertForceExplained, gateRefusal} from '../core/deploy/gates.js'
import type {PreparedDeploy} from '../core/deploy/prepare.js'
import {confirm} from './confirm.js'
import {applyContext, colorEnabled} from './deploy-context.js'

export interface FlowInput {
  prepared: PreparedDeploy
  context: EnvOptions
  flags: {'dry-run'?: boolean; yes: boolean; message?: string | undefined; 'lock-timeout': number; color?: boolean | undefined}
  /** The confirmation question, e.g. "Apply 3 changes to staging?". */
  question: string
  json: boolean
  log(text: string): void
}

/** Runs a prepared plan to its end; `refused` is true for a dry run that a gate would refuse (exit 1). */
export async function runPrepared(input: FlowInput): Promise<{result: DeployResult; refused: boolean}> {
  const {prepared, flags} = input
  const color = colorEnabled(flags.color)
  const {renderDeployResult, renderPlan} = await import('../ui/deploy/deploy-text.js')
  if (!input.json) input.log(renderPlan(prepared.plan, prepared.gates, {color}))
  const refusal = gateRefusal(prepared.gates)
  if (flags['dry-run'] || prepared.plan.changes.length === 0) {
    const result = dryRunResult(prepared)
    if (!input.json && result.reason !== 'up-to-date') input.log(renderDeployResult(result, {color}))
    return {result, refused: result.reason === 'refused'}
  }
  // Refuse before asking: a prompt for a deploy that the gates would stop helps nobody.
  if (refusal) throw refusal
  assertForceExplained(prepared.plan.env, prepared.gates, flags.message)
  await confirm(input.question, {yes: flags.yes, json: input.json})
  const result = await applyPrepared(prepared, await applyContext(input.context, flags))
  if (!input.json) input.log(renderDeployResult(result, {color}))
  return {result, refused: false}
}

/** "3 changes" / "1 change". */
export function changesText(count: number, noun = 'change'): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
