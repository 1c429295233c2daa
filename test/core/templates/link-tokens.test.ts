import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {Channel} from '../../../src/core/connectors/connector.js'
import {type LinkClaims, messageLinks, signLinkToken, VIEW_PATH, verifyLinkToken} from '../../../src/core/templates/link-tokens.js'

const claims: fc.Arbitrary<LinkClaims> = fc.record(
  {
    purpose: fc.constantFrom('unsubscribe' as const, 'view' as const),
    env: fc.string({minLength: 1}),
    customerId: fc.string({minLength: 1}),
    channel: fc.constantFrom<Channel>('email', 'sms', 'push', 'in_app', 'webhook'),
    messageId: fc.string(),
    journeyId: fc.string(),
    template: fc.string(),
  },
  {requiredKeys: ['purpose', 'env', 'customerId', 'channel']},
)

describe('link tokens', () => {
  it('verify to the claims they were signed with, with any of the secrets', () => {
    fc.assert(
      fc.property(claims, fc.string({minLength: 1}), (c, secret) => {
        const token = signLinkToken(c, secret)
        expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
        expect(verifyLinkToken(token, {secrets: ['rotated-out', secret], env: c.env, purpose: c.purpose})).toEqual({ok: true, claims: c})
      }),
      {seed: 20260302, numRuns: 300},
    )
  })

  it('never verify once any character is changed, or with another secret', () => {
    fc.assert(
      fc.property(claims, fc.nat(), fc.constantFrom(...'ABCabc019-_.'), (c, at, replacement) => {
        const token = signLinkToken(c, 'secret')
        const i = at % token.length
        fc.pre(token[i] !== replacement)
        const tampered = token.slice(0, i) + replacement + token.slice(i + 1)
        expect(verifyLinkToken(tampered, {secrets: ['secret'], env: c.env, purpose: c.purpose}).ok).toBe(false)
        expect(verifyLinkToken(token, {secrets: ['other'], env: c.env, purpose: c.purpose}).ok).toBe(false)
      }),
      {seed: 20260303, numRuns: 300},
    )
  })

  it('build both links of a message under the base URL', () => {
    const links = messageLinks(
      {baseUrl: 'https://joe.example.com/', secrets: ['s'], env: 'prod'},
      {customerId: 'c1', channel: 'email', idempotencyKey: 'k', journeyId: 'j', template: 't'},
    )
    expect(links.viewInBrowserUrl.startsWith(`https://joe.example.com${VIEW_PATH}`)).toBe(true)
    const token = links.viewInBrowserUrl.split('/').at(-1) as string
    expect(verifyLinkToken(token, {secrets: ['s'], env: 'prod', purpose: 'view'})).toMatchObject({ok: true, claims: {messageId: 'k'}})
  })
})
