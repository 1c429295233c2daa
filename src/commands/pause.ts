import {JoeCommand} from '../cli/joe-command.js'
import type {PauseResult} from '../core/deploy/operations.js'
import {pauseArgs, pauseFlags, pauseFromCli} from '../ui/deploy/deploy-cli.js'

export default class Pause extends JoeCommand<PauseResult> {
  static override summary = 'Pause a journey in an environment'

  static override description =
    'Marks the journey paused in the environment, as a ledger entry. Its revision stays active (a new deploy keeps it paused) until `joe resume`; runners read the pause state from the store. Pausing a paused journey changes nothing.'

  static override examples = ['<%= config.bin %> <%= command.id %> --env prod cart-abandonment -m "coupon service down"']

  // Assigned here, not inherited: oclif reads args and flags off each bundled command class.
  static override args = pauseArgs

  static override flags = pauseFlags

  async run(): Promise<PauseResult> {
    const {args, flags} = await this.parse(Pause)
    return pauseFromCli({journey: args.journey, flags, paused: true, json: this.jsonEnabled(), log: (text) => this.log(text)})
  }
}
