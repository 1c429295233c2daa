// Flags more than one command takes, defined once, as typed custom flags: a command reads
// `flags['lock-timeout']` as milliseconds, never as text to parse itself.
import {Errors, Flags} from '@oclif/core'
import {parseDuration} from '../core/journey/duration.js'
import {parseInstantFlag} from './project-context.js'

/**
 * A duration flag read as milliseconds: `30s`, `2m`, `1h`, ISO 8601 (`PT90S`), or plain milliseconds
 * (`0` fails at once). A bad value is a usage error (exit 2).
 */
export const durationFlag = Flags.custom<number>({
  helpValue: 'DURATION',
  parse: async (input) => {
    const ms = /^\d+$/.test(input) ? Number(input) : parseDuration(input)
    // A CLIError with exit 2: a usage error, reported like any other bad flag value.
    if (ms === undefined || ms < 0) throw new Errors.CLIError(`"${input}" is not a duration (e.g. 30s, 2m, or 0)`, {exit: 2})
    return ms
  },
})

/**
 * A point in time read as epoch milliseconds: an ISO 8601 date-time with a zone, or a date (midnight
 * UTC). A bad value is JOE4005 (exit 2), naming the flag. `--from` and `--until` of simulate, graph
 * and diff are made with it, each with its own description.
 */
export const instantFlag = Flags.custom<number>({
  helpValue: 'TIME',
  parse: async (input, _context, flag) => parseInstantFlag(flag.name, input) as number,
})

/** `--env NAME`: an environment of joe.config.yaml. */
export const envFlag = Flags.string({char: 'e', description: 'Environment name from joe.config.yaml.', helpValue: 'NAME', required: true})

/** `-c PATH`: another joe.config.yaml. */
export const configFlag = Flags.string({char: 'c', description: 'Path to joe.config.yaml.', helpValue: 'PATH'})

export const colorFlag = Flags.boolean({description: 'Colour the text output (default: when stdout is a terminal).', allowNo: true})

/** Whether to colour text output: `--color`/`--no-color`, else when stdout is a terminal and NO_COLOR is not set. */
export function colorOutput(flag: boolean | undefined): boolean {
  return flag ?? (process.stdout.isTTY === true && !process.env.NO_COLOR)
}

/** `-y`: no confirmation prompt (required when there is no terminal to ask on). */
export const yesFlag = Flags.boolean({char: 'y', description: 'Apply without asking (required when not on a terminal).'})

/** `-m MESSAGE`: why, recorded in the ledger. */
export const messageFlag = Flags.string({char: 'm', description: 'Why: recorded in the ledger.', helpValue: 'MESSAGE'})

export const lockTimeoutFlag = durationFlag({
  description: 'How long to wait for another deploy to the environment to finish (e.g. 30s, 2m; 0 fails at once).',
  default: 30_000,
  defaultHelp: async () => '30s',
})

export const dryRunFlag = Flags.boolean({description: 'Show the plan and the gate findings, and stop (exit 1 when a gate would refuse).'})

/** The flags that bypass deploy gates; every bypass used is recorded in the ledger. */
export const gateFlags = {
  force: Flags.boolean({description: 'Bypass the protected-environment gate (needs -m; recorded in the ledger).'}),
  'allow-drop': Flags.boolean({
    description: 'Accept removing steps (or journeys) where customers may wait, without a `moved` entry (they complete at once).',
  }),
  'skip-policies': Flags.boolean({description: 'Do not simulate the config policies first (recorded in the ledger).'}),
}

/** The GateBypass of parsed gate flags. */
export function bypassOf(flags: {force?: boolean; 'allow-drop'?: boolean; 'skip-policies'?: boolean}) {
  return {force: flags.force === true, allowDrop: flags['allow-drop'] === true, skipPolicies: flags['skip-policies'] === true}
}

/** `--store PATH`: the local event store (default: `store` in joe.config.yaml). */
export const storeFlag = Flags.string({
  description: 'Event store file (default: `store` in joe.config.yaml, else .joe/events.db).',
  helpValue: 'PATH',
})

/** `--format` of the commands that read event files (`joe events import`, `joe events send`). */
export const eventFileFormatFlag = Flags.string({
  description: 'Input format (default: detected).',
  options: ['auto', 'segment', 'joe', 'csv'],
  default: 'auto',
})
