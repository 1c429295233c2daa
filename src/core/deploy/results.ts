// The results of the deploy commands, as `--json` prints them (docs/cli-output.md): one object with
// `format_version`, snake_case keys, times as ISO 8601 UTC strings. JSON Schemas of each are in
// schemas/output/; bump DEPLOY_OUTPUT_VERSION on any breaking change to any of them.

import {iso} from '../instant.js'
import type {PolicyCheck} from '../simulate/policy.js'
import type {LedgerEntry} from './deploy-types.js'

export const DEPLOY_OUTPUT_VERSION: 1 = 1

/** One ledger entry as the commands show it. */
export interface LedgerRecord {
  /** 1, 2, 3… per environment, without gaps. */
  id: number
  /** Entries written by one command share a deployment number. */
  deployment: number
  kind: LedgerEntry['kind']
  journey: string
  action: LedgerEntry['action']
  /** null for a new journey. */
  from: string | null
  /** null for a removed journey. */
  to: string | null
  actor: string
  actor_email: string | null
  /** ISO 8601 UTC. */
  at: string
  git_commit: string | null
  message: string | null
  /** Context and bypassed gates: summary, force, skip_policies, allow_drop, promoted_from, rollback. */
  details: Record<string, unknown>
  /** The previous entry's hash; null for the first. */
  prev_hash: string | null
  hash: string
}

export function toLedgerRecord(entry: LedgerEntry): LedgerRecord {
  return {
    id: entry.id,
    deployment: entry.deployment,
    kind: entry.kind,
    journey: entry.journey,
    action: entry.action,
    from: entry.from,
    to: entry.to,
    actor: entry.actor,
    actor_email: entry.actorEmail,
    at: iso(entry.at),
    git_commit: entry.gitCommit,
    message: entry.message,
    details: entry.details,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  }
}

/** The policy simulation of a gate, as shown. */
export interface PolicyResult {
  policy: PolicyCheck['policy']
  limit: number
  per: string
  ok: boolean
  /** Customers over the limit, sorted by customer id. */
  breaches: {customer_id: string; messages: number; from: string; until: string}[]
}

export function toPolicyResult(check: PolicyCheck): PolicyResult {
  return {
    policy: check.policy,
    limit: check.limit,
    per: check.per,
    ok: check.ok,
    breaches: check.breaches.map((b) => ({customer_id: b.customerId, messages: b.messages, from: b.from, until: b.until})),
  }
}
