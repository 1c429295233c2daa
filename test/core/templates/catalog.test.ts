import {describe, expect, it} from 'vitest'
import {loadTemplateCatalog} from '../../../src/core/templates/catalog.js'
import {messageLinks, PREVIEW_LINK_SETTINGS} from '../../../src/core/templates/link-tokens.js'
import {type RenderContext, renderMessage} from '../../../src/core/templates/render.js'
import {tempProject} from '../../helpers/temp-project.js'

const links = messageLinks(PREVIEW_LINK_SETTINGS, {
  customerId: 'c1',
  channel: 'email',
  idempotencyKey: 'k1',
  journeyId: 'cart',
  template: 'cart-reminder-1',
})

function context(overrides: Partial<RenderContext> = {}): RenderContext {
  return {
    profile: {first_name: 'Ann', email: 'ann@example.com'},
    data: {code: 'SAVE10'},
    journey: {id: 'cart', step: 'email-1'},
    message: {id: 'k1', channel: 'email', template: 'cart-reminder-1'},
    links,
    ...overrides,
  }
}

async function load(files: Record<string, string>) {
  const dir = await tempProject(files)
  return loadTemplateCatalog(`${dir}/templates`, dir)
}

describe('template catalog', () => {
  it('renders an email from front matter and an HTML body, escaping profile values', async () => {
    const {catalog, files} = await load({
      'templates/email/cart-reminder-1.liquid': [
        '---',
        'subject: "Your cart, {{ profile.first_name }}"',
        'from: Shop <shop@example.com>',
        '---',
        '<p>Hi {{ profile.first_name }}, use <b>{{ data.code }}</b>.</p>',
        '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
        '',
      ].join('\n'),
    })
    expect(files.flatMap((f) => f.diagnostics)).toEqual([])
    const result = renderMessage(catalog!, 'email', 'cart-reminder-1', context({profile: {first_name: '<Ann>'}}))
    expect(result.ok).toBe(true)
    if (!result.ok || result.content.channel !== 'email') return
    expect(result.content.subject).toBe('Your cart, <Ann>')
    expect(result.content.from).toBe('Shop <shop@example.com>')
    expect(result.content.html).toContain('Hi &lt;Ann&gt;, use <b>SAVE10</b>.')
    expect(result.content.text).toContain('Hi <Ann>, use SAVE10.')
    expect(result.content.text).toContain(`Unsubscribe (${links.unsubscribeUrl})`)
  })

  it('locates a Liquid syntax error in the body by file, line and column', async () => {
    const {files} = await load({
      'templates/email/x.liquid': '---\nsubject: Hi\n---\nline one\n  {% if profile.vip %}\n',
    })
    const diagnostics = files.flatMap((f) => f.diagnostics)
    expect(
      diagnostics.map((d) => [d.code, d.location.file.endsWith('templates/email/x.liquid'), d.location.line, d.location.column]),
    ).toEqual([['JOE2100', true, 5, 3]])
  })

  it('fails a render for a missing variable with the place it is read', async () => {
    const {catalog} = await load({'templates/sms/s.liquid': 'Hi\n{{ profile.first_name }}!'})
    const result = renderMessage(catalog!, 'sms', 's', context({profile: {}}))
    expect(result).toMatchObject({ok: false, location: {line: 2, column: 4}})
    expect(result.ok === false && result.error).toContain('undefined variable: profile.first_name')
  })
})
