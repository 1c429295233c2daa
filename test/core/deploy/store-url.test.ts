import {describe, expect, it} from 'vitest'
import {expandVariables, resolveStoreUrl} from '../../../src/core/deploy/store-url.js'
import {maskUrl} from '../../../src/core/secrets.js'

describe('environment store URLs', () => {
  const base = {env: 'prod', root: '/project'}

  it('resolves sqlite paths against the project root', () => {
    expect(resolveStoreUrl('sqlite:.joe/dev.db', {...base, vars: {}})).toEqual({
      kind: 'sqlite',
      path: '/project/.joe/dev.db',
      display: 'sqlite:.joe/dev.db',
    })
    expect(resolveStoreUrl('sqlite:/var/joe.db', {...base, vars: {}})).toMatchObject({path: '/var/joe.db'})
  })

  it('reads ${VAR} from the environment and masks the password for display', () => {
    const target = resolveStoreUrl('${JOE_PROD_STORE}', {...base, vars: {JOE_PROD_STORE: 'postgres://joe:hunter2@db:5432/joe'}})
    expect(target).toEqual({kind: 'postgres', url: 'postgres://joe:hunter2@db:5432/joe', display: 'postgres://joe:***@db:5432/joe'})
    const partial = resolveStoreUrl('postgres://joe:${PW}@db/joe', {...base, vars: {PW: 's3cr3t'}})
    expect(partial.display).not.toContain('s3cr3t')
  })

  it('names a missing variable clearly (JOE1021), without printing other values', () => {
    expect(() => resolveStoreUrl('postgres://joe:${PW}@db/joe', {...base, vars: {}})).toThrow(
      expect.objectContaining({code: 'JOE1021', message: expect.stringContaining('PW is not set')}),
    )
    expect(() => expandVariables('${EMPTY}', {EMPTY: ''}, 'x')).toThrow(expect.objectContaining({code: 'JOE1021'}))
  })

  it('refuses anything else (JOE6002), masking secrets in the message', () => {
    let message = ''
    try {
      resolveStoreUrl('mysql://root:topsecret@db/joe', {...base, vars: {}})
    } catch (error) {
      message = (error as Error).message
      expect(error).toMatchObject({code: 'JOE6002'})
    }
    expect(message).not.toContain('topsecret')
    expect(maskUrl('postgres://u:p@h/d')).toBe('postgres://u:***@h/d')
  })
})
