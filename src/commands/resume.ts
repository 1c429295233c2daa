import {JoeCommand} from '../cli/joe-command.js'
import type {PauseResult} from '../core/deploy/operations.js'
import {pauseArgs, pauseFlags, pauseFromCli} from '../ui/deploy/deploy-cli.js'

export default class Resume extends JoeCommand<PauseResult> {
  static override summary = 'Resume a paused journey in an environment'

  static override description =
    'Clears the pause of a journey in the environment, as a ledger entry. Resuming a running journey changes nothing.'

  static override examples = ['<%= config.bin %> <%= command.id %> --env prod cart-abandonment -m "coupon service is back"']

  // Assigned here, not inherited: oclif reads args and flags off each bundled command class.
  static override args = pauseArgs

  static override flags = pauseFlags

  async run(): Promise<PauseResult> {
    const {args, flags} = await this.parse(Resume)
    return pauseFromCli({journey: args.journey, flags, paused: false, json: this.jsonEnabled(), log: (text) => this.log(text)})
  }
}
