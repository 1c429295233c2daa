import {Args} from '@oclif/core'
import {configFlag, envFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {parseInstantFlag} from '../cli/project-context.js'
import {withRuntime} from '../cli/runtime-env.js'
import {JoeError} from '../core/errors.js'
import {parseDuration} from '../core/journey/duration.js'
import {type ClockResult, readClock, setManualClock} from '../core/runtime/context.js'

export default class Clock extends JoeCommand<ClockResult> {
  static override summary = "Show or move an environment's manual clock"

  static override description =
    `Environments with \`clock: manual\` run on a clock that only moves when told to (like Stripe's test clocks), for rehearsals and tests. \`set\` moves it to a time, \`advance\` by a duration; it never moves back. The worker of \`joe serve\` then fires, in order, every timer due before the new time. Without an action, shows the clock.`

  static override examples = [
    {description: 'Where the clock is', command: '<%= config.bin %> <%= command.id %> --env dev'},
    {
      description: 'Start a rehearsal on a Monday morning',
      command: '<%= config.bin %> <%= command.id %> --env dev set 2026-03-02T09:00:00Z',
    },
    {description: 'Let two hours pass', command: '<%= config.bin %> <%= command.id %> --env dev advance 2h'},
  ]

  static override args = {
    action: Args.string({description: 'show (default), set or advance.', options: ['show', 'set', 'advance'], default: 'show'}),
    value: Args.string({description: 'A time (set) or a duration such as 2h or 1d (advance).'}),
  }

  static override flags = {env: envFlag, config: configFlag}

  async run(): Promise<ClockResult> {
    const {args, flags} = await this.parse(Clock)
    const result = await withRuntime(flags.env, flags.config, async (runtime) => {
      if (args.action === 'show') return readClock(runtime.ctx)
      if (args.value === undefined) {
        throw new JoeError('JOE7013', `\`joe clock ${args.action}\` needs a ${args.action === 'set' ? 'time' : 'duration'}`, {
          hint: args.action === 'set' ? 'e.g. joe clock --env dev set 2026-03-02T09:00:00Z' : 'e.g. joe clock --env dev advance 2h',
          exitCode: 2,
        })
      }
      if (args.action === 'set') await setManualClock(runtime.ctx, parseInstantFlag('time', args.value) as number)
      else {
        const ms = parseDuration(args.value)
        if (ms === undefined || ms <= 0)
          throw new JoeError('JOE7013', `"${args.value}" is not a duration`, {hint: 'e.g. 90m, 2h, 1d or PT2H', exitCode: 2})
        const now = (await readClock(runtime.ctx)).now
        if (now === null) {
          throw new JoeError('JOE7014', `the manual clock of "${flags.env}" was never set, so it cannot advance`, {
            hint: 'set it first (`joe clock --env NAME set TIME`), or send events: it starts at the first one',
          })
        }
        await setManualClock(runtime.ctx, Date.parse(now) + ms)
      }
      return readClock(runtime.ctx)
    })
    if (!this.jsonEnabled())
      this.log(`${result.env}: ${result.clock} clock at ${result.now ?? 'not set yet (it starts at the first event received)'}`)
    return result
  }
}
