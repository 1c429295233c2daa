import {JoeError} from '../errors.js'
import {provenance} from './actor.js'
import {type JourneyRevision, shortHash} from './canonical.js'
import {activeModels, applyPlan, type DeployResult, type EnvOptions, withEnvStore} from './deploy.js'
import type {Actor, LedgerEntry, LedgerHead} from './deploy-types.js'
import {computePlan, type DeployPlan} from './plan.js'

export interface StatusJourney {
  journey: string
  revision: string
  paused: boolean
  /** ISO 8601: when this revision (or pause state) became active. */
  since: string
  by: string
  email: string | null
  ledger_id: number
  kind: LedgerEntry['kind']
  message: string | null
}

export interface StatusResult {
  env: string
  store: string
  head: LedgerHead | null
  journeys: StatusJourney[]
}

/** `joe status`: what is active in an environment, since when, by whom. */
export async function envStatus(options: EnvOptions): Promise<StatusResult> {
  return withEnvStore(options, async (store) => {
    const state = await store.state(options.env)
    const entries = new Map((await store.history(options.env)).map((e) => [e.id, e]))
    return {
      env: options.env,
      store: store.display,
      head: state.head,
      journeys: state.active.map((a) => {
        const entry = entries.get(a.ledgerId)
        return {
          journey: a.journey,
          revision: a.revision,
          paused: a.paused,
          since: new Date(a.since).toISOString(),
          by: entry?.actor ?? 'unknown',
          email: entry?.actorEmail ?? null,
          ledger_id: a.ledgerId,
          kind: entry?.kind ?? 'deploy',
          message: entry?.message ?? null,
        }
      }),
    }
  })
}

export interface HistoryResult {
  env: string
  store: string
  /** Present when the history was asked for one journey. */
  journey?: string
  /** Newest first. */
  entries: LedgerEntry[]
}

/** `joe history`: the environment's ledger, newest first. */
export async function envHistory(options: EnvOptions & {journey?: string; limit?: number}): Promise<HistoryResult> {
  return withEnvStore(options, async (store) => {
    const entries = (await store.history(options.env, options.journey ? {journey: options.journey} : {})).reverse()
    return {
      env: options.env,
      store: store.display,
      ...(options.journey ? {journey: options.journey} : {}),
      entries: options.limit ? entries.slice(0, options.limit) : entries,
    }
  })
}

export interface ChangeOptions extends EnvOptions {
  actor: Actor
  message?: string
  lockTimeoutMs: number
}

/**
 * `joe rollback`: re-activates an earlier revision of a journey, as a new ledger entry. Without
 * `to`, the revision that was active before the current one. Only revisions that were active in
 * this environment before are accepted, so the protected and policy gates (passed then) are not rerun;
 * the in-flight rule is (`allowDrop`).
 */
export async function rollbackJourney(options: ChangeOptions & {journey: string; to?: string; allowDrop?: boolean}): Promise<DeployResult> {
  const {plan} = await withEnvStore(options, async (store) => {
    const state = await store.state(options.env)
    const history = await store.history(options.env, {journey: options.journey})
    const current = state.active.find((a) => a.journey === options.journey)
    let target: JourneyRevision | undefined
    if (options.to !== undefined) {
      const wasActive = new Set(history.flatMap((e) => (e.to ? [e.to] : [])))
      const matches = (await store.findRevisions(options.journey, options.to)).filter((r) => wasActive.has(r.hash))
      if (matches.length !== 1) {
        throw new JoeError(
          'JOE6012',
          matches.length === 0
            ? `no revision ${options.to} of ${options.journey} was ever active in "${options.env}"`
            : `revision ${options.to} is ambiguous: ${matches.map((m) => shortHash(m.hash)).join(', ')}`,
          {hint: `\`joe history --env ${options.env} ${options.journey}\` lists its revisions`, exitCode: 2},
        )
      }
      target = matches[0]
    } else {
      if (!current) throw notActive(options.journey, options.env)
      const activation = [...history].reverse().find((e) => e.to === current.revision && e.from !== current.revision)
      if (!activation?.from) {
        throw new JoeError('JOE6013', `${options.journey} has no earlier revision in "${options.env}" to roll back to`, {
          hint: `\`joe history --env ${options.env} ${options.journey}\` shows its ledger`,
        })
      }
      target = await store.revision(activation.from)
    }
    if (!target) throw notActive(options.journey, options.env)
    return {
      plan: computePlan({
        env: options.env,
        store: store.display,
        state,
        activeModels: await activeModels(store, state),
        revisions: [target],
        prune: false,
        now: options.now,
      }),
    }
  })
  return applyPlan({
    ...options,
    plan,
    kind: 'rollback',
    trusted: true,
    allowDrop: options.allowDrop === true,
    details: {rollback: true},
  })
}

