import path from 'node:path'
import type {Diagnostic} from '../errors.js'
import {buildJourney} from '../journey/build-model.js'
import {checkJourney} from '../journey/check-journey.js'
import {checkTestFile, type JourneyOutline, outlineJourney} from '../journey/check-test-file.js'
import type {Journey} from '../journey/model.js'
import {readSourceFile} from '../journey/read-source.js'
import {isObject} from '../journey/rules/rule-context.js'
import type {SourceFile} from '../journey/source.js'
import {type CheckedTemplateFile, loadTemplateCatalog} from '../templates/catalog.js'
import {checkSendData} from '../templates/check-templates.js'
import type {TemplateCatalog} from '../templates/template-types.js'
import {type JoeConfig, loadConfig} from './config.js'
import {discoverFiles, type ProjectFile} from './discover.js'

export interface AnalyzedFile extends ProjectFile {
  source?: SourceFile
  diagnostics: Diagnostic[]
  /** The journey or test's declared id, when readable. */
  id?: string
  /** Present for journey files without errors. */
  journey?: Journey
}

export interface ProjectAnalysis {
  config: JoeConfig
  /** Config file problems, path problems (no files, missing paths), and the problems of the template files. */
  projectDiagnostics: Diagnostic[]
  /** Config file text by its display path, when there is a config file. */
  configSource?: {display: string; text: string}
  files: AnalyzedFile[]
  /** The templates folder's catalog; present when the project has one (config.templateFiles). */
  templates?: TemplateCatalog
  /** Every file of the templates folder; their diagnostics are also in projectDiagnostics. */
  templateFiles: CheckedTemplateFile[]
}

export interface AnalyzeOptions {
  /** Files, folders or globs; empty means the configured journeys folders. */
  paths: readonly string[]
  cwd: string
  /** A config file other than ./joe.config.yaml. */
  configPath?: string
}

async function readAll(files: ProjectFile[], root: string): Promise<AnalyzedFile[]> {
  return Promise.all(
    files.map(async (file) => {
      const read = await readSourceFile(file.display, file.absolute, {root})
      return {...file, diagnostics: read.diagnostics, ...(read.source ? {source: read.source} : {})}
    }),
  )
}

/** Parse -> schema -> rules -> model for every file, plus cross-file checks (ids, tests). */
export async function analyzeProject(options: AnalyzeOptions): Promise<ProjectAnalysis> {
  const loaded = await loadConfig(options.cwd, options.configPath)
  const {config} = loaded
  const paths =
    options.paths.length > 0 ? options.paths : config.journeys.map((p) => path.relative(options.cwd, path.resolve(config.root, p)) || '.')
  const discovered = await discoverFiles(paths, {cwd: options.cwd, root: config.root})
  const files = await readAll(discovered.files, config.root)
  const templates = config.templateFiles
    ? await loadTemplateCatalog(path.resolve(config.root, config.templatesDir), options.cwd)
    : {files: []}

  for (const file of files) {
    if (!file.source || file.diagnostics.length > 0) continue
    if (isObject(file.source.value) && typeof file.source.value[file.kind === 'journey' ? 'id' : 'journey'] === 'string') {
      file.id = file.source.value[file.kind === 'journey' ? 'id' : 'journey'] as string
    }
    if (file.kind !== 'journey') continue
    file.diagnostics.push(...checkJourney(file.source, config))
    if (templates.catalog) file.diagnostics.push(...checkSendData(file.source, templates.catalog))
  }
  reportDuplicateIds(files.filter((f) => f.kind === 'journey'))

  const tests = files.filter((f) => f.kind === 'test' && f.source && f.diagnostics.length === 0)
  if (tests.length > 0) {
    const outlines = await journeyOutlines(files, config, options.cwd)
    for (const test of tests) test.diagnostics.push(...checkTestFile(test.source as SourceFile, outlines, config.templateFiles))
  }
  for (const file of files) {
    if (file.kind === 'journey' && file.source && !file.diagnostics.some((d) => d.severity === 'error')) {
      file.journey = buildJourney(file.source.value as Record<string, unknown>)
    }
  }
  return {
    config,
    projectDiagnostics: [...loaded.diagnostics, ...discovered.diagnostics, ...templates.files.flatMap((f) => f.diagnostics)],
    ...(loaded.text !== undefined && loaded.display !== undefined ? {configSource: {display: loaded.display, text: loaded.text}} : {}),
    files,
    ...(templates.catalog ? {templates: templates.catalog} : {}),
    templateFiles: templates.files,
  }
}

function reportDuplicateIds(journeys: AnalyzedFile[]): void {
  const first = new Map<string, AnalyzedFile>()
  for (const file of journeys) {
    if (file.id === undefined || !file.source) continue
    const earlier = first.get(file.id)
    if (!earlier) {
      first.set(file.id, file)
      continue
    }
    file.diagnostics.push({
      code: 'JOE2050',
      severity: 'error',
      message: `journey id "${file.id}" is also used by ${earlier.display}`,
      hint: 'journey ids are unique in a project; rename one of them (and its tests)',
      location: file.source.locate(['id']),
    })
  }
}

/** Journeys that test files may name: those analyzed, plus the configured journeys folders. */
async function journeyOutlines(files: AnalyzedFile[], config: JoeConfig, cwd: string): Promise<Map<string, JourneyOutline>> {
  const outlines = new Map<string, JourneyOutline>()
  const add = (file: AnalyzedFile) => {
    const outline = file.source ? outlineJourney(file.source.value, file.display) : undefined
    if (outline && !outlines.has(outline.id)) outlines.set(outline.id, outline)
  }
  files.filter((f) => f.kind === 'journey').forEach(add)
  const seen = new Set(files.map((f) => f.absolute))
  const configured = await discoverFiles(
    config.journeys.map((p) => path.resolve(config.root, p)),
    {cwd, root: config.root},
  )
  const extra = configured.files.filter((f) => f.kind === 'journey' && !seen.has(f.absolute))
  for (const file of await readAll(extra, config.root)) add(file)
  return outlines
}
