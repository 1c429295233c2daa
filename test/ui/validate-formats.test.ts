import {describe, expect, it} from 'vitest'
import {CODES} from '../../src/core/codes.js'
import type {Diagnostic} from '../../src/core/errors.js'
import {toValidateJson} from '../../src/core/validate-json.js'
import type {ValidateResult} from '../../src/core/validate-result.js'
import {codeFrame} from '../../src/ui/code-frame.js'
import {renderValidateGithub} from '../../src/ui/validate/github.js'
import {artifactLocation, toValidateSarif} from '../../src/ui/validate/sarif.js'
import {renderValidateText} from '../../src/ui/validate/text.js'
import {assertOutput} from '../helpers/output-schemas.js'
import {compileSarifSchema} from '../helpers/sarif-schema.js'

const WELCOME = 'journeys/welcome.journey.yaml'
const ODD = 'journeys/odd, name: v2.journey.yaml'

const welcomeText = [
  'id: welcome',
  'entry:',
  '  event: signed_up',
  'steps:',
  '  - id: wait-1',
  '    wait: 1d',
  '    next: email-1',
  '  - id: email-1',
  '    send: {channel: email, template: welcome}',
  '    next: nope',
  '  - id: orphan',
  '\twait: 0d',
  '',
].join('\n')

// CRLF line endings on purpose: the frame must not show the \r.
const oddText = ['id: odd', 'steps:', '  - id: a', '    branch:', '      - when: event.total > "100"', '        next: b', ''].join('\r\n')

const SOURCES: Record<string, string> = {[WELCOME]: welcomeText, [ODD]: oddText}

function diag(
  file: string,
  code: string,
  line: number,
  column: number,
  message: string,
  extra: {severity?: 'error' | 'warning'; hint?: string; endLine?: number; endColumn?: number} = {},
): Diagnostic {
  const {severity = 'error', hint, endLine, endColumn} = extra
  return {
    code,
    severity,
    message,
    ...(hint === undefined ? {} : {hint}),
    location: {file, line, column, ...(endLine === undefined ? {} : {endLine}), ...(endColumn === undefined ? {} : {endColumn})},
  }
}

const templateColumn = (welcomeText.split('\n')[8] ?? '').indexOf('welcome}') + 1

const diagnostics: Diagnostic[] = [
  diag(ODD, 'JOE1011', 1, 1, 'missing required key "entry"', {hint: 'add an entry: event, segment or schedule'}),
  diag(ODD, 'JOE2012', 5, 15, 'expression is 100% wrong:\nint > string', {endLine: 5, endColumn: 36}),
  diag(ODD, 'JOE2003', 6, 15, 'step "b" does not exist', {endLine: 6, endColumn: 16, hint: 'steps are: a'}),
  diag(WELCOME, 'JOE2050', 1, 1, 'journey id "welcome" is also declared in other.journey.yaml', {endLine: 1, endColumn: 3}),
  diag(WELCOME, 'JOE2031', 3, 10, 'the goal event is the entry event', {severity: 'warning'}),
  diag(WELCOME, 'JOE2020', 9, templateColumn, 'template "welcome" is not in the email catalog', {
    endLine: 9,
    endColumn: templateColumn + 7,
  }),
  diag(WELCOME, 'JOE2003', 10, 11, 'step "nope" does not exist', {endLine: 10, endColumn: 15, hint: 'did you mean "email-1"?'}),
  diag(WELCOME, 'JOE2004', 11, 9, 'step "orphan" is unreachable', {severity: 'warning', endLine: 11, endColumn: 15}),
  diag(WELCOME, 'JOE1003', 12, 1, 'a tab is used for indentation', {hint: 'indent with spaces'}),
  diag(WELCOME, 'JOE2060', 12, 8, 'duration "0d" is not positive', {endLine: 12, endColumn: 10}),
]

const result: ValidateResult = {
  formatVersion: 2,
  files: [
    {file: 'journeys/clean.journey.yaml', kind: 'journey', id: 'clean', errorCount: 0, warningCount: 0, infoCount: 0},
    {file: ODD, kind: 'journey', id: 'odd', errorCount: 3, warningCount: 0, infoCount: 0},
    {file: WELCOME, kind: 'journey', id: 'welcome', errorCount: 5, warningCount: 2, infoCount: 0},
  ],
  diagnostics,
  errorCount: 8,
  warningCount: 2,
  infoCount: 0,
}

