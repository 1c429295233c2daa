import {createInterface} from 'node:readline'
import {JoeError} from '../core/errors.js'

/** Where the confirmation prompt reads and writes; a terminal in the CLI, streams in tests. */
export interface PromptStreams {
  input: NodeJS.ReadableStream
  output: NodeJS.WritableStream
  /** Whether a person can answer: both sides are a terminal. */
  terminal: boolean
}

function processStreams(): PromptStreams {
  return {input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true && process.stderr.isTTY === true}
}

const cancelled = () => new JoeError('JOE6009', 'cancelled: nothing was applied')

/**
 * Asks "question [y/N]" on a terminal; anything but y/yes, Ctrl-C and Ctrl-D cancel (JOE6009, exit 1,
 * nothing written). Without a terminal (CI, pipes, --json) there is nobody to ask: a change then
 * needs --yes (JOE6008, exit 2).
 */
export async function confirm(question: string, options: {yes: boolean; json: boolean}, streams = processStreams()): Promise<void> {
  if (options.yes) return
  if (options.json || !streams.terminal) {
    throw new JoeError('JOE6008', 'this would change the environment, and there is no terminal to confirm it on', {
      hint: 'check the plan (`joe plan` or --dry-run), then run again with --yes',
      exitCode: 2,
    })
  }
  const rl = createInterface({input: streams.input, output: streams.output, terminal: true})
  await new Promise<void>((resolve, reject) => {
    let settled = false
    const finish = (error?: JoeError) => {
      if (settled) return
      settled = true
      process.off('SIGINT', interrupt)
      rl.close()
      if (error) reject(error)
      else resolve()
    }
    // Ctrl-C in the prompt (raw mode) arrives as the interface's SIGINT; a signal sent to the process as SIGINT.
    const interrupt = () => {
      streams.output.write('\n')
      finish(cancelled())
    }
    rl.on('SIGINT', interrupt)
    process.on('SIGINT', interrupt)
    rl.on('close', () => finish(cancelled()))
    rl.question(`${question} [y/N] `, (answer) => {
      const yes = ['y', 'yes'].includes(answer.trim().toLowerCase())
      finish(yes ? undefined : cancelled())
    })
  })
}
