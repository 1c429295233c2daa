import {Args, Flags} from '@oclif/core'
import {EXIT, JoeCommand} from '../cli/joe-command.js'
import {checkOutputPath, writeOutputFile} from '../cli/output-file.js'
import {parseInstantFlag, storePath} from '../cli/project-context.js'
import {withRuntime} from '../cli/runtime-env.js'
import {runSimulation} from '../cli/simulate-run.js'
import {traceLines} from '../cli/simulate-run-worker.js'
import {JoeError} from '../core/errors.js'
import {simulateEnvironment} from '../core/runtime/simulate-env.js'
import {resolveJourneys} from '../core/simulate/resolve-journeys.js'
import type {SimulateOptions, SimulateResult} from '../core/simulate/simulate.js'
import {startProgress} from '../ui/progress.js'

export default class Simulate extends JoeCommand<object> {
  static override summary = 'Replay customer timelines from the event store through journeys'

  static override description =
    `Replays every customer's events from the local event store through the journey on a virtual clock (spec section 5) and reports who entered, the step funnel, branch and variant counts, messages by channel and template, suppressions and deferrals, conversions with holdout uplift, customers still in flight, and what no customer reached.

JOURNEY is a journey id, a journey file, or a folder (several journeys: each is reported, plus the message load per customer across them). Without --until the replay runs to the last event in the store. The same inputs give byte-identical --json output.

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

  static override args = {journey: Args.string({description: 'Journey ids, files or folders (default: every journey of the project).'})}

  static override flags = {
    store: Flags.string({description: 'Event store file (default: `store` in joe.config.yaml).', helpValue: 'PATH', exclusive: ['env']}),
    env: Flags.string({
      char: 'e',
      description:
        'Replay the events this environment received (its history, each at the instant it was received) instead of the local store.',
      helpValue: 'NAME',
    }),
    from: Flags.string({description: 'Start of the window (date or ISO 8601); earlier events only shape profiles.', helpValue: 'TIME'}),
    until: Flags.string({description: 'End of the window (default: the last event in the store).', helpValue: 'TIME'}),
    customer: Flags.string({description: 'Simulate one customer and print every transition with its reason.', helpValue: 'ID'}),
    trace: Flags.string({description: 'Write every trace event as NDJSON to this file.', helpValue: 'FILE'}),
    check: Flags.boolean({description: 'Check the `policies` of joe.config.yaml; exit 1 naming the customers who breach them.'}),
    config: Flags.string({char: 'c', description: 'Path to joe.config.yaml.', helpValue: 'PATH'}),
    color: Flags.boolean({description: 'Colour the text output (default: when stdout is a terminal).', allowNo: true}),
  }

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(Simulate)
    const {journeys, config} = await resolveJourneys(argv as string[], process.cwd(), flags.config)
    const policy = config.policies.maxMessagesPerCustomer
    if (flags.check && !policy) {
      throw new JoeError('JOE4007', '--check was given but joe.config.yaml has no policies', {
        hint: 'add e.g. `policies: { max_messages_per_customer: { limit: 5, per: 7d } }` to joe.config.yaml',
        exitCode: 2,
      })
    }
    const from = parseInstantFlag('from', flags.from)
    const until = parseInstantFlag('until', flags.until)
    // Before the work: a folder or a missing folder for --trace is a usage error now, not at the end.
    if (flags.trace) await checkOutputPath('--trace', flags.trace)
    const progress = startProgress('simulating', {enabled: !this.jsonEnabled() && !flags.customer})
    let result: SimulateResult
    try {
      const options: Omit<SimulateOptions, 'storePath'> = {
        journeys,
        ...(from !== undefined ? {from} : {}),
        ...(until !== undefined ? {until} : {}),
        ...(flags.customer ? {customerId: flags.customer} : {}),
        ...(flags.check && policy ? {policy} : {}),
      }
      // Counting customers for the bar costs a pass over the index: only when a bar is shown.
      const onProgress = progress.live ? {onProgress: (done: number, total: number) => progress.update(done, total)} : {}
      const env = flags.env
      if (env === undefined) {
        // The local store: replayed in a worker thread, so Ctrl-C stops it at once (simulate-run.ts).
        result = await runSimulation({
          simulate: {...options, storePath: storePath(config, flags.store)},
          ...(flags.trace ? {trace: flags.trace} : {}),
          ...onProgress,
          onInterrupt: () => progress.stop(),
        })
      } else {
        // An environment's received events, read through its runtime store here; the trace is
        // collected and written whole at the end, never left truncated.
        let trace = ''
        const onResult = flags.trace
          ? {
              onResult: (journey: string, customer: Parameters<typeof traceLines>[1]) => {
                trace += traceLines(journey, customer)
              },
            }
          : {}
        result = await withRuntime(env, flags.config, (runtime) =>
          simulateEnvironment(runtime.ctx, {...options, ...onResult, ...onProgress}),
        )
        if (flags.trace) await writeOutputFile('--trace', flags.trace, trace)
      }
    } finally {
      progress.stop()
    }
    if (result.policy && !result.policy.ok) this.exitWith(EXIT.problems)
    const json = toJson(result)
    if (!this.jsonEnabled()) {
      const {renderSimulateText} = await import('../ui/simulate/simulate-text.js')
      this.log(renderSimulateText(result, {color: flags.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR)}))
    }
    return json
  }
}

/** One journey: the spec section 5 report itself; several: a list of reports plus the load. */
function toJson(result: SimulateResult): object {
  const extras = {
    ...(result.policy ? {policy: result.policy} : {}),
    ...(result.customer ? {customer: {id: result.customer.id, results: result.customer.results}} : {}),
  }
  if (result.reports.length === 1) return {...result.reports[0], ...extras}
  return {format_version: result.format_version, journeys: result.reports, ...(result.load ? {load: result.load} : {}), ...extras}
}
