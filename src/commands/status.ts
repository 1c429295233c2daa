import {colorEnabled, envContext} from '../cli/deploy-context.js'
import {colorFlag, configFlag, envFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {envStatus, type StatusResult} from '../core/deploy/operations.js'

export default class Status extends JoeCommand<StatusResult> {
  static override summary = 'Show what is active in an environment, since when, and by whom'

  static override description =
    'Lists every journey active in the environment: its revision (the first 12 hex characters of its content hash), whether it is paused, since when, by whom and through which ledger entry.'

  static override examples = ['<%= config.bin %> <%= command.id %> --env prod', '<%= config.bin %> <%= command.id %> --env prod --json']

  static override flags = {env: envFlag, config: configFlag, color: colorFlag}

  async run(): Promise<StatusResult> {
    const {flags} = await this.parse(Status)
    const result = await envStatus(await envContext(flags.env, flags.config))
    if (!this.jsonEnabled()) {
      const {renderStatus} = await import('../ui/deploy/deploy-text.js')
      this.log(renderStatus(result, {color: colorEnabled(flags.color)}))
    }
    return result
  }
}
