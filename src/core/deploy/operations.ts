import {JoeError} from '../errors.js'
import {iso} from '../instant.js'
import {provenance} from './actor.js'
import type {ApplyOptions} from './apply.js'
import {type JourneyRevision, shortHash} from './canonical.js'
import type {LedgerEntry, LedgerHead} from './deploy-types.js'
import {type EnvOptions, withEnvStore} from './env-store.js'
import type {GateBypass} from './gates.js'
import {type PreparedDeploy, prepareIn} from './prepare.js'
import {DEPLOY_OUTPUT_VERSION, type LedgerRecord, toLedgerRecord} from './results.js'
import {assertIntact, type IntegrityReport, verifySnapshot} from './verify.js'

export interface StatusJourney {
  journey: string
  revision: string
  paused: boolean
  /** ISO 8601 UTC: when this revision (or pause state) became active. */
  since: string
  by: string
  email: string | null
  ledger_id: number
  kind: LedgerEntry['kind']
  message: string | null
}

export interface StatusResult {
  format_version: typeof DEPLOY_OUTPUT_VERSION
  env: string
  store: string
  head: LedgerHead | null
  /** Sorted by journey id. */
  journeys: StatusJourney[]
}

/** `joe status`: what is active in an environment, since when, by whom. */
export async function envStatus(options: EnvOptions): Promise<StatusResult> {
  return withEnvStore(options, async (store) => {
    const state = await store.state(options.env)
    const entries = new Map((await store.history(options.env)).map((e) => [e.id, e]))
    return {
      format_version: DEPLOY_OUTPUT_VERSION,
      env: options.env,
      store: store.display,
      head: state.head,
      journeys: state.active.map((a) => {
        const entry = entries.get(a.ledgerId)
        return {
          journey: a.journey,
          revision: a.revision,
          paused: a.paused,
          since: iso(a.since),
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
  format_version: typeof DEPLOY_OUTPUT_VERSION
  env: string
  store: string
  /** The journey asked for; null for the whole ledger. */
  journey: string | null
  /** Newest first. */
  entries: LedgerRecord[]
}

/** `joe history`: the environment's ledger, newest first. */
export async function envHistory(options: EnvOptions & {journey?: string; limit?: number}): Promise<HistoryResult> {
  return withEnvStore(options, async (store) => {
    const entries = (await store.history(options.env, options.journey ? {journey: options.journey} : {})).reverse()
    return {
      format_version: DEPLOY_OUTPUT_VERSION,
      env: options.env,
      store: store.display,
      journey: options.journey ?? null,
      entries: (options.limit ? entries.slice(0, options.limit) : entries).map(toLedgerRecord),
    }
  })
}

export interface VerifyResult extends IntegrityReport {
  format_version: typeof DEPLOY_OUTPUT_VERSION
  env: string
  store: string
}

/** `joe verify`: the environment's ledger chain, its active table against the ledger, its revisions against their hashes. */
export async function verifyEnv(options: EnvOptions): Promise<VerifyResult> {
  return withEnvStore(options, async (store) => ({
    format_version: DEPLOY_OUTPUT_VERSION,
    env: options.env,
    store: store.display,
    ...verifySnapshot(await store.snapshot(options.env)),
  }))
}

/**
 * The plan of `joe rollback`: re-activate an earlier revision of a journey. Without `to`, the
 * revision that was active before the current one. Only revisions that were active in this
 * environment before are accepted, so the protected and policy gates (passed then) do not apply;
 * the customers-in-flight gate does.
 */
export async function prepareRollback(options: EnvOptions & {journey: string; to?: string; bypass: GateBypass}): Promise<PreparedDeploy> {
  return prepareIn(options, async ({store, state}) => {
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
    return {kind: 'rollback', revisions: [target], prune: false, bypass: options.bypass, trusted: true, details: {rollback: true}}
  })
}

/**
 * The plan of `joe promote`: deploy to `env` exactly the revisions active in `from` (all, or the
 * named journeys), judged by every gate. Never removes anything.
 */
export async function preparePromote(
  options: EnvOptions & {from: string; journeys: readonly string[]; bypass: GateBypass},
): Promise<PreparedDeploy> {
  const revisions = await withEnvStore({...options, env: options.from}, async (store) => {
    const snapshot = await store.snapshot(options.from)
    assertIntact(options.from, verifySnapshot(snapshot))
    const names = new Set(options.journeys)
    for (const name of names) if (!snapshot.state.active.some((a) => a.journey === name)) throw notActive(name, options.from)
    return snapshot.state.active
      .filter((a) => names.size === 0 || names.has(a.journey))
      .flatMap((a) => {
        const revision = snapshot.revisions.get(a.revision)
        return revision ? [revision] : []
      })
  })
  if (revisions.length === 0) {
    throw new JoeError('JOE6011', `nothing is active in "${options.from}" to promote`, {
      hint: `deploy to ${options.from} first`,
      exitCode: 2,
    })
  }
  return prepareIn(options, async () => ({
    kind: 'promote',
    revisions,
    prune: false,
    bypass: options.bypass,
    details: {promoted_from: options.from},
  }))
}

export interface PauseResult {
  format_version: typeof DEPLOY_OUTPUT_VERSION
  env: string
  store: string
  journey: string
  paused: boolean
  /** False when the journey already was in that state. */
  changed: boolean
  ledger: LedgerRecord[]
}

/** `joe pause` / `joe resume`: flips a journey's pause state, recorded in the ledger, onto a verified store only. */
export async function setPaused(options: ApplyOptions & {journey: string; paused: boolean}): Promise<PauseResult> {
  return withEnvStore(options, (store) =>
    store.transaction(options.env, options.lockTimeoutMs, async (tx) => {
      const snapshot = await tx.snapshot()
      assertIntact(options.env, verifySnapshot(snapshot))
      const current = snapshot.state.active.find((a) => a.journey === options.journey)
      if (!current) throw notActive(options.journey, options.env)
      const base = {
        format_version: DEPLOY_OUTPUT_VERSION,
        env: options.env,
        store: store.display,
        journey: options.journey,
        paused: options.paused,
      }
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
      return {...base, changed: true, ledger: ledger.map(toLedgerRecord)}
    }),
  )
}

function notActive(journey: string, env: string): JoeError {
  return new JoeError('JOE6011', `${journey} is not active in "${env}"`, {
    hint: `\`joe status --env ${env}\` lists what is active there`,
    exitCode: 2,
  })
}
