import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {isJoeError, type JoeError} from '../../../src/core/errors.js'
import {initProject} from '../../../src/core/scaffold/init-project.js'
import {suggestJourneyId} from '../../../src/core/scaffold/journey-id.js'
import {journeysFolder, newJourney} from '../../../src/core/scaffold/new-journey.js'
import {schemaRef} from '../../../src/core/scaffold/paths.js'
import {listTemplates, renderTemplate, setTopLevelScalar} from '../../../src/core/scaffold/templates.js'

let tmp: string
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'joe-scaffold-'))
})
afterEach(async () => {
  await rm(tmp, {recursive: true, force: true})
})

async function caught(promise: Promise<unknown>): Promise<JoeError> {
  try {
    await promise
  } catch (error) {
    if (isJoeError(error)) return error
    throw error
  }
  throw new Error('expected a JoeError')
}

describe('listTemplates', () => {
  it('lists every template with its description', async () => {
    const templates = await listTemplates()
    expect(templates.map((t) => t.name)).toEqual([
      'cart-abandonment',
      'post-purchase-review',
      'trial-to-paid',
      'welcome-series',
      'win-back',
    ])
    for (const t of templates) {
      expect(t.description.length).toBeGreaterThan(20)
      expect(t.title.length).toBeGreaterThan(0)
    }
  })
})

