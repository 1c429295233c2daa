// The deploy gates, judged: pure functions of a plan and the inputs gathered for it
// (gate-inputs.ts reads them). `joe plan`, `--dry-run` and the deploy itself judge the same way,
// so a plan shows everything that would make its deploy fail.
import {JoeError} from '../errors.js'
import type {PolicyCheck} from '../simulate/policy.js'
import {shortHash} from './canonical.js'
import type {DeployPlan} from './plan.js'
import {type PolicyResult, toPolicyResult} from './results.js'

/** The flags that bypass gates; every bypass used is recorded in the ledger. */
export interface GateBypass {
  /** `--force`: the protected-environment gate. */
  force: boolean
  /** `--allow-drop`: the customers-in-flight gate. */
  allowDrop: boolean
  /** `--skip-policies`: the policy gate (not even simulated). */
  skipPolicies: boolean
}

export const NO_BYPASS: GateBypass = {force: false, allowDrop: false, skipPolicies: false}

/** What the gates need besides the plan, read by gatherGateInputs. */
export interface GateInputs {
  /** null when the environment is not protected; `source` is its promote_from (null when it has none). */
  protection: {source: string | null; sourceActive: ReadonlyMap<string, string>} | null
  policies:
    | {status: 'none'}
    /** The config has policies, and --skip-policies was given. */
    | {status: 'skipped'}
    /** The plan activates nothing, so there is nothing to simulate. */
    | {status: 'not-needed'}
    | {status: 'checked'; check: PolicyCheck}
    /** The simulation could not run (no local event store, no events): the message says why. */
    | {status: 'unavailable'; message: string}
  /** rollback: only the customers-in-flight gate applies (the revision passed the others here before). */
  trusted: boolean
}

export type GateName = 'protected' | 'in_flight' | 'policies'

/** One gate's objection to a plan. */
export interface GateFinding {
  gate: GateName
  code: 'JOE6020' | 'JOE6021' | 'JOE6022' | 'JOE6024'
  /** False when a flag bypasses it: the deploy then goes ahead and records the bypass. */
  blocking: boolean
  /** The flag that bypasses it. */
  bypass: '--force' | '--allow-drop' | '--skip-policies'
  message: string
  hint: string
  /** The journeys concerned: the revision at stake, and for in_flight the steps whose customers would be dropped. */
  journeys: {journey: string; revision: string | null; steps: string[]}[]
}

/** The gates' verdict on a plan, shown with it before anything is applied. */
export interface GateReport {
  /** Protected, then in-flight, then policies; empty when every gate passes. */
  findings: GateFinding[]
  /** The policy simulation, when it ran. */
  policy: PolicyResult | null
  /** The bypasses a deploy of this plan uses (and records in the ledger). */
  bypassed: {force: boolean; skip_policies: boolean; allow_drop: {journey: string; steps: string[]}[]}
}

