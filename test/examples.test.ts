import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {initProject} from '../src/core/scaffold/init-project.js'
import {newJourney} from '../src/core/scaffold/new-journey.js'
import {listTemplates} from '../src/core/scaffold/templates.js'
import {validateProjectDetailed} from '../src/core/validate.js'

// The starter templates and the example project are what new users copy:
// they must validate with no errors and no warnings at all.

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'joe-examples-'))
})
afterAll(async () => {
  await rm(tmp, {recursive: true, force: true})
})

const templates = await listTemplates()

describe('templates', () => {
  it.each(templates.map((t) => t.name))('%s validates cleanly in a fresh project', async (name) => {
    const dir = path.join(tmp, `init-${name}`)
    await initProject(dir, {template: name})
    const result = (await validateProjectDetailed({paths: ['journeys'], cwd: dir})).result
    expect(result.diagnostics).toEqual([])
    expect(result.files.map((f) => f.file)).toEqual(expect.arrayContaining([`journeys/${name}.journey.yaml`, `journeys/${name}.test.yaml`]))
  })

  it('all templates validate together, renamed, in one project', async () => {
    const dir = path.join(tmp, 'all')
    await initProject(dir, {template: 'cart-abandonment', id: 'first'})
    for (const t of templates) await newJourney(dir, `my-${t.name}`, t.name)
    const result = (await validateProjectDetailed({paths: ['journeys'], cwd: dir})).result
    expect(result.diagnostics).toEqual([])
    expect(result.files.filter((f) => f.kind === 'journey')).toHaveLength(templates.length + 1)
  })
})

describe('examples/', () => {
  it('validates cleanly', async () => {
    const cwd = path.resolve(import.meta.dirname, '../examples')
    const result = (await validateProjectDetailed({paths: ['journeys'], cwd})).result
    expect(result.diagnostics).toEqual([])
    expect(result.files.length).toBeGreaterThan(0)
    expect(result.files.filter((f) => f.kind === 'journey').map((f) => f.id)).toEqual(['cart-abandonment', 'welcome-series', 'win-back'])
    // Every template the journeys send has a file, checked with them.
    expect(result.files.filter((f) => f.kind === 'template' && f.id !== undefined)).toHaveLength(13)
  })
})
