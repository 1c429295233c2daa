import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {describeInstantProblem, parseInstant} from '../../src/core/instant.js'
import {checkTestFile} from '../../src/core/journey/check-test-file.js'
import {parseYamlSource} from '../../src/core/journey/source.js'
import {parseTimestamp} from '../../src/core/store/parse-event.js'

const problem = (text: string, options?: {date?: boolean}) => {
  const parsed = parseInstant(text, options)
  return typeof parsed === 'number' ? new Date(parsed).toISOString() : describeInstantProblem(parsed)
}

describe('parseInstant: the one parser of typed dates and times', () => {
  it('refuses impossible calendar dates and times instead of rolling them over', () => {
    expect(problem('2026-02-31')).toBe('is not a real date or time: February 2026 has 28 days')
    expect(problem('2026-02-29T10:00:00Z')).toBe('is not a real date or time: February 2026 has 28 days')
    expect(problem('2028-02-29')).toBe('2028-02-29T00:00:00.000Z')
    expect(problem('2100-02-29')).toBe('is not a real date or time: February 2100 has 28 days')
    expect(problem('2000-02-29')).toBe('2000-02-29T00:00:00.000Z')
    expect(problem('2026-04-31')).toBe('is not a real date or time: April 2026 has 30 days')
    expect(problem('2026-13-01')).toBe('is not a real date or time: there is no month 13')
    expect(problem('2026-00-10')).toBe('is not a real date or time: there is no month 00')
    expect(problem('2026-03-00')).toBe('is not a real date or time: March 2026 has 31 days')
    expect(problem('2026-03-01T24:00:00Z')).toBe('is not a real date or time: 24:00:00 is not a time of day')
    expect(problem('2026-03-01T10:60Z')).toBe('is not a real date or time: 10:60 is not a time of day')
    expect(problem('2026-03-01T10:00:00+25:00')).toBe('is not a real date or time: +25:00 is not a time zone offset')
  })

  it('needs a zone on a date-time, and reads one exactly', () => {
    expect(problem('2026-03-01T10:00:00')).toBe('has no time zone; add Z for UTC or an offset like +01:00')
    expect(problem('2026-03-01T10:00:00+01:00')).toBe('2026-03-01T09:00:00.000Z')
    expect(problem('2026-03-01 10:00:00.5-0130')).toBe('2026-03-01T11:30:00.500Z')
    expect(problem('0001-01-01')).toBe('0001-01-01T00:00:00.000Z')
    expect(problem('2026-03-01', {date: false})).toBe('is a date without a time')
    expect(problem('March 1')).toBe('is not an ISO 8601 date or date-time')
  })

  it('accepts a day exactly when it exists (property over y/m/d, seed fixed by the suite)', () => {
    fc.assert(
      fc.property(fc.integer({min: 1600, max: 2400}), fc.integer({min: 1, max: 12}), fc.integer({min: 1, max: 31}), (y, m, d) => {
        const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
        const exists = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d
        const parsed = parseInstant(text)
        expect(typeof parsed === 'number', text).toBe(exists)
        if (typeof parsed === 'number') expect(new Date(parsed).toISOString().slice(0, 10)).toBe(text)
      }),
    )
  })

  it('imports, test files and flags all use it', async () => {
    expect(parseTimestamp('2026-02-31T10:00:00Z')).toEqual({
      error: 'timestamp "2026-02-31T10:00:00Z" is not a real date or time: February 2026 has 28 days',
    })
    const yaml = `journey: j
cases:
  - name: a
    customer: c
    events:
      - { at: "2026-02-31T10:00:00Z", type: a }
    until: "2026-02-30T00:00:00Z"
    expect: { sends: [{ template: t, at: "2026-02-30T10:00:00Z" }] }
`
    const {source} = parseYamlSource('j.test.yaml', yaml)
    const outline = new Map([['j', {id: 'j', file: 'j.journey.yaml', steps: new Set<string>(), variants: new Map()}]])
    const messages = checkTestFile(source, outline)
      .filter((d) => d.code === 'JOE2093')
      .map((d) => d.message)
    expect(messages).toHaveLength(3)
    for (const message of messages) expect(message).toMatch(/February 2026 has 28 days/)
  })
})
