import type {Channel} from '../connectors/connector.js'
import {runCustomer} from '../engine/run-customer.js'
import type {CustomerEvent, CustomerResult, Group, SendRecord} from '../engine/types.js'
import type {Diagnostic} from '../errors.js'
import {iso} from '../instant.js'
import {parseTestTime} from '../journey/check-test-file.js'
import type {Journey} from '../journey/model.js'
import {isObject, type RawObject} from '../journey/rules/rule-context.js'
import type {SourceFile} from '../journey/source.js'
import {type AnalyzedFile, type AnalyzeOptions, analyzeProject} from '../project/analyze.js'
import {messageLinks, PREVIEW_LINK_SETTINGS} from '../templates/link-tokens.js'
import {type RenderedContent, renderMessage} from '../templates/render.js'
import type {TemplateCatalog} from '../templates/template-types.js'
import {
  type CaseResult,
  type ExpectedOutcome,
  type JourneyCoverage,
  type Mismatch,
  type SendSummary,
  TEST_FORMAT_VERSION,
  type TestFileResult,
  type TestRunResult,
} from './test-types.js'

/** `joe test`: runs every `*.test.yaml` case on the engine, offline. */
export async function runJourneyTests(options: AnalyzeOptions): Promise<TestRunResult> {
  const analysis = await analyzeProject(options)
  const diagnostics: Diagnostic[] = [...analysis.projectDiagnostics.filter((d) => d.severity === 'error')]
  const journeys = new Map<string, Journey>()
  const journeyFiles = new Map<string, AnalyzedFile>()
  for (const file of analysis.files) {
    if (file.kind === 'journey' && file.id !== undefined) journeyFiles.set(file.id, file)
    if (file.journey) journeys.set(file.journey.id, file.journey)
  }
  // Tests run against journeys from the configured folders too, even when only test files were named.
  const extra = analysis.files.filter((f) => f.kind === 'test' && f.id !== undefined && !journeys.has(f.id))
  if (extra.length > 0) {
    const project = await analyzeProject({cwd: options.cwd, paths: [], ...(options.configPath ? {configPath: options.configPath} : {})})
    for (const file of project.files) {
      if (file.journey && !journeys.has(file.journey.id)) {
        journeys.set(file.journey.id, file.journey)
        journeyFiles.set(file.journey.id, file)
      }
    }
  }
  const files: TestFileResult[] = []
  const tested = new Map<string, CaseOutcomeTrace[]>()
  for (const file of analysis.files) {
    if (file.kind !== 'test') continue
    const errors = file.diagnostics.filter((d) => d.severity === 'error')
    if (errors.length > 0 || !file.source) {
      diagnostics.push(...errors)
      continue
    }
    const raw = file.source.value as RawObject
    const journey = journeys.get(raw.journey as string)
    if (!journey) {
      const owner = journeyFiles.get(raw.journey as string)
      diagnostics.push({
        code: 'JOE4001',
        severity: 'error',
        message: `journey "${String(raw.journey)}" has errors, so its tests cannot run`,
        hint: `run \`joe validate${owner ? ` ${owner.display}` : ''}\` and fix them first`,
        location: file.source.locate(['journey']),
      })
      continue
    }
    const traces = tested.get(journey.id) ?? []
    tested.set(journey.id, traces)
    files.push({file: file.display, journey: journey.id, cases: runCases(journey, file.source, raw, traces, analysis.templates)})
  }
  const cases = files.flatMap((f) => f.cases)
  return {
    formatVersion: TEST_FORMAT_VERSION,
    files,
    coverage: [...tested]
      .map(([id, traces]) => coverageOf(journeys.get(id) as Journey, traces))
      .sort((a, b) => (a.journey < b.journey ? -1 : 1)),
    passed: cases.filter((c) => c.passed).length,
    failed: cases.filter((c) => !c.passed).length,
    diagnostics,
  }
}

type CaseOutcomeTrace = CustomerResult

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'case'
  )
}

