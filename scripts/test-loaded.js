#!/usr/bin/env node
// `npm run test:loaded`: runs the whole test suite (`npm test`, or the command given after `--`)
// while every core is kept busy by a CPU hog, to prove that no test depends on how fast the
// machine is. The hogs are child processes started here, stopped by their process ids at the end.
//
//   npm run test:loaded                      # npm test beside one hog per core
//   npm run test:loaded -- npx vitest run test/core/deploy
//   JOE_LOAD_HOGS=4 npm run test:loaded      # more hogs than cores
import {spawn} from 'node:child_process'
import {availableParallelism} from 'node:os'

const hogCount = Number(process.env.JOE_LOAD_HOGS ?? availableParallelism())
const command = process.argv.slice(2)
const [program, ...args] = command.length > 0 ? command : ['npm', 'test']

const hogs = Array.from({length: hogCount}, () => spawn(process.execPath, ['-e', 'for (;;) {}'], {stdio: 'ignore'}))
const stopHogs = () => {
  for (const hog of hogs) if (hog.exitCode === null && hog.signalCode === null) hog.kill('SIGKILL')
}
process.on('exit', stopHogs)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopHogs()
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15))
  })
}

process.stdout.write(`test:loaded: ${hogCount} CPU hog${hogCount === 1 ? '' : 's'} (pids ${hogs.map((h) => h.pid).join(', ')}) beside: ${[program, ...args].join(' ')}\n`)
const started = Date.now()
const run = spawn(program, args, {stdio: 'inherit'})
run.on('exit', (code, signal) => {
  stopHogs()
  const seconds = Math.round((Date.now() - started) / 1000)
  process.stdout.write(`test:loaded: ${program} ${args.join(' ')} ${code === 0 ? 'passed' : `failed (${signal ?? `exit ${code}`})`} in ${seconds} s under load\n`)
  process.exit(code ?? 1)
})
