import {describe, expect, it} from 'vitest'
import {asksFormatJson} from '../../src/cli/joe-command.js'

describe('--format json is another spelling of --json', () => {
  const format = {char: 'f', options: ['text', 'json', 'github']}

  it('in every spelling, before any --', () => {
    for (const argv of [['--format', 'json'], ['--format=json'], ['-f', 'json'], ['-fjson'], ['-f=json'], ['a', '--strict', '-f', 'json']])
      expect(asksFormatJson(argv, format), argv.join(' ')).toBe(true)
    for (const argv of [['--format', 'text'], ['--', '--format', 'json'], ['json'], ['--format'], ['-fjsonx']])
      expect(asksFormatJson(argv, format), argv.join(' ')).toBe(false)
  })

  it('only where the command offers json as a --format', () => {
    expect(asksFormatJson(['--format', 'json'], {char: 'f', options: ['mermaid', 'dot']})).toBe(false)
    expect(asksFormatJson(['--format', 'json'], undefined)).toBe(false)
    expect(asksFormatJson(['-f', 'json'], {options: ['text', 'json']})).toBe(false)
  })
})
