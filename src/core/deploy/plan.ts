import type {Journey} from '../journey/model.js'
import type {JourneyRevision} from './canonical.js'
import {type ChangeSummary, droppedSteps, summarizeChange} from './change-summary.js'
import type {EnvState, LedgerHead} from './deploy-types.js'

export const PLAN_FORMAT_VERSION = 1

export interface PlanChange {
  journey: string
  action: 'create' | 'update' | 'remove'
  /** Active revision now; null for a new journey. */
  from: string | null
  /** Revision after the deploy; null for a removal. */
  to: string | null
  /** For updates: what the new revision changes. */
  summary?: ChangeSummary
  /** For updates: steps where customers may wait that the new revision removes without `moved` (spec section 7). */
  drops: string[]
}

/** What a deploy would do to one environment; also the saved plan file (`joe plan --out`). */
export interface DeployPlan {
  format_version: typeof PLAN_FORMAT_VERSION
  kind: 'joe-deploy-plan'
  env: string
  /** The store URL, password masked. */
  store: string
  /** The environment's ledger head when planned; applying refuses a plan whose head moved (stale). */
  head: LedgerHead | null
  /** ISO 8601. */
  planned_at: string
  prune: boolean
  /** Sorted by journey id. */
  changes: PlanChange[]
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
      changes.push({journey: revision.journey, action: 'create', from: null, to: revision.hash, drops: []})
      continue
    }
    const before = input.activeModels.get(revision.journey)
    const after = JSON.parse(revision.document) as Journey
    changes.push({
      journey: revision.journey,
      action: 'update',
      from: current.revision,
      to: revision.hash,
      ...(before ? {summary: summarizeChange(before, after), drops: droppedSteps(before, after)} : {drops: []}),
    })
  }
  for (const current of active.values()) {
    if (wanted.has(current.journey)) continue
    if (input.prune) changes.push({journey: current.journey, action: 'remove', from: current.revision, to: null, drops: []})
    else kept.push({journey: current.journey, revision: current.revision})
  }
  return {
    format_version: PLAN_FORMAT_VERSION,
    kind: 'joe-deploy-plan',
    env: input.env,
    store: input.store,
    head: input.state.head,
    planned_at: new Date(input.now).toISOString(),
    prune: input.prune,
    changes: changes.sort(byJourney),
    unchanged: unchanged.sort(byJourney),
    kept: kept.sort(byJourney),
    documents,
  }
}

/** Whether two plans make the same changes (same journeys, same from and to revisions). */
export function sameChanges(a: DeployPlan, b: DeployPlan): boolean {
  const key = (p: DeployPlan) => p.changes.map((c) => `${c.journey}:${c.action}:${c.from}:${c.to}`).join('|')
  return key(a) === key(b)
}