const clean: ValidateResult = {
  formatVersion: 2,
  files: [{file: 'journeys/clean.journey.yaml', kind: 'journey', errorCount: 0, warningCount: 0, infoCount: 0}],
  diagnostics: [],
  errorCount: 0,
  warningCount: 0,
  infoCount: 0,
}

/** The caret line that follows the frame line showing `lineNo`, and that frame line. */
function frameAt(output: string, header: string, lineNo: number): {source: string; caret: string} {
  const lines = output.split('\n')
  const start = lines.findIndex((l) => l.startsWith(header))
  expect(start, `header ${header}`).toBeGreaterThanOrEqual(0)
  const at = lines.findIndex((l, i) => i > start && l.startsWith('  > ') && l.includes(` ${lineNo} |`))
  expect(at, `frame line ${lineNo} after ${header}`).toBeGreaterThan(start)
  return {source: lines[at] ?? '', caret: lines[at + 1] ?? ''}
}

function caretSpan(caret: string): {from: number; width: number} {
  const from = caret.indexOf('^')
  return {from, width: caret.lastIndexOf('^') - from + 1}
}

describe('renderValidateText', () => {
  const text = renderValidateText(result, {color: false, readSource: (file) => SOURCES[file]})

  it('has no colour codes when color is false', () => {
    expect(text).not.toMatch(/\u001B\[/)
  })

  it('prints a compiler-style header per diagnostic, in result order', () => {
    const headers = text.split('\n').filter((l) => /^journeys\/\S.*:\d+:\d+ {2}(error|warning) {2}JOE\d{4} {2}/.test(l))
    expect(headers).toHaveLength(diagnostics.length)
    expect(headers[0]).toBe(`${ODD}:1:1  error  JOE1011  missing required key "entry"`)
    expect(headers[4]).toBe(`${WELCOME}:3:10  warning  JOE2031  the goal event is the entry event`)
  })

  it('frames the problem with context, a gutter, and a caret under the range', () => {
    const block = text.split('\n\n').find((b) => b.startsWith(`${WELCOME}:10:11`))
    expect(block).toBe(
      [
        `${WELCOME}:10:11  error  JOE2003  step "nope" does not exist`,
        '     8 |   - id: email-1',
        '     9 |     send: {channel: email, template: welcome}',
        '  > 10 |     next: nope',
        '       |           ^^^^',
        '    11 |   - id: orphan',
        '    12 |     wait: 0d',
        '  hint: did you mean "email-1"?',
      ].join('\n'),
    )
  })

  it('puts the caret under column 1 of line 1', () => {
    const {source, caret} = frameAt(text, `${WELCOME}:1:1`, 1)
    expect(source).toBe('  > 1 | id: welcome')
    expect(caretSpan(caret)).toEqual({from: source.indexOf('id'), width: 2})
  })

  it('expands tabs the same way in the source line and under the caret', () => {
    const {source, caret} = frameAt(text, `${WELCOME}:12:8`, 12)
    expect(source).not.toContain('\t')
    expect(caretSpan(caret)).toEqual({from: source.indexOf('0d'), width: 2})
    const indent = frameAt(text, `${WELCOME}:12:1`, 12)
    // The caret under a tab covers all the spaces it became.
    expect(caretSpan(indent.caret)).toEqual({from: indent.source.indexOf('| ') + 2, width: 4})
  })

  it('handles CRLF sources and points at the right text', () => {
    const {source, caret} = frameAt(text, `${ODD}:6:15`, 6)
    expect(source).not.toContain('\r')
    expect(source.endsWith('next: b')).toBe(true)
    expect(caretSpan(caret)).toEqual({from: source.length - 1, width: 1})
    // Its endColumn runs two columns past the end of the line: the caret stops at the line's end.
    const cel = frameAt(text, `${ODD}:5:15`, 5)
    expect(caretSpan(cel.caret)).toEqual({from: cel.source.indexOf('event.total'), width: 'event.total > "100"'.length})
  })

  it('shows hints and omits frames when the source is unavailable', () => {
    expect(text).toContain('  hint: add an entry: event, segment or schedule')
    const noSource = renderValidateText(result, {color: false, readSource: () => undefined})
    expect(noSource).not.toContain(' | ')
    expect(noSource).toContain('  hint: did you mean "email-1"?')
  })

  it('ends with a summary line', () => {
    expect(text.split('\n').at(-1)).toBe('✖ 8 errors, 2 warnings in 2 files (3 files checked)')
    expect(renderValidateText(clean, {color: false, readSource: () => undefined})).toBe('✔ 1 file checked, no problems')
  })

  it('colours severity, code and caret when color is true', () => {
    const coloured = renderValidateText(result, {color: true, readSource: (file) => SOURCES[file]})
    expect(coloured).toMatch(/\u001B\[/)
    // Stripped of ANSI codes, the coloured output is the plain output.
    expect(coloured.replaceAll(/\u001B\[[0-9;]*m/g, '')).toBe(text)
  })
})

describe('codeFrame', () => {
  it('cuts very long lines around the column and keeps the caret aligned', () => {
    const long = `key: ${'x'.repeat(300)}BAD${'y'.repeat(300)}`
    const column = long.indexOf('BAD') + 1
    const frame = codeFrame(long, {line: 1, column, endLine: 1, endColumn: column + 3}, {color: false, maxWidth: 80})
    const [source = '', caret = ''] = frame.split('\n')
    expect(source).toContain('…')
    expect(source.length).toBeLessThan(100)
    expect(caretSpan(caret)).toEqual({from: source.indexOf('BAD'), width: 3})
  })

  it('underlines the rest of the line for a range that spans lines', () => {
    const frame = codeFrame('a:\n  b: {x: 1,\n    y: 2}\n', {line: 2, column: 6, endLine: 3, endColumn: 10}, {color: false})
    const lines = frame.split('\n')
    const at = lines.findIndex((l) => l.startsWith('  > 2'))
    expect(caretSpan(lines[at + 1] ?? '')).toEqual({from: (lines[at] ?? '').indexOf('{'), width: '{x: 1,'.length})
  })

  it('does not show the empty "line" after a final newline, unless the problem is on it', () => {
    expect(codeFrame('a: 1\nb: 2\n', {line: 2, column: 1}, {color: false})).not.toContain(' 3 |')
    expect(codeFrame('a: 1\nb: 2\n', {line: 3, column: 1}, {color: false})).toContain('> 3 |')
  })

  it('returns an empty string for a line outside the text', () => {
    expect(codeFrame('a: 1\n', {line: 9, column: 1}, {color: false})).toBe('')
  })

  it('never passes control characters to the terminal', () => {
    expect(codeFrame('a: "\u001B[31mred"\n', {line: 1, column: 1}, {color: false})).not.toContain('\u001B')
  })
})

describe('toValidateJson', () => {
  it('builds the versioned snake_case envelope', () => {
    const json = toValidateJson(result)
    expect(json).toMatchObject({format_version: 2, ok: false, error_count: 8, warning_count: 2, info_count: 0})
    expect(json.files[0]).toEqual({
      file: 'journeys/clean.journey.yaml',
      kind: 'journey',
      id: 'clean',
      error_count: 0,
      warning_count: 0,
      info_count: 0,
    })
    expect(json.diagnostics).toHaveLength(10)
    expect(json.diagnostics[2]).toEqual({
      code: 'JOE2003',
      severity: 'error',
      message: 'step "b" does not exist',
      hint: 'steps are: a',
      file: ODD,
      line: 6,
      column: 15,
      end_line: 6,
      end_column: 16,
    })
    // Every key is present, null without a value (docs/cli-output.md), so every output has one shape.
    expect(json.diagnostics[4]).toMatchObject({hint: null, end_line: null, end_column: null})
    assertOutput('validate', json)
    expect(toValidateJson(clean)).toEqual({
      format_version: 2,
      ok: true,
      error_count: 0,
      warning_count: 0,
      info_count: 0,
      files: [{file: 'journeys/clean.journey.yaml', kind: 'journey', id: null, error_count: 0, warning_count: 0, info_count: 0}],
      diagnostics: [],
    })
  })
})

describe('renderValidateGithub', () => {
  const lines = renderValidateGithub(result).split('\n')

  it('prints one workflow command per diagnostic', () => {
    expect(lines).toHaveLength(10)
    expect(lines.filter((l) => l.startsWith('::warning '))).toHaveLength(2)
    expect(lines[6]).toBe(
      `::error file=${WELCOME},line=10,col=11,endLine=10,endColumn=15,title=JOE2003 unknown-step::step "nope" does not exist (did you mean "email-1"?)`,
    )
    expect(lines[4]).toBe(`::warning file=${WELCOME},line=3,col=10,title=JOE2031 goal-is-entry::the goal event is the entry event`)
  })

  it('escapes properties and data', () => {
    expect(lines[0]).toBe(
      '::error file=journeys/odd%2C name%3A v2.journey.yaml,line=1,col=1,title=JOE1011 missing-key::missing required key "entry" (add an entry: event, segment or schedule)',
    )
    expect(lines[1]).toContain('::expression is 100%25 wrong:%0Aint > string')
    expect(renderValidateGithub(clean)).toBe('')
  })
})

describe('toValidateSarif', () => {
  const sarif = toValidateSarif(result, {toolVersion: '0.1.0'})

  it('validates against the official SARIF 2.1.0 schema', () => {
    const validate = compileSarifSchema()
    const valid = validate(JSON.parse(JSON.stringify(sarif)))
    expect(validate.errors ?? []).toEqual([])
    expect(valid).toBe(true)

    // The validator does bite: a relative helpUri, a 0 line and an unknown level are each rejected.
    const broken = JSON.parse(JSON.stringify(sarif))
    broken.runs[0].tool.driver.rules[0].helpUri = 'docs/journey-format.md#joe1001'
    broken.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0
    broken.runs[0].results[1].level = 'fatal'
    expect(validate(broken)).toBe(false)
    expect((validate.errors ?? []).map((e) => e.instancePath).sort()).toEqual([
      '/runs/0/results/0/locations/0/physicalLocation/region/startLine',
      '/runs/0/results/1/level',
      '/runs/0/tool/driver/rules/0/helpUri',
    ])
  })

  it('describes every code as a rule and points results at them', () => {
    const run = sarif.runs[0]
    const codes = Object.keys(CODES)
    expect(run.tool.driver).toMatchObject({name: 'joe', version: '0.1.0'})
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(codes)
    const rule = run.tool.driver.rules[codes.indexOf('JOE2004')]
    expect(rule).toMatchObject({
      id: 'JOE2004',
      name: 'unreachable-step',
      shortDescription: {text: CODES.JOE2004.summary},
      defaultConfiguration: {level: 'warning'},
    })
    expect(rule?.helpUri).toMatch(/^https:\/\/.+\/docs\/journey-format\.md#joe2004$/)
    expect(run.results).toHaveLength(10)
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex ?? -1]?.id).toBe(r.ruleId)
    expect(run.results[6]).toEqual({
      ruleId: 'JOE2003',
      ruleIndex: codes.indexOf('JOE2003'),
      level: 'error',
      message: {text: 'step "nope" does not exist\nhint: did you mean "email-1"?'},
      locations: [
        {
          physicalLocation: {
            artifactLocation: {uri: 'journeys/welcome.journey.yaml', uriBaseId: '%SRCROOT%'},
            region: {startLine: 10, startColumn: 11, endLine: 10, endColumn: 15},
          },
        },
      ],
    })
    expect(run.results[7]?.level).toBe('warning')
  })

  it('is deterministic', () => {
    expect(JSON.stringify(toValidateSarif(result, {toolVersion: '0.1.0'}))).toBe(JSON.stringify(sarif))
  })

  it('turns paths into URIs with forward slashes', () => {
    expect(artifactLocation('journeys\\a b.journey.yaml')).toEqual({uri: 'journeys/a%20b.journey.yaml', uriBaseId: '%SRCROOT%'})
    expect(artifactLocation('./journeys/x.yaml')).toEqual({uri: 'journeys/x.yaml', uriBaseId: '%SRCROOT%'})
    expect(artifactLocation('/home/me/j.yaml')).toEqual({uri: 'file:///home/me/j.yaml'})
    expect(artifactLocation('C:\\work\\j.yaml')).toEqual({uri: 'file:///C:/work/j.yaml'})
  })
})
