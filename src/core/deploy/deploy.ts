import {existsSync} from 'node:fs'
import path from 'node:path'
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import {didYouMean} from '../journey/suggest.js'
import {type AnalyzedFile, analyzeProject} from '../project/analyze.js'
import type {JoeConfig} from '../project/config.js'
import type {PolicyCheck} from '../simulate/policy.js'
import {provenance} from './actor.js'
import {journeyRevision, shortHash} from './canonical.js'
import {formatSummary} from './change-summary.js'
import type {ActiveChange, DeployStore} from './deploy-store.js'
import type {Actor, EnvState, LedgerEntry, LedgerKind} from './deploy-types.js'
import {enforceDrops, enforceProtected, type GateReport, inFlightDrops, policyGate, protectedGate} from './gates.js'
import {environment, openDeployStore, type StoreOpener} from './open-deploy-store.js'
import {computePlan, type DeployPlan, type PlanChange} from './plan.js'
import type {StatementHook} from './sqlite-store.js'

/** What every deploy operation needs: the project, the environment and the outside world, passed in. */
export interface EnvOptions {
  config: JoeConfig
  env: string
  /** Environment variables for `${VAR}` in store URLs (process.env in the CLI). */
  vars: Readonly<Record<string, string | undefined>>
  /** Epoch ms: the time recorded in the ledger. */
  now: number
  /** For tests: awaited before each statement of the deploy transaction. */
  onStatement?: StatementHook
  /** Opens environment stores (default: {@link openDeployStore}); tests inject PGlite here. */
  open?: StoreOpener
}

export interface PlannedDeploy {
  plan: DeployPlan
  gates: GateReport
}

