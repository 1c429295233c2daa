import {availableParallelism} from 'node:os'
import path from 'node:path'
import type {Diagnostic} from '../errors.js'
import {checkTestFile, type JourneyOutline, outlineJourney} from '../journey/check-test-file.js'
import type {EventReference} from '../journey/event-references.js'
import type {Journey} from '../journey/model.js'
import {readSourceFile} from '../journey/read-source.js'
import {isObject} from '../journey/rules/rule-context.js'
import {detachedSource, type SourceFile} from '../journey/source.js'
import {type CheckedTemplateFile, loadTemplateCatalog} from '../templates/catalog.js'
import type {SendDataCatalog} from '../templates/check-templates.js'
import type {TemplateCatalog} from '../templates/template-types.js'
import {type CheckedJourneyFile, type CheckJourneyOptions, checkJourneyFile} from './check-file.js'
import {checkJourneysInThreads} from './check-threads.js'
import {type JoeConfig, loadConfig, withoutCatalog} from './config.js'
import {discoverFiles, type ProjectFile} from './discover.js'

export interface AnalyzedFile extends ProjectFile {
  source?: SourceFile
  diagnostics: Diagnostic[]
  /** The journey or test's declared id, when readable. */
  id?: string
  /** Present for journey files without errors (unless `models: false`). */
  journey?: Journey
  /** Present for journey files when the analysis has test files to check against them. */
  outline?: JourneyOutline
  /** The event types a journey file names; present when it parsed without problems. */
  events?: EventReference[]
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
  /** Build journey models (default true); validate needs none. */
  models?: boolean
  /** Threads that check journey files; default: one per core for large projects. */
  threads?: number
  /**
   * Check journeys against the template catalog (default true). `joe diff` passes false: the catalog
   * does not change the model, and a template removed since must not make an old version unreadable.
   */
  templates?: boolean
}

/**
 * When checking journeys on worker threads pays. Measured with `npm run bench` on 2 cores: a journey
 * costs ~0.4 ms, much of it JIT warm-up that every thread pays again, and V8's own compiler and GC
 * threads already keep the second core busy, so two threads were no faster than one from 500 to 8,000
 * files. Workers therefore start only with MIN_CORES cores or more, one per FILES_PER_THREAD files.
 */
const MIN_CORES = 4
const FILES_PER_THREAD = 1000
/** Each worker adds tens of MB of memory; more than a few rarely pay for themselves. */
const MAX_THREADS = 4

function threadCount(options: AnalyzeOptions, journeys: number): number {
  if (options.threads !== undefined) return Math.max(1, Math.floor(options.threads))
  const cores = availableParallelism()
  if (cores < MIN_CORES) return 1
  return Math.max(1, Math.min(cores, MAX_THREADS, Math.floor(journeys / FILES_PER_THREAD)))
}

async function readAll(files: ProjectFile[], root: string): Promise<AnalyzedFile[]> {
  return Promise.all(
    files.map(async (file) => {
      const read = await readSourceFile(file.display, file.absolute, {root})
      return {...file, diagnostics: read.diagnostics, ...(read.source ? {source: read.source} : {})}
    }),
  )
}

/** What checkSendData needs of a template catalog: plain data, so that worker threads can have it too. */
function sendDataOf(catalog: TemplateCatalog): SendDataCatalog {
  return {templates: new Map([...catalog.templates].map(([key, template]) => [key, {dataReads: template.dataReads}]))}
}

