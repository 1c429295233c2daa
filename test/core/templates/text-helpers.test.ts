import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {htmlToText} from '../../../src/core/templates/html-to-text.js'
import {countSmsSegments} from '../../../src/core/templates/sms-segments.js'
import {classifyTemplateFile, splitFrontMatter} from '../../../src/core/templates/template-layout.js'

describe('SMS segments', () => {
  it('fits 160 GSM-7 characters in one segment and 153 per segment beyond', () => {
    expect(countSmsSegments('x'.repeat(160))).toEqual({encoding: 'GSM-7', units: 160, segments: 1, perSegment: 160})
    expect(countSmsSegments('x'.repeat(161))).toMatchObject({segments: 2, perSegment: 153})
    expect(countSmsSegments('x'.repeat(306))).toMatchObject({segments: 2})
    expect(countSmsSegments('x'.repeat(307))).toMatchObject({segments: 3})
    expect(countSmsSegments('')).toMatchObject({segments: 0})
  })

  it('counts the extension characters twice and never splits them', () => {
    expect(countSmsSegments('€'.repeat(80))).toMatchObject({encoding: 'GSM-7', units: 160, segments: 1})
    // 152 plain characters and then a two-septet character: it goes whole into the second segment.
    expect(countSmsSegments(`${'x'.repeat(152)}€${'x'.repeat(152)}`)).toMatchObject({units: 306, segments: 3})
  })

  it('falls back to UCS-2 (70, then 67) for any character GSM-7 lacks, naming the first', () => {
    expect(countSmsSegments(`We’re ${'x'.repeat(64)}`)).toEqual({
      encoding: 'UCS-2',
      units: 70,
      segments: 1,
      perSegment: 70,
      firstNonGsm: {char: '’', index: 2},
    })
    expect(countSmsSegments(`’${'x'.repeat(70)}`)).toMatchObject({segments: 2, perSegment: 67})
    // An emoji is two UTF-16 units and is never split between segments.
    expect(countSmsSegments(`${'x'.repeat(66)}😀`)).toMatchObject({units: 68, segments: 1})
    expect(countSmsSegments(`${'x'.repeat(66)}😀${'x'.repeat(10)}`)).toMatchObject({units: 78, segments: 2})
  })

  it('uses at least as many segments as the units need, and never more than one per unit', () => {
    fc.assert(
      fc.property(fc.string({unit: fc.constantFrom('a', '€', '’', '😀', ' '), maxLength: 400}), (text) => {
        const s = countSmsSegments(text)
        expect(s.segments).toBeGreaterThanOrEqual(
          Math.ceil(s.units / (s.segments <= 1 ? (s.encoding === 'GSM-7' ? 160 : 70) : s.perSegment)),
        )
        expect(s.segments).toBeLessThanOrEqual(Math.max(s.units, 0))
      }),
      {seed: 42, numRuns: 300},
    )
  })
})

describe('the text of an HTML email', () => {
  it('keeps paragraphs and line breaks, writes links as text (url), drops head and styles, decodes entities', () => {
    const html = `<html><head><title>x</title><style>p{color:red}</style></head><body>
      <h1>Hello &amp; welcome</h1><p>Line one<br>line&nbsp;two</p>
      <ul><li>First</li><li>Second</li></ul>
      <p><a href="https://shop.example/cart?a=1&amp;b=2">Your <b>cart</b></a> · <a href="https://x.example">https://x.example</a></p>
      <!-- tracking --></body></html>`
    expect(htmlToText(html)).toBe(
      'Hello & welcome\n\nLine one\nline two\n\n- First\n- Second\n\nYour cart (https://shop.example/cart?a=1&b=2) · https://x.example',
    )
  })
})

describe('template files', () => {
  it('splits front matter from the body and counts the lines before it', () => {
    expect(splitFrontMatter('---\nsubject: Hi\n---\n<p>x</p>\n')).toEqual({yaml: 'subject: Hi\n', body: '<p>x</p>\n', bodyLineOffset: 3})
    expect(splitFrontMatter('<p>x</p>')).toEqual({body: '<p>x</p>', bodyLineOffset: 0})
    expect(splitFrontMatter('---\r\nsubject: Hi\r\n---\r\nbody')).toMatchObject({yaml: 'subject: Hi\r\n', body: 'body', bodyLineOffset: 3})
    expect(splitFrontMatter('---\nsubject: Hi\n')).toMatchObject({unclosed: true})
    expect(splitFrontMatter('--- not front matter\n')).toEqual({body: '--- not front matter\n', bodyLineOffset: 0})
  })

  it('tells templates, text parts, partials and misplaced files by their place and name', () => {
    expect(classifyTemplateFile('email/welcome-1.liquid')).toEqual({kind: 'template', channel: 'email', id: 'welcome-1', part: 'main'})
    expect(classifyTemplateFile('email/welcome-1.txt.liquid')).toEqual({kind: 'template', channel: 'email', id: 'welcome-1', part: 'text'})
    expect(classifyTemplateFile('in_app/banner_2.liquid')).toEqual({kind: 'template', channel: 'in_app', id: 'banner_2', part: 'main'})
    expect(classifyTemplateFile('partials/footer.liquid')).toEqual({kind: 'partial', name: 'footer'})
    for (const misplaced of [
      'welcome.liquid',
      'mail/x.liquid',
      'email/a/b.liquid',
      'sms/x.txt.liquid',
      'email/x.y.liquid',
      'email/.liquid',
    ]) {
      expect(classifyTemplateFile(misplaced).kind, misplaced).toBe('misplaced')
    }
  })
})
