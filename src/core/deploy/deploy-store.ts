import {randomBytes} from 'node:crypto'
import {JoeError} from '../errors.js'
import {canonicalJson, type JourneyRevision, sha256} from './canonical.js'
import type {ActiveJourney, EnvSnapshot, EnvState, LedgerEntry, LedgerHead, NewLedgerEntry} from './deploy-types.js'
import {LockTimeoutError, type SqlConnection, type SqlExecutor} from './sql-connection.js'

/** A journey's change of active revision, written with its ledger entry. */
export interface ActiveChange {
  entry: NewLedgerEntry
  /** The revision document, for a revision the store may not have yet. */
  revision?: JourneyRevision
  /** For `pause`/`resume`: the new pause state; otherwise kept (a new journey starts unpaused). */
  paused?: boolean
}

/** The writes allowed inside one locked deploy transaction. */
export interface DeployTransaction {
  state(): Promise<EnvState>
  /** Everything `joe verify` checks, read inside the transaction (so under the deploy lock). */
  snapshot(): Promise<EnvSnapshot>
  /** Appends entries (numbered without gaps) and updates the active revisions to match. */
  write(changes: readonly ActiveChange[]): Promise<LedgerEntry[]>
}

/** An environment's deploy store: SQLite or PostgreSQL behind the same operations. */
export interface DeployStore {
  readonly kind: 'sqlite' | 'postgres'
  /** The store URL with any password masked. */
  readonly display: string
  state(env: string): Promise<EnvState>
  revision(hash: string): Promise<JourneyRevision | undefined>
  /** Revisions of a journey whose hash starts with `prefix`. */
  findRevisions(journey: string, prefix: string): Promise<JourneyRevision[]>
  /** Ledger entries, oldest first; with `journey`, only that journey's. */
  history(env: string, options?: {journey?: string}): Promise<LedgerEntry[]>
  /** Everything `joe verify` checks: the ledger, the active table and the revisions they name. */
  snapshot(env: string): Promise<EnvSnapshot>
  /**
   * The environment's plan-signing key (64 hex characters), created at random on first use. It is
   * kept in the store so that everyone who can deploy to the environment can check a saved plan.
   */
  planKey(env: string): Promise<string>
  /** Runs `fn` in one transaction holding the environment's deploy lock (JOE6005 when it times out). */
  transaction<T>(env: string, lockTimeoutMs: number, fn: (tx: DeployTransaction) => Promise<T>): Promise<T>
  close(): Promise<void>
}

interface LedgerRow {
  env: string
  id: number
  deployment: number
  kind: string
  journey_id: string
  action: string
  from_hash: string | null
  to_hash: string | null
  actor: string
  actor_email: string | null
  at: number
  git_commit: string | null
  message: string | null
  details: string
  prev_entry_hash: string | null
  entry_hash: string
}

/** The deploy lock key of an environment. */
export function deployLockKey(env: string): string {
  return `joe-deploy:${env}`
}

/** The hash chaining a ledger entry to its predecessor. */
export function ledgerEntryHash(entry: Omit<LedgerEntry, 'hash'>): string {
  const {hash: _ignored, ...rest} = entry as LedgerEntry
  return sha256(canonicalJson(rest))
}

