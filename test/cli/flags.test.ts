import {describe, expect, it} from 'vitest'
import {bypassOf, lockTimeoutFlag} from '../../src/cli/flags.js'

describe('shared flags', () => {
  const parse = (input: string) => lockTimeoutFlag.parse(input, {} as never, {} as never)

  it('reads --lock-timeout as milliseconds: a duration or a plain number', async () => {
    expect(await parse('30s')).toBe(30_000)
    expect(await parse('2m')).toBe(120_000)
    expect(await parse('PT1.5S')).toBe(1500)
    expect(await parse('0')).toBe(0)
    expect(lockTimeoutFlag.default).toBe(30_000)
  })

  it('makes a bad duration a usage error (exit 2)', async () => {
    for (const bad of ['abc', '-5s', '1y']) await expect(parse(bad)).rejects.toMatchObject({oclif: {exit: 2}})
  })

  it('turns gate flags into a bypass, absent flags being false', () => {
    expect(bypassOf({})).toEqual({force: false, allowDrop: false, skipPolicies: false})
    expect(bypassOf({force: true, 'allow-drop': true, 'skip-policies': true})).toEqual({force: true, allowDrop: true, skipPolicies: true})
  })
})
