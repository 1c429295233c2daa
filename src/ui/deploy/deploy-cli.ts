// Shared wiring of the deploy commands (deploy, plan, promote, rollback, status, history, pause,
// resume): their common flags, the EnvOptions built from the process, and the confirmation prompt.
import path from 'node:path'
import {createInterface} from 'node:readline/promises'
import {Args, Flags} from '@oclif/core'
import {currentActor} from '../../core/deploy/actor.js'
import {applyPlan, type DeployResult, type EnvOptions} from '../../core/deploy/deploy.js'
import type {Actor} from '../../core/deploy/deploy-types.js'
import {enforceDrops, enforceProtected, type GateReport} from '../../core/deploy/gates.js'
import {type PauseResult, setPaused} from '../../core/deploy/operations.js'
import type {DeployPlan} from '../../core/deploy/plan.js'
import {JoeError} from '../../core/errors.js'
import {parseDuration} from '../../core/journey/duration.js'
import type {JoeConfig} from '../../core/project/config.js'
import {requireConfig} from '../../core/project/config.js'

export const envFlag = Flags.string({char: 'e', description: 'Environment name from joe.config.yaml.', helpValue: 'NAME', required: true})
export const configFlag = Flags.string({char: 'c', description: 'Path to joe.config.yaml.', helpValue: 'PATH'})
export const colorFlag = Flags.boolean({description: 'Colour the text output (default: when stdout is a terminal).', allowNo: true})
export const messageFlag = Flags.string({char: 'm', description: 'Why: recorded in the ledger.', helpValue: 'MESSAGE'})
export const lockTimeoutFlag = Flags.string({
  description: 'How long to wait for another deploy to the environment to finish (e.g. 30s, 2m).',
  default: '30s',
  helpValue: 'DURATION',
})
export const allowDropFlag = Flags.boolean({
  description: 'Accept revisions that remove steps where customers may wait without a `moved` entry (they complete at once).',
})

/** Milliseconds of a --lock-timeout value: a duration (`30s`) or plain milliseconds. */
export function lockTimeoutMs(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : parseDuration(value)
  if (ms === undefined || ms < 0) {
    throw new JoeError('JOE6014', `--lock-timeout "${value}" is not a duration`, {hint: 'e.g. 30s, 2m or 0 (fail at once)', exitCode: 2})
  }
  return ms
}

/** The project config and EnvOptions for `env`, from the process (cwd, environment variables, clock). */
export async function envContext(env: string, configPath: string | undefined): Promise<EnvOptions & {config: JoeConfig}> {
  const config = await requireConfig(process.cwd(), configPath)
  return {config, env, vars: process.env, now: Date.now()}
}

/** The deploying actor; the journeys folders and the config file decide whether the commit is dirty. */
export function actor(config: JoeConfig): Promise<Actor> {
  const sources = [...config.journeys, ...(config.file ? [path.relative(config.root, config.file)] : [])]
  return currentActor(config.root, sources)
}

export function colorEnabled(flag: boolean | undefined): boolean {
  return flag ?? (process.stdout.isTTY === true && !process.env.NO_COLOR)
}

/**
 * Asks "question [y/N]" on a terminal. Without a terminal (CI, pipes, --json) there is nobody to ask:
 * a change then needs --yes.
 */
export async function confirm(question: string, options: {yes: boolean; json: boolean}): Promise<void> {
  if (options.yes) return
  if (options.json || !process.stdin.isTTY || !process.stderr.isTTY) {
    throw new JoeError('JOE6008', 'this would change the environment, and there is no terminal to confirm it on', {
      hint: 'check the plan (`joe plan` or --dry-run), then run again with --yes',
      exitCode: 2,
    })
  }
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase()
    if (answer !== 'y' && answer !== 'yes') throw new JoeError('JOE6009', 'cancelled: nothing was applied')
  } finally {
    rl.close()
  }
}

