import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {checkTemplate} from '../../../src/core/templates/check-templates.js'
import {compileTemplate} from '../../../src/core/templates/compile-template.js'
import {messageLinks, PREVIEW_LINK_SETTINGS} from '../../../src/core/templates/link-tokens.js'
import {createTemplateEngines} from '../../../src/core/templates/liquid-engine.js'
import {renderTemplate} from '../../../src/core/templates/render.js'
import type {TemplateCatalog} from '../../../src/core/templates/template-types.js'

/** Text made of the pieces Liquid and front matter are built from, so the fuzzer reaches the parsers' corners. */
const templateText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '{{',
        '}}',
        '{%',
        '%}',
        '---\n',
        '\n',
        ' ',
        '|',
        'if',
        'endif',
        'for',
        'render',
        "'footer'",
        'subject: ',
        'profile.',
        'data.x',
        'default',
      ),
      fc.string({maxLength: 8}),
    ),
    {maxLength: 40},
  )
  .map((parts) => parts.join(''))

describe('template files of any content', () => {
  it('compile, check and render without throwing: problems are diagnostics and failed renders', async () => {
    const engines = await createTemplateEngines(new Map([['footer', '{{ unsubscribe_url }}']]))
    const partials = new Map([['footer', {file: 'templates/partials/footer.liquid', source: '{{ unsubscribe_url }}'}]])
    const links = messageLinks(PREVIEW_LINK_SETTINGS, {
      customerId: 'c',
      channel: 'email',
      idempotencyKey: 'k',
      journeyId: 'j',
      template: 't',
    })
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('email' as const, 'sms' as const, 'push' as const, 'webhook' as const),
        templateText,
        async (channel, text) => {
          const file = {
            absolute: '/x',
            display: `templates/${channel}/t.liquid`,
            relative: `${channel}/t.liquid`,
            name: {kind: 'template' as const, channel, id: 't', part: 'main' as const},
            text,
            diagnostics: [],
          }
          const {template, diagnostics} = compileTemplate({channel, id: 't', main: file}, engines, partials)
          for (const d of diagnostics) expect(d.location.line).toBeGreaterThanOrEqual(1)
          if (template.broken) return
          checkTemplate(template)
          const catalog: TemplateCatalog = {dir: '/x', engines, templates: new Map([[`${channel}/t`, template]]), partials}
          const result = renderTemplate(catalog, template, {
            profile: {},
            data: {},
            journey: {id: 'j'},
            message: {id: 'k', channel, template: 't'},
            links,
          })
          expect(typeof result.ok).toBe('boolean')
        },
      ),
      {seed: 20261201, numRuns: 400},
    )
  })
})
