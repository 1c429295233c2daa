// What the gates need to judge a plan, read from the outside world: the promote_from environment's
// active revisions, and a simulation of the config's policies on the local event store.
import path from 'node:path'
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import type {EnvState} from './deploy-types.js'
import type {EnvOptions} from './env-store.js'
import type {GateBypass, GateInputs} from './gates.js'
import {environment, openDeployStore} from './open-deploy-store.js'
import type {DeployPlan} from './plan.js'

export interface GatherContext extends EnvOptions {
  /** The environment's state the plan was computed against (for the pause states). */
  state: EnvState
  /** Documents of the environment's active revisions, by hash (for the journeys a deploy keeps). */
  activeDocuments: ReadonlyMap<string, string>
  /** rollback: only the customers-in-flight gate applies. */
  trusted: boolean
  bypass: GateBypass
}

/** Reads every input the gates need to judge `plan`. */
export async function gatherGateInputs(plan: DeployPlan, context: GatherContext): Promise<GateInputs> {
  if (context.trusted) return {protection: null, policies: {status: 'none'}, trusted: true}
  return {protection: await protection(context), policies: await policies(plan, context), trusted: false}
}

async function protection(context: GatherContext): Promise<GateInputs['protection']> {
  const env = context.config.environments[context.env]
  if (!env?.protected) return null
  if (!env.promoteFrom) return {source: null, sourceActive: new Map()}
  const source = environment(context.config, env.promoteFrom, context.vars)
  const store = await (context.open ?? openDeployStore)(source.target, {now: context.now})
  try {
    const active = (await store.state(source.name)).active
    return {source: source.name, sourceActive: new Map(active.map((a) => [a.journey, a.revision]))}
  } finally {
    await store.close()
  }
}

/**
 * Simulates, on the local event store, every journey that would be active (and not paused) after
 * the plan, with the config's policies.
 */
async function policies(plan: DeployPlan, context: GatherContext): Promise<GateInputs['policies']> {
  const policy = context.config.policies.maxMessagesPerCustomer
  if (!policy) return {status: 'none'}
  if (context.bypass.skipPolicies) return {status: 'skipped'}
  if (!plan.changes.some((c) => c.to)) return {status: 'not-needed'}
  const paused = new Set(context.state.active.filter((a) => a.paused).map((a) => a.journey))
  const documents: string[] = []
  for (const change of plan.changes) {
    const document = change.to ? plan.documents[change.to] : undefined
    if (document !== undefined && !paused.has(change.journey)) documents.push(document)
  }
  for (const other of [...plan.unchanged, ...plan.kept]) {
    const document = context.activeDocuments.get(other.revision)
    if (document !== undefined && !paused.has(other.journey)) documents.push(document)
  }
  const journeys = documents.map((d) => JSON.parse(d) as Journey)
  const storePath = path.resolve(context.config.root, context.config.store)
  const {simulate} = await import('../simulate/simulate.js')
  try {
    const check = simulate({journeys, storePath, policy}).policy
    return check ? {status: 'checked', check} : {status: 'not-needed'}
  } catch (error) {
    if (!(error instanceof JoeError)) throw error
    return {status: 'unavailable', message: error.message}
  }
}
