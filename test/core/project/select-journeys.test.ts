import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {selectDeployable} from '../../../src/core/deploy/deploy.js'
import {selectJourneys, selectOneJourney} from '../../../src/core/project/select-journeys.js'
import {tempProject} from '../../helpers/temp-project.js'

const root = path.resolve(import.meta.dirname, '../../..')
const cart = readFileSync(path.join(root, 'templates/cart-abandonment.journey.yaml'), 'utf8')
const withId = (id: string) => cart.replace('id: cart-abandonment', `id: ${id}`)

/** journeys/: b-journey, a-journey (file names out of id order), a test file; other/: one outside the configured folder. */
async function project(extra: Record<string, string> = {}): Promise<string> {
  return tempProject({
    'joe.config.yaml': 'journeys: journeys\n',
    'journeys/one.journey.yaml': withId('b-journey'),
    'journeys/two.journey.yaml': withId('a-journey'),
    'journeys/two.test.yaml': 'journey: a-journey\ncases: []\n',
    'other/c.journey.yaml': withId('c-journey'),
    ...extra,
  })
}

const ids = (selection: {journeys: {journey: {id: string}}[]}) => selection.journeys.map((j) => j.journey.id)

describe('selectJourneys', () => {
  it('selects every journey of the configured folders when nothing is named, sorted by id', async () => {
    const cwd = await project()
    const selection = await selectJourneys({cwd, names: []})
    expect(ids(selection)).toEqual(['a-journey', 'b-journey'])
    expect(selection.journeys.map((j) => j.file)).toEqual(['journeys/two.journey.yaml', 'journeys/one.journey.yaml'])
  })

  it('takes journey ids, files, folders and globs, inside the configured folders or not', async () => {
    const cwd = await project()
    expect(ids(await selectJourneys({cwd, names: ['b-journey']}))).toEqual(['b-journey'])
    expect(ids(await selectJourneys({cwd, names: ['other/c.journey.yaml', 'b-journey']}))).toEqual(['b-journey', 'c-journey'])
    expect(ids(await selectJourneys({cwd, names: ['other']}))).toEqual(['c-journey'])
    expect(ids(await selectJourneys({cwd, names: ['journeys/t*.yaml']}))).toEqual(['a-journey'])
    expect(ids(await selectJourneys({cwd, names: ['**/*.journey.yaml']}))).toEqual(['a-journey', 'b-journey', 'c-journey'])
  })

  it('selects a journey once however many names select it', async () => {
    const cwd = await project()
    const selection = await selectJourneys({cwd, names: ['a-journey', 'journeys/', 'a-journey', 'journeys/two.journey.yaml']})
    expect(ids(selection)).toEqual(['a-journey', 'b-journey'])
  })

  it('prefers the journey id when a name is also a path; ./name means the path', async () => {
    const cwd = await project({'b-journey/x.journey.yaml': withId('x-journey')})
    expect(ids(await selectJourneys({cwd, names: ['b-journey']}))).toEqual(['b-journey'])
    expect(ids(await selectJourneys({cwd, names: ['./b-journey']}))).toEqual(['x-journey'])
  })

  it('refuses an unknown name with JOE1037 (exit 2), suggesting the closest id', async () => {
    const cwd = await project()
    const error = await selectJourneys({cwd, names: ['a-journy']}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'JOE1037', exitCode: 2})
    expect((error as {hint: string}).hint).toBe('did you mean "a-journey"? journeys: a-journey, b-journey')
    await expect(selectJourneys({cwd, names: ['nope/x.journey.yaml']})).rejects.toMatchObject({code: 'JOE1037'})
  })

  it('refuses a path or glob that selects no journey file (JOE1030, exit 2)', async () => {
    const cwd = await project({'empty/README.md': 'hi\n'})
    await expect(selectJourneys({cwd, names: ['empty']})).rejects.toMatchObject({code: 'JOE1030', exitCode: 2})
    await expect(selectJourneys({cwd, names: ['journeys/*.nothing.yaml']})).rejects.toMatchObject({code: 'JOE1030', exitCode: 2})
    await expect(selectJourneys({cwd, names: ['journeys/two.test.yaml']})).rejects.toMatchObject({code: 'JOE1030'})
    const none = await tempProject({'joe.config.yaml': 'journeys: journeys\n', 'journeys/.keep': ''})
    await expect(selectJourneys({cwd: none, names: []})).rejects.toMatchObject({code: 'JOE1030', exitCode: 2})
  })

  it('refuses a selected journey with validation errors (JOE1038), located at its first error', async () => {
    const cwd = await project({'other/bad.journey.yaml': 'version: 1\nid: bad\nname: Bad\nentry: {event: x}\nsteps: []\n'})
    const error = await selectJourneys({cwd, names: ['other/bad.journey.yaml']}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'JOE1038', exitCode: 1, where: {file: 'other/bad.journey.yaml'}})
    expect((error as Error).message).toContain('journey other/bad.journey.yaml has validation errors; the first: JOE')
    // Not named, not read: the other journeys are still selectable.
    expect(ids(await selectJourneys({cwd, names: ['other/c.journey.yaml']}))).toEqual(['c-journey'])
  })

  it('refuses two selected files with one id (JOE2050)', async () => {
    const cwd = await project({'other/copy.journey.yaml': withId('b-journey')})
    await expect(selectJourneys({cwd, names: ['b-journey', 'other/copy.journey.yaml']})).rejects.toMatchObject({
      code: 'JOE2050',
      where: {file: 'other/copy.journey.yaml', line: 6},
    })
  })

  it('with allowMissing (joe diff --base), skips names that exist nowhere', async () => {
    const cwd = await project()
    const selection = await selectJourneys({cwd, names: ['gone.journey.yaml', 'a-journey', 'gone/*.yaml'], allowMissing: true})
    expect(ids(selection)).toEqual(['a-journey'])
  })

  it('refuses a broken config, as every command that reads journeys does', async () => {
    const cwd = await project({'joe.config.yaml': 'journeys: [unclosed\n'})
    await expect(selectJourneys({cwd, names: []})).rejects.toMatchObject({code: 'JOE1001'})
  })
})