describe('renderTemplate', () => {
  it('sets the id and name and keeps comments and layout', async () => {
    const {journeyYaml, testYaml, messageTemplates} = await renderTemplate('cart-abandonment', {
      id: 'spring-sale',
      name: 'Spring sale carts',
    })
    expect(journeyYaml).toMatch(/^# yaml-language-server: \$schema=/)
    expect(journeyYaml).toContain('\nid: spring-sale\n')
    expect(journeyYaml).toContain('\nname: Spring sale carts\n')
    expect(journeyYaml).toContain('# Give shoppers an hour to finish on their own before we say anything.')
    expect(journeyYaml).toContain('quiet_hours: { start: "21:00", end: "08:00" }')
    expect(journeyYaml).not.toContain('id: cart-abandonment')
    expect(parse(testYaml).journey).toBe('spring-sale')
    expect(testYaml).toContain('# A later, unrelated event')
    expect(messageTemplates).toEqual({email: ['cart-reminder-1', 'cart-offer-10', 'cart-offer-15'], sms: ['cart-sms-1']})
  })

  it('changes nothing but the id when the id is the template name', async () => {
    const original = await readFile(path.resolve('templates/welcome-series.journey.yaml'), 'utf8')
    const {journeyYaml} = await renderTemplate('welcome-series', {id: 'welcome-series'})
    expect(journeyYaml).toBe(original)
  })

  it('rejects an unknown template with a suggestion and the list', async () => {
    const error = await caught(renderTemplate('cart-abandon', {id: 'x'}))
    expect(error.code).toBe('JOE1013')
    expect(error.hint).toContain('did you mean "cart-abandonment"?')
    expect(error.hint).toContain('welcome-series')
  })
})

describe('initProject', () => {
  it('creates the project files', async () => {
    const dir = path.join(tmp, 'shop')
    const result = await initProject(dir, {template: 'welcome-series', id: 'onboarding'})
    expect(result.created).toEqual([
      'joe.config.yaml',
      'journeys/onboarding.journey.yaml',
      'journeys/onboarding.test.yaml',
      'events/sample.ndjson',
      '.gitignore',
    ])
    expect(result.updated).toEqual([])
    const journey = await readFile(path.join(dir, 'journeys/onboarding.journey.yaml'), 'utf8')
    expect(journey).toMatch(/^# yaml-language-server: \$schema=\.\.\/node_modules\/joe-cli\/schemas\/journey\.schema\.json\n/)
    expect(parse(journey).id).toBe('onboarding')
    expect(parse(await readFile(path.join(dir, 'journeys/onboarding.test.yaml'), 'utf8')).journey).toBe('onboarding')
    const config = parse(await readFile(path.join(dir, 'joe.config.yaml'), 'utf8'))
    expect(config).toMatchObject({journeys: 'journeys', store: '.joe/events.db'})
    expect(config.templates).toBeUndefined()
    expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).toContain('.joe/\n')
    const events = (await readFile(path.join(dir, 'events/sample.ndjson'), 'utf8')).trim().split('\n')
    expect(JSON.parse(events[0] ?? '')).toHaveProperty('customer_id')
  })

  it('refuses to overwrite, and overwrites with force', async () => {
    await initProject(tmp, {template: 'cart-abandonment'})
    const error = await caught(initProject(tmp, {template: 'cart-abandonment'}))
    expect(error.code).toBe('JOE1032')
    expect(error.message).toContain('joe.config.yaml')
    expect(error.message).toContain('journeys/cart-abandonment.journey.yaml')
    const again = await initProject(tmp, {template: 'cart-abandonment', force: true})
    expect(again.created).toContain('joe.config.yaml')
    expect(again.updated).toEqual([])
  })

  it('writes nothing when one file is in the way', async () => {
    await writeFile(path.join(tmp, 'joe.config.yaml'), 'journeys: flows\n')
    await expect(initProject(tmp, {template: 'win-back'})).rejects.toMatchObject({code: 'JOE1032'})
    await expect(readFile(path.join(tmp, 'journeys/win-back.journey.yaml'))).rejects.toThrow()
  })

  it('appends .joe/ to an existing .gitignore', async () => {
    await writeFile(path.join(tmp, '.gitignore'), 'node_modules/')
    const result = await initProject(tmp, {template: 'win-back'})
    expect(result.updated).toEqual(['.gitignore'])
    expect(await readFile(path.join(tmp, '.gitignore'), 'utf8')).toBe("node_modules/\n# joe's local event stores\n.joe/\n")
  })
})

describe('newJourney', () => {
  it('writes into the configured journeys folder', async () => {
    await writeFile(path.join(tmp, 'joe.config.yaml'), 'journeys: "flows/**/*.journey.yaml"\n')
    const result = await newJourney(tmp, 'spring-sale', 'cart-abandonment')
    expect(result.dir).toBe('flows')
    expect(result.created).toEqual(['flows/spring-sale.journey.yaml', 'flows/spring-sale.test.yaml'])
    expect(result.missing_templates).toEqual({})
    const journey = await readFile(path.join(tmp, 'flows/spring-sale.journey.yaml'), 'utf8')
    expect(parse(journey).id).toBe('spring-sale')
  })

  it('defaults to journeys/ and honours --dir', async () => {
    expect((await newJourney(tmp, 'a', 'win-back')).created[0]).toBe('journeys/a.journey.yaml')
    expect((await newJourney(tmp, 'b', 'win-back', {dir: 'other'})).created[0]).toBe('other/b.journey.yaml')
  })

  it('reports message templates missing from the catalog', async () => {
    await writeFile(path.join(tmp, 'joe.config.yaml'), 'templates:\n  email: [winback-1]\n')
    const result = await newJourney(tmp, 'lapsed', 'win-back')
    expect(result.missing_templates).toEqual({
      email: ['winback-offer-2'],
      push: ['winback-last-chance-push'],
      sms: ['winback-last-chance-sms'],
    })
  })

  it('counts template files as part of the catalog', async () => {
    await mkdir(path.join(tmp, 'templates/email'), {recursive: true})
    await writeFile(path.join(tmp, 'templates/email/winback-offer-2.liquid'), '<p>x</p>')
    await writeFile(path.join(tmp, 'joe.config.yaml'), 'templates:\n  email: [winback-1]\n')
    const result = await newJourney(tmp, 'lapsed', 'win-back')
    expect(result.missing_templates).toEqual({push: ['winback-last-chance-push'], sms: ['winback-last-chance-sms']})
  })

  it('refuses bad ids with a suggestion', async () => {
    const error = await caught(newJourney(tmp, 'Spring Sale!', 'cart-abandonment'))
    expect(error.code).toBe('JOE1014')
    expect(error.hint).toContain('try "spring-sale"')
    await expect(newJourney(tmp, '1st', 'cart-abandonment')).rejects.toMatchObject({code: 'JOE1014'})
    await expect(newJourney(tmp, `a${'b'.repeat(63)}`, 'cart-abandonment')).rejects.toMatchObject({code: 'JOE1014'})
  })

  it('refuses unknown templates with did-you-mean and the list', async () => {
    const error = await caught(newJourney(tmp, 'ok', 'welcome-serie'))
    expect(error.code).toBe('JOE1013')
    expect(error.hint).toBe(
      'did you mean "welcome-series"? Templates are: cart-abandonment, post-purchase-review, trial-to-paid, welcome-series, win-back.',
    )
    const far = await caught(newJourney(tmp, 'ok', 'newsletter'))
    expect(far.hint).not.toContain('did you mean')
  })

  it('refuses to overwrite an existing journey unless forced', async () => {
    await newJourney(tmp, 'dup', 'trial-to-paid')
    await expect(newJourney(tmp, 'dup', 'trial-to-paid')).rejects.toMatchObject({code: 'JOE1032'})
    await expect(newJourney(tmp, 'dup', 'win-back', {force: true})).resolves.toMatchObject({id: 'dup'})
  })
})

describe('helpers', () => {
  it('finds the folder of a journeys setting', () => {
    expect(journeysFolder(undefined)).toBe('journeys')
    expect(journeysFolder('flows')).toBe('flows')
    expect(journeysFolder('flows/')).toBe('flows')
    expect(journeysFolder('src/journeys/*.journey.yaml')).toBe('src/journeys')
    expect(journeysFolder(['a/**/*.yaml', 'b'])).toBe('a')
    expect(journeysFolder('*.journey.yaml')).toBe('.')
  })

  it('suggests ids', () => {
    expect(suggestJourneyId('Spring Sale!')).toBe('spring-sale')
    expect(suggestJourneyId('Café Crème')).toBe('cafe-creme')
    expect(suggestJourneyId('123')).toBeUndefined()
  })

  it('points the schema modeline at the package when it is inside the project', async () => {
    await mkdir(path.join(tmp, 'journeys'))
    expect(schemaRef(path.join(tmp, 'journeys'), tmp)).toBe('../node_modules/joe-cli/schemas/journey.schema.json')
    expect(schemaRef(path.resolve('examples/journeys'), path.resolve('examples'))).toBe(
      '../node_modules/joe-cli/schemas/journey.schema.json',
    )
    expect(schemaRef(path.resolve('templates'), path.resolve('.'))).toBe('../schemas/journey.schema.json')
  })
})

describe('setTopLevelScalar', () => {
  it('replaces in place and quotes when YAML needs it', () => {
    const text = 'version: 1\nid: old # the id\nname: "Old"\n'
    expect(setTopLevelScalar(text, 'id', 'new')).toBe('version: 1\nid: new # the id\nname: "Old"\n')
    expect(setTopLevelScalar(text, 'name', 'Sale: spring')).toBe('version: 1\nid: old # the id\nname: "Sale: spring"\n')
    expect(parse(setTopLevelScalar(text, 'name', 'true')).name).toBe('true')
    expect(parse(setTopLevelScalar('# c\nversion: 1\n', 'id', 'x'))).toEqual({version: 1, id: 'x'})
  })
})
