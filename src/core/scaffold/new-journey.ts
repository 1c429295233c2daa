import path from 'node:path'
import {parse} from 'yaml'
import {JoeError} from '../errors.js'
import {MAX_FILE_BYTES} from '../journey/source.js'
import {isInside, readBounded} from '../project/user-files.js'
import {listTemplateIds, mergeTemplateIds} from '../templates/template-files.js'
import {assertJourneyId} from './journey-id.js'
import {rewriteModeline, schemaRef, schemaRefExists, toPosix} from './paths.js'
import {findTemplate, listTemplates, renderTemplate, type TemplateInfo} from './templates.js'
import {pathExists, writePlannedFiles} from './write-files.js'

export const CONFIG_FILE = 'joe.config.yaml'
export const DEFAULT_JOURNEYS_DIR = 'journeys'

export interface NewJourneyOptions {
  /** Overwrite the journey and test files if they exist. */
  force?: boolean
  /** Folder to write into (relative to cwd); the configured journeys folder when absent. */
  dir?: string
  /** A human title for `name:`; the template's title when absent. */
  name?: string
}

/** Version of `joe new journey --json`, with or without --list (schemas/output/new-journey.schema.json). */
export const NEW_JOURNEY_FORMAT_VERSION = 1

export interface NewJourneyResult {
  format_version: typeof NEW_JOURNEY_FORMAT_VERSION
  id: string
  template: string
  /** The folder written into, relative to cwd. */
  dir: string
  /** Files written, relative to cwd, forward slashes. */
  created: string[]
  /**
   * Message templates the new journey sends that the config's `templates`
   * catalog does not list, per channel. Empty when there is no catalog.
   */
  missing_templates: Record<string, string[]>
  /** Whether the journey's `$schema` modeline points at a file that exists (joe is installed in the project). */
  schema_installed: boolean
}

/** `joe new journey --list`. */
export interface TemplateListResult {
  format_version: typeof NEW_JOURNEY_FORMAT_VERSION
  templates: TemplateInfo[]
}

/** The starter templates `joe init` and `joe new journey` offer. */
export async function journeyTemplateList(): Promise<TemplateListResult> {
  return {format_version: NEW_JOURNEY_FORMAT_VERSION, templates: await listTemplates()}
}

/**
 * Adds `<id>.journey.yaml` and `<id>.test.yaml`, rendered from a template, to
 * the project's journeys folder. Throws JOE1014 for an invalid id, JOE1013 for
 * an unknown template and JOE1032 when a file exists (unless `force`).
 */
export async function newJourney(cwd: string, id: string, template: string, options: NewJourneyOptions = {}): Promise<NewJourneyResult> {
  assertJourneyId(id)
  const info = await findTemplate(template)
  const root = path.resolve(cwd)
  const config = await readConfig(root)
  const dir = options.dir ?? journeysFolder(config.journeys)
  const absDir = path.resolve(root, dir)
  if (options.dir === undefined && !isInside(absDir, root)) {
    // The config's journeys folder is data from the repository; --dir is the user's own choice.
    throw new JoeError('JOE1033', `the journeys folder "${dir}" of ${CONFIG_FILE} is outside the project ${root}`, {
      hint: 'point `journeys` at a folder inside the project, or pass --dir',
    })
  }
  const rendered = await renderTemplate(info.name, {id, ...(options.name === undefined ? {} : {name: options.name})})

  const rel = (f: string) => path.relative(root, path.join(absDir, f))
  const created = await writePlannedFiles(
    root,
    [
      {path: rel(`${id}.journey.yaml`), content: rewriteModeline(rendered.journeyYaml, schemaRef(absDir, root))},
      {path: rel(`${id}.test.yaml`), content: rendered.testYaml},
    ],
    options.force === true,
  )

  return {
    format_version: NEW_JOURNEY_FORMAT_VERSION,
    id,
    template: info.name,
    dir: toPosix(path.relative(root, absDir)) || '.',
    created,
    missing_templates: missingFromCatalog(rendered.messageTemplates, await templateCatalog(root, config)),
    schema_installed: schemaRefExists(absDir, root),
  }
}

/** The template ids of the project: the config's `templates` list and the files of the templates folder; undefined without either. */
async function templateCatalog(
  root: string,
  config: {templates?: unknown; templates_dir?: unknown},
): Promise<Record<string, unknown> | undefined> {
  const dir = path.resolve(root, typeof config.templates_dir === 'string' ? config.templates_dir : 'templates')
  const files = await listTemplateIds(dir)
  const listed =
    typeof config.templates === 'object' && config.templates !== null ? (config.templates as Record<string, unknown>) : undefined
  return files ? mergeTemplateIds(listed ?? {}, files) : listed
}

/** The parts of `joe.config.yaml` scaffolding needs; empty when there is no (readable) config. */
async function readConfig(root: string): Promise<{journeys?: unknown; templates?: unknown; templates_dir?: unknown}> {
  const file = path.join(root, CONFIG_FILE)
  if (!(await pathExists(file))) return {}
  // A FIFO or a device in its place is not read (and `joe validate` reports it).
  const read = await readBounded(file, MAX_FILE_BYTES)
  if (!('bytes' in read)) return {}
  try {
    const value: unknown = parse(read.bytes.toString('utf8'))
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    // A broken config is `joe validate`'s to report; scaffolding falls back to the defaults.
    return {}
  }
}

const GLOB_CHARS = /[*?[\]{}!]/

/**
 * The folder a `journeys:` setting points at: the folder itself, or a glob's
 * leading non-glob part (`flows/**\/*.journey.yaml` -> `flows`); the first
 * entry of a list. `journeys` when unset.
 */
export function journeysFolder(setting: unknown): string {
  const first = Array.isArray(setting) ? setting.find((s) => typeof s === 'string') : setting
  if (typeof first !== 'string' || first.trim() === '') return DEFAULT_JOURNEYS_DIR
  const parts = first.trim().split('/')
  const globAt = parts.findIndex((p) => GLOB_CHARS.test(p))
  let folder = globAt === -1 ? parts : parts.slice(0, globAt)
  // A plain file path: its folder.
  if (globAt === -1 && /\.ya?ml$/.test(first)) folder = parts.slice(0, -1)
  return folder.join('/').replace(/\/+$/, '') || '.'
}

function missingFromCatalog(used: Record<string, string[]>, catalog: Record<string, unknown> | undefined): Record<string, string[]> {
  if (typeof catalog !== 'object' || catalog === null) return {}
  const listed = catalog as Record<string, unknown>
  const missing: Record<string, string[]> = {}
  for (const [channel, ids] of Object.entries(used)) {
    const known = Array.isArray(listed[channel]) ? (listed[channel] as unknown[]) : []
    const absent = ids.filter((t) => !known.includes(t))
    if (absent.length > 0) missing[channel] = absent
  }
  return missing
}
