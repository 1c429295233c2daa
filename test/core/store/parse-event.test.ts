import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {formatOfLine} from '../../../src/core/store/detect-format.js'
import {fromJoeRecord, fromSegmentRecord, parseTimestamp, utcTimestamp} from '../../../src/core/store/parse-event.js'

describe('parseTimestamp', () => {
  it.each([
    ['2026-03-02T10:00:00Z', Date.UTC(2026, 2, 2, 10)],
    ['2026-03-02T10:00:00.123Z', Date.UTC(2026, 2, 2, 10, 0, 0, 123)],
    ['2026-03-02T10:00:00.123456789Z', Date.UTC(2026, 2, 2, 10, 0, 0, 123)],
    ['2026-03-02T10:00Z', Date.UTC(2026, 2, 2, 10)],
    ['2026-03-02T10:00:00+01:00', Date.UTC(2026, 2, 2, 9)],
    ['2026-03-02T10:00:00-0530', Date.UTC(2026, 2, 2, 15, 30)],
    ['2026-03-02 10:00:00+00', Date.UTC(2026, 2, 2, 10)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['0099-01-01T00:00:00Z', -59042995200000],
    [1772442000000, 1772442000000],
    [1772442000000.9, 1772442000000],
  ])('%s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected)
  })

  it.each(['2026-02-29', '2026-13-01T00:00:00Z', '2026-03-02T24:00:00Z', 'yesterday', '', '2026-03-02T10:00:00+25:00', '1772442000000'])(
    'rejects %j',
    (input) => {
      expect(parseTimestamp(input)).toEqual({error: expect.any(String)})
    },
  )

  it('reads the common UTC form without the regular expression, to the same instant, and leaves the rest to it', () => {
    const valid = fc.date({min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true})
    const iso = fc.oneof(
      valid.map((d) => d.toISOString()),
      valid.map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
    )
    // A valid timestamp with one character replaced: every position, separators and digits alike.
    const mutated = fc
      .tuple(iso, fc.nat(), fc.constantFrom('0', '1', '2', '3', '4', '6', '9', ':', '/', '-', 'T', 't', ' ', 'Z', 'z', '.', 'x', '٣', ''))
      .map(([text, at, c]) => text.slice(0, at % text.length) + c + text.slice((at % text.length) + 1))
    const inputs = fc.oneof(iso, mutated)
    fc.assert(
      fc.property(inputs, (text) => {
        // A leading space keeps the fast path out; the regular expression's path trims it.
        const general = parseTimestamp(` ${text}`)
        const fast = utcTimestamp(text)
        if (fast !== undefined) expect(fast).toBe(general)
        if (typeof general === 'number') expect(parseTimestamp(text)).toBe(general)
      }),
      {seed: 13, numRuns: 3000},
    )
    expect(utcTimestamp('2026-03-02T10:00:00.123Z')).toBe(Date.UTC(2026, 2, 2, 10, 0, 0, 123))
    expect(utcTimestamp('2026-02-29T10:00:00Z')).toBeUndefined()
    expect(utcTimestamp('0099-01-01T00:00:00Z')).toBeUndefined()
    for (let ms = 0; ms < 1000; ms++) {
      const text = `2026-03-02T10:00:00.${String(ms).padStart(3, '0')}Z`
      expect(utcTimestamp(text)).toBe(parseTimestamp(` ${text}`))
    }
  })

  it('rejects non-finite numbers and other types', () => {
    expect(parseTimestamp(Number.NaN)).toEqual({error: expect.stringMatching(/not a valid epoch/)})
    expect(parseTimestamp(true)).toEqual({error: 'timestamp must be an ISO 8601 string or epoch milliseconds, got a boolean'})
  })

  it('agrees with Date.parse on every UTC instant', () => {
    fc.assert(
      fc.property(fc.date({min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true}), (date) => {
        expect(parseTimestamp(date.toISOString())).toBe(date.getTime())
      }),
    )
  })
})

describe('record mapping', () => {
  it('accepts numeric customer ids and rejects bad message ids', () => {
    expect(fromJoeRecord({customer_id: 42, type: 'x', timestamp: 0}).event?.customer_id).toBe('42')
    expect(fromJoeRecord({customer_id: 'a', type: 'x', timestamp: 0, message_id: 5}).error).toBe(
      'message_id must be a string, got a number',
    )
    expect(fromJoeRecord({customer_id: ' ', type: 'x', timestamp: 0}).error).toBe(
      'customer_id must be a non-empty string, got the string " "',
    )
  })

  it('rejects Segment calls joe does not import', () => {
    expect(fromSegmentRecord({type: 'group', userId: 'u', timestamp: '2026-03-01T00:00:00Z'}).error).toMatch(
      /unsupported Segment type "group"/,
    )
    expect(fromSegmentRecord({type: 'track', userId: 'u', timestamp: '2026-03-01T00:00:00Z'}).error).toBe(
      'missing event (the track call name)',
    )
    expect(fromSegmentRecord({type: 'identify', timestamp: '2026-03-01T00:00:00Z'}).error).toBe('missing userId and anonymousId')
    expect(fromSegmentRecord({type: 'identify', userId: 'u', originalTimestamp: '2026-03-01T00:00:00Z'}).event).toEqual({
      customer_id: 'u',
      type: 'identify',
      timestamp: Date.UTC(2026, 2, 1),
      properties: {},
    })
  })

  it('detects formats from a line', () => {
    expect(formatOfLine('{"customer_id":"a"}')).toBe('joe')
    expect(formatOfLine('\uFEFF{"userId":"a","type":"track"}')).toBe('segment')
    expect(formatOfLine('{"type":"identify","traits":{}}')).toBe('segment')
    expect(formatOfLine('customer_id,type,timestamp')).toBe('csv')
    expect(formatOfLine('{"id":1}')).toBeUndefined()
    expect(formatOfLine('{broken')).toBeUndefined()
  })
})
