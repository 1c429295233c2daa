// The one way commands turn the journey names of their command line into journeys: `simulate`,
// `graph`, `diff --base`, `plan` and `deploy` all select through here, with one set of rules and
// codes (docs/journey-format.md, "Naming journeys on the command line").
import {existsSync} from 'node:fs'
import path from 'node:path'
import {isDynamicPattern} from 'tinyglobby'
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import {didYouMean} from '../journey/suggest.js'
import {type AnalyzedFile, analyzeProject, type ProjectAnalysis} from './analyze.js'
import {type JoeConfig, requireConfig} from './config.js'
import {discoverFiles} from './discover.js'

export interface SelectJourneysOptions {
  cwd: string
  /** A config file other than ./joe.config.yaml. */
  configPath?: string
  /** Journey ids, files, folders or globs as given; none selects every journey of the project. */
  names: readonly string[]
  /**
   * A name that is no id and no existing path selects nothing instead of failing, and so does an
   * empty project: `joe diff --base` compares with a git ref, where deleted files still exist.
   */
  allowMissing?: boolean
  /** Check journeys against the template catalog (default true); see AnalyzeOptions.templates. */
  templates?: boolean
  /** Called with the analysis of the configured journeys before any name is resolved (deploy refuses an invalid project). */
  checkProject?: (project: ProjectAnalysis) => void
}

export interface SelectedJourney {
  journey: Journey
  /** The file, as shown to users (relative to the cwd). */
  file: string
}

export interface JourneySelection {
  config: JoeConfig
  /** Sorted by journey id; each journey once, however many names selected it. */
  journeys: SelectedJourney[]
}

/** What a journey id looks like (schemas/journey.schema.json): anything else can only be a path. */
export const JOURNEY_ID = /^[a-z][a-z0-9-]{0,62}$/

type ValidFile = AnalyzedFile & {journey: Journey}

/**
 * Resolves names to journeys. A name that is the id of a journey in the configured journeys folders
 * names that journey; any other name is a file, folder or glob (`./name` for a path that is also an
 * id). Every name must select at least one journey file, every journey selected must be valid, and
 * two files selected must not share an id.
 */
export async function selectJourneys(options: SelectJourneysOptions): Promise<JourneySelection> {
  const common = {
    cwd: options.cwd,
    ...(options.configPath ? {configPath: options.configPath} : {}),
    ...(options.templates === false ? {templates: false} : {}),
  }
  // Refuses a broken config here, as every command that reads journeys does.
  const config = await requireConfig(options.cwd, options.configPath)
  // The project is analyzed when ids may be named (or nothing is named); a command given only paths
  // reads only those.
  const needProject =
    options.names.length === 0 || options.names.some((name) => JOURNEY_ID.test(name)) || options.checkProject !== undefined
  const project = needProject ? await analyzeProject({...common, paths: []}) : undefined
  if (project) options.checkProject?.(project)
  const projectJourneys = (project?.files ?? []).filter((f) => f.kind === 'journey')

  const selected = new Map<string, AnalyzedFile>()
  if (options.names.length === 0) {
    for (const file of projectJourneys) selected.set(file.absolute, file)
    if (selected.size === 0 && !options.allowMissing) {
      throw new JoeError('JOE1030', `no journey files in ${config.journeys.join(', ')}`, {
        hint: 'name a journey id, a journey file or a folder, or create a journey with `joe new journey ID`',
        exitCode: 2,
      })
    }
  }
  const pathFiles: string[] = []
  for (const name of options.names) {
    const byId = JOURNEY_ID.test(name) ? projectJourneys.filter((f) => f.id === name) : []
    if (byId.length > 0) {
      for (const file of byId) selected.set(file.absolute, file)
      continue
    }
    const dynamic = isDynamicPattern(name)
    if (!dynamic && !existsSync(path.resolve(options.cwd, name))) {
      if (options.allowMissing) continue
      throw unknownJourney(name, projectJourneys)
    }
    const found = await discoverFiles([name], {cwd: options.cwd, root: config.root})
    const journeys = found.files.filter((f) => f.kind === 'journey')
    if (journeys.length === 0) {
      if (dynamic && options.allowMissing) continue
      const problem = found.diagnostics.find((d) => d.severity === 'error')
      throw new JoeError(problem?.code ?? 'JOE1030', problem?.message ?? `"${name}" holds no journey files`, {
        hint: problem?.hint ?? 'journey files are named *.journey.yaml; name a journey id, a journey file, a folder or a glob',
        exitCode: 2,
      })
    }
    pathFiles.push(...journeys.map((f) => f.absolute))
  }
  // Files of the configured folders were analyzed with the project; others are analyzed together.
  const analyzed = new Map(projectJourneys.map((f) => [f.absolute, f]))
  const others = [...new Set(pathFiles)].filter((file) => !analyzed.has(file))
  if (others.length > 0) {
    for (const file of (await analyzeProject({...common, paths: others})).files) analyzed.set(file.absolute, file)
  }
  for (const file of pathFiles) {
    const found = analyzed.get(file)
    if (found) selected.set(file, found)
  }
  return {config, journeys: validJourneys([...selected.values()])}
}