function runCases(
  journey: Journey,
  source: SourceFile,
  raw: RawObject,
  traces: CaseOutcomeTrace[],
  catalog: TemplateCatalog | undefined,
): CaseResult[] {
  const cases = (raw.cases as RawObject[]).filter(isObject)
  return cases.map((testCase, index) => {
    const events: CustomerEvent[] = []
    let previous: number | undefined
    for (const event of (testCase.events as RawObject[]) ?? []) {
      const at = parseTestTime(event.at as string, previous) as number
      events.push({type: event.type as string, timestamp: at, properties: isObject(event.properties) ? event.properties : {}})
      previous = at
    }
    const until = typeof testCase.until === 'string' ? (parseTestTime(testCase.until, previous) as number) : (previous ?? 0)
    const customerId = typeof testCase.customer_id === 'string' ? testCase.customer_id : slug(testCase.name as string)
    const result = runCustomer(
      journey,
      {customerId, events, ...(isObject(testCase.profile) ? {profile: testCase.profile} : {})},
      {
        until,
        overrides: {
          group: (testCase.group as Group | undefined) ?? 'treatment',
          ...(isObject(testCase.variants) ? {variants: testCase.variants as Record<string, string>} : {}),
        },
      },
    )
    traces.push(result)
    const actual = summarize(result)
    const records = result.entries.flatMap((e) => e.sends)
    const render = (index: number) => renderSend(catalog, journey.id, customerId, records[index] as SendRecord, index)
    const mismatches = compare(isObject(testCase.expect) ? testCase.expect : {}, actual, render)
    const location = source.locate(['cases', index, 'name'])
    return {
      name: testCase.name as string,
      customerId,
      passed: mismatches.length === 0,
      mismatches,
      actual,
      location: {file: location.file, line: location.line, column: location.column},
    }
  })
}

function summarize(result: CustomerResult): CaseResult['actual'] {
  const path = result.entries.flatMap((e) => e.path)
  const sends: SendSummary[] = result.entries.flatMap((e) =>
    e.sends.map((s) => ({stepId: s.stepId, channel: s.channel, template: s.template, at: iso(s.at)})),
  )
  const latest = result.entries.at(-1)
  const outcome: ExpectedOutcome = latest === undefined ? 'not_entered' : latest.outcome
  return {path, sends, outcome}
}

/** The text a `contains` expectation searches, or why the message could not be rendered. */
type RenderedText = {text: string} | {error: string}

/** Renders a test case's send as the customer would receive it, with preview links. */
function renderSend(
  catalog: TemplateCatalog | undefined,
  journeyId: string,
  customerId: string,
  send: SendRecord,
  index: number,
): RenderedText {
  if (!catalog) return {error: 'the project has no template files to render'}
  const channel = send.channel as Channel
  const id = `test:${journeyId}:${customerId}:${index + 1}`
  const links = messageLinks(PREVIEW_LINK_SETTINGS, {customerId, channel, idempotencyKey: id, journeyId, template: send.template})
  const result = renderMessage(catalog, channel, send.template, {
    profile: send.profile,
    data: send.data,
    journey: {id: journeyId, step: send.stepId},
    message: {id, channel, template: send.template, sent_at: iso(send.at)},
    links,
  })
  if (!result.ok) {
    const where = result.location ? ` (${result.location.file}:${result.location.line}:${result.location.column})` : ''
    return {error: `${result.error}${where}`}
  }
  return {text: searchableText(result.content)}
}

function searchableText(content: RenderedContent): string {
  switch (content.channel) {
    case 'email':
      return [content.subject, content.text, content.html].filter((s) => s !== undefined).join('\n')
    case 'sms':
      return content.text
    case 'push':
    case 'in_app':
      return [content.title, content.body, content.url].filter((s) => s !== undefined).join('\n')
    case 'webhook':
      return JSON.stringify(content.body)
  }
}