export const dryRunFlag = Flags.boolean({description: 'Show the plan and stop.'})
export const yesFlag = Flags.boolean({char: 'y', description: 'Apply without asking (required when not on a terminal).'})
export const skipPoliciesFlag = Flags.boolean({description: 'Do not simulate the config policies first (recorded in the ledger).'})

export interface ApplyPlannedInput {
  plan: DeployPlan
  gates: GateReport
  context: EnvOptions & {config: JoeConfig}
  kind: 'deploy' | 'promote'
  /** The confirmation question, e.g. "Apply 3 changes to staging?". */
  question: string
  flags: {
    'dry-run': boolean
    yes: boolean
    force: boolean
    'allow-drop': boolean
    'skip-policies': boolean
    'lock-timeout': string
    message?: string | undefined
    color?: boolean | undefined
  }
  strict?: boolean
  details?: Record<string, unknown>
  json: boolean
  log(text: string): void
}

/**
 * The second half of `joe deploy` and `joe promote`: show the plan, stop on --dry-run or no change,
 * enforce the gates before asking, confirm, apply in one transaction, and show what changed.
 */
export async function showAndApplyPlan(input: ApplyPlannedInput): Promise<DeployResult> {
  const {plan, gates, flags} = input
  const color = colorEnabled(flags.color)
  const {renderDeployResult, renderPlan} = await import('./deploy-text.js')
  if (!input.json) input.log(renderPlan(plan, gates, {color}))
  if (flags['dry-run'] || plan.changes.length === 0) {
    const result: DeployResult = {
      env: plan.env,
      store: plan.store,
      kind: input.kind,
      applied: false,
      reason: flags['dry-run'] && plan.changes.length > 0 ? 'dry-run' : 'up-to-date',
      changes: plan.changes,
      unchanged: plan.unchanged,
      kept: plan.kept,
      ledger: [],
      gates: {forced: false, skipped_policies: false, allowed_drops: []},
    }
    if (!input.json && result.reason === 'dry-run') input.log(renderDeployResult(result, {color}))
    return result
  }
  // Refuse before asking: a prompt for a deploy that the gates would stop helps nobody.
  enforceDrops(gates.drops, flags['allow-drop'])
  enforceProtected(gates.protected, plan.env, flags.force, flags.message)
  await confirm(input.question, {yes: flags.yes, json: input.json})
  const result = await applyPlan({
    ...input.context,
    plan,
    actor: await actor(input.context.config),
    kind: input.kind,
    lockTimeoutMs: lockTimeoutMs(flags['lock-timeout']),
    force: flags.force,
    allowDrop: flags['allow-drop'],
    skipPolicies: flags['skip-policies'],
    ...(input.strict ? {strict: true} : {}),
    ...(input.details ? {details: input.details} : {}),
    ...(flags.message ? {message: flags.message} : {}),
  })
  if (!input.json) input.log(renderDeployResult(result, {color}))
  return result
}

/** The argument and flags `joe pause` and `joe resume` share. */
export const pauseArgs = {journey: Args.string({description: 'The journey id.', required: true})}
export const pauseFlags = {env: envFlag, message: messageFlag, 'lock-timeout': lockTimeoutFlag, config: configFlag}

/** `joe pause` (paused: true) and `joe resume` (false) after parsing: one ledger entry, or none when nothing changes. */
export async function pauseFromCli(input: {
  journey: string
  flags: {env: string; message?: string | undefined; 'lock-timeout': string; config?: string | undefined}
  paused: boolean
  json: boolean
  log: (text: string) => void
}): Promise<PauseResult> {
  const {flags} = input
  const context = await envContext(flags.env, flags.config)
  const result = await setPaused({
    ...context,
    journey: input.journey,
    paused: input.paused,
    actor: await actor(context.config),
    lockTimeoutMs: lockTimeoutMs(flags['lock-timeout']),
    ...(flags.message ? {message: flags.message} : {}),
  })
  if (!input.json) {
    const {renderPause} = await import('./deploy-text.js')
    input.log(renderPause(result))
  }
  return result
}