/** Pure: every gate's verdict on `plan`. */
export function judgeGates(plan: DeployPlan, inputs: GateInputs, bypass: GateBypass): GateReport {
  const findings: GateFinding[] = []
  const protectedFinding = inputs.trusted ? undefined : judgeProtected(plan, inputs.protection, bypass.force)
  if (protectedFinding) findings.push(protectedFinding)
  const drops = plan.changes.filter((c) => c.drops.length > 0).map((c) => ({journey: c.journey, steps: c.drops}))
  if (drops.length > 0) {
    const list = drops.map((d) => `${d.journey} (${d.steps.join(', ')})`).join('; ')
    findings.push({
      gate: 'in_flight',
      code: 'JOE6022',
      blocking: !bypass.allowDrop,
      bypass: '--allow-drop',
      message: `customers may be waiting at steps this deploy removes, with no \`moved\` entry for them: ${list}`,
      hint: 'add `moved: { OLD_STEP: NEW_STEP }` to the journey so those customers continue, or use --allow-drop (they complete at once)',
      journeys: drops.map((d) => ({
        journey: d.journey,
        revision: plan.changes.find((c) => c.journey === d.journey)?.from ?? null,
        steps: d.steps,
      })),
    })
  }
  const policies = inputs.trusted ? {status: 'none' as const} : inputs.policies
  if (policies.status === 'checked' && !policies.check.ok) {
    const {check} = policies
    const worst = check.breaches
      .slice(0, 3)
      .map((b) => `${b.customerId} (${b.messages})`)
      .join(', ')
    findings.push({
      gate: 'policies',
      code: 'JOE6021',
      blocking: true,
      bypass: '--skip-policies',
      message: `deploying would breach max_messages_per_customer (${check.limit} per ${check.per}) for ${check.breaches.length} customer${check.breaches.length === 1 ? '' : 's'} of the local store: ${worst}`,
      hint: 'see `joe simulate --check`; change the journeys, or use --skip-policies (recorded in the ledger)',
      journeys: [],
    })
  }
  if (policies.status === 'unavailable') {
    findings.push({
      gate: 'policies',
      code: 'JOE6024',
      blocking: true,
      bypass: '--skip-policies',
      message: `cannot check the policies: ${policies.message}`,
      hint: 'import events into the local store (`joe events import FILE`) so the policies can be simulated, or use --skip-policies (recorded in the ledger)',
      journeys: [],
    })
  }
  return {
    findings,
    policy: policies.status === 'checked' ? toPolicyResult(policies.check) : null,
    bypassed: {
      force: protectedFinding !== undefined && bypass.force,
      skip_policies: policies.status === 'skipped',
      allow_drop: bypass.allowDrop ? drops : [],
    },
  }
}

/**
 * A protected environment accepts only what its promote_from runs: every revision it activates must
 * be active there, and every journey it removes must be gone from there. Without promote_from,
 * every change needs --force.
 */
function judgeProtected(plan: DeployPlan, protection: GateInputs['protection'], force: boolean): GateFinding | undefined {
  if (!protection || plan.changes.length === 0) return undefined
  const {source, sourceActive} = protection
  const violations = plan.changes.filter((c) =>
    source === null ? true : c.to === null ? sourceActive.has(c.journey) : sourceActive.get(c.journey) !== c.to,
  )
  if (violations.length === 0) return undefined
  const list = violations.map((v) => (v.to === null ? `removing ${v.journey}` : `${v.journey}@${shortHash(v.to)}`)).join(', ')
  return {
    gate: 'protected',
    code: 'JOE6020',
    blocking: !force,
    bypass: '--force',
    message: source
      ? `"${plan.env}" is protected: it accepts only what "${source}" runs, and it does not run these (or still runs what is removed): ${list}`
      : `"${plan.env}" is protected and has no promote_from, so every change needs --force: ${list}`,
    hint: source
      ? `deploy them to ${source} first (remove them there first), then \`joe promote --from ${source} --to ${plan.env}\`; or --force -m "why"`
      : 'use --force -m "why", or set `promote_from` for the environment in joe.config.yaml',
    journeys: violations.map((v) => ({journey: v.journey, revision: v.to ?? v.from, steps: []})),
  }
}

/** The error that refuses a plan: its first blocking finding (with the number of others). Undefined when none blocks. */
export function gateRefusal(report: GateReport): JoeError | undefined {
  const blocking = report.findings.filter((f) => f.blocking)
  const first = blocking[0]
  if (!first) return undefined
  const more =
    blocking.length > 1
      ? ` (and ${blocking.length - 1} more gate${blocking.length === 2 ? '' : 's'}: ${blocking
          .slice(1)
          .map((f) => f.code)
          .join(', ')})`
      : ''
  return new JoeError(first.code, `${first.message}${more}`, {hint: first.hint})
}

/** A protected-environment bypass is recorded with its reason: --force needs -m (JOE6023, a usage error). */
export function assertForceExplained(env: string, report: GateReport, message: string | undefined): void {
  if (!report.bypassed.force || message) return
  throw new JoeError('JOE6023', `--force on the protected environment "${env}" needs a message`, {
    hint: 'say why with -m "…"; it is recorded in the ledger',
    exitCode: 2,
  })
}
