import {describe, expect, it} from 'vitest'
import {runJourneyTests} from '../../../src/core/testing/run-tests.js'
import {validateProjectDetailed} from '../../../src/core/validate.js'
import {tempProject} from '../../helpers/temp-project.js'

const journey = (sends: string) => `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
steps:
${sends}
`

const EMAIL = `---
subject: "Your cart, {{ profile.first_name | default: 'friend' }}"
---
<p>Hi</p>
<a href="{{ unsubscribe_url }}">Unsubscribe</a>
`

async function validate(files: Record<string, string>) {
  const cwd = await tempProject(files)
  const result = (await validateProjectDetailed({paths: [], cwd})).result
  return {result, codes: result.diagnostics.map((d) => `${d.location.file}:${d.location.line}:${d.location.column} ${d.code}`)}
}

describe('joe validate on template files', () => {
  it('accepts a clean project and lists its templates among the files checked', async () => {
    const {result} = await validate({
      'journeys/cart.journey.yaml': journey('  - { id: email-1, send: { channel: email, template: cart-reminder-1 } }'),
      'templates/email/cart-reminder-1.liquid': EMAIL,
    })
    expect(result.diagnostics).toEqual([])
    expect(result.files.map((f) => [f.file, f.kind, f.id])).toEqual([
      ['journeys/cart.journey.yaml', 'journey', 'cart'],
      ['templates/email/cart-reminder-1.liquid', 'template', 'email/cart-reminder-1'],
    ])
  })

  it('makes the folder the catalog: a send naming a template without a file is JOE2020, with the file to create', async () => {
    const {result} = await validate({
      'journeys/cart.journey.yaml': journey('  - { id: email-1, send: { channel: email, template: cart-reminder-2 } }'),
      'templates/email/cart-reminder-1.liquid': EMAIL,
    })
    expect(result.diagnostics).toMatchObject([
      {
        code: 'JOE2020',
        message: 'there is no email template "cart-reminder-2" (no templates/email/cart-reminder-2.liquid)',
        location: {file: 'journeys/cart.journey.yaml', line: 6},
      },
    ])
    expect(result.diagnostics[0]?.hint).toContain('did you mean "cart-reminder-1"?')
  })

  it('keeps the config list: ids listed there need no file, ids with a file need no listing', async () => {
    const {result} = await validate({
      'joe.config.yaml': 'templates:\n  sms: [provider-sms]\n',
      'journeys/cart.journey.yaml': journey(
        '  - { id: email-1, send: { channel: email, template: cart-reminder-1 } }\n  - { id: sms-1, send: { channel: sms, template: provider-sms } }\n  - { id: sms-2, send: { channel: sms, template: nope } }',
      ),
      'templates/email/cart-reminder-1.liquid': EMAIL,
    })
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'there is no sms template "nope" (no templates/sms/nope.liquid, and joe.config.yaml does not list it)',
    ])
  })

  it('honours templates_dir, and ignores a folder without channel folders', async () => {
    const moved = await validate({
      'joe.config.yaml': 'templates_dir: messages\n',
      'journeys/cart.journey.yaml': journey('  - { id: email-1, send: { channel: email, template: nope } }'),
      'messages/email/cart-reminder-1.liquid': EMAIL,
    })
    expect(moved.codes).toEqual(['journeys/cart.journey.yaml:6:54 JOE2020'])
    const notAFolder = await validate({
      'journeys/cart.journey.yaml': journey('  - { id: email-1, send: { channel: email, template: anything } }'),
      'templates/starter.journey.yaml': 'not templates',
    })
    expect(notAFolder.result.diagnostics).toEqual([])
  })

  it('locates Liquid syntax errors in bodies, front matter values and partials by file:line:col', async () => {
    const {codes, result} = await validate({
      'journeys/cart.journey.yaml': journey('  - { id: email-1, send: { channel: email, template: a } }'),
      'templates/email/a.liquid': '---\nsubject: "Hi {{ profile.name | nofilter }}"\n---\n<p>\n  {% if profile.vip %}\n',
      'templates/partials/footer.liquid': 'ok\n{% endif %}',
    })
    expect(codes).toEqual([
      'templates/email/a.liquid:2:14 JOE2100',
      'templates/email/a.liquid:5:3 JOE2100',
      'templates/partials/footer.liquid:2:1 JOE2100',
    ])
    expect(result.diagnostics[0]?.message).toBe('Liquid: undefined filter: nofilter')
  })

  it('reports front matter problems, unknown variables and missing partials', async () => {
    const {codes, result} = await validate({
      'journeys/cart.journey.yaml': journey('  - { id: p, send: { channel: push, template: p } }'),
      'templates/push/p.liquid': '---\ntitel: Hi\nurl: 3\n---\n{{ first_name }} {{ message.idd }} {% render "fotter" %}',
      'templates/partials/footer.liquid': 'bye',
      'templates/email/open.liquid': '---\nsubject: x\n',
    })
    expect(codes).toEqual([
      'templates/email/open.liquid:1:1 JOE2101',
      'templates/push/p.liquid:2:1 JOE2101',
      'templates/push/p.liquid:3:6 JOE2101',
      'templates/push/p.liquid:5:4 JOE2102',
      'templates/push/p.liquid:5:21 JOE2102',
      'templates/push/p.liquid:5:36 JOE2108',
    ])
    const hints = result.diagnostics.map((d) => d.hint ?? '')
    expect(hints[1]).toContain('did you mean "title"?')
    expect(hints[3]).toContain('profile.first_name')
    expect(hints[4]).toContain('did you mean "id"?')
    expect(hints[5]).toContain('did you mean "footer"?')
  })

  it('warns about data a send never provides, unless the template guards it somewhere (if, default)', async () => {
    const {result} = await validate({
      'journeys/cart.journey.yaml': journey(
        [
          '  - { id: email-1, send: { channel: email, template: offer, data: { code: "\'SAVE10\'" } } }',
          '  - { id: email-2, send: { channel: email, template: offer } }',
        ].join('\n'),
      ),
      'templates/email/offer.liquid': `---\nsubject: Offer\n---\nUse {{ data.code }}. {% if data.note %}{{ data.note }}{% endif %} {{ data.sig | default: "" }}\n{{ unsubscribe_url }}`,
    })
    expect(result.diagnostics).toMatchObject([
      {
        code: 'JOE2103',
        severity: 'warning',
        message: 'template "offer" reads data.code (templates/email/offer.liquid:4:8), which this send\'s data does not set',
        location: {file: 'journeys/cart.journey.yaml', line: 7},
      },
    ])
  })

  it('warns about an email without subject or unsubscribe link, unless transactional', async () => {
    const {codes} = await validate({
      'journeys/cart.journey.yaml': journey(
        '  - { id: a, send: { channel: email, template: bare } }\n  - { id: b, send: { channel: email, template: receipt } }\n  - { id: c, send: { channel: email, template: footer-link } }',
      ),
      'templates/email/bare.liquid': '<p>Hi</p>',
      'templates/email/receipt.liquid': '---\nsubject: Your receipt\ntransactional: true\n---\n<p>Thanks</p>',
      'templates/email/footer-link.liquid': '---\nsubject: Hi\n---\n{% render "footer" %}',
      'templates/partials/footer.liquid': '<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
    })
    expect(codes).toEqual(['templates/email/bare.liquid:1:1 JOE2104', 'templates/email/bare.liquid:1:1 JOE2105'])
  })

  it('notes an SMS longer than one segment, with the count and the character that forces UCS-2', async () => {
    const long = `Your cart is waiting ${'x'.repeat(150)} {{ profile.first_name }}`
    const {result} = await validate({
      'journeys/cart.journey.yaml': journey(
        '  - { id: a, send: { channel: sms, template: long } }\n  - { id: b, send: { channel: sms, template: curly } }\n  - { id: c, send: { channel: sms, template: short } }',
      ),
      'templates/sms/long.liquid': `${long}\n`,
      'templates/sms/curly.liquid': `We’ve saved your cart: ${'y'.repeat(60)}`,
      'templates/sms/short.liquid': 'Hi {{ profile.first_name }}, your cart is waiting.\n',
    })
    expect(result.errorCount + result.warningCount).toBe(0)
    expect(result.infoCount).toBe(2)
    expect(result.diagnostics.map((d) => [d.location.file, d.location.line, d.location.column, d.severity])).toEqual([
      ['templates/sms/curly.liquid', 1, 3, 'info'],
      ['templates/sms/long.liquid', 1, 1, 'info'],
    ])
    expect(result.diagnostics[0]?.message).toContain('at least 2 segments: 83 UCS-2 characters')
    expect(result.diagnostics[0]?.message).toContain('because of "’"')
    expect(result.diagnostics[1]?.message).toContain('at least 2 segments: 171 GSM-7 characters')
  })

  it('warns about .liquid files joe does not read', async () => {
    const {codes} = await validate({
      'journeys/cart.journey.yaml': journey('  - { id: a, send: { channel: sms, template: s } }'),
      'templates/sms/s.liquid': 'hi',
      'templates/mail/welcome.liquid': 'x',
      'templates/sms/s.txt.liquid': 'x',
      'templates/sms/Bad.Name.liquid': 'x',
    })
    expect(codes).toEqual([
      'templates/mail/welcome.liquid:1:1 JOE2107',
      'templates/sms/Bad.Name.liquid:1:1 JOE2107',
      'templates/sms/s.txt.liquid:1:1 JOE2107',
    ])
  })
})

