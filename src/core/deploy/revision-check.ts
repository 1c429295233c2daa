// A revision document that did not come from this project's files (a saved plan) is a proposal,
// never trusted input: it is turned back into the journey format, run through the validation
// pipeline `joe validate` uses, rebuilt, and must come out exactly as it went in.
import {JoeError} from '../errors.js'
import {buildJourney} from '../journey/build-model.js'
import {checkJourney} from '../journey/check-journey.js'
import {parseDuration} from '../journey/duration.js'
import type {Journey} from '../journey/model.js'
import {parseYamlSource} from '../journey/source.js'
import type {JoeConfig} from '../project/config.js'
import {JOURNEY_ID_PATTERN} from '../scaffold/journey-id.js'
import {canonicalJson, sha256, shortHash} from './canonical.js'

type Raw = Record<string, unknown>

/** A journey id as it may be shown in a message: quoted and escaped unless it is a valid id. */
export function showId(id: unknown): string {
  return typeof id === 'string' && JOURNEY_ID_PATTERN.test(id) ? id : (JSON.stringify(id) ?? String(id))
}

/** Refuses (JOE6016) a journey key that is not a valid journey id, e.g. `../../etc`. */
export function assertJourneyKey(journey: unknown, what: string): asserts journey is string {
  if (typeof journey === 'string' && JOURNEY_ID_PATTERN.test(journey)) return
  throw invalidDocument(`${what} names the journey ${showId(journey)}, which is not a journey id`)
}

/**
 * Checks that `document` is the canonical model of a valid journey with id `journey` and hash
 * `hash`, and returns that model. JOE6016 otherwise, with the first problem found.
 */
