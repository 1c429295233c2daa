import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {runJourneyTests} from '../src/core/testing/run-tests.js'
import {validateProjectDetailed} from '../src/core/validate.js'
import {tempProject} from './helpers/temp-project.js'

/** The files of the example project in docs/templates-and-connectors.md: "`path`:" followed by a code block. */
function exampleFiles(): Record<string, string> {
  const doc = readFileSync(new URL('../docs/templates-and-connectors.md', import.meta.url), 'utf8')
  const section = doc.slice(doc.indexOf('## A complete example project'))
  const files: Record<string, string> = {}
  for (const match of section.matchAll(/^`([^`\s]+)`:\n\n```[a-z]*\n([\s\S]*?)```$/gm)) files[match[1] as string] = match[2] as string
  return files
}

describe('docs/templates-and-connectors.md', () => {
  it('has an example project whose journey, tests and templates validate and pass', async () => {
    const files = exampleFiles()
    expect(Object.keys(files).sort()).toEqual([
      'joe.config.yaml',
      'journeys/cart-abandonment.journey.yaml',
      'journeys/cart-abandonment.test.yaml',
      'templates/email/cart-reminder-1.liquid',
      'templates/partials/footer.liquid',
      'templates/sms/cart-sms-1.liquid',
    ])
    // The environments' runtime keys (channels, public_url, ...) belong to `joe serve`; the rest is checked here.
    const config = parse(files['joe.config.yaml'] as string) as Record<string, unknown>
    delete config.environments
    const cwd = await tempProject({...files, 'joe.config.yaml': stringify(config)})
    const validated = (await validateProjectDetailed({paths: [], cwd})).result
    expect(validated.diagnostics).toEqual([])
    const tested = await runJourneyTests({paths: [], cwd})
    expect(tested.diagnostics).toEqual([])
    expect(tested.files.flatMap((f) => f.cases.map((c) => [c.name, c.passed, c.mismatches.map((m) => m.message)]))).toEqual([
      ['the reminder email carries the code', true, []],
      ['nobody who unsubscribed gets the SMS', true, []],
    ])
  })
})
