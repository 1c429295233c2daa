import {JoeError} from '../errors.js'
import {sha256, shortHash} from './canonical.js'
import {ledgerEntryHash} from './deploy-store.js'
import type {EnvSnapshot, LedgerEntry, LedgerHead} from './deploy-types.js'

/** One break found by {@link verifySnapshot}. */
export interface IntegrityProblem {
  /** `chain`: a ledger entry; `revision`: a revision document; `active`: the active table against the ledger. */
  kind: 'chain' | 'revision' | 'active'
  /** The ledger entry concerned; null when the problem is not one entry's. */
  entry: number | null
  /** The journey concerned; null for a problem of the chain as a whole. */
  journey: string | null
  /** The revision concerned (full hash); null when none is. */
  revision: string | null
  message: string
}

/** What {@link verifySnapshot} checked and found. */
export interface IntegrityReport {
  ok: boolean
  /** The ledger's last entry as stored (null for an empty ledger). */
  head: LedgerHead | null
  /** How many ledger entries, revisions and active journeys were checked. */
  checked: {entries: number; revisions: number; active: number}
  /** In ledger order: chain problems by entry, then revisions, then the active table. */
  problems: IntegrityProblem[]
}

interface Expected {
  revision: string
  paused: boolean
  since: number
  ledgerId: number
}

/**
 * Pure: checks an environment's store against itself. The ledger must be numbered 1, 2, 3… without
 * gaps, each entry's hash must match its content and name its predecessor's hash; every revision the
 * ledger or the active table names must exist and hash to its id; and replaying the ledger must give
 * exactly the active table. A hash chain cannot show that entries were cut off its end: the active
 * table usually does (it names the last entries), and comparing the head with one seen earlier does.
 */
export function verifySnapshot(snapshot: EnvSnapshot): IntegrityReport {
  const problems: IntegrityProblem[] = []
  const chain = (entry: LedgerEntry, message: string) =>
    problems.push({kind: 'chain', entry: entry.id, journey: entry.journey, revision: null, message})
  let previous: LedgerEntry | undefined
  for (const [index, entry] of snapshot.entries.entries()) {
    if (entry.id !== index + 1) chain(entry, `entry #${entry.id} is where #${index + 1} should be: entries are missing before it`)
    if (entry.prevHash !== (previous?.hash ?? null)) {
      chain(
        entry,
        previous
          ? `entry #${entry.id} does not chain to #${previous.id}: it names ${shortHash(entry.prevHash)}, #${previous.id} is ${shortHash(previous.hash)}`
          : `entry #${entry.id} is the first but names a predecessor (${shortHash(entry.prevHash)})`,
      )
    }
    const {hash: _stored, ...content} = entry
    if (ledgerEntryHash(content) !== entry.hash)
      chain(entry, `entry #${entry.id} was altered: its content no longer hashes to ${shortHash(entry.hash)}`)
    previous = entry
  }

  const named = new Map<string, {journey: string; entry: number | null}>()
  for (const entry of snapshot.entries) {
    for (const hash of [entry.from, entry.to])
      if (hash !== null && !named.has(hash)) named.set(hash, {journey: entry.journey, entry: entry.id})
  }
  for (const active of snapshot.state.active)
    if (!named.has(active.revision)) named.set(active.revision, {journey: active.journey, entry: null})
  for (const [hash, {journey, entry}] of named) {
    const revision = snapshot.revisions.get(hash)
    const problem = (message: string) => problems.push({kind: 'revision', entry, journey, revision: hash, message})
    if (!revision) problem(`revision ${shortHash(hash)} of ${journey} is missing from the store`)
    else if (sha256(revision.document) !== hash)
      problem(`revision ${shortHash(hash)} of ${journey} was altered: its document no longer hashes to its id`)
    else if (revision.journey !== journey)
      problem(`revision ${shortHash(hash)} is stored as a revision of ${revision.journey}, not ${journey}`)
  }

  const expected = replay(snapshot.entries)
  const actual = new Map(snapshot.state.active.map((a) => [a.journey, a]))
  for (const journey of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const want = expected.get(journey)
    const have = actual.get(journey)
    const problem = (message: string) =>
      problems.push({
        kind: 'active',
        entry: want?.ledgerId ?? have?.ledgerId ?? null,
        journey,
        revision: have?.revision ?? want?.revision ?? null,
        message,
      })
    if (!want && have) problem(`${journey} is active (${shortHash(have.revision)}), but the ledger never activated it or removed it since`)
    else if (want && !have) problem(`${journey} should be active (${shortHash(want.revision)}, ledger #${want.ledgerId}) but is not`)
    else if (want && have) {
      const differs = [
        ...(want.revision !== have.revision ? [`revision ${shortHash(have.revision)} instead of ${shortHash(want.revision)}`] : []),
        ...(want.paused !== have.paused ? [have.paused ? 'paused, but the ledger resumed it' : 'running, but the ledger paused it'] : []),
        ...(want.ledgerId !== have.ledgerId ? [`made so by ledger #${have.ledgerId} instead of #${want.ledgerId}`] : []),
        ...(want.since !== have.since ? ['a different since time'] : []),
      ]
      if (differs.length > 0) problem(`${journey} does not match the ledger: ${differs.join(', ')}`)
    }
  }
  const last = snapshot.entries.at(-1)
  return {
    ok: problems.length === 0,
    head: last ? {id: last.id, hash: last.hash} : null,
    checked: {entries: snapshot.entries.length, revisions: named.size, active: snapshot.state.active.length},
    problems,
  }
}

/** The active table the ledger describes: what each write did to its journey's row, in order. */
function replay(entries: readonly LedgerEntry[]): Map<string, Expected> {
  const active = new Map<string, Expected>()
  for (const entry of entries) {
    if (entry.to === null) {
      active.delete(entry.journey)
      continue
    }
    const paused = entry.action === 'pause' ? true : entry.action === 'resume' ? false : (active.get(entry.journey)?.paused ?? false)
    active.set(entry.journey, {revision: entry.to, paused, since: entry.at, ledgerId: entry.id})
  }
  return active
}

/** Refuses to write onto an environment whose store fails verification (JOE6018). */
export function assertIntact(env: string, report: IntegrityReport): void {
  if (report.ok) return
  const first = report.problems[0] as IntegrityProblem
  const more = report.problems.length > 1 ? ` (and ${report.problems.length - 1} more)` : ''
  throw new JoeError('JOE6018', `the deploy store of "${env}" fails verification, so joe writes nothing to it: ${first.message}${more}`, {
    hint: `\`joe verify --env ${env}\` lists every problem; restore the store from a backup, or find out who changed it outside joe`,
  })
}
