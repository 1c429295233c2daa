import {lstat} from 'node:fs/promises'
import path from 'node:path'
import {type Diagnostic, JoeError} from '../errors.js'
import {parseDuration} from '../journey/duration.js'
import {readSourceFile} from '../journey/read-source.js'
import {validateAgainstSchema} from '../journey/schema-check.js'
import type {SourceFile} from '../journey/source.js'
import type {NameNormalization} from '../store/event-names.js'
import {listTemplateIds, mergeTemplateIds} from '../templates/template-files.js'
import {isInside} from './user-files.js'

export const CONFIG_FILE = 'joe.config.yaml'

export interface EnvironmentConfig {
  store: string
  protected: boolean
  /** Present when the environment only accepts revisions active there. */
  promoteFrom?: string
  /** The clock `joe serve` runs on; absent: `real`. */
  clock?: 'real' | 'manual'
  /** Write keys for ingest, as written (`${VAR}` expanded when serving); absent: none. */
  writeKeys?: string[]
  /** Channel -> its connector's settings as written (`connector` plus the kind's own keys); absent: none. */
  channels?: Record<string, Record<string, unknown>>
  /** The public base URL of `joe serve` for links in messages, as written (`${VAR}` expanded when serving). */
  publicUrl?: string
  /** Secrets that sign links in messages, the signing one first, as written. */
  linkSecrets?: string[]
  /** How `joe serve` protects its HTTP port (`ingest` in the file); absent: the defaults of src/server/http-limits.ts. */
  ingest?: IngestSettings
}

/** `environments.NAME.ingest`: rate limits and connection timeouts of `joe serve`'s HTTP port. */
export interface IngestSettings {
  /** Per write key: a token bucket refilled at `eventsPerSecond`, holding at most `burst` events. Absent: no limit. */
  rateLimit?: {eventsPerSecond: number; burst: number}
  /** Milliseconds a request (headers and body) may take to arrive; absent: the default. */
  requestTimeoutMs?: number
  /** Milliseconds a connection may stay silent (mid-request or idle between requests); absent: the default. */
  idleTimeoutMs?: number
}

/** joe.config.yaml with defaults applied (spec section 1). */
export interface JoeConfig {
  /** Absolute path of the config file; undefined when the project has none. */
  file?: string
  /** Project root: the folder the config is in (or the cwd without one). */
  root: string
  /** Folders or globs holding journey files, relative to root. */
  journeys: string[]
  /** SQLite event store path, relative to root. */
  store: string
  /**
   * The template catalog: ids per channel, from the config's `templates` list and the files of
   * `templatesDir`; undefined when the project has neither, so any template is allowed.
   */
  templates?: Record<string, string[]>
  /** The ids that have template files; present when `templatesDir` is a templates folder. */
  templateFiles?: Record<string, string[]>
  /** Folder of template files (`<channel>/<id>.liquid`), relative to root. Default `templates`. */
  templatesDir: string
  policies: {maxMessagesPerCustomer?: {limit: number; per: string}}
  environments: Record<string, EnvironmentConfig>
  /** How `joe events import` treats what it reads. */
  events: {normalizeNames: NameNormalization}
}

export interface LoadedConfig {
  config: JoeConfig
  /** Problems in the config file; the defaults are used when there are errors. */
  diagnostics: Diagnostic[]
  /** Text of the config file and its path as shown in diagnostics, for code frames. */
  text?: string
  display?: string
}

export function defaultConfig(root: string): JoeConfig {
  return {
    root,
    journeys: ['journeys'],
    store: '.joe/events.db',
    templatesDir: 'templates',
    policies: {},
    environments: {},
    events: {normalizeNames: 'none'},
  }
}

/**
 * Reads `joe.config.yaml` from `root` (or `configPath`). A missing file gives the
 * defaults; a broken one gives located diagnostics (code JOE1020 for schema problems).
 */