function compare(expect: RawObject, actual: CaseResult['actual'], render: (index: number) => RenderedText): Mismatch[] {
  const mismatches: Mismatch[] = []
  if (Array.isArray(expect.path)) {
    const expected = expect.path as string[]
    const at = expected.findIndex((step, i) => actual.path[i] !== step)
    const differs = at !== -1 || expected.length !== actual.path.length
    if (differs) {
      const i = at === -1 ? expected.length : at
      const message =
        i < expected.length && i < actual.path.length
          ? `step ${i + 1}: expected "${expected[i]}", got "${actual.path[i]}"`
          : i < expected.length
            ? `step ${i + 1}: expected "${expected[i]}", but the customer ${actual.path.length === 0 ? 'entered no step' : `stopped after "${actual.path.at(-1)}"`}`
            : `step ${i + 1}: expected the path to end, but the customer went on to "${actual.path[i]}"`
      mismatches.push({key: 'path', expected, actual: actual.path, message})
    }
  }
  if (Array.isArray(expect.sends)) {
    const expected = (expect.sends as RawObject[]).filter(isObject)
    const problems: string[] = []
    expected.forEach((want, i) => {
      const got = actual.sends[i]
      if (!got) {
        problems.push(`send ${i + 1}: expected ${describeSend(want)}, but it was not sent`)
        return
      }
      const wrong = (['template', 'channel'] as const).filter((k) => typeof want[k] === 'string' && want[k] !== got[k])
      const wantAt = typeof want.at === 'string' ? parseTestTime(want.at, undefined) : undefined
      if (wantAt !== undefined && iso(wantAt) !== got.at) wrong.push('at' as never)
      if (wrong.length > 0) {
        problems.push(`send ${i + 1}: expected ${describeSend(want)}, got ${got.template} (${got.channel}) at ${got.at}`)
        return
      }
      if (want.contains !== undefined) {
        const wanted = (Array.isArray(want.contains) ? want.contains : [want.contains]).map(String)
        const rendered = render(i)
        if ('error' in rendered) problems.push(`send ${i + 1}: cannot check what ${got.template} contains: ${rendered.error}`)
        else {
          const missing = wanted.filter((text) => !rendered.text.includes(text))
          if (missing.length > 0) {
            const reads = rendered.text.replace(/\s+/g, ' ').trim()
            problems.push(
              `send ${i + 1}: ${got.template} does not contain ${missing.map((m) => JSON.stringify(m)).join(', ')}; it reads: ${reads.length > 200 ? `${reads.slice(0, 200)}…` : reads}`,
            )
          }
        }
      }
    })
    for (let i = expected.length; i < actual.sends.length; i++) {
      const got = actual.sends[i] as SendSummary
      problems.push(`send ${i + 1}: not expected, got ${got.template} (${got.channel}) at ${got.at}`)
    }
    if (problems.length > 0) mismatches.push({key: 'sends', expected: expect.sends, actual: actual.sends, message: problems.join('; ')})
  }
  if (typeof expect.outcome === 'string' && expect.outcome !== actual.outcome) {
    mismatches.push({
      key: 'outcome',
      expected: expect.outcome,
      actual: actual.outcome,
      message: `expected outcome ${expect.outcome}, got ${actual.outcome}`,
    })
  }
  return mismatches
}

function describeSend(send: RawObject): string {
  const parts = [
    send.template ?? 'a message',
    send.channel ? `(${String(send.channel)})` : undefined,
    send.at ? `at ${String(send.at)}` : undefined,
  ]
  return parts.filter(Boolean).join(' ')
}

function coverageOf(journey: Journey, results: CustomerResult[]): JourneyCoverage {
  const reachedSteps = new Set<string>()
  const reachedCases = new Set<string>()
  const reachedVariants = new Set<string>()
  for (const result of results) {
    for (const entry of result.entries) {
      for (const step of entry.path) reachedSteps.add(step)
      for (const b of entry.branches) reachedCases.add(`${b.stepId} ${b.case === 'else' ? 'else' : `case ${b.case + 1}`}`)
      for (const v of entry.variants) reachedVariants.add(`${v.stepId}/${v.variant}`)
    }
  }
  const steps = journey.steps.map((s) => s.id)
  const cases = journey.steps.flatMap((s) =>
    s.kind === 'branch' ? [...s.cases.map((_, i) => `${s.id} case ${i + 1}`), `${s.id} else`] : [],
  )
  const variants = journey.steps.flatMap((s) => (s.kind === 'split' ? s.variants.map((v) => `${s.id}/${v.variant}`) : []))
  const part = (all: string[], reached: Set<string>) => ({
    total: all.length,
    reached: all.filter((x) => reached.has(x)).length,
    unreached: all.filter((x) => !reached.has(x)),
  })
  return {
    journey: journey.id,
    steps: part(steps, reachedSteps),
    branchCases: part(cases, reachedCases),
    variants: part(variants, reachedVariants),
  }
}
