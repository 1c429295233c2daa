import {existsSync} from 'node:fs'
import path from 'node:path'
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import {didYouMean} from '../journey/suggest.js'
import {type AnalyzedFile, analyzeProject} from '../project/analyze.js'
import type {JoeConfig} from '../project/config.js'
import {journeyRevision} from './canonical.js'
import type {EnvOptions} from './env-store.js'
import type {GateBypass} from './gates.js'
import {type PreparedDeploy, prepareIn} from './prepare.js'

/**
 * Validates the whole project (refusing on any error) and returns the journeys to deploy:
 * those named (ids, files or folders), or every journey of the project.
 */
export async function loadDeployableJourneys(
  cwd: string,
  names: readonly string[],
  configPath?: string,
): Promise<{config: JoeConfig; journeys: Journey[]}> {
  const options = {cwd, ...(configPath ? {configPath} : {})}
  const project = await analyzeProject({...options, paths: []})
  const problems = [...project.projectDiagnostics, ...project.files.flatMap((f) => f.diagnostics)].filter((d) => d.severity === 'error')
  if (problems.length > 0) {
    const first = problems[0]
    throw new JoeError(
      'JOE6010',
      `the project has ${problems.length} validation error${problems.length === 1 ? '' : 's'}; refusing to deploy`,
      {
        hint: `run \`joe validate\` and fix them first${first ? ` (first: ${first.location.file}:${first.location.line} ${first.code} ${first.message})` : ''}`,
      },
    )
  }
  const all = project.files.filter((f): f is AnalyzedFile & {journey: Journey} => f.kind === 'journey' && f.journey !== undefined)
  if (names.length === 0) return {config: project.config, journeys: all.map((f) => f.journey)}
  const selected = new Map<string, Journey>()
  for (const name of names) {
    const byId = all.find((f) => f.journey.id === name)
    if (byId) {
      selected.set(byId.journey.id, byId.journey)
      continue
    }
    if (existsSync(path.resolve(cwd, name))) {
      const analyzed = await analyzeProject({...options, paths: [name]})
      for (const file of analyzed.files) if (file.journey) selected.set(file.journey.id, file.journey)
      continue
    }
    const known = all.map((f) => f.journey.id)
    throw new JoeError('JOE6011', `"${name}" is neither a journey id of this project nor a path`, {
      hint: `${didYouMean(name, known)}journeys: ${known.sort().join(', ') || '(none)'}`,
      exitCode: 2,
    })
  }
  return {config: project.config, journeys: [...selected.values()]}
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