describe('joe test asserting on rendered content', () => {
  const files = {
    'journeys/cart.journey.yaml': journey(
      '  - { id: email-1, send: { channel: email, template: offer, data: { code: "\'SAVE\' + string(10)" } } }',
    ),
    'templates/email/offer.liquid': `---\nsubject: "{{ profile.first_name }}, your code"\n---\n<p>Use <b>{{ data.code }}</b> before Friday.</p>\n<a href="{{ unsubscribe_url }}">Unsubscribe</a>`,
  }
  const tests = (contains: string) => `journey: cart
cases:
  - name: gets the code
    profile: { first_name: Ann }
    events: [{ type: cart_updated, at: "2026-03-02T10:00:00Z" }]
    expect:
      sends: [{ template: offer, contains: ${contains} }]
`

  it('passes when the rendered message contains the text, in the subject, text or HTML', async () => {
    const cwd = await tempProject({...files, 'journeys/cart.test.yaml': tests('["Ann, your code", "Use SAVE10 before", "<b>SAVE10</b>"]')})
    const result = await runJourneyTests({paths: [], cwd})
    expect(result.diagnostics).toEqual([])
    expect(result.passed).toBe(1)
  })

  it('fails with what the message reads instead', async () => {
    const cwd = await tempProject({...files, 'journeys/cart.test.yaml': tests('"SAVE20"')})
    const result = await runJourneyTests({paths: [], cwd})
    expect(result.failed).toBe(1)
    expect(result.files[0]?.cases[0]?.mismatches[0]?.message).toMatch(
      /^send 1: offer does not contain "SAVE20"; it reads: Ann, your code Use SAVE10 before Friday\./,
    )
  })

  it('fails with the render error when the template cannot render for the customer', async () => {
    const cwd = await tempProject({
      ...files,
      'journeys/cart.test.yaml': tests('"SAVE10"').replace('profile: { first_name: Ann }', 'profile: {}'),
    })
    const result = await runJourneyTests({paths: [], cwd})
    expect(result.files[0]?.cases[0]?.mismatches[0]?.message).toContain(
      'cannot check what offer contains: email template "offer": undefined variable: profile.first_name (templates/email/offer.liquid:2:14)',
    )
  })

  it('is a validation error (JOE2094) when the template has no file', async () => {
    const cwd = await tempProject({
      'journeys/cart.journey.yaml': journey('  - { id: email-1, send: { channel: email, template: offer } }'),
      'journeys/cart.test.yaml': tests('"x"'),
    })
    const result = (await validateProjectDetailed({paths: [], cwd})).result
    expect(result.diagnostics.map((d) => `${d.code} ${d.location.line}:${d.location.column}`)).toEqual(['JOE2094 7:44'])
  })
})
