import {createHmac, timingSafeEqual} from 'node:crypto'
import {stat, writeFile} from 'node:fs/promises'
import {JoeError} from '../errors.js'
import {readBounded} from '../project/user-files.js'
import {canonicalJson} from './canonical.js'
import type {DeployStore} from './deploy-store.js'
import type {DeployPlan, PlanChange} from './plan.js'

/** Version of the saved plan format; plans of another version are refused, never guessed at. */
export const PLAN_FORMAT_VERSION: 2 = 2

/** The environment variable that, when set, holds the plan-signing key instead of the store. */
export const PLAN_KEY_VARIABLE = 'JOE_PLAN_KEY'

/** Shortest key accepted from {@link PLAN_KEY_VARIABLE}: 32 characters (`openssl rand -hex 32` gives 64). */
const MIN_KEY_LENGTH = 32

const SIGNATURE_PREFIX = 'hmac-sha256:'

/** A plan as `joe plan --out` saves it: the plan, its format, and an HMAC over both. */
export interface PlanFile extends DeployPlan {
  format_version: typeof PLAN_FORMAT_VERSION
  kind: 'joe-deploy-plan'
  /** `hmac-sha256:<hex>` over the canonical JSON of every other field, with the environment's plan key. */
  signature: string
}

/**
 * The key plans of `env` are signed with: JOE_PLAN_KEY when set (for several stores or CI that must
 * agree on one key), else the environment's own, kept in its store and created on first use.
 * Never printed.
 */
export async function planKey(store: DeployStore, env: string, vars: Readonly<Record<string, string | undefined>>): Promise<string> {
  const fromVariable = vars[PLAN_KEY_VARIABLE]
  if (fromVariable === undefined || fromVariable === '') return store.planKey(env)
  if (fromVariable.length < MIN_KEY_LENGTH) {
    throw new JoeError(
      'JOE6019',
      `${PLAN_KEY_VARIABLE} is set but has ${fromVariable.length} characters; a plan key needs at least ${MIN_KEY_LENGTH}`,
      {
        hint: `e.g. export ${PLAN_KEY_VARIABLE}=$(openssl rand -hex 32), or unset it to use the key kept in the environment's store`,
      },
    )
  }
  return fromVariable
}

function hmac(unsigned: object, key: string): string {
  return `${SIGNATURE_PREFIX}${createHmac('sha256', key).update(canonicalJson(unsigned)).digest('hex')}`
}

/** The plan as a signed plan file. */
export function signPlan(plan: DeployPlan, key: string): PlanFile {
  const unsigned = {format_version: PLAN_FORMAT_VERSION, kind: 'joe-deploy-plan' as const, ...plan}
  return {...unsigned, signature: hmac(unsigned, key)}
}

/** Refuses (JOE6015) a plan file whose signature is not that of its content with `key`. */
export function assertSigned(file: string, plan: PlanFile, key: string): void {
  const {signature, ...unsigned} = plan
  const expected = Buffer.from(hmac(unsigned, key))
  const actual = Buffer.from(String(signature))
  if (actual.length === expected.length && timingSafeEqual(actual, expected)) return
  throw new JoeError(
    'JOE6015',
    `${file} is not signed by \`joe plan\` for "${plan.env}": it was edited after it was made, or signed with another key`,
    {
      hint: `make a new plan with \`joe plan --env ${plan.env} --out FILE\`; if plans are made and applied with ${PLAN_KEY_VARIABLE}, both sides need the same value`,
    },
  )
}

/** Refuses (JOE6014, exit 2) an `--out` path that cannot be a plan file, before any work is done. */
export async function assertPlanPath(file: string): Promise<void> {
  const info = await stat(file).catch(() => undefined)
  if (info?.isDirectory()) throw badOut(file, 'it is a directory')
}

/** Writes a signed plan as JSON (2-space indent, trailing newline). */
export async function writePlanFile(file: string, plan: PlanFile): Promise<void> {
  await assertPlanPath(file)
  try {
    await writeFile(file, `${JSON.stringify(plan, null, 2)}\n`)
  } catch (error) {
    throw badOut(file, (error as Error).message)
  }
}

