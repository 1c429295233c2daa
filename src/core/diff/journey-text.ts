import type {Diagnostic} from '../errors.js'
import {JoeError} from '../errors.js'
import {buildJourney} from '../journey/build-model.js'
import {checkJourney} from '../journey/check-journey.js'
import type {Journey} from '../journey/model.js'
import {MAX_FILE_BYTES, parseYamlSource} from '../journey/source.js'
import type {JoeConfig} from '../project/config.js'

/** One version of one journey file, loaded to the model. */
export interface JourneyFile {
  /** Path as shown to users (relative to the cwd). */
  path: string
  journey: Journey
}

/** A file that could not be loaded: its first error, and its id when the YAML says one. */
export interface BrokenFile {
  path: string
  diagnostic: Diagnostic
  id?: string
}

/** Parse -> schema -> rules -> model for journey text (e.g. from `git show`). */
export function loadJourneyText(display: string, text: string, config: JoeConfig): JourneyFile | BrokenFile {
  // The same limit as for files read from disk (readSourceFile), for versions read from git.
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    const location = {file: display, line: 1, column: 1}
    return {path: display, diagnostic: {code: 'JOE1007', severity: 'error', message: 'the file is larger than the 1 MiB limit', location}}
  }
  const parsed = parseYamlSource(display, text)
  const diagnostics = parsed.diagnostics.length > 0 ? parsed.diagnostics : checkJourney(parsed.source, config)
  const error = diagnostics.find((d) => d.severity === 'error')
  if (error) {
    const id = (parsed.source?.value as {id?: unknown} | undefined)?.id
    return {path: display, diagnostic: error, ...(typeof id === 'string' ? {id} : {})}
  }
  return {path: display, journey: buildJourney(parsed.source.value as Record<string, unknown>)}
}

export function isBroken(file: JourneyFile | BrokenFile): file is BrokenFile {
  return 'diagnostic' in file
}

/**
 * The loaded files of one side, or a JoeError naming every broken one: a diff of a
 * journey that does not validate would be a guess.
 */
export function requireValid(files: ReadonlyArray<JourneyFile | BrokenFile>, side: string): JourneyFile[] {
  const broken = files.filter(isBroken)
  if (broken.length > 0) {
    const first = broken[0] as BrokenFile
    const where = first.diagnostic.location
    throw new JoeError(
      'JOE5003',
      `${broken.length === 1 ? `${first.path} (${side}) does not validate` : `${broken.length} journey files (${side}) do not validate`}: ${first.diagnostic.code} ${first.diagnostic.message}`,
      {
        hint: `the differ compares loaded journeys; fix ${broken.map((b) => b.path).join(', ')} first (\`joe validate\` shows every problem)`,
        where,
      },
    )
  }
  const valid = files.filter((f): f is JourneyFile => !isBroken(f))
  const seen = new Map<string, string>()
  for (const file of valid) {
    const earlier = seen.get(file.journey.id)
    if (earlier !== undefined) {
      throw new JoeError('JOE5003', `journey id "${file.journey.id}" is used by both ${earlier} and ${file.path} (${side})`, {
        hint: 'journey ids are unique in a project; the differ matches journeys by id',
      })
    }
    seen.set(file.journey.id, file.path)
  }
  return valid
}
