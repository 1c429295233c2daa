import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import type {ProjectAnalysis} from '../project/analyze.js'
import {selectJourneys} from '../project/select-journeys.js'
import {journeyRevision} from './canonical.js'
import type {EnvOptions} from './env-store.js'
import type {GateBypass} from './gates.js'
import {type PreparedDeploy, prepareIn} from './prepare.js'

/**
 * The journeys to deploy: those named (journey ids, files, folders or globs, as every command selects
 * them), or every journey of the project. The whole project must validate first (JOE6010): a deploy
 * never ships a project that `joe validate` refuses.
 */
export async function selectDeployable(options: {cwd: string; names: readonly string[]; configPath?: string}): Promise<Journey[]> {
  const {journeys} = await selectJourneys({...options, checkProject: refuseInvalidProject})
  return journeys.map((j) => j.journey)
}

function refuseInvalidProject(project: ProjectAnalysis): void {
  const problems = [...project.projectDiagnostics, ...project.files.flatMap((f) => f.diagnostics)].filter((d) => d.severity === 'error')
  if (problems.length === 0) return
  const first = problems[0]
  throw new JoeError(
    'JOE6010',
    `the project has ${problems.length} validation error${problems.length === 1 ? '' : 's'}; refusing to deploy`,
    {
      hint: `run \`joe validate\` and fix them first${first ? ` (first: ${first.location.file}:${first.location.line} ${first.code} ${first.message})` : ''}`,
    },
  )
}

/** `joe plan`, `joe deploy` and its `--dry-run`: the plan of deploying `journeys`, judged by every gate. */
export function prepareDeploy(
  options: EnvOptions & {journeys: readonly Journey[]; prune: boolean; bypass: GateBypass},
): Promise<PreparedDeploy> {
  return prepareIn(options, async () => ({
    kind: 'deploy',
    revisions: options.journeys.map(journeyRevision),
    prune: options.prune,
    bypass: options.bypass,
  }))
}