/** The DeployStore over any SqlConnection: the SQL is written once, for both databases. */
export function sqlDeployStore(conn: SqlConnection, display: string): DeployStore {
  return {
    kind: conn.dialect,
    display,
    state: (env) => readState(conn, env),
    revision: async (hash) => {
      const rows = await conn.query<{hash: string; journey_id: string; document: string}>(
        'SELECT hash, journey_id, document FROM joe_revisions WHERE hash = $1',
        [hash],
      )
      return rows[0] ? {hash: rows[0].hash, journey: rows[0].journey_id, document: rows[0].document} : undefined
    },
    findRevisions: async (journey, prefix) => {
      const rows = await conn.query<{hash: string; journey_id: string; document: string}>(
        'SELECT hash, journey_id, document FROM joe_revisions WHERE journey_id = $1 AND substr(hash, 1, $2) = $3 ORDER BY hash',
        [journey, prefix.length, prefix.toLowerCase()],
      )
      return rows.map((r) => ({hash: r.hash, journey: r.journey_id, document: r.document}))
    },
    history: async (env, options = {}) => {
      const rows = options.journey
        ? await conn.query<LedgerRow>('SELECT * FROM joe_ledger WHERE env = $1 AND journey_id = $2 ORDER BY id', [env, options.journey])
        : await conn.query<LedgerRow>('SELECT * FROM joe_ledger WHERE env = $1 ORDER BY id', [env])
      return rows.map(fromRow)
    },
    snapshot: (env) => readSnapshot(conn, env),
    planKey: (env) => planKey(conn, env),
    async transaction<T>(env: string, lockTimeoutMs: number, fn: (tx: DeployTransaction) => Promise<T>): Promise<T> {
      try {
        return await conn.lockedTransaction(deployLockKey(env), lockTimeoutMs, (sql) =>
          fn({
            state: () => readState(sql, env),
            snapshot: () => readSnapshot(sql, env),
            write: (changes) => writeChanges(sql, env, changes),
          }),
        )
      } catch (error) {
        if (error instanceof LockTimeoutError) {
          throw new JoeError('JOE6005', `another deploy to "${env}" holds the deploy lock; gave up after ${lockTimeoutMs} ms`, {
            hint: `wait for it to finish and run again (\`joe history --env ${env}\` shows it), or raise --lock-timeout`,
            cause: error,
          })
        }
        throw error
      }
    },
    close: () => conn.close(),
  }
}

async function readState(sql: SqlExecutor, env: string): Promise<EnvState> {
  const heads = await sql.query<{id: number; entry_hash: string}>(
    'SELECT id, entry_hash FROM joe_ledger WHERE env = $1 ORDER BY id DESC LIMIT 1',
    [env],
  )
  const rows = await sql.query<{journey_id: string; revision: string; paused: number; since: number; ledger_id: number}>(
    'SELECT journey_id, revision, paused, since, ledger_id FROM joe_active WHERE env = $1 ORDER BY journey_id',
    [env],
  )
  const head: LedgerHead | null = heads[0] ? {id: Number(heads[0].id), hash: heads[0].entry_hash} : null
  const active: ActiveJourney[] = rows.map((r) => ({
    journey: r.journey_id,
    revision: r.revision,
    paused: Number(r.paused) === 1,
    since: Number(r.since),
    ledgerId: Number(r.ledger_id),
  }))
  // Sorted in JS: SQLite and PostgreSQL collations may order ids differently.
  active.sort((a, b) => (a.journey < b.journey ? -1 : a.journey > b.journey ? 1 : 0))
  return {env, head, active}
}

async function readSnapshot(sql: SqlExecutor, env: string): Promise<EnvSnapshot> {
  const state = await readState(sql, env)
  const entries = (await sql.query<LedgerRow>('SELECT * FROM joe_ledger WHERE env = $1 ORDER BY id', [env])).map(fromRow)
  const rows = await sql.query<{hash: string; journey_id: string; document: string}>(
    `SELECT hash, journey_id, document FROM joe_revisions WHERE hash IN (
       SELECT from_hash FROM joe_ledger WHERE env = $1 UNION SELECT to_hash FROM joe_ledger WHERE env = $1
       UNION SELECT revision FROM joe_active WHERE env = $1)`,
    [env],
  )
  const revisions = new Map(rows.map((r) => [r.hash, {hash: r.hash, journey: r.journey_id, document: r.document}]))
  return {state, entries, revisions}
}

/** The lock key under which a plan key is created, so two first uses never race. */
const SCHEMA_LOCK = 'joe-migrate'