/**
 * A command that works on one journey (`joe graph`): the selection must hold exactly one.
 * `command` names the command in the message.
 */
export async function selectOneJourney(
  options: Omit<SelectJourneysOptions, 'names' | 'allowMissing'> & {name: string; command: string},
): Promise<{config: JoeConfig; journey: SelectedJourney}> {
  const {name, command, ...rest} = options
  const {config, journeys} = await selectJourneys({...rest, names: [name]})
  if (journeys.length > 1) {
    throw new JoeError(
      'JOE1039',
      `"${name}" selects ${journeys.length} journeys (${journeys.map((j) => j.journey.id).join(', ')}); joe ${command} takes one`,
      {hint: `name one of them, e.g. \`joe ${command} ${journeys[0]?.journey.id}\``, exitCode: 2},
    )
  }
  return {config, journey: journeys[0] as SelectedJourney}
}

function unknownJourney(name: string, journeys: readonly AnalyzedFile[]): JoeError {
  const known = [...new Set(journeys.flatMap((f) => (f.id ? [f.id] : [])))].sort()
  return new JoeError('JOE1037', `"${name}" is neither a journey id of this project nor a file, folder or glob`, {
    hint: `${didYouMean(name, known)}journeys: ${known.join(', ') || '(none found)'}`,
    exitCode: 2,
  })
}

/** The selected files as journeys sorted by id, or the error naming what keeps one from being used. */
function validJourneys(files: readonly AnalyzedFile[]): SelectedJourney[] {
  const broken = files.filter((f) => !f.journey)
  if (broken.length > 0) {
    const first = broken[0] as AnalyzedFile
    const error = first.diagnostics.find((d) => d.severity === 'error')
    const what =
      broken.length === 1 ? `journey ${first.display} has` : `${broken.length} journeys (${broken.map((f) => f.display).join(', ')}) have`
    throw new JoeError('JOE1038', `${what} validation errors${error ? `; the first: ${error.code} ${error.message}` : ''}`, {
      hint: `run \`joe validate ${broken.map((f) => f.display).join(' ')}\` and fix them first`,
      ...(error ? {where: error.location} : {}),
    })
  }
  const byId = new Map<string, ValidFile>()
  for (const file of files as ValidFile[]) {
    const earlier = byId.get(file.journey.id)
    if (earlier) {
      throw new JoeError('JOE2050', `journey id "${file.journey.id}" is used by both ${earlier.display} and ${file.display}`, {
        hint: 'journey ids are unique in a project; name one of the files, or rename one of the journeys',
        ...(file.source ? {where: file.source.locate(['id'])} : {}),
      })
    }
    byId.set(file.journey.id, file)
  }
  return [...byId.values()]
    .sort((a, b) => (a.journey.id < b.journey.id ? -1 : a.journey.id > b.journey.id ? 1 : 0))
    .map((f) => ({journey: f.journey, file: f.display}))
}
