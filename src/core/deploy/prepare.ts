// One plan path for `joe plan`, `--dry-run`, deploy, promote and rollback: verify the store, compute
// the plan against what is active, gather the gates' inputs and judge them. Applying (apply.ts)
// takes the result as it is and never re-runs the gates.
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import type {JourneyRevision} from './canonical.js'
import {shortHash} from './canonical.js'
import type {DeployStore} from './deploy-store.js'
import type {EnvState, LedgerHead} from './deploy-types.js'
import {type EnvOptions, withEnvStore} from './env-store.js'
import {gatherGateInputs} from './gate-inputs.js'
import {type GateBypass, type GateReport, judgeGates} from './gates.js'
import {changeKeys, computePlan, type DeployPlan} from './plan.js'
import {assertSigned, type PlanFile, planKey, signPlan, writePlanFile} from './plan-file.js'
import {DEPLOY_OUTPUT_VERSION} from './results.js'
import {assertJourneyKey, checkRevisionDocument, showId} from './revision-check.js'
import {assertIntact, verifySnapshot} from './verify.js'

export type DeployKind = 'deploy' | 'promote' | 'rollback'

/** A plan with the gates' verdict on it: what `joe plan` shows and what a deploy applies. */
export interface PreparedDeploy {
  kind: DeployKind
  plan: DeployPlan
  gates: GateReport
  /** A saved plan: applying refuses it when the environment's ledger moved at all since. */
  strict: boolean
  /** Ledger details every entry of the deploy records, e.g. `{promoted_from: 'staging'}`. */
  details: Record<string, unknown>
}

/** The environment as a plan is computed against it, after its store was verified. */
export interface EnvView {
  store: DeployStore
  state: EnvState
  /** Documents of the active revisions (each checked against its hash), by hash. */
  activeDocuments: ReadonlyMap<string, string>
}

/** What to plan, decided with the environment in view. */
export interface PlanRequest {
  kind: DeployKind
  revisions: readonly JourneyRevision[]
  prune: boolean
  bypass: GateBypass
  /** rollback: only the customers-in-flight gate applies. */
  trusted?: boolean
  strict?: boolean
  details?: Record<string, unknown>
  /** Epoch ms of `planned_at` (default: now). */
  plannedAt?: number
  /** Checks the computed plan before the gates run (a saved plan must be exactly it). */
  expect?: (plan: DeployPlan) => void
}

/**
 * Opens the environment's store, refuses a store that fails verification (JOE6018), computes the
 * plan `request` asks for, and judges it with every gate.
 */
export async function prepareIn(options: EnvOptions, request: (view: EnvView) => Promise<PlanRequest>): Promise<PreparedDeploy> {
  return withEnvStore(options, async (store) => {
    const snapshot = await store.snapshot(options.env)
    assertIntact(options.env, verifySnapshot(snapshot))
    const {state} = snapshot
    const activeDocuments = new Map<string, string>()
    const activeModels = new Map<string, Journey>()
    for (const active of state.active) {
      const document = snapshot.revisions.get(active.revision)?.document
      if (document === undefined) continue
      activeDocuments.set(active.revision, document)
      activeModels.set(active.journey, JSON.parse(document) as Journey)
    }
    const wanted = await request({store, state, activeDocuments})
    const plan = computePlan({
      env: options.env,
      store: store.display,
      state,
      activeModels,
      revisions: wanted.revisions,
      prune: wanted.prune,
      now: wanted.plannedAt ?? options.now,
    })
    wanted.expect?.(plan)
    const trusted = wanted.trusted === true
    const inputs = await gatherGateInputs(plan, {...options, state, activeDocuments, trusted, bypass: wanted.bypass})
    return {
      kind: wanted.kind,
      plan,
      gates: judgeGates(plan, inputs, wanted.bypass),
      strict: wanted.strict === true,
      details: wanted.details ?? {},
    }
  })
}

export function sameHead(a: LedgerHead | null, b: LedgerHead | null): boolean {
  return (a?.id ?? 0) === (b?.id ?? 0) && (a?.hash ?? null) === (b?.hash ?? null)
}

const headText = (head: LedgerHead | null) => (head ? `#${head.id} ${shortHash(head.hash)}` : 'empty')

/** JOE6006: the environment's ledger moved since the plan was made. */
export function staleError(env: string, planned: LedgerHead | null, now: LedgerHead | null, saved: boolean): JoeError {
  return new JoeError(
    'JOE6006',
    `the environment "${env}" changed since this plan was made (ledger ${headText(planned)} → ${headText(now)})`,
    {
      hint: saved ? `make a new plan: \`joe plan --env ${env} --out FILE\`` : 'run the command again to plan against the new state',
    },
  )
}