describe('selectOneJourney', () => {
  it('returns the one journey a name selects', async () => {
    const cwd = await project()
    const {journey} = await selectOneJourney({cwd, name: 'journeys/one.journey.yaml', command: 'graph'})
    expect(journey).toMatchObject({journey: {id: 'b-journey'}, file: 'journeys/one.journey.yaml'})
  })

  it('refuses a name that selects several (JOE1039, exit 2)', async () => {
    const cwd = await project()
    const error = await selectOneJourney({cwd, name: 'journeys', command: 'graph'}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'JOE1039', exitCode: 2})
    expect((error as Error).message).toBe('"journeys" selects 2 journeys (a-journey, b-journey); joe graph takes one')
  })
})

describe('selectDeployable (plan, deploy)', () => {
  it('selects as every command does, after refusing a project with any error (JOE6010)', async () => {
    const valid = {
      'joe.config.yaml': 'journeys: journeys\n',
      'journeys/one.journey.yaml': withId('b-journey'),
      'journeys/two.journey.yaml': withId('a-journey'),
    }
    const cwd = await tempProject(valid)
    expect((await selectDeployable({cwd, names: ['journeys/one.journey.yaml', 'a-journey']})).map((j) => j.id)).toEqual([
      'a-journey',
      'b-journey',
    ])
    await expect(selectDeployable({cwd, names: ['nope']})).rejects.toMatchObject({code: 'JOE1037', exitCode: 2})
    const broken = await tempProject({...valid, 'journeys/bad.journey.yaml': 'version: 1\nid: bad\n'})
    await expect(selectDeployable({cwd: broken, names: ['a-journey']})).rejects.toMatchObject({code: 'JOE6010'})
  })
})