export async function loadConfig(root: string, configPath?: string): Promise<LoadedConfig> {
  const file = path.resolve(root, configPath ?? CONFIG_FILE)
  const projectRoot = configPath ? path.dirname(file) : root
  // Only whether it exists: reading is readSourceFile's (a FIFO or a device must not be opened here).
  const exists = await lstat(file).then(
    () => true,
    () => false,
  )
  if (!exists) {
    if (configPath) {
      return {
        config: defaultConfig(projectRoot),
        diagnostics: [
          {
            code: 'JOE1031',
            severity: 'error',
            message: `config file "${configPath}" does not exist`,
            hint: 'check the --config path, or run `joe init` to create a project',
            location: {file: configPath, line: 1, column: 1},
          },
        ],
      }
    }
    const config = defaultConfig(projectRoot)
    await addTemplateFiles(config)
    return {config, diagnostics: []}
  }
  const display = (path.relative(root, file) || file).split(path.sep).join('/')
  const read = await readSourceFile(display, file, {root: projectRoot})
  if (read.diagnostics.length > 0 || !read.source) {
    return {config: defaultConfig(projectRoot), diagnostics: read.diagnostics, ...(read.source ? {text: read.source.text, display} : {})}
  }
  const {source} = read
  const diagnostics = validateAgainstSchema('config', source).map((d) => ({...d, code: d.code === 'JOE1017' ? 'JOE1020' : d.code}))
  diagnostics.push(...journeysOutsideRoot(source, projectRoot))
  const base = defaultConfig(projectRoot)
  if (diagnostics.some((d) => d.severity === 'error')) return {config: {...base, file}, diagnostics, text: source.text, display}
  const raw = source.value as Record<string, unknown>
  const journeys =
    raw.journeys === undefined ? base.journeys : Array.isArray(raw.journeys) ? (raw.journeys as string[]) : [String(raw.journeys)]
  const policies = (raw.policies ?? {}) as {max_messages_per_customer?: {limit: number; per: string}}
  const environments: Record<string, EnvironmentConfig> = {}
  type RawEnvironment = {
    store: string
    protected?: boolean
    promote_from?: string
    clock?: 'real' | 'manual'
    write_keys?: string[]
    channels?: Record<string, Record<string, unknown>>
    public_url?: string
    link_secret?: string | string[]
    ingest?: {
      rate_limit?: {events_per_second: number; burst?: number}
      request_timeout?: string
      idle_timeout?: string
    }
  }
  for (const [name, env] of Object.entries((raw.environments ?? {}) as Record<string, RawEnvironment>)) {
    environments[name] = {
      store: env.store,
      protected: env.protected === true,
      ...(env.promote_from ? {promoteFrom: env.promote_from} : {}),
      clock: env.clock ?? 'real',
      writeKeys: env.write_keys ?? [],
      channels: env.channels ?? {},
      ...(env.public_url === undefined ? {} : {publicUrl: env.public_url}),
      ...(env.link_secret === undefined ? {} : {linkSecrets: Array.isArray(env.link_secret) ? env.link_secret : [env.link_secret]}),
      ...(env.ingest === undefined ? {} : {ingest: ingestSettings(env.ingest)}),
    }
  }
  const config: JoeConfig = {
    file,
    root: projectRoot,
    journeys,
    store: typeof raw.store === 'string' ? raw.store : base.store,
    ...(raw.templates ? {templates: raw.templates as Record<string, string[]>} : {}),
    templatesDir: typeof raw.templates_dir === 'string' ? raw.templates_dir : base.templatesDir,
    policies: policies.max_messages_per_customer ? {maxMessagesPerCustomer: policies.max_messages_per_customer} : {},
    environments,
    events: {normalizeNames: (raw.events as {normalize_names?: NameNormalization} | undefined)?.normalize_names ?? 'none'},
  }
  await addTemplateFiles(config)
  return {config, diagnostics, text: source.text, display}
}

