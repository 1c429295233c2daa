import type {Diagnostic} from '../errors.js'
import {describeInstantProblem, parseInstant} from '../instant.js'
import {parseDuration} from './duration.js'
import {isObject, type RawObject} from './rules/rule-context.js'
import {validateAgainstSchema} from './schema-check.js'
import type {SourceFile, YamlPath} from './source.js'
import {didYouMean} from './suggest.js'

/** What a test file may refer to in a journey. */
export interface JourneyOutline {
  id: string
  file: string
  steps: Set<string>
  /** Split step id -> its variant names. */
  variants: Map<string, Set<string>>
}

export function outlineJourney(raw: unknown, file: string): JourneyOutline | undefined {
  if (!isObject(raw) || typeof raw.id !== 'string') return undefined
  const steps = new Set<string>()
  const variants = new Map<string, Set<string>>()
  for (const step of Array.isArray(raw.steps) ? raw.steps : []) {
    if (!isObject(step) || typeof step.id !== 'string') continue
    steps.add(step.id)
    if (Array.isArray(step.split)) variants.set(step.id, new Set(step.split.filter(isObject).map((v) => String(v.variant))))
  }
  return {id: raw.id, file, steps, variants}
}

/**
 * Epoch ms for a test time: an ISO 8601 date-time with a zone (a real one: no 31 February), or
 * "+duration" after `previous`.
 */
export function parseTestTime(text: string, previous: number | undefined): number | undefined {
  if (text.startsWith('+')) {
    const ms = parseDuration(text.slice(1))
    return ms !== undefined && ms > 0 && previous !== undefined ? previous + ms : undefined
  }
  const ms = parseInstant(text, {date: false})
  return typeof ms === 'number' ? ms : undefined
}

/** Why an absolute test time is refused, for the message: "" when it is fine or relative. */
function timeProblem(text: string): string {
  if (text.startsWith('+')) return ''
  const parsed = parseInstant(text, {date: false})
  return typeof parsed === 'number' ? '' : `: it ${describeInstantProblem(parsed)}`
}

/**
 * Schema, then references into the journey (spec section 6). `templateFiles` (the ids with template
 * files, per channel; absent without a templates folder) is what `expect.sends[].contains` can render.
 */
export function checkTestFile(
  source: SourceFile,
  journeys: ReadonlyMap<string, JourneyOutline>,
  templateFiles?: Readonly<Record<string, readonly string[]>>,
): Diagnostic[] {
  const diagnostics = validateAgainstSchema('journey-test', source)
  if (!isObject(source.value)) return diagnostics
  const raw = source.value
  const report = (d: Omit<Diagnostic, 'location'>, path: YamlPath, key = false) =>
    diagnostics.push({...d, location: source.locate(path, {key})})
  if (typeof raw.journey !== 'string') return diagnostics
  const journey = journeys.get(raw.journey)
  if (!journey) {
    report(
      {
        code: 'JOE2090',
        severity: 'error',
        message: `no journey has id "${raw.journey}"`,
        hint: `${didYouMean(raw.journey, journeys.keys())}known journeys: ${[...journeys.keys()].sort().join(', ') || '(none found)'}`,
      },
      ['journey'],
    )
  }
  const cases = Array.isArray(raw.cases) ? raw.cases : []
  cases.forEach((testCase, c) => {
    if (!isObject(testCase)) return
    const base: YamlPath = ['cases', c]
    checkTimes(testCase, base, report)
    checkContains(testCase, base, templateFiles, report)
    if (!journey) return
    const expect = isObject(testCase.expect) ? testCase.expect : {}
    if (Array.isArray(expect.path)) {
      expect.path.forEach((step, i) => {
        if (typeof step !== 'string' || journey.steps.has(step)) return
        report(
          {
            code: 'JOE2091',
            severity: 'error',
            message: `expected path names step "${step}", which journey "${journey.id}" does not have`,
            hint: `${didYouMean(step, journey.steps)}steps are: ${[...journey.steps].join(', ')}`,
          },
          [...base, 'expect', 'path', i],
        )
      })
    }
    if (isObject(testCase.variants)) {
      for (const [step, variant] of Object.entries(testCase.variants)) {
        const known = journey.variants.get(step)
        if (!known) {
          const splits = [...journey.variants.keys()]
          report(
            {
              code: 'JOE2091',
              severity: 'error',
              message: `"${step}" is not a split step of journey "${journey.id}"`,
              hint: `${didYouMean(step, splits)}split steps are: ${splits.join(', ') || '(none)'}`,
            },
            [...base, 'variants', step],
            true,
          )
        } else if (typeof variant === 'string' && !known.has(variant)) {
          report(
            {
              code: 'JOE2092',
              severity: 'error',
              message: `split "${step}" has no variant "${variant}"`,
              hint: `${didYouMean(variant, known)}variants are: ${[...known].join(', ')}`,
            },
            [...base, 'variants', step],
          )
        }
      }
    }
  })
  return diagnostics
}