/** Options of `joe promote`: the environment to deploy to is `env`, the one to copy from `from`. */
export interface PromoteOptions extends EnvOptions {
  from: string
  /** Journey ids; empty: every journey active in `from`. */
  journeys: readonly string[]
}

/**
 * The plan of `joe promote`: deploy to `env` exactly the revisions active in `from` (all, or the
 * named journeys). Never removes anything. Apply it with {@link promoteJourneys} or applyPlan (kind 'promote').
 */
export async function planPromote(options: PromoteOptions): Promise<DeployPlan> {
  const revisions = await withEnvStore({...options, env: options.from}, async (store) => {
    const state = await store.state(options.from)
    const names = new Set(options.journeys)
    for (const name of names) if (!state.active.some((a) => a.journey === name)) throw notActive(name, options.from)
    const selected = state.active.filter((a) => names.size === 0 || names.has(a.journey))
    const loaded: JourneyRevision[] = []
    for (const active of selected) {
      const revision = await store.revision(active.revision)
      if (revision) loaded.push(revision)
    }
    return loaded
  })
  if (revisions.length === 0) {
    throw new JoeError('JOE6011', `nothing is active in "${options.from}" to promote`, {
      hint: `deploy to ${options.from} first`,
      exitCode: 2,
    })
  }
  return withEnvStore(options, async (store) => {
    const state = await store.state(options.env)
    return computePlan({
      env: options.env,
      store: store.display,
      state,
      activeModels: await activeModels(store, state),
      revisions,
      prune: false,
      now: options.now,
    })
  })
}

/** `joe promote` without a prompt: plans and applies, with every gate of a deploy. */
export async function promoteJourneys(
  options: PromoteOptions & ChangeOptions & {force?: boolean; allowDrop?: boolean; skipPolicies?: boolean},
): Promise<DeployResult> {
  const plan = await planPromote(options)
  return applyPlan({
    ...options,
    plan,
    kind: 'promote',
    force: options.force === true,
    allowDrop: options.allowDrop === true,
    skipPolicies: options.skipPolicies === true,
    details: {promoted_from: options.from},
  })
}

export interface PauseResult {
  env: string
  store: string
  journey: string
  paused: boolean
  /** False when the journey already was in that state. */
  changed: boolean
  ledger: LedgerEntry[]
}

/** `joe pause` / `joe resume`: flips a journey's pause state, recorded in the ledger. */
export async function setPaused(options: ChangeOptions & {journey: string; paused: boolean}): Promise<PauseResult> {
  return withEnvStore(options, (store) =>
    store.transaction(options.env, options.lockTimeoutMs, async (tx) => {
      const current = (await tx.state()).active.find((a) => a.journey === options.journey)
      if (!current) throw notActive(options.journey, options.env)
      const base = {env: options.env, store: store.display, journey: options.journey, paused: options.paused}
      if (current.paused === options.paused) return {...base, changed: false, ledger: []}
      const action = options.paused ? 'pause' : 'resume'
      const ledger = await tx.write([
        {
          entry: {
            kind: action,
            journey: options.journey,
            action,
            from: current.revision,
            to: current.revision,
            ...provenance(options.actor, options.now, options.message),
            details: {},
          },
          paused: options.paused,
        },
      ])
      return {...base, changed: true, ledger}
    }),
  )
}

function notActive(journey: string, env: string): JoeError {
  return new JoeError('JOE6011', `${journey} is not active in "${env}"`, {
    hint: `\`joe status --env ${env}\` lists what is active there`,
    exitCode: 2,
  })
}
