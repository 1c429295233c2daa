/** The ledger's last entry in an environment: what a saved plan was computed against. */
export interface LedgerHead {
  id: number
  /** Hash chaining this entry to the ones before it. */
  hash: string
}

/** A journey's active revision in an environment. */
export interface ActiveJourney {
  journey: string
  /** Full revision hash. */
  revision: string
  paused: boolean
  /** Epoch ms when this revision (or pause state) became active. */
  since: number
  /** The ledger entry that made it so. */
  ledgerId: number
}

export interface EnvState {
  env: string
  /** null when nothing was ever deployed to the environment. */
  head: LedgerHead | null
  /** Sorted by journey id. */
  active: ActiveJourney[]
}

export type LedgerKind = 'deploy' | 'rollback' | 'promote' | 'pause' | 'resume'
export type LedgerAction = 'create' | 'update' | 'remove' | 'pause' | 'resume'

/** Who did it and from which commit, recorded on every ledger entry. */
export interface Actor {
  name: string
  /** Present when git config has user.email. */
  email?: string
  /** HEAD of the project's git repository, `<sha>-dirty` when the deployed files had uncommitted changes; absent outside git. */
  commit?: string
}

/** One row of the append-only ledger. */
export interface LedgerEntry {
  env: string
  /** 1, 2, 3… per environment, without gaps. */
  id: number
  /** Entries written by one command share a deployment number (1, 2, 3… per environment). */
  deployment: number
  kind: LedgerKind
  journey: string
  action: LedgerAction
  /** null for a new journey. */
  from: string | null
  /** null for a removed journey. */
  to: string | null
  actor: string
  actorEmail: string | null
  /** Epoch ms. */
  at: number
  gitCommit: string | null
  message: string | null
  /** Gate bypasses and context: force, skip_policies, allow_drop (dropped steps), promoted_from, summary. */
  details: Record<string, unknown>
  prevHash: string | null
  hash: string
}

/** What `joe verify` checks of an environment, read at one moment. */
export interface EnvSnapshot {
  state: EnvState
  /** Every ledger entry of the environment, oldest first. */
  entries: LedgerEntry[]
  /** The revisions the ledger and the active table name, by hash (absent when missing from the store). */
  revisions: ReadonlyMap<string, {hash: string; journey: string; document: string}>
}

/** A ledger entry before the store numbers and chains it. */
export type NewLedgerEntry = Omit<LedgerEntry, 'env' | 'id' | 'deployment' | 'prevHash' | 'hash'>