function badOut(file: string, why: string): JoeError {
  return new JoeError('JOE6014', `cannot write the plan to ${file}: ${why}`, {
    hint: 'give --out a file path, e.g. --out plan.json',
    exitCode: 2,
  })
}

/** Plans hold every journey document (each at most 1 MiB); a bigger file is not a plan. */
const MAX_PLAN_FILE_BYTES = 64 * 1024 * 1024

/** Whether a command argument looks like a saved plan rather than a journey. */
export function looksLikePlanFile(arg: string): boolean {
  return arg.endsWith('.json')
}

const HASH = /^[0-9a-f]{64}$/
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isHash = (v: unknown): v is string => typeof v === 'string' && HASH.test(v)
const isHashOrNull = (v: unknown) => v === null || isHash(v)

/**
 * Reads a saved plan and checks its shape (JOE6007). Its signature and content are checked against
 * the environment when it is applied: see prepareSavedPlan.
 */
export async function readPlanFile(file: string): Promise<PlanFile> {
  let value: unknown
  // A regular file of bounded size: `joe deploy /dev/zero.json` must not read forever.
  const read = await readBounded(file, MAX_PLAN_FILE_BYTES)
  if ('problem' in read) throw invalid(file, read.problem.message)
  if ('tooLarge' in read) throw invalid(file, `it is larger than ${MAX_PLAN_FILE_BYTES / 1024 / 1024} MiB`)
  try {
    value = JSON.parse(read.bytes.toString('utf8'))
  } catch (cause) {
    throw invalid(file, (cause as Error).message)
  }
  if (!isObject(value) || value.kind !== 'joe-deploy-plan') throw invalid(file, 'it is not a joe deploy plan')
  if (value.format_version !== PLAN_FORMAT_VERSION) {
    throw invalid(file, `its format_version is ${JSON.stringify(value.format_version)}, and this joe reads ${PLAN_FORMAT_VERSION}`)
  }
  const problem = shapeProblem(value)
  if (problem) throw invalid(file, problem)
  return value as unknown as PlanFile
}

function shapeProblem(plan: Record<string, unknown>): string | undefined {
  if (typeof plan.env !== 'string' || typeof plan.store !== 'string' || typeof plan.planned_at !== 'string')
    return 'env, store or planned_at is missing'
  if (typeof plan.signature !== 'string') return 'it is not signed'
  if (typeof plan.prune !== 'boolean') return 'prune is not true or false'
  const head = plan.head
  if (head !== null && !(isObject(head) && Number.isSafeInteger(head.id) && isHash(head.hash))) return 'head is not a ledger head'
  if (!Array.isArray(plan.changes) || !Array.isArray(plan.unchanged) || !Array.isArray(plan.kept) || !isObject(plan.documents))
    return 'changes, unchanged, kept or documents is missing'
  const actions: ReadonlyArray<PlanChange['action']> = ['create', 'update', 'remove']
  for (const change of plan.changes) {
    if (!isObject(change) || typeof change.journey !== 'string' || !actions.includes(change.action as PlanChange['action']))
      return 'a change has no journey or action'
    if (!isHashOrNull(change.from) || !isHashOrNull(change.to))
      return `a change of ${JSON.stringify(change.journey)} has a from or to that is not a revision hash`
    if ((change.action === 'create') !== (change.from === null) || (change.action === 'remove') !== (change.to === null))
      return `the change of ${JSON.stringify(change.journey)} does not fit its action`
  }
  for (const entry of [...plan.unchanged, ...plan.kept]) {
    if (!isObject(entry) || typeof entry.journey !== 'string' || !isHash(entry.revision))
      return 'an unchanged or kept journey has no journey or revision'
  }
  return undefined
}

function invalid(file: string, why: string): JoeError {
  return new JoeError('JOE6007', `${file} is not a usable deploy plan: ${why}`, {
    hint: 'make a new one with `joe plan --env NAME --out FILE`; plans are not meant to be edited',
  })
}
