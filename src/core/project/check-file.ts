import type {Diagnostic} from '../errors.js'
import {buildJourney} from '../journey/build-model.js'
import {checkJourney} from '../journey/check-journey.js'
import {type JourneyOutline, outlineJourney} from '../journey/check-test-file.js'
import {type EventReference, eventReferences} from '../journey/event-references.js'
import type {Journey} from '../journey/model.js'
import {readSourceFile} from '../journey/read-source.js'
import {isObject} from '../journey/rules/rule-context.js'
import {checkSendData, type SendDataCatalog} from '../templates/check-templates.js'
import type {JoeConfig} from './config.js'
import type {ProjectFile} from './discover.js'

/** What checking one journey file on its own finds: plain data, so a worker thread can send it back. */
export interface CheckedJourneyFile {
  diagnostics: Diagnostic[]
  /** The file's text, when it could be read and decoded. */
  text?: string
  /** The declared id, when the file parsed without problems and has one. */
  id?: string
  /** The model, when asked for and the file has no errors. */
  journey?: Journey
  /** What a test file may refer to, when asked for (see check-test-file.ts). */
  outline?: JourneyOutline
  /** The event types the journey names, when the file parsed without problems. */
  events?: EventReference[]
}

export interface CheckJourneyOptions {
  /** Build the model of a file without errors (not needed to validate). */
  models: boolean
  /** Outline the journey for test files. */
  outlines: boolean
  /** The templates folder's data reads, when the project has one: sends are checked against them. */
  sendData?: SendDataCatalog
}

/**
 * Read -> parse -> schema -> rules (-> model) for one journey file: all the work on a journey that
 * needs no other file. Cross-file checks (duplicate ids, test files) run afterwards, in analyze.ts.
 */
export async function checkJourneyFile(file: ProjectFile, config: JoeConfig, options: CheckJourneyOptions): Promise<CheckedJourneyFile> {
  const read = await readSourceFile(file.display, file.absolute, {root: config.root})
  const {source} = read
  const checked: CheckedJourneyFile = {diagnostics: read.diagnostics, ...(source ? {text: source.text} : {})}
  if (!source || read.diagnostics.length > 0) return checked
  if (isObject(source.value) && typeof source.value.id === 'string') checked.id = source.value.id
  checked.events = eventReferences(source.value)
  checked.diagnostics.push(...checkJourney(source, config))
  if (options.sendData) checked.diagnostics.push(...checkSendData(source, options.sendData))
  if (options.outlines) {
    const outline = outlineJourney(source.value, file.display)
    if (outline) checked.outline = outline
  }
  if (options.models && !checked.diagnostics.some((d) => d.severity === 'error')) {
    checked.journey = buildJourney(source.value as Record<string, unknown>)
  }
  return checked
}
