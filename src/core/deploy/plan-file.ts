import {readFile, writeFile} from 'node:fs/promises'
import {JoeError} from '../errors.js'
import {sha256} from './canonical.js'
import {type DeployPlan, PLAN_FORMAT_VERSION} from './plan.js'

/** Writes a plan as JSON (2-space indent, trailing newline). */
export async function writePlanFile(file: string, plan: DeployPlan): Promise<void> {
  await writeFile(file, `${JSON.stringify(plan, null, 2)}\n`)
}

/** Whether a command argument looks like a saved plan rather than a journey. */
export function looksLikePlanFile(arg: string): boolean {
  return arg.endsWith('.json')
}

/**
 * Reads a saved plan, checking its shape and that every document still hashes to its revision id,
 * so a hand-edited plan cannot deploy content other than what it names.
 */
export async function readPlanFile(file: string): Promise<DeployPlan> {
  let plan: DeployPlan
  try {
    plan = JSON.parse(await readFile(file, 'utf8')) as DeployPlan
  } catch (cause) {
    throw invalid(file, (cause as Error).message)
  }
  if (plan === null || typeof plan !== 'object' || plan.kind !== 'joe-deploy-plan') throw invalid(file, 'it is not a joe deploy plan')
  if (plan.format_version !== PLAN_FORMAT_VERSION)
    throw invalid(file, `format_version ${plan.format_version} is not ${PLAN_FORMAT_VERSION}`)
  if (typeof plan.env !== 'string' || !Array.isArray(plan.changes) || typeof plan.documents !== 'object' || plan.documents === null) {
    throw invalid(file, 'env, changes or documents are missing')
  }
  for (const change of plan.changes) {
    if (change.to === null) continue
    const document = plan.documents[change.to]
    if (typeof document !== 'string' || sha256(document) !== change.to) {
      throw invalid(file, `the document of ${change.journey} does not match its revision ${change.to}`)
    }
  }
  return plan
}

function invalid(file: string, why: string): JoeError {
  return new JoeError('JOE6007', `${file} is not a usable deploy plan: ${why}`, {
    hint: 'make a new one with `joe plan --env NAME --out FILE`; plans are not meant to be edited',
  })
}