/** JOE2094: `contains` on a send whose template has no file to render. */
function checkContains(
  testCase: RawObject,
  base: YamlPath,
  templateFiles: Readonly<Record<string, readonly string[]>> | undefined,
  report: (d: Omit<Diagnostic, 'location'>, path: YamlPath) => void,
): void {
  const sends = isObject(testCase.expect) && Array.isArray(testCase.expect.sends) ? testCase.expect.sends : []
  sends.forEach((send, i) => {
    if (!isObject(send) || send.contains === undefined) return
    const path = [...base, 'expect', 'sends', i, 'contains']
    if (!templateFiles) {
      report(
        {
          code: 'JOE2094',
          severity: 'error',
          message: '`contains` renders the message, but the project has no template files',
          hint: 'add the template as templates/<channel>/<id>.liquid (see docs/templates-and-connectors.md), or remove `contains`',
        },
        path,
      )
      return
    }
    if (typeof send.template !== 'string') return
    const channels = typeof send.channel === 'string' ? [send.channel] : Object.keys(templateFiles)
    if (channels.some((channel) => templateFiles[channel]?.includes(send.template as string))) return
    report(
      {
        code: 'JOE2094',
        severity: 'error',
        message: `\`contains\` renders template "${send.template}", which has no template file`,
        hint: `create templates/${typeof send.channel === 'string' ? send.channel : '<channel>'}/${send.template}.liquid, or remove \`contains\``,
      },
      path,
    )
  })
}

function checkTimes(testCase: RawObject, base: YamlPath, report: (d: Omit<Diagnostic, 'location'>, path: YamlPath) => void): void {
  let previous: number | undefined
  const events = Array.isArray(testCase.events) ? testCase.events : []
  events.forEach((event, i) => {
    if (!isObject(event) || typeof event.at !== 'string') return
    const at = parseTestTime(event.at, previous)
    if (at === undefined) {
      const first = previous === undefined && event.at.startsWith('+')
      report(
        {
          code: 'JOE2093',
          severity: 'error',
          message: first
            ? `the first event's time "${event.at}" is relative to nothing`
            : `event time "${event.at}" is not a timestamp or "+duration"${timeProblem(event.at)}`,
          hint: first
            ? 'give the first event an absolute time such as "2026-03-02T10:00:00Z"'
            : 'use an ISO 8601 time with a zone ("2026-03-02T10:00:00Z") or "+3h" after the previous event',
        },
        [...base, 'events', i, 'at'],
      )
    }
    previous = at ?? previous
  })
  if (typeof testCase.until === 'string' && parseTestTime(testCase.until, previous) === undefined) {
    report(
      {
        code: 'JOE2093',
        severity: 'error',
        message: `until "${testCase.until}" is not a timestamp or "+duration" after the last event${timeProblem(testCase.until)}`,
        hint: 'use e.g. "+3d" to let waits run out after the last event, or an ISO 8601 time with a zone',
      },
      [...base, 'until'],
    )
  }
  const sends = isObject(testCase.expect) && Array.isArray(testCase.expect.sends) ? testCase.expect.sends : []
  sends.forEach((send, i) => {
    if (!isObject(send) || typeof send.at !== 'string' || parseTestTime(send.at, undefined) !== undefined) return
    report(
      {
        code: 'JOE2093',
        severity: 'error',
        message: `expected send time "${send.at}" is not an ISO 8601 timestamp${timeProblem(send.at)}`,
        hint: 'use an absolute time with a zone, e.g. "2026-03-02T11:00:00Z"',
      },
      [...base, 'expect', 'sends', i, 'at'],
    )
  })
}
