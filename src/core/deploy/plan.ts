import {iso} from '../instant.js'
import type {Journey} from '../journey/model.js'
import type {JourneyRevision} from './canonical.js'
import {type ChangeSummary, droppedSteps, summarizeChange, waitingSteps} from './change-summary.js'
import type {EnvState, LedgerHead} from './deploy-types.js'

export interface PlanChange {
  journey: string
  action: 'create' | 'update' | 'remove'
  /** Active revision now; null for a new journey. */
  from: string | null
  /** Revision after the deploy; null for a removal. */
  to: string | null
  /** For updates whose active revision could be read: what the new revision changes; null otherwise. */
  summary: ChangeSummary | null
  /**
   * Steps where customers may be waiting that the change drops (spec section 7): for an update, those
   * the new revision removes without a `moved` entry; for a removal, every such step of the journey.
   */
  drops: string[]
}

/** What a deploy would do to one environment. Saved (and signed) by `joe plan --out` as a {@link PlanFile}. */
export interface DeployPlan {
  env: string
  /** The store URL, credentials masked. */
  store: string
  /** The environment's ledger head when planned; applying refuses a plan whose head moved (stale). */
  head: LedgerHead | null
  /** ISO 8601 UTC. */
  planned_at: string
  prune: boolean
  /** Sorted by journey id. */
  changes: PlanChange[]
  /** Journeys of the deploy whose revision is active already. */
  unchanged: {journey: string; revision: string}[]
  /** Active in the environment, not part of this deploy, and kept (no --prune, or journeys were named). */
  kept: {journey: string; revision: string}[]
  /** Canonical documents of the revisions the plan activates, by hash. */
  documents: Record<string, string>
}

export interface PlanInput {
  env: string
  store: string
  state: EnvState
  /** Models of the environment's active revisions, by journey id. */
  activeModels: ReadonlyMap<string, Journey>
  /** The revisions to make active. */
  revisions: readonly JourneyRevision[]
  /** Remove active journeys that are not among `revisions`. */
  prune: boolean
  /** Epoch ms: `planned_at`. */
  now: number
}

const byJourney = <T extends {journey: string}>(a: T, b: T) => (a.journey < b.journey ? -1 : a.journey > b.journey ? 1 : 0)

/** Pure: compares the wanted revisions with what is active in the environment. */
export function computePlan(input: PlanInput): DeployPlan {
  const active = new Map(input.state.active.map((a) => [a.journey, a]))
  const wanted = new Map(input.revisions.map((r) => [r.journey, r]))
  const changes: PlanChange[] = []
  const unchanged: DeployPlan['unchanged'] = []
  const kept: DeployPlan['kept'] = []
  const documents: Record<string, string> = {}
  for (const revision of wanted.values()) {
    const current = active.get(revision.journey)
    if (current?.revision === revision.hash) {
      unchanged.push({journey: revision.journey, revision: revision.hash})
      continue
    }
    documents[revision.hash] = revision.document
    if (!current) {
      changes.push({journey: revision.journey, action: 'create', from: null, to: revision.hash, summary: null, drops: []})
      continue
    }
    const before = input.activeModels.get(revision.journey)
    const after = JSON.parse(revision.document) as Journey
    changes.push({
      journey: revision.journey,
      action: 'update',
      from: current.revision,
      to: revision.hash,
      summary: before ? summarizeChange(before, after) : null,
      drops: before ? droppedSteps(before, after) : [],
    })
  }
  for (const current of active.values()) {
    if (wanted.has(current.journey)) continue
    if (!input.prune) {
      kept.push({journey: current.journey, revision: current.revision})
      continue
    }
    const before = input.activeModels.get(current.journey)
    changes.push({
      journey: current.journey,
      action: 'remove',
      from: current.revision,
      to: null,
      summary: null,
      drops: before ? waitingSteps(before) : [],
    })
  }
  return {
    env: input.env,
    store: input.store,
    head: input.state.head,
    planned_at: iso(input.now),
    prune: input.prune,
    changes: changes.sort(byJourney),
    unchanged: unchanged.sort(byJourney),
    kept: kept.sort(byJourney),
    documents,
  }
}

/** The changes of a plan as `journey action from to` keys, to compare two plans. */
export function changeKeys(plan: Pick<DeployPlan, 'changes' | 'unchanged' | 'kept'>): string[] {
  return [
    ...plan.changes.map((c) => `${c.journey} ${c.action} ${c.from} ${c.to}`),
    ...plan.unchanged.map((u) => `${u.journey} unchanged ${u.revision}`),
    ...plan.kept.map((k) => `${k.journey} kept ${k.revision}`),
  ]
}
