import {Args, Flags} from '@oclif/core'
import {colorFlag, colorOutput, configFlag, instantFlag} from '../cli/flags.js'
import {EXIT, JoeCommand} from '../cli/joe-command.js'
import {checkOutputPath} from '../cli/output-file.js'
import {withRuntime} from '../cli/runtime-env.js'
import {runSimulation} from '../cli/simulate-run.js'
import {withEnvironmentHistory} from '../core/runtime/simulate-env.js'
import {runSimulate, type SimulateOutput} from '../core/simulate/run-simulate.js'
import {startProgress} from '../ui/progress.js'

export default class Simulate extends JoeCommand<SimulateOutput> {
  static override summary = 'Replay customer timelines from the event store through journeys'

  static override description =
    `Replays every customer's events from the local event store through the journey on a virtual clock (spec section 5) and reports who entered, the step funnel, branch and variant counts, messages by channel and template, suppressions and deferrals, conversions with holdout uplift, customers still in flight, and what no customer reached.

JOURNEY is a journey id, a journey file, a folder or a glob (several journeys: each is reported, plus the message load per customer across them). Without --until the replay runs to the last event in the store. The same inputs give byte-identical --json output.

Exit codes: 0 done, 1 a --check policy was breached or bad input, 2 usage error, 3 internal error.`

  static override examples = [
    {description: 'Simulate one journey over the whole store', command: '<%= config.bin %> <%= command.id %> cart-abandonment'},
    {
      description: 'One customer, with the reason for every transition',
      command: '<%= config.bin %> <%= command.id %> cart-abandonment --customer c000042',
    },
    {description: 'Every journey, checking the config policies', command: '<%= config.bin %> <%= command.id %> journeys/ --check'},
    {description: "A change, over production's history", command: '<%= config.bin %> <%= command.id %> cart-abandonment --env prod'},
    {
      description: 'A window, with all traces written as NDJSON',
      command: '<%= config.bin %> <%= command.id %> cart-abandonment --from 2026-03-01 --until 2026-03-15 --trace traces.ndjson',
    },
  ]

  static override strict = false

  static override args = {
    journey: Args.string({description: 'Journey ids, files, folders or globs (default: every journey of the project).'}),
  }

  static override flags = {
    store: Flags.string({description: 'Event store file (default: `store` in joe.config.yaml).', helpValue: 'PATH', exclusive: ['env']}),
    env: Flags.string({
      char: 'e',
      description:
        'Replay the events this environment received (its history, each at the instant it was received) instead of the local store.',
      helpValue: 'NAME',
    }),
    from: instantFlag({description: 'Start of the window (date or ISO 8601); earlier events only shape profiles.'}),
    until: instantFlag({description: 'End of the window (default: the last event in the store).'}),
    customer: Flags.string({description: 'Simulate one customer and print every transition with its reason.', helpValue: 'ID'}),
    trace: Flags.string({description: 'Write every trace event as NDJSON to this file.', helpValue: 'FILE'}),
    check: Flags.boolean({description: 'Check the `policies` of joe.config.yaml; exit 1 naming the customers who breach them.'}),
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<SimulateOutput> {
    const {argv, flags} = await this.parse(Simulate)
    // Before the work: a folder or a missing folder for --trace is a usage error now, not at the end.
    if (flags.trace) await checkOutputPath('--trace', flags.trace)
    const progress = startProgress('simulating', {enabled: !this.jsonEnabled() && !flags.customer})
    const env = flags.env
    const {result, warnings, output} = await runSimulate({
      cwd: process.cwd(),
      ...(flags.config ? {configPath: flags.config} : {}),
      names: argv as string[],
      ...(flags.store ? {store: flags.store} : {}),
      ...(flags.from !== undefined ? {from: flags.from} : {}),
      ...(flags.until !== undefined ? {until: flags.until} : {}),
      ...(flags.customer ? {customer: flags.customer} : {}),
      check: flags.check,
      ...(flags.trace ? {trace: flags.trace} : {}),
      // On a worker thread, so Ctrl-C stops it at once (simulate-run.ts); counting customers for the
      // bar costs a pass over the index, so only when a bar is shown.
      replay: (request) =>
        runSimulation({
          simulate: request.options,
          ...(request.trace !== undefined ? {trace: request.trace} : {}),
          ...(progress.live ? {onProgress: (done: number, total: number) => progress.update(done, total)} : {}),
          onInterrupt: () => progress.stop(),
        }),
      ...(env === undefined
        ? {}
        : {environmentHistory: (replay) => withRuntime(env, flags.config, (runtime) => withEnvironmentHistory(runtime.ctx, replay))}),
    }).finally(() => progress.stop())
    if (output.policy && !output.policy.ok) this.exitWith(EXIT.problems)
    if (!this.jsonEnabled()) {
      const {renderSimulateText} = await import('../ui/simulate/simulate-text.js')
      this.log(renderSimulateText(result, {color: colorOutput(flags.color), warnings}))
    }
    return output
  }
}