/** JOE6017: a plan's changes are not those of the environment as it is (its `from` is not what is active). */
export function mismatchError(env: string, journeys: readonly string[]): JoeError {
  const list = [...new Set(journeys)].map(showId).join(', ')
  return new JoeError(
    'JOE6017',
    `the plan does not match what is active in "${env}": the changes of ${list} do not start from the revisions active there`,
    {hint: `make a new plan: \`joe plan --env ${env} --out FILE\`; \`joe status --env ${env}\` shows what is active`},
  )
}

/**
 * `joe deploy PLAN.json`: a saved plan is a proposal, never trusted input. Its signature must be the
 * environment's (JOE6015); every document must be a valid journey with the id and hash it is filed
 * under (JOE6016); the ledger must not have moved since (JOE6006); and planning the same revisions
 * against the environment now must give exactly its changes (JOE6017). The plan applied is the
 * one computed here: its summaries and in-flight drops come from the store, not from the file.
 */
export async function prepareSavedPlan(options: EnvOptions & {file: string; saved: PlanFile; bypass: GateBypass}): Promise<PreparedDeploy> {
  const {saved} = options
  return prepareIn(options, async ({store, state, activeDocuments}) => {
    assertSigned(options.file, saved, await planKey(store, options.env, options.vars))
    const revisions: JourneyRevision[] = []
    const proposed = new Set<string>()
    for (const change of saved.changes) {
      assertJourneyKey(change.journey, 'a change')
      if (change.to === null) continue
      const document = saved.documents[change.to]
      checkRevisionDocument(change.journey, change.to, document, options.config)
      revisions.push({journey: change.journey, hash: change.to, document: document as string})
      proposed.add(change.to)
    }
    for (const hash of Object.keys(saved.documents)) {
      if (!proposed.has(hash))
        throw new JoeError('JOE6016', `the plan holds a document (${shortHash(hash)}) that no change activates`, {hint: 'make a new plan'})
    }
    if (!sameHead(saved.head, state.head)) throw staleError(options.env, saved.head, state.head, true)
    const active = new Map(state.active.map((a) => [a.journey, a.revision]))
    for (const entry of [...saved.unchanged, ...saved.kept]) {
      assertJourneyKey(entry.journey, 'the plan')
      if (active.get(entry.journey) !== entry.revision) throw mismatchError(options.env, [entry.journey])
    }
    for (const entry of saved.unchanged) {
      revisions.push({journey: entry.journey, hash: entry.revision, document: activeDocuments.get(entry.revision) as string})
    }
    const plannedAt = Date.parse(saved.planned_at)
    return {
      kind: 'deploy',
      revisions,
      prune: saved.prune,
      bypass: options.bypass,
      strict: true,
      ...(Number.isFinite(plannedAt) ? {plannedAt} : {}),
      expect: (plan) => {
        const now = new Set(changeKeys(plan))
        const file = new Set(changeKeys(saved))
        const differs = [...now].filter((k) => !file.has(k)).concat([...file].filter((k) => !now.has(k)))
        if (differs.length > 0 || now.size !== changeKeys(saved).length) {
          throw mismatchError(
            options.env,
            differs.length > 0 ? differs.map((k) => k.split(' ')[0] as string) : saved.changes.map((c) => c.journey),
          )
        }
      },
    }
  })
}

/** The result of `joe plan`: the plan without its documents, the gates' verdict, and where it was saved. */
export interface PlanResult {
  format_version: typeof DEPLOY_OUTPUT_VERSION
  env: string
  store: string
  /** The ledger head planned against. */
  head: LedgerHead | null
  /** ISO 8601 UTC. */
  planned_at: string
  prune: boolean
  changes: DeployPlan['changes']
  unchanged: DeployPlan['unchanged']
  kept: DeployPlan['kept']
  gates: GateReport
  /** Whether a gate would refuse the deploy of this plan (with the bypass flags given). */
  refused: boolean
  /** The signed plan file written with --out; null without it. */
  out: string | null
}

export function planResult(prepared: PreparedDeploy, out: string | null): PlanResult {
  const {plan, gates} = prepared
  return {
    format_version: DEPLOY_OUTPUT_VERSION,
    env: plan.env,
    store: plan.store,
    head: plan.head,
    planned_at: plan.planned_at,
    prune: plan.prune,
    changes: plan.changes,
    unchanged: plan.unchanged,
    kept: plan.kept,
    gates,
    refused: gates.findings.some((f) => f.blocking),
    out,
  }
}

/** `joe plan --out FILE`: writes the plan signed with the environment's plan key. */
export async function savePlan(options: EnvOptions, plan: DeployPlan, file: string): Promise<void> {
  const key = await withEnvStore(options, (store) => planKey(store, options.env, options.vars))
  await writePlanFile(file, signPlan(plan, key))
}
