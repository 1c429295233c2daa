import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {maskUrl, redactSecrets, urlSecrets} from '../../src/core/secrets.js'

describe('maskUrl', () => {
  it.each([
    ['postgres://u:hunter2@h:5432/db', 'postgres://u:***@h:5432/db'],
    ['postgres://u@h/db?password=hunter2', 'postgres://u@h/db?password=***'],
    ['postgresql://h/db?user=u&password=hunter2&sslmode=require', 'postgresql://h/db?user=u&password=***&sslmode=require'],
    ['postgres://u@h/db?sslpassword=hunter2&sslkey=%2Fkeys%2Fk.pem', 'postgres://u@h/db?sslpassword=***&sslkey=***'],
    ['postgres://u@h/db?PassWord=hunter2', 'postgres://u@h/db?PassWord=***'],
    ['postgres://u@h/db?pass%77ord=hunter2', 'postgres://u@h/db?pass%77ord=***'],
    ['https://api.example.com/hook?token=hunter2&x=1', 'https://api.example.com/hook?token=***&x=1'],
    ['https://api.example.com/v1?api_key=hunter2#access_token=hunter2', 'https://api.example.com/v1?api_key=***#access_token=***'],
    ['https://hunter2@github.com/o/r.git', 'https://***@github.com/o/r.git'],
    ['https://user:hunter2@example.com', 'https://user:***@example.com'],
    ['postgres://u:p%40ss%2Fhunter2@h/db', 'postgres://u:***@h/db'],
    [
      'postgres://joe@db.internal:5432/joe?options=-c%20search_path%3Djoe',
      'postgres://joe@db.internal:5432/joe?options=-c%20search_path%3Djoe',
    ],
    ['sqlite:.joe/dev.db', 'sqlite:.joe/dev.db'],
  ])('%s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked)
    for (const secret of urlSecrets(url)) expect(maskUrl(url)).not.toContain(secret)
  })

  it('masks everything between // and the last @ of text that does not parse as a URL', () => {
    expect(maskUrl('postgres://u:pa/ss@h/db')).toBe('postgres://***@h/db')
    expect(maskUrl('postgres://u:p?x@h/db')).toBe('postgres://***@h/db')
  })

  it('never leaves a percent-encoded password in the output (fixed seed)', () => {
    fc.assert(
      fc.property(fc.string({minLength: 4, maxLength: 20}), (password) => {
        const encoded = encodeURIComponent(password)
        for (const url of [`postgres://u:${encoded}@h/db`, `postgres://u@h/db?password=${encoded}`]) {
          const masked = maskUrl(url)
          expect(masked).not.toContain(`:${encoded}@`)
          expect(masked).not.toContain(`=${encoded}`)
        }
      }),
      {seed: 12, numRuns: 300},
    )
  })
})

describe('redactSecrets', () => {
  it('removes the raw and decoded forms of every credential from a message', () => {
    const url = 'postgres://u:p%40ss@h/db?sslpassword=s3cr%3Dt'
    const message = `could not connect to ${url}: password "p@ss" was rejected; sslpassword s3cr=t`
    const redacted = redactSecrets(message, urlSecrets(url))
    expect(redacted).not.toMatch(/p@ss|p%40ss|s3cr/)
  })
})