/** Every journey file checked on its own, on one thread or several; in file order. */
async function checkJourneys(
  files: ProjectFile[],
  config: JoeConfig,
  check: CheckJourneyOptions,
  options: AnalyzeOptions,
): Promise<AnalyzedFile[]> {
  const threads = threadCount(options, files.length)
  const checked =
    threads > 1
      ? await checkJourneysInThreads(files, config, check, threads)
      : await Promise.all(files.map((file) => checkJourneyFile(file, config, check)))
  return files.map((file, i) => {
    const result = checked[i] as CheckedJourneyFile
    return {
      ...file,
      diagnostics: result.diagnostics,
      // Positions are recomputed from the text if anything asks for one after the checks.
      ...(result.text !== undefined ? {source: detachedSource(file.display, result.text)} : {}),
      ...(result.id !== undefined ? {id: result.id} : {}),
      ...(result.journey ? {journey: result.journey} : {}),
      ...(result.outline ? {outline: result.outline} : {}),
      ...(result.events ? {events: result.events} : {}),
    }
  })
}

/** Parse -> schema -> rules -> model for every file, plus cross-file checks (ids, tests). */
export async function analyzeProject(options: AnalyzeOptions): Promise<ProjectAnalysis> {
  const loaded = await loadConfig(options.cwd, options.configPath)
  const config = options.templates === false ? withoutCatalog(loaded.config) : loaded.config
  const paths =
    options.paths.length > 0 ? options.paths : config.journeys.map((p) => path.relative(options.cwd, path.resolve(config.root, p)) || '.')
  const discovered = await discoverFiles(paths, {cwd: options.cwd, root: config.root})
  const templates =
    config.templateFiles && options.templates !== false
      ? await loadTemplateCatalog(path.resolve(config.root, config.templatesDir), options.cwd)
      : {files: []}
  const testFiles = discovered.files.filter((f) => f.kind === 'test')
  const check: CheckJourneyOptions = {
    models: options.models ?? true,
    outlines: testFiles.length > 0,
    ...(templates.catalog ? {sendData: sendDataOf(templates.catalog)} : {}),
  }
  const [journeys, tests] = await Promise.all([
    checkJourneys(
      discovered.files.filter((f) => f.kind === 'journey'),
      config,
      check,
      options,
    ),
    readAll(testFiles, config.root),
  ])
  for (const test of tests) {
    if (test.source && test.diagnostics.length === 0 && isObject(test.source.value) && typeof test.source.value.journey === 'string') {
      test.id = test.source.value.journey
    }
  }
  reportDuplicateIds(journeys)
  const checkable = tests.filter((f) => f.source && f.diagnostics.length === 0)
  if (checkable.length > 0) {
    const outlines = await journeyOutlines(journeys, config, options.cwd)
    for (const test of checkable) test.diagnostics.push(...checkTestFile(test.source as SourceFile, outlines, config.templateFiles))
  }
  // A duplicate id is an error too: such a journey has no model.
  for (const file of journeys) if (file.journey && file.diagnostics.some((d) => d.severity === 'error')) delete file.journey
  const byPath = new Map([...journeys, ...tests].map((f) => [f.absolute, f]))
  return {
    config,
    projectDiagnostics: [...loaded.diagnostics, ...discovered.diagnostics, ...templates.files.flatMap((f) => f.diagnostics)],
    ...(loaded.text !== undefined && loaded.display !== undefined ? {configSource: {display: loaded.display, text: loaded.text}} : {}),
    files: discovered.files.map((f) => byPath.get(f.absolute) as AnalyzedFile),
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
async function journeyOutlines(journeys: AnalyzedFile[], config: JoeConfig, cwd: string): Promise<Map<string, JourneyOutline>> {
  const outlines = new Map<string, JourneyOutline>()
  const add = (outline: JourneyOutline | undefined) => {
    if (outline && !outlines.has(outline.id)) outlines.set(outline.id, outline)
  }
  for (const file of journeys) add(file.outline)
  const seen = new Set(journeys.map((f) => f.absolute))
  const configured = await discoverFiles(
    config.journeys.map((p) => path.resolve(config.root, p)),
    {cwd, root: config.root},
  )
  const extra = configured.files.filter((f) => f.kind === 'journey' && !seen.has(f.absolute))
  for (const file of await readAll(extra, config.root)) add(file.source ? outlineJourney(file.source.value, file.display) : undefined)
  return outlines
}
