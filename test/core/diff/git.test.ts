import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {diffAgainstRef, globToRegExp} from '../../../src/core/diff/compare-sources.js'
import {tempProject} from '../../helpers/temp-project.js'
import {gitRepo} from './git-repo.js'
import {BASE} from './helpers.js'

const root = path.resolve(import.meta.dirname, '../../..')
const WIN_BACK = readFileSync(path.join(root, 'templates/win-back.journey.yaml'), 'utf8')

const project = () =>
  gitRepo({
    'joe.config.yaml': 'journeys: journeys\n',
    'journeys/cart.journey.yaml': BASE,
    'journeys/win-back.journey.yaml': WIN_BACK,
    'journeys/cart.test.yaml': 'journey: cart\ncases: []\n',
  })

const summary = (result: Awaited<ReturnType<typeof diffAgainstRef>>) =>
  result.diff.journeys.map((j) => ({
    id: j.id,
    status: j.status,
    renamed: j.file_renamed,
    ops: j.operations.map((o) => `${o.op} ${o.step ?? o.field ?? ''}`),
  }))

describe('joe diff --base with real git repositories', () => {
  it('diffs a change committed on a branch against main', async () => {
    const repo = await project()
    await repo.git('checkout', '-q', '-b', 'feature')
    await repo.write('journeys/cart.journey.yaml', BASE.replace('template: t1', 'template: t1-v2'))
    await repo.commit('new reminder template')
    const result = await diffAgainstRef('main', {cwd: repo.dir, paths: []})
    expect(result.base?.commit).toBe(await repo.git('rev-parse', 'main'))
    expect(summary(result)).toEqual([
      {id: 'cart', status: 'changed', renamed: false, ops: ['step.changed email-1']},
      {id: 'win-back', status: 'unchanged', renamed: false, ops: []},
    ])
    expect(result.diff.changed).toBe(true)
    // Against its own branch, nothing changed.
    expect((await diffAgainstRef('feature', {cwd: repo.dir, paths: []})).diff.changed).toBe(false)
    // Uncommitted edits in the working tree are the new side too.
    await repo.write('journeys/cart.journey.yaml', BASE.replace('template: t1', 'template: t1-v2').replace('wait: 1h', 'wait: 2h'))
    expect(summary(await diffAgainstRef('HEAD', {cwd: repo.dir, paths: []}))[0]?.ops).toEqual(['step.changed wait-1h'])
  })

  it('a renamed file with the same journey id is a file rename, not a change', async () => {
    const repo = await project()
    await repo.git('mv', 'journeys/win-back.journey.yaml', 'journeys/lapsed-customers.journey.yaml')
    await repo.commit('rename')
    const result = await diffAgainstRef('HEAD~1', {cwd: repo.dir, paths: []})
    expect(summary(result)).toContainEqual({id: 'win-back', status: 'unchanged', renamed: true, ops: []})
    expect(result.diff.journeys.find((j) => j.id === 'win-back')).toMatchObject({
      old_path: 'journeys/win-back.journey.yaml',
      new_path: 'journeys/lapsed-customers.journey.yaml',
    })
    expect(result.diff.changed).toBe(false)
  })

  it('a deleted journey is removed (breaking in flight when customers can wait in it); a new one is added', async () => {
    const repo = await project()
    await repo.remove('journeys/win-back.journey.yaml')
    await repo.write('journeys/new.journey.yaml', BASE.replace('id: cart', 'id: fresh'))
    const result = await diffAgainstRef('main', {cwd: repo.dir, paths: []})
    expect(summary(result)).toEqual([
      {id: 'cart', status: 'unchanged', renamed: false, ops: []},
      {id: 'fresh', status: 'added', renamed: false, ops: ['journey.added ']},
      {id: 'win-back', status: 'removed', renamed: false, ops: ['journey.removed ']},
    ])
    expect(result.diff.journeys.find((j) => j.id === 'win-back')?.operations[0]?.class).toBe('breaking-in-flight')
    expect(result.diff.journeys.find((j) => j.id === 'fresh')?.new_path).toBe('journeys/new.journey.yaml')
  })

  it('compares only the paths given, also a deleted file, from a project in a subfolder', async () => {
    const repo = await gitRepo({
      'README.md': 'monorepo\n',
      'marketing/joe.config.yaml': 'journeys: flows\n',
      'marketing/flows/cart.journey.yaml': BASE,
      'marketing/flows/win-back.journey.yaml': WIN_BACK,
    })
    const cwd = path.join(repo.dir, 'marketing')
    await repo.remove('marketing/flows/cart.journey.yaml')
    await repo.write('marketing/flows/win-back.journey.yaml', WIN_BACK.replace(/name: .*/, 'name: Renamed'))
    expect(summary(await diffAgainstRef('main', {cwd, paths: []})).map((j) => `${j.id} ${j.status}`)).toEqual([
      'cart removed',
      'win-back changed',
    ])
    const only = await diffAgainstRef('main', {cwd, paths: ['flows/cart.journey.yaml']})
    expect(summary(only)).toEqual([{id: 'cart', status: 'removed', renamed: false, ops: ['journey.removed ']}])
    expect(only.diff.journeys[0]?.old_path).toBe('flows/cart.journey.yaml')
  })

  it('takes journey ids, matched by id at the ref wherever the file was (renamed or deleted since)', async () => {
    const repo = await project()
    await repo.remove('journeys/win-back.journey.yaml')
    await repo.write('journeys/renamed.journey.yaml', BASE.replace('wait: 1h', 'wait: 3h'))
    await repo.remove('journeys/cart.journey.yaml')
    const cart = await diffAgainstRef('main', {cwd: repo.dir, paths: ['cart']})
    expect(summary(cart)).toEqual([{id: 'cart', status: 'changed', renamed: true, ops: ['step.changed wait-1h']}])
    expect(cart.diff.journeys[0]?.old_path).toBe('journeys/cart.journey.yaml')
    const gone = await diffAgainstRef('main', {cwd: repo.dir, paths: ['win-back']})
    expect(summary(gone).map((j) => `${j.id} ${j.status}`)).toEqual(['win-back removed'])
  })

  it('a journey id needs only that journey to validate at the ref; a broken file it cannot attribute still fails', async () => {
    const repo = await project()
    await repo.git('checkout', '-q', '-b', 'broken')
    await repo.write('journeys/win-back.journey.yaml', WIN_BACK.replace(/next: \S+/, 'next: nowhere'))
    await repo.commit('win-back broken at the ref')
    await repo.write('journeys/win-back.journey.yaml', WIN_BACK)
    await repo.write('journeys/cart.journey.yaml', BASE.replace('wait: 1h', 'wait: 3h'))
    const cart = await diffAgainstRef('broken', {cwd: repo.dir, paths: ['cart']})
    expect(summary(cart)).toEqual([{id: 'cart', status: 'changed', renamed: false, ops: ['step.changed wait-1h']}])
    // The broken journey itself, by id: refused, naming the problem.
    await expect(diffAgainstRef('broken', {cwd: repo.dir, paths: ['win-back']})).rejects.toMatchObject({code: 'JOE5003'})
    // A file at the ref whose id cannot be read may be any journey: refused too.
    await repo.write('journeys/mystery.journey.yaml', 'version: 1\nid: [not, an, id\n')
    await repo.commit('unreadable file')
    await expect(diffAgainstRef('HEAD', {cwd: repo.dir, paths: ['cart']})).rejects.toMatchObject({code: 'JOE5003'})
  })

  it('refuses a working-tree journey with errors as every command does (JOE1038)', async () => {
    const repo = await project()
    await repo.write('journeys/cart.journey.yaml', BASE.replace('next: email-1', 'next: emial-1'))
    await expect(diffAgainstRef('main', {cwd: repo.dir, paths: []})).rejects.toMatchObject({
      code: 'JOE1038',
      message: expect.stringContaining('JOE2003'),
      where: {file: 'journeys/cart.journey.yaml'},
    })
  })

  it('takes globs (matched by joe: git ls-tree has no glob pathspecs)', async () => {
    const repo = await project()
    await repo.write('journeys/cart.journey.yaml', BASE.replace('wait: 1h', 'wait: 3h'))
    await repo.write('journeys/win-back.journey.yaml', WIN_BACK.replace(/name: .*/, 'name: Other'))
    const result = await diffAgainstRef('main', {cwd: repo.dir, paths: ['journeys/c*.journey.yaml']})
    expect(summary(result).map((j) => `${j.id} ${j.status}`)).toEqual(['cart changed'])
    expect(globToRegExp('journeys/**/*.journey.{yaml,yml}').test('journeys/a/b/x.journey.yml')).toBe(true)
    expect(globToRegExp('journeys/**/*.journey.{yaml,yml}').test('journeys/x.journey.yaml')).toBe(true)
    expect(globToRegExp('journeys/*.yaml').test('journeys/a/x.yaml')).toBe(false)
  })

  it('fails clearly outside git, on an unknown ref, and on a journey that does not validate at the ref', async () => {
    const plain = await tempProject({'journeys/cart.journey.yaml': BASE})
    await expect(diffAgainstRef('main', {cwd: plain, paths: []})).rejects.toMatchObject({code: 'JOE5001'})
    const repo = await project()
    await expect(diffAgainstRef('no-such-branch', {cwd: repo.dir, paths: []})).rejects.toMatchObject({code: 'JOE5002'})
    await expect(diffAgainstRef('--output=x', {cwd: repo.dir, paths: []})).rejects.toMatchObject({code: 'JOE5002'})
    await repo.git('checkout', '-q', '-b', 'broken')
    await repo.write('journeys/cart.journey.yaml', BASE.replace('next: email-1', 'next: emial-1'))
    await repo.commit('typo')
    await repo.git('checkout', '-q', 'main')
    await expect(diffAgainstRef('broken', {cwd: repo.dir, paths: []})).rejects.toMatchObject({
      code: 'JOE5003',
      message: expect.stringContaining('JOE2003'),
    })
  })
})
