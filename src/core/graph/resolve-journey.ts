import {existsSync} from 'node:fs'
import path from 'node:path'
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import {didYouMean} from '../journey/suggest.js'
import {analyzeProject} from '../project/analyze.js'
import type {JoeConfig} from '../project/config.js'

/** One journey named by file or by id (looked up in the configured journeys folders). */
export async function resolveJourney(arg: string, cwd: string, configPath?: string): Promise<{journey: Journey; config: JoeConfig}> {
  const options = {cwd, ...(configPath ? {configPath} : {})}
  const isFile = existsSync(path.resolve(cwd, arg))
  const project = await analyzeProject({...options, paths: isFile ? [arg] : []})
  const file = isFile ? project.files.find((f) => f.kind === 'journey') : project.files.find((f) => f.kind === 'journey' && f.id === arg)
  if (!file) {
    const known = project.files.flatMap((f) => (f.kind === 'journey' && f.id ? [f.id] : []))
    throw new JoeError(
      'JOE5006',
      isFile ? `${arg} is not a journey file` : `"${arg}" is neither a journey file nor a journey id of this project`,
      {
        hint: `${didYouMean(arg, known)}journeys: ${known.sort().join(', ') || '(none found)'}`,
        exitCode: 2,
      },
    )
  }
  if (!file.journey) {
    const error = file.diagnostics.find((d) => d.severity === 'error')
    throw new JoeError('JOE5006', `${file.display} has validation errors${error ? ` (${error.code} ${error.message})` : ''}`, {
      hint: `run \`joe validate ${file.display}\` and fix them first`,
      ...(error ? {where: error.location} : {}),
    })
  }
  return {journey: file.journey, config: project.config}
}
