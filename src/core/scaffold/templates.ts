import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {closest, distance} from 'fastest-levenshtein'
import {isScalar, parse, parseDocument, stringify} from 'yaml'
import {JoeError} from '../errors.js'
import {TEMPLATES_DIR} from './paths.js'

const JOURNEY_SUFFIX = '.journey.yaml'
const TEST_SUFFIX = '.test.yaml'

/** A starter journey shipped in the package's `templates/` folder. */
export interface TemplateInfo {
  /** The template's name, which is also the journey id it declares (e.g. `cart-abandonment`). */
  name: string
  /** The journey's `name:` (its human title). */
  title: string
  /** The journey's `description:`; empty when the template has none. */
  description: string
  /** Absolute path of the template's journey file. */
  file: string
}

export interface RenderOptions {
  /** The new journey id; written to the journey's `id:` and the test's `journey:`. */
  id: string
  /** A new human title for `name:`; the template's title is kept when absent. */
  name?: string
}

export interface RenderedTemplate {
  journeyYaml: string
  testYaml: string
  /** Message template ids the journey sends, per channel, in first-use order. */
  messageTemplates: Record<string, string[]>
}

/** Every template in the package, sorted by name. */
export async function listTemplates(): Promise<TemplateInfo[]> {
  const names = (await readdir(TEMPLATES_DIR)).filter((f) => f.endsWith(JOURNEY_SUFFIX)).sort()
  return Promise.all(
    names.map(async (f) => {
      const file = path.join(TEMPLATES_DIR, f)
      const value: unknown = parse(await readFile(file, 'utf8'))
      const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
      return {
        name: f.slice(0, -JOURNEY_SUFFIX.length),
        title: typeof record.name === 'string' ? record.name : '',
        description: typeof record.description === 'string' ? record.description : '',
        file,
      }
    }),
  )
}

/**
 * Resolves a template name, or throws JOE1013 with the closest name and the
 * full list, so a typo is fixed in one go.
 */
export async function findTemplate(name: string): Promise<TemplateInfo> {
  const templates = await listTemplates()
  const found = templates.find((t) => t.name === name)
  if (found) return found
  const names = templates.map((t) => t.name)
  const guess = names.length > 0 ? closest(name, names) : undefined
  // Only suggest what looks like a typo, not an arbitrary neighbour.
  const close = guess !== undefined && distance(name, guess) <= Math.max(2, Math.floor(guess.length / 3))
  throw new JoeError('JOE1013', `unknown template "${name}"`, {
    hint: `${close ? `did you mean "${guess}"? ` : ''}Templates are: ${names.join(', ')}.`,
    exitCode: 2,
  })
}

/**
 * The template's journey and test files with the id (and optionally the name)
 * replaced. The scalars to change are found with yaml's Document API and
 * replaced in place in the source text, so comments, blank lines and the
 * template's own flow/block layout survive byte for byte.
 */
export async function renderTemplate(name: string, options: RenderOptions): Promise<RenderedTemplate> {
  const template = await findTemplate(name)
  let journeyYaml = setTopLevelScalar(await readFile(template.file, 'utf8'), 'id', options.id)
  if (options.name !== undefined) journeyYaml = setTopLevelScalar(journeyYaml, 'name', options.name)

  const testFile = template.file.slice(0, -JOURNEY_SUFFIX.length) + TEST_SUFFIX
  const testYaml = setTopLevelScalar(await readFile(testFile, 'utf8'), 'journey', options.id)

  return {journeyYaml, testYaml, messageTemplates: messageTemplatesOf(parse(journeyYaml))}
}

/**
 * `text` with the top-level `key` set to the string `value`. An existing scalar
 * is replaced where it stands; otherwise the key is set through the Document
 * API (which re-renders the document, still with its comments).
 */
export function setTopLevelScalar(text: string, key: string, value: string): string {
  const doc = parseDocument(text)
  const node = doc.get(key, true)
  if (isScalar(node) && node.range) {
    // stringify quotes the value only when YAML needs it (e.g. "a: b", "true").
    const scalar = stringify(value, {lineWidth: 0}).trimEnd()
    return text.slice(0, node.range[0]) + scalar + text.slice(node.range[1])
  }
  doc.set(key, value)
  return String(doc)
}

/** `{channel: [template ids]}` of every `send` step, in first-use order. */
export function messageTemplatesOf(journey: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  const steps = (journey as {steps?: unknown} | null)?.steps
  if (!Array.isArray(steps)) return out
  for (const step of steps) {
    const send = (step as {send?: {channel?: unknown; template?: unknown}} | null)?.send
    if (typeof send?.channel !== 'string' || typeof send.template !== 'string') continue
    const list = out[send.channel] ?? []
    if (!list.includes(send.template)) list.push(send.template)
    out[send.channel] = list
  }
  return out
}
