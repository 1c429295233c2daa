import {Args, Flags} from '@oclif/core'
import {configFlag, envFlag, eventFileFormatFlag} from '../../cli/flags.js'
import {JoeCommand} from '../../cli/joe-command.js'
import {withRuntime} from '../../cli/runtime-env.js'
import {type SendResult, sendEvents} from '../../core/runtime/send-events.js'

export default class EventsSend extends JoeCommand<SendResult> {
  static override summary = 'Send events to an environment, as if they arrived over its HTTP API'

  static override description =
    `Appends the events of NDJSON or CSV files (the formats of \`joe events import\`) to the environment's event log; \`joe serve\` picks them up as if they had been posted to it. For scripts and backfills. A file with an invalid line is refused whole, before anything of it is sent; message ids make a file sent twice a no-op.

With --replay (environments with \`clock: manual\`), the clock moves to each event's timestamp before it is received, so a recorded timeline is rehearsed live: timers fire in between exactly as \`joe simulate\` has them.`

  static override examples = [
    {description: 'Backfill a Segment export into staging', command: '<%= config.bin %> <%= command.id %> --env staging export.ndjson'},
    {
      description: 'Rehearse the sample timeline live on a manual clock',
      command: '<%= config.bin %> <%= command.id %> --env dev events/sample.ndjson --replay',
    },
  ]

  static override strict = false

  static override args = {file: Args.string({description: 'NDJSON or CSV files of events.', required: true})}

  static override flags = {
    env: envFlag,
    config: configFlag,
    format: eventFileFormatFlag,
    replay: Flags.boolean({description: "Move the environment's manual clock to each event's timestamp before it is received."}),
  }

  async run(): Promise<SendResult> {
    const {argv, flags} = await this.parse(EventsSend)
    const result = await withRuntime(flags.env, flags.config, (runtime) =>
      sendEvents(runtime.ctx, {files: argv as string[], format: flags.format as 'auto', replay: flags.replay}),
    )
    if (!this.jsonEnabled()) {
      const {renderSend} = await import('../../ui/runtime/runtime-text.js')
      this.log(renderSend(result))
    }
    return result
  }
}