/** Reads the environment's plan key, creating it on first use (table `joe_plan_keys`, migration 4). */
async function planKey(conn: SqlConnection, env: string): Promise<string> {
  const read = async (sql: SqlExecutor) => (await sql.query<{key: string}>('SELECT key FROM joe_plan_keys WHERE env = $1', [env]))[0]?.key
  const existing = await read(conn).catch(() => undefined)
  if (existing) return existing
  return conn.lockedTransaction(SCHEMA_LOCK, 30_000, async (tx) => {
    await tx.query('INSERT INTO joe_plan_keys (env, key) VALUES ($1, $2) ON CONFLICT (env) DO NOTHING', [
      env,
      randomBytes(32).toString('hex'),
    ])
    return (await read(tx)) as string
  })
}

async function writeChanges(sql: SqlExecutor, env: string, changes: readonly ActiveChange[]): Promise<LedgerEntry[]> {
  if (changes.length === 0) return []
  const last = await sql.query<{id: number; deployment: number; entry_hash: string}>(
    'SELECT id, deployment, entry_hash FROM joe_ledger WHERE env = $1 ORDER BY id DESC LIMIT 1',
    [env],
  )
  let id = Number(last[0]?.id ?? 0)
  let prevHash: string | null = last[0]?.entry_hash ?? null
  const deployment = Number(last[0]?.deployment ?? 0) + 1
  const written: LedgerEntry[] = []
  for (const change of changes) {
    if (change.revision) {
      await sql.query(
        'INSERT INTO joe_revisions (hash, journey_id, document, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING',
        [change.revision.hash, change.revision.journey, change.revision.document, change.entry.at],
      )
    }
    id++
    const unhashed: Omit<LedgerEntry, 'hash'> = {...change.entry, env, id, deployment, prevHash}
    const entry: LedgerEntry = {...unhashed, hash: ledgerEntryHash(unhashed)}
    await sql.query(
      `INSERT INTO joe_ledger (env, id, deployment, kind, journey_id, action, from_hash, to_hash, actor, actor_email, at,
         git_commit, message, details, prev_entry_hash, entry_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        env,
        id,
        deployment,
        entry.kind,
        entry.journey,
        entry.action,
        entry.from,
        entry.to,
        entry.actor,
        entry.actorEmail,
        entry.at,
        entry.gitCommit,
        entry.message,
        canonicalJson(entry.details),
        entry.prevHash,
        entry.hash,
      ],
    )
    if (entry.to === null) {
      await sql.query('DELETE FROM joe_active WHERE env = $1 AND journey_id = $2', [env, entry.journey])
    } else {
      await sql.query(
        `INSERT INTO joe_active (env, journey_id, revision, paused, since, ledger_id) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (env, journey_id) DO UPDATE SET revision = $3, paused = ${change.paused === undefined ? 'joe_active.paused' : '$4'},
           since = $5, ledger_id = $6`,
        [env, entry.journey, entry.to, change.paused ? 1 : 0, entry.at, id],
      )
    }
    prevHash = entry.hash
    written.push(entry)
  }
  return written
}

function fromRow(row: LedgerRow): LedgerEntry {
  return {
    env: row.env,
    id: Number(row.id),
    deployment: Number(row.deployment),
    kind: row.kind as LedgerEntry['kind'],
    journey: row.journey_id,
    action: row.action as LedgerEntry['action'],
    from: row.from_hash,
    to: row.to_hash,
    actor: row.actor,
    actorEmail: row.actor_email,
    at: Number(row.at),
    gitCommit: row.git_commit,
    message: row.message,
    details: parseDetails(row.details),
    prevHash: row.prev_entry_hash,
    hash: row.entry_hash,
  }
}

/** Details as stored; text that is not a JSON object (only by tampering) is kept so that the entry's hash check fails on it. */
function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {}
  return {unreadable: text}
}