/** The `ingest` settings of an environment (the schema checked them: durations are positive). */
function ingestSettings(raw: {
  rate_limit?: {events_per_second: number; burst?: number}
  request_timeout?: string
  idle_timeout?: string
}): IngestSettings {
  const ms = (text: string | undefined) => (text === undefined ? undefined : parseDuration(text))
  const request = ms(raw.request_timeout)
  const idle = ms(raw.idle_timeout)
  const limit = raw.rate_limit
  return {
    // A burst defaults to one second's worth of events.
    ...(limit === undefined
      ? {}
      : {rateLimit: {eventsPerSecond: limit.events_per_second, burst: limit.burst ?? Math.max(1, Math.ceil(limit.events_per_second))}}),
    ...(request === undefined ? {} : {requestTimeoutMs: request}),
    ...(idle === undefined ? {} : {idleTimeoutMs: idle}),
  }
}

/** Adds the ids of the template files to the catalog, when the templates folder exists (templates/template-files.ts). */
async function addTemplateFiles(config: JoeConfig): Promise<void> {
  const files = await listTemplateIds(path.resolve(config.root, config.templatesDir))
  if (!files) return
  config.templateFiles = files
  // Without a list the catalog is the files themselves (the same object, which rules test for).
  if (!config.templates) {
    config.templates = files
    return
  }
  config.templates = mergeTemplateIds(config.templates, files)
}

/**
 * JOE1033 for every `journeys` entry that lies outside the project root (`/`, `../..`, an absolute
 * path elsewhere): joe would walk folders that are not the project's, the whole disk for `/`.
 */
function journeysOutsideRoot(source: SourceFile, root: string): Diagnostic[] {
  const raw = (source.value as Record<string, unknown>).journeys
  const entries = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : []
  const diagnostics: Diagnostic[] = []
  entries.forEach((entry, index) => {
    if (typeof entry !== 'string') return
    // A glob's folder part, before its first wildcard segment, decides where it walks.
    const segments = entry.split('/')
    const cut = segments.findIndex((segment) => /[*?[\]{}()!]/.test(segment))
    const folder = (cut === -1 ? segments : segments.slice(0, cut)).join('/') || (entry.startsWith('/') ? '/' : '.')
    if (isInside(path.resolve(root, folder), path.resolve(root))) return
    diagnostics.push({
      code: 'JOE1033',
      severity: 'error',
      message: `journeys entry "${entry}" is outside the project root ${root}`,
      hint: 'journeys are folders or globs inside the project (the folder of joe.config.yaml), e.g. `journeys`',
      location: source.locate(typeof raw === 'string' ? ['journeys'] : ['journeys', index]),
    })
  })
  return diagnostics
}

/** The project config for commands that need it; a broken config is a clear error, not defaults. */
export async function requireConfig(root: string, configPath?: string): Promise<JoeConfig> {
  const loaded = await loadConfig(root, configPath)
  const error = loaded.diagnostics.find((d) => d.severity === 'error')
  if (error) {
    throw new JoeError(error.code, `${loaded.display ?? 'joe.config.yaml'}: ${error.message}`, {
      hint: error.hint ?? 'run `joe validate` to see every problem in the config',
      where: error.location,
    })
  }
  return loaded.config
}

/**
 * The config without its template catalog, so any template is allowed. `joe diff` loads journeys so:
 * the catalog does not change the model, a template since removed from the catalog must not make an
 * old version unreadable, and `joe validate` (not the diff) is where an unknown template is reported.
 */
export function withoutCatalog(config: JoeConfig): JoeConfig {
  const {templates: _templates, ...rest} = config
  return rest
}

/** The event store a command reads: `given` (a flag, relative to `cwd`), else `store` of the config (relative to it). */
export function eventStorePath(config: JoeConfig, given: string | undefined, cwd: string): string {
  return given ? path.resolve(cwd, given) : path.resolve(config.root, config.store)
}
