import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {confirm} from '../../src/cli/confirm.js'

/** A fake terminal: what the prompt writes, and a way to type into it. */
function terminal() {
  const input = new PassThrough()
  const output = new PassThrough()
  let written = ''
  output.on('data', (chunk: Buffer) => {
    written += chunk.toString()
  })
  return {streams: {input, output, terminal: true}, type: (text: string) => input.write(text), written: () => written}
}

describe('confirm', () => {
  it('goes ahead on y or yes, and on --yes without asking', async () => {
    for (const answer of ['y\r', 'YES\r']) {
      const t = terminal()
      const asked = confirm('Apply 1 change to dev?', {yes: false, json: false}, t.streams)
      t.type(answer)
      await expect(asked).resolves.toBeUndefined()
      expect(t.written()).toContain('Apply 1 change to dev? [y/N] ')
    }
    const t = terminal()
    await expect(confirm('Apply?', {yes: true, json: false}, t.streams)).resolves.toBeUndefined()
    expect(t.written()).toBe('')
  })

  it('cancels cleanly on anything else, on Ctrl-C and on Ctrl-D (JOE6009, exit 1)', async () => {
    for (const key of ['n\r', '\r', '\x03', '\x04']) {
      const t = terminal()
      const asked = confirm('Apply?', {yes: false, json: false}, t.streams)
      t.type(key)
      await expect(asked, JSON.stringify(key)).rejects.toMatchObject({
        code: 'JOE6009',
        exitCode: 1,
        message: 'cancelled: nothing was applied',
      })
    }
  })

  it('cancels on SIGINT sent to the process while it waits', async () => {
    const t = terminal()
    const asked = confirm('Apply?', {yes: false, json: false}, t.streams)
    process.emit('SIGINT')
    await expect(asked).rejects.toMatchObject({code: 'JOE6009'})
    expect(process.listenerCount('SIGINT')).toBe(0)
  })

  it('needs --yes when there is no terminal or the output is JSON (JOE6008, exit 2)', async () => {
    const t = terminal()
    await expect(confirm('Apply?', {yes: false, json: false}, {...t.streams, terminal: false})).rejects.toMatchObject({
      code: 'JOE6008',
      exitCode: 2,
    })
    await expect(confirm('Apply?', {yes: false, json: true}, t.streams)).rejects.toMatchObject({code: 'JOE6008'})
  })
})
