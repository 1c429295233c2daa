import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {JoeError} from '../errors.js'
import {MAX_FILE_BYTES} from '../journey/source.js'
import {readBounded} from '../project/user-files.js'
import {assertJourneyId} from './journey-id.js'
import {EXAMPLES_DIR, rewriteModeline, schemaRef, schemaRefExists} from './paths.js'
import {findTemplate, renderTemplate} from './templates.js'
import {pathExists, writeError, writePlannedFiles} from './write-files.js'

export const DEFAULT_TEMPLATE = 'cart-abandonment'

export interface InitOptions {
  /** Template to start from (see `listTemplates`). */
  template: string
  /** The journey's id; the template's name when absent. */
  id?: string
  /** Overwrite files that already exist. */
  force?: boolean
}

/** Version of `joe init --json` (schemas/output/init.schema.json). */
export const INIT_FORMAT_VERSION = 1

export interface InitResult {
  format_version: typeof INIT_FORMAT_VERSION
  /** The project folder, absolute. */
  dir: string
  template: string
  journey_id: string
  /** Files written, relative to `dir`, forward slashes. */
  created: string[]
  /** Existing files changed (an existing `.gitignore` gets `.joe/` appended). */
  updated: string[]
  /**
   * Whether the journey's `$schema` modeline points at a file that exists: true when joe is installed
   * in the project (`node_modules/joe-cli`), false for a global install until it is.
   */
  schema_installed: boolean
}

const GITIGNORE_ENTRY = '.joe/'

/**
 * Creates a joe project in `dir`: `joe.config.yaml`, one journey from a
 * template with its test file, sample events, and a `.gitignore` for the local
 * store. Refuses (JOE1032) to overwrite anything unless `force`; an existing
 * `.gitignore` is kept and only gains the `.joe/` line.
 */
export async function initProject(dir: string, options: InitOptions): Promise<InitResult> {
  const root = path.resolve(dir)
  const template = await findTemplate(options.template)
  const id = options.id ?? template.name
  assertJourneyId(id)
  const rendered = await renderTemplate(template.name, {id})
  const journeysDir = path.join(root, 'journeys')
  const modeline = schemaRef(journeysDir, root)
  const sampleEvents = await readFile(path.join(EXAMPLES_DIR, 'events', 'sample.ndjson'), 'utf8')

  const created = await writePlannedFiles(
    root,
    [
      {path: 'joe.config.yaml', content: configYaml(rendered.messageTemplates)},
      {path: path.join('journeys', `${id}.journey.yaml`), content: rewriteModeline(rendered.journeyYaml, modeline)},
      {path: path.join('journeys', `${id}.test.yaml`), content: rendered.testYaml},
      {path: path.join('events', 'sample.ndjson'), content: sampleEvents},
    ],
    options.force === true,
  )

  const updated: string[] = []
  const gitignore = path.join(root, '.gitignore')
  try {
    await updateGitignore(gitignore, created, updated)
  } catch (error) {
    throw error instanceof JoeError ? error : writeError(gitignore, error)
  }
  return {
    format_version: INIT_FORMAT_VERSION,
    dir: root,
    template: template.name,
    journey_id: id,
    created,
    updated,
    schema_installed: schemaRefExists(journeysDir, root),
  }
}

/** Adds `.joe/` to the project's .gitignore, creating it when missing. */
async function updateGitignore(gitignore: string, created: string[], updated: string[]): Promise<void> {
  if (await pathExists(gitignore)) {
    const read = await readBounded(gitignore, MAX_FILE_BYTES)
    if ('problem' in read || 'tooLarge' in read) {
      throw new JoeError('JOE1006', `cannot read ${gitignore}: ${'problem' in read ? read.problem.message : 'it is larger than 1 MiB'}`)
    }
    const text = read.bytes.toString('utf8')
    const lines = text.split(/\r?\n/).map((l) => l.trim())
    if (!lines.includes('.joe/') && !lines.includes('.joe') && !lines.includes('/.joe/') && !lines.includes('/.joe')) {
      const sep = text === '' || text.endsWith('\n') ? '' : '\n'
      await writeFile(gitignore, `${text}${sep}# joe's local event stores\n${GITIGNORE_ENTRY}\n`, 'utf8')
      updated.push('.gitignore')
    }
  } else {
    await writeFile(gitignore, `# joe's local event stores\n${GITIGNORE_ENTRY}\n`, 'utf8')
    created.push('.gitignore')
  }
}

/**
 * The starter `joe.config.yaml`. The template catalog is written commented out:
 * once active, every send must name a listed template, and a journey added
 * later with `joe new journey` would fail validation until its templates are listed.
 */
export function configYaml(messageTemplates: Record<string, string[]>): string {
  const catalog = Object.entries(messageTemplates).map(([channel, ids]) => `#   ${channel}: [${ids.join(', ')}]`)
  return `# joe project configuration. Every key is optional; see docs/journey-format.md.
journeys: journeys # folder (or glob) holding the *.journey.yaml files
store: .joe/events.db # local event store for \`joe simulate\` (git-ignored)

# The message templates that exist in your email/SMS/push provider, per channel.
# Uncomment to have \`joe validate\` flag any send naming a template not listed.
# These are the ones the starter journey uses:
# templates:
${catalog.join('\n')}

policies:
  # \`joe simulate --check\` and deploy gates fail when a customer would get more.
  max_messages_per_customer: { limit: 5, per: 7d }

environments:
  dev: { store: "sqlite:.joe/dev.db" }
  # staging: { store: "postgres://joe@localhost:5432/joe_staging" }
  # prod: { store: "\${JOE_PROD_STORE}", protected: true, promote_from: staging }
`
}