export function checkRevisionDocument(journey: string, hash: string, document: unknown, config: JoeConfig): Journey {
  assertJourneyKey(journey, 'a change')
  const what = `the document of ${journey} (${shortHash(hash)})`
  if (typeof document !== 'string') throw invalidDocument(`${what} is missing or not text`)
  if (sha256(document) !== hash) throw invalidDocument(`${what} does not hash to its revision id`)
  let model: unknown
  try {
    model = JSON.parse(document)
  } catch {
    throw invalidDocument(`${what} is not JSON`)
  }
  if (model === null || typeof model !== 'object' || Array.isArray(model)) throw invalidDocument(`${what} is not a journey model`)
  const id = (model as Raw).id
  if (id !== journey) throw invalidDocument(`${what} is the document of journey ${showId(id)}, not of ${journey}`)
  const {source, diagnostics} = parseYamlSource(`plan document ${shortHash(hash)}`, JSON.stringify(journeySource(model as Raw)))
  const errors = [...diagnostics, ...checkJourney(source, config)].filter((d) => d.severity === 'error')
  if (errors.length > 0) {
    const first = errors[0] as (typeof errors)[number]
    throw invalidDocument(
      `${what} is not a valid journey: ${first.code} ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
    )
  }
  const rebuilt = buildJourney(source.value as Raw)
  if (canonicalJson(rebuilt) !== document)
    throw invalidDocument(`${what} is not the model joe builds for that journey (it was made or edited by hand)`)
  return rebuilt
}

function invalidDocument(message: string): JoeError {
  return new JoeError('JOE6016', `the plan proposes an invalid revision: ${message}`, {
    hint: 'make a new plan with `joe plan --env NAME --out FILE`; plans are not meant to be edited',
  })
}

// ---- model -> journey format -------------------------------------------------------------------
// The inverse of buildJourney for every model it can build. It copies whatever it does not
// understand as is, so that the schema refuses it, and it leaves out derived fields (minutes of a
// time of day, `nextExplicit`): the rebuilt model would then differ from a document that lied
// about them.

const isRaw = (value: unknown): value is Raw => value !== null && typeof value === 'object' && !Array.isArray(value)
const optional = (key: string, value: unknown): Raw => (value === undefined ? {} : {[key]: value})

/** A duration in the journey format: whole seconds as `Ns`, else ISO 8601 seconds; anything else as is. */
function duration(ms: unknown): unknown {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return ms
  if (Number.isInteger(ms) && ms % 1000 === 0) return `${ms / 1000}s`
  const iso = `${ms < 0 ? '-' : ''}PT${Math.abs(ms) / 1000}S`
  return parseDuration(iso) === ms ? iso : String(ms)
}

/** The journey format document (as in a `.journey.yaml` file) of a journey model. */
export function journeySource(model: Raw): Raw {
  return {
    version: model.version,
    id: model.id,
    name: model.name,
    ...optional('description', model.description),
    ...optional('owner', model.owner),
    ...(Array.isArray(model.tags) && model.tags.length === 0 ? {} : {tags: model.tags}),
    entry: entrySource(model.entry),
    reentry: reentrySource(model.reentry),
    ...(Array.isArray(model.exit) && model.exit.length === 0
      ? {}
      : {exit: Array.isArray(model.exit) ? model.exit.map(exitSource) : model.exit}),
    ...(model.goal === undefined ? {} : {goal: goalSource(model.goal)}),
    settings: isRaw(model.settings) ? settingsSource(model.settings) : model.settings,
    steps: Array.isArray(model.steps) ? model.steps.map(stepSource) : model.steps,
    ...(isRaw(model.moved) && Object.keys(model.moved).length === 0 ? {} : {moved: model.moved}),
  }
}

function entrySource(entry: unknown): unknown {
  if (!isRaw(entry)) return entry
  if (entry.kind === 'event') return {event: entry.event, ...optional('when', entry.when)}
  if (entry.kind === 'segment') return {segment: entry.segment}
  if (entry.kind === 'schedule') return {schedule: {cron: entry.cron, ...optional('audience', entry.audience)}}
  return entry
}

function reentrySource(reentry: unknown): unknown {
  if (!isRaw(reentry)) return reentry
  if (reentry.kind === 'never' || reentry.kind === 'always') return reentry.kind
  if (reentry.kind === 'after') return {after: duration(reentry.afterMs)}
  return reentry
}

function exitSource(criterion: unknown): unknown {
  if (!isRaw(criterion)) return criterion
  if (criterion.kind === 'event') return {event: criterion.event, ...optional('when', criterion.when)}
  if (criterion.kind === 'profile') return {when: criterion.when}
  return criterion
}

function goalSource(goal: unknown): unknown {
  if (!isRaw(goal)) return goal
  return {
    event: goal.event,
    ...optional('when', goal.when),
    ...(goal.withinMs === undefined ? {} : {within: duration(goal.withinMs)}),
    exit: goal.exit,
  }
}

function settingsSource(settings: Raw): Raw {
  const quiet = settings.quietHours
  const cap = settings.frequencyCap
  return {
    timezone: settings.timezone,
    ...(quiet === undefined ? {} : {quiet_hours: isRaw(quiet) ? {start: quiet.start, end: quiet.end} : quiet}),
    ...(cap === undefined ? {} : {frequency_cap: isRaw(cap) ? {limit: cap.limit, per: duration(cap.perMs)} : cap}),
    holdout: settings.holdout,
    ...optional('consent', settings.consent),
  }
}

function stepSource(step: unknown): unknown {
  if (!isRaw(step)) return step
  const common = {
    id: step.id,
    ...optional('name', step.name),
    ...optional('description', step.description),
    ...(step.nextExplicit === true ? {next: step.next} : {}),
  }
  switch (step.kind) {
    case 'wait': {
      const wait = step.wait
      if (isRaw(wait) && wait.kind === 'duration') return {...common, wait: duration(wait.ms)}
      if (isRaw(wait) && wait.kind === 'until') return {...common, wait: {until: wait.time, ...optional('days', wait.days)}}
      return {...common, wait}
    }
    case 'wait_for':
      return {
        ...common,
        wait_for: {event: step.event, ...optional('when', step.when), timeout: duration(step.timeoutMs), on_timeout: step.onTimeout},
      }
    case 'branch':
      return {...common, branch: {cases: step.cases, else: step.else}}
    case 'split':
      return {...common, split: step.variants}
    case 'send':
      return {
        ...common,
        send: {
          channel: step.channel,
          template: step.template,
          ...(isRaw(step.data) && Object.keys(step.data).length === 0 ? {} : {data: step.data}),
        },
      }
    case 'update':
      return {...common, update: {set: step.set}}
    default:
      return step
  }
}
