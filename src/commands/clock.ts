import {Args} from '@oclif/core'
import {configFlag, envFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {withRuntime} from '../cli/runtime-env.js'
import type {ClockResult} from '../core/runtime/context.js'
import {CLOCK_ACTIONS, type ClockAction, changeClock} from '../core/runtime/manual-clock.js'

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
    action: Args.string({description: 'show (default), set or advance.', options: [...CLOCK_ACTIONS], default: 'show'}),
    value: Args.string({description: 'A time (set) or a duration such as 2h or 1d (advance).'}),
  }

  static override flags = {env: envFlag, config: configFlag}

  async run(): Promise<ClockResult> {
    const {args, flags} = await this.parse(Clock)
    const result = await withRuntime(flags.env, flags.config, (runtime) => changeClock(runtime.ctx, args.action as ClockAction, args.value))
    if (!this.jsonEnabled()) {
      const {renderClock} = await import('../ui/runtime/runtime-text.js')
      this.log(renderClock(result))
    }
    return result
  }
}