/** Opens an environment's store, runs `fn`, closes it. */
export async function withEnvStore<T>(options: EnvOptions, fn: (store: DeployStore) => Promise<T>): Promise<T> {
  const env = environment(options.config, options.env, options.vars)
  const open = options.open ?? openDeployStore
  const store = await open(env.target, {now: options.now, ...(options.onStatement ? {onStatement: options.onStatement} : {})})
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

/**
 * Validates the whole project (refusing on any error) and returns the journeys to deploy:
 * those named (ids, files or folders), or every journey of the project.
 */
export async function loadDeployableJourneys(
  cwd: string,
  names: readonly string[],
  configPath?: string,
): Promise<{config: JoeConfig; journeys: Journey[]}> {
  const options = {cwd, ...(configPath ? {configPath} : {})}
  const project = await analyzeProject({...options, paths: []})
  const problems = [...project.projectDiagnostics, ...project.files.flatMap((f) => f.diagnostics)].filter((d) => d.severity === 'error')
  if (problems.length > 0) {
    const first = problems[0]
    throw new JoeError(
      'JOE6010',
      `the project has ${problems.length} validation error${problems.length === 1 ? '' : 's'}; refusing to deploy`,
      {
        hint: `run \`joe validate\` and fix them first${first ? ` (first: ${first.location.file}:${first.location.line} ${first.code} ${first.message})` : ''}`,
      },
    )
  }
  const all = project.files.filter((f): f is AnalyzedFile & {journey: Journey} => f.kind === 'journey' && f.journey !== undefined)
  if (names.length === 0) return {config: project.config, journeys: all.map((f) => f.journey)}
  const selected = new Map<string, Journey>()
  for (const name of names) {
    const byId = all.find((f) => f.journey.id === name)
    if (byId) {
      selected.set(byId.journey.id, byId.journey)
      continue
    }
    if (existsSync(path.resolve(cwd, name))) {
      const analyzed = await analyzeProject({...options, paths: [name]})
      for (const file of analyzed.files) if (file.journey) selected.set(file.journey.id, file.journey)
      continue
    }
    const known = all.map((f) => f.journey.id)
    throw new JoeError('JOE6011', `"${name}" is neither a journey id of this project nor a path`, {
      hint: `${didYouMean(name, known)}journeys: ${known.sort().join(', ') || '(none)'}`,
      exitCode: 2,
    })
  }
  return {config: project.config, journeys: [...selected.values()]}
}

/** Models of the active revisions of an environment, by journey id. */
export async function activeModels(store: DeployStore, state: EnvState): Promise<Map<string, Journey>> {
  const models = new Map<string, Journey>()
  for (const active of state.active) {
    const revision = await store.revision(active.revision)
    if (revision) models.set(active.journey, JSON.parse(revision.document) as Journey)
  }
  return models
}

/** `joe plan` / the first half of `joe deploy`: the plan of deploying `journeys`, with its gate findings. */
export async function planDeploy(options: EnvOptions & {journeys: readonly Journey[]; prune: boolean}): Promise<PlannedDeploy> {
  const plan = await withEnvStore(options, async (store) => {
    const state = await store.state(options.env)
    return computePlan({
      env: options.env,
      store: store.display,
      state,
      activeModels: await activeModels(store, state),
      revisions: options.journeys.map(journeyRevision),
      prune: options.prune,
      now: options.now,
    })
  })
  return {plan, gates: {protected: await protectedGate(plan, options), drops: inFlightDrops(plan)}}
}

export interface ApplyOptions extends EnvOptions {
  plan: DeployPlan
  actor: Actor
  kind: Exclude<LedgerKind, 'pause' | 'resume'>
  message?: string
  lockTimeoutMs: number
  force?: boolean
  allowDrop?: boolean
  skipPolicies?: boolean
  /** A saved plan: refuse when the environment's ledger moved at all since planning. */
  strict?: boolean
  /** Skip the protected and policy gates (rollback: the revision was accepted here before). */
  trusted?: boolean
  /** Extra ledger details, e.g. {promoted_from: 'staging'}. */
  details?: Record<string, unknown>
}

export interface DeployResult {
  env: string
  store: string
  kind: ApplyOptions['kind']
  /** False for a no-op (nothing to change) and for --dry-run. */
  applied: boolean
  /** Why nothing was applied: 'up-to-date', 'applied-concurrently' (another deploy did the same meanwhile), 'dry-run'. */
  reason?: 'up-to-date' | 'applied-concurrently' | 'dry-run'
  changes: PlanChange[]
  unchanged: DeployPlan['unchanged']
  kept: DeployPlan['kept']
  /** The ledger entries written, oldest first. */
  ledger: LedgerEntry[]
  gates: {forced: boolean; skipped_policies: boolean; allowed_drops: GateReport['drops']; policy?: PolicyCheck}
}

/**
 * Applies a plan in one transaction holding the environment's deploy lock: gates first, then the
 * ledger head is compared with the plan's. When it moved, a saved plan (`strict`) is stale; an
 * interactive plan whose changes are all in place already is a no-op, anything else is stale.
 */
export async function applyPlan(options: ApplyOptions): Promise<DeployResult> {
  const {plan} = options
  const drops = inFlightDrops(plan)
  enforceDrops(drops, options.allowDrop === true)
  let forced = false
  if (!options.trusted) {
    const gate = await protectedGate(plan, options)
    enforceProtected(gate, options.env, options.force === true, options.message)
    forced = (gate?.missing.length ?? 0) > 0
  }
  const base = {env: plan.env, store: plan.store, kind: options.kind, changes: plan.changes, unchanged: plan.unchanged, kept: plan.kept}
  if (plan.changes.length === 0) {
    return {...base, applied: false, reason: 'up-to-date', ledger: [], gates: {forced: false, skipped_policies: false, allowed_drops: []}}
  }
  return withEnvStore(options, async (store) => {
    let policy: PolicyCheck | undefined
    const skipped = !options.trusted && options.skipPolicies === true && options.config.policies.maxMessagesPerCustomer !== undefined
    if (!options.trusted && !options.skipPolicies) {
      const paused = new Set((await store.state(plan.env)).active.filter((a) => a.paused).map((a) => a.journey))
      policy = await policyGate(plan, {...options, store, paused})
    }
    const gates = {forced, skipped_policies: skipped, allowed_drops: options.allowDrop ? drops : [], ...(policy ? {policy} : {})}
    return store.transaction(plan.env, options.lockTimeoutMs, async (tx) => {
      const state = await tx.state()
      if (!sameHead(state, plan)) {
        if (!options.strict && alreadyInPlace(state, plan))
          return {...base, applied: false, reason: 'applied-concurrently' as const, ledger: [], gates}
        throw new JoeError(
          'JOE6006',
          `the environment "${plan.env}" changed since this plan was made (ledger ${headText(plan.head)} → ${headText(state.head)})`,
          {
            hint: options.strict
              ? `make a new plan: \`joe plan --env ${plan.env} --out FILE\``
              : 'run the command again to plan against the new state',
          },
        )
      }
      const ledger = await tx.write(plan.changes.map((change) => toActiveChange(change, plan, options, gates)))
      return {...base, applied: true, ledger, gates}
    })
  })
}

function toActiveChange(change: PlanChange, plan: DeployPlan, options: ApplyOptions, gates: DeployResult['gates']): ActiveChange {
  const drop = gates.allowed_drops.find((d) => d.journey === change.journey)
  const details = {
    ...options.details,
    ...(change.summary ? {summary: formatSummary(change.summary)} : {}),
    ...(gates.forced ? {force: true} : {}),
    ...(gates.skipped_policies ? {skip_policies: true} : {}),
    ...(drop ? {allow_drop: drop.steps} : {}),
  }
  const document = change.to ? plan.documents[change.to] : undefined
  return {
    entry: {
      kind: options.kind,
      journey: change.journey,
      action: change.action,
      from: change.from,
      to: change.to,
      ...provenance(options.actor, options.now, options.message),
      details,
    },
    ...(change.to && document !== undefined ? {revision: {journey: change.journey, hash: change.to, document}} : {}),
  }
}

function sameHead(state: EnvState, plan: DeployPlan): boolean {
  return (state.head?.id ?? 0) === (plan.head?.id ?? 0) && (state.head?.hash ?? null) === (plan.head?.hash ?? null)
}

function alreadyInPlace(state: EnvState, plan: DeployPlan): boolean {
  const active = new Map(state.active.map((a) => [a.journey, a.revision]))
  return plan.changes.every((c) => (c.to === null ? !active.has(c.journey) : active.get(c.journey) === c.to))
}

function headText(head: DeployPlan['head']): string {
  return head ? `#${head.id} ${shortHash(head.hash)}` : 'empty'
}
