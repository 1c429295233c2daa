import {cp, readFile} from 'node:fs/promises'
import path from 'node:path'
import {execa} from 'execa'
import {simpleParser} from 'mailparser'
import {describe, expect, it} from 'vitest'
import {tempProject} from '../helpers/temp-project.js'

// joe preview and joe validate on a copy of the example project, with the built CLI (npm test builds first).
const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')

describe('joe preview (built CLI)', () => {
  it('renders an example template for a customer of the event store, as text, eml and JSON', async () => {
    const cwd = await tempProject({})
    for (const entry of ['joe.config.yaml', 'journeys', 'events', 'templates'])
      await cp(path.join(root, 'examples', entry), path.join(cwd, entry), {recursive: true})
    const joe = (...args: string[]) => execa('node', [bin, ...args], {cwd, reject: false, env: {NO_COLOR: '1'}})
    expect((await joe('events', 'import', 'events/sample.ndjson')).exitCode).toBe(0)

    const text = await joe('preview', 'cart-reminder-1', '--customer', 'cus_026', '--at', '2026-03-10', '--data', 'first_name=Zoe')
    expect(text.exitCode).toBe(0)
    expect(text.stdout).toContain('Subject:  Zoe, you left something in your cart')
    expect(text.stdout).toContain('Back to your cart (https://shop.example/cart)')

    const eml = await joe('preview', 'email/cart-offer-10', '--customer', 'cus_026', '--data', 'code=SAVE10', '--out', 'offer.eml')
    expect(eml.stdout).toContain('Wrote offer.eml')
    const mail = await simpleParser(await readFile(path.join(cwd, 'offer.eml')))
    expect(mail.to && !Array.isArray(mail.to) && mail.to.text).toBe('zoe@example.com')
    expect(mail.text).toContain('Use SAVE10 at checkout')

    const json = JSON.parse((await joe('preview', 'cart-sms-1', '--customer', 'cus_026', '--json')).stdout)
    expect(json).toMatchObject({
      template: {channel: 'sms', id: 'cart-sms-1'},
      content: {channel: 'sms'},
      segments: {encoding: 'GSM-7', segments: 1},
    })

    const missing = await joe('preview', 'cart-reminder-1', '--customer', 'cus_026')
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toContain('templates/email/cart-reminder-1.liquid:2:14: error JOE8002')
    expect(missing.stderr).toContain('--data KEY=VALUE')
    const usage = await joe('preview', 'cart-reminder-1', '--data', 'nope')
    expect(usage.exitCode).toBe(2)
  }, 120_000)
})
