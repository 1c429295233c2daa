import {Box, render, Text} from 'ink'
import {safeText} from './safe-text.js'

export interface Progress {
  /** False when nothing is shown: callers can skip work that only feeds the bar. */
  readonly live: boolean
  update(done: number, total: number): void
  stop(): void
}

const silent: Progress = {live: false, update() {}, stop() {}}

function Bar({label, done, total}: {label: string; done: number; total: number}) {
  const width = 30
  const ratio = total > 0 ? Math.min(1, done / total) : 0
  const filled = Math.round(ratio * width)
  return (
    <Box>
      <Text>{safeText(label)} </Text>
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(width - filled)}</Text>
      <Text>
        {' '}
        {Math.floor(ratio * 100)}% {done.toLocaleString('en-US')}/{total.toLocaleString('en-US')}
      </Text>
    </Box>
  )
}

/**
 * A live progress bar on stderr, only on a terminal: never in CI, in pipes or under --json,
 * so machine-readable output stays clean.
 */
export function startProgress(label: string, options: {enabled: boolean}): Progress {
  if (!options.enabled || !process.stderr.isTTY || process.env.CI) return silent
  const app = render(<Bar label={label} done={0} total={0} />, {
    stdout: process.stderr as unknown as NodeJS.WriteStream,
    patchConsole: false,
  })
  let last = 0
  let stopped = false
  return {
    live: true,
    update(done, total) {
      // Re-rendering on every call would cost more than the work it reports.
      if (done !== total && done - last < total / 200) return
      last = done
      app.rerender(<Bar label={label} done={done} total={total} />)
    },
    stop() {
      if (stopped) return
      stopped = true
      app.unmount()
      app.clear()
    },
  }
}
