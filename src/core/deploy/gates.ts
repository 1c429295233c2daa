import path from 'node:path'
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import type {JoeConfig} from '../project/config.js'
import type {PolicyCheck} from '../simulate/policy.js'
import {shortHash} from './canonical.js'
import type {DeployStore} from './deploy-store.js'
import {environment, openDeployStore, type StoreOpener} from './open-deploy-store.js'
import type {DeployPlan} from './plan.js'

/** What the protected-environment gate found: revisions of the plan not active in `promote_from`. */
export interface ProtectedGate {
  /** The environment revisions must come from; null when the protected environment has no promote_from. */
  source: string | null
  missing: {journey: string; revision: string}[]
}

/** Gate findings of a plan, shown with it before anything is applied. */
export interface GateReport {
  /** null when the environment is not protected. */
  protected: ProtectedGate | null
  /** Journeys whose new revision drops waiting customers (spec section 7). */
  drops: {journey: string; steps: string[]}[]
}

export interface GateContext {
  config: JoeConfig
  env: string
  vars: Readonly<Record<string, string | undefined>>
  now: number
  open?: StoreOpener
}

export function inFlightDrops(plan: DeployPlan): GateReport['drops'] {
  return plan.changes.filter((c) => c.drops.length > 0).map((c) => ({journey: c.journey, steps: c.drops}))
}

/** Checks a protected environment: every revision the plan activates must be active in its `promote_from`. */
export async function protectedGate(plan: DeployPlan, context: GateContext): Promise<ProtectedGate | null> {
  const env = context.config.environments[context.env]
  if (!env?.protected) return null
  const wanted = plan.changes.flatMap((c) => (c.to ? [{journey: c.journey, revision: c.to}] : []))
  if (!env.promoteFrom) return {source: null, missing: wanted}
  if (wanted.length === 0) return {source: env.promoteFrom, missing: []}
  const source = environment(context.config, env.promoteFrom, context.vars)
  const store = await (context.open ?? openDeployStore)(source.target, {now: context.now})
  try {
    const active = new Map((await store.state(source.name)).active.map((a) => [a.journey, a.revision]))
    return {source: source.name, missing: wanted.filter((w) => active.get(w.journey) !== w.revision)}
  } finally {
    await store.close()
  }
}

export function enforceDrops(drops: GateReport['drops'], allowDrop: boolean): void {
  if (drops.length === 0 || allowDrop) return
  const list = drops.map((d) => `${d.journey} (${d.steps.join(', ')})`).join('; ')
  throw new JoeError('JOE6022', `the new revisions remove steps where customers may be waiting, with no \`moved\` entry: ${list}`, {
    hint: 'add `moved: { OLD_STEP: NEW_STEP }` to the journey so those customers continue, or deploy with --allow-drop (they complete at once)',
  })
}

export function enforceProtected(gate: ProtectedGate | null, env: string, force: boolean, message: string | undefined): void {
  if (!gate || gate.missing.length === 0) return
  if (force) {
    if (!message) {
      throw new JoeError('JOE6023', `--force on the protected environment "${env}" needs a message`, {
        hint: 'say why with -m "…"; it is recorded in the ledger',
        exitCode: 2,
      })
    }
    return
  }
  const list = gate.missing.map((m) => `${m.journey}@${shortHash(m.revision)}`).join(', ')
  throw new JoeError(
    'JOE6020',
    gate.source
      ? `"${env}" is protected: it accepts only revisions active in "${gate.source}", and these are not: ${list}`
      : `"${env}" is protected and has no promote_from, so every deploy needs --force: ${list}`,
    {
      hint: gate.source
        ? `deploy them to ${gate.source} first, then \`joe promote --from ${gate.source} --to ${env}\`; or --force -m "why"`
        : 'use --force -m "why", or set `promote_from` for the environment in joe.config.yaml',
    },
  )
}

/**
 * Simulates, on the local event store, every journey that would be active (and not paused)
 * after the plan, and checks the config's `policies` on them. Undefined when there are no policies.
 */
export async function policyGate(
  plan: DeployPlan,
  context: GateContext & {store: DeployStore; paused: ReadonlySet<string>},
): Promise<PolicyCheck | undefined> {
  const policy = context.config.policies.maxMessagesPerCustomer
  if (!policy || !plan.changes.some((c) => c.to)) return undefined
  const journeys: Journey[] = []
  for (const change of plan.changes) {
    const document = change.to ? plan.documents[change.to] : undefined
    if (document && !context.paused.has(change.journey)) journeys.push(JSON.parse(document) as Journey)
  }
  for (const other of [...plan.unchanged, ...plan.kept]) {
    if (context.paused.has(other.journey)) continue
    const revision = await context.store.revision(other.revision)
    if (revision) journeys.push(JSON.parse(revision.document) as Journey)
  }
  const storePath = path.resolve(context.config.root, context.config.store)
  const {simulate} = await import('../simulate/simulate.js')
  let check: PolicyCheck | undefined
  try {
    check = simulate({journeys, storePath, policy}).policy
  } catch (error) {
    if (!(error instanceof JoeError)) throw error
    throw new JoeError('JOE6024', `cannot check the policies before deploying: ${error.message}`, {
      hint: 'import events into the local store (`joe events import FILE`) so the policies can be simulated, or deploy with --skip-policies (recorded in the ledger)',
      cause: error,
    })
  }
  if (check && !check.ok) {
    const worst = check.breaches
      .slice(0, 3)
      .map((b) => `${b.customerId} (${b.messages})`)
      .join(', ')
    throw new JoeError(
      'JOE6021',
      `deploying would breach max_messages_per_customer (${check.limit} per ${check.per}) for ${check.breaches.length} customer${check.breaches.length === 1 ? '' : 's'} of the local store: ${worst}`,
      {hint: 'see `joe simulate --check`; change the journeys, or deploy with --skip-policies (recorded in the ledger)'},
    )
  }
  return check
}
