import {existsSync} from 'node:fs'
import path from 'node:path'
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import {didYouMean} from '../journey/suggest.js'
import {type AnalyzedFile, analyzeProject} from '../project/analyze.js'
import type {JoeConfig} from '../project/config.js'

/**
 * Journeys named on the command line: files, folders, globs, or journey ids looked up in the
 * configured journeys folders; nothing named means every configured journey. A journey with
 * validation errors is refused: simulating it would mislead.
 */
export async function resolveJourneys(
  args: readonly string[],
  cwd: string,
  configPath?: string,
): Promise<{journeys: Journey[]; config: JoeConfig}> {
  const isPath = (a: string) => existsSync(path.resolve(cwd, a)) || /[*?[{]/.test(a)
  const paths = args.filter(isPath)
  const ids = args.filter((a) => !isPath(a))
  const options = {cwd, ...(configPath ? {configPath} : {})}
  const project = await analyzeProject({...options, paths: []})
  const selected: AnalyzedFile[] = []
  if (paths.length > 0) selected.push(...(await analyzeProject({...options, paths})).files)
  if (args.length === 0) selected.push(...project.files)
  for (const id of ids) {
    const file = project.files.find((f) => f.kind === 'journey' && f.id === id)
    if (!file) {
      const known = project.files.flatMap((f) => (f.kind === 'journey' && f.id ? [f.id] : []))
      throw new JoeError('JOE4006', `"${id}" is neither a journey id of this project nor a path`, {
        hint: `${didYouMean(id, known)}journeys: ${known.sort().join(', ') || '(none found)'}`,
        exitCode: 2,
      })
    }
    selected.push(file)
  }
  const journeyFiles = selected.filter((f) => f.kind === 'journey')
  const broken = journeyFiles.filter((f) => !f.journey)
  if (broken.length > 0) {
    throw new JoeError(
      'JOE4006',
      `${broken.length === 1 ? `journey ${broken[0]?.display} has` : `${broken.length} journeys have`} validation errors; refusing to simulate`,
      {
        hint: `run \`joe validate ${broken.map((f) => f.display).join(' ')}\` and fix them first`,
      },
    )
  }
  const journeys = [...new Map(journeyFiles.map((f) => [f.journey?.id, f.journey as Journey])).values()]
  if (journeys.length === 0) {
    throw new JoeError('JOE1030', 'no journeys to simulate', {
      hint: 'name a journey id, a journey file or a folder, e.g. `joe simulate cart-abandonment`',
      exitCode: 2,
    })
  }
  return {journeys, config: project.config}
}
