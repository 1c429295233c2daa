import type {Severity} from './errors.js'

export interface CodeInfo {
  /** Short rule name, used as the SARIF rule name. */
  name: string
  severity: Severity
  /** What the code means, for docs/journey-format.md and SARIF help. */
  summary: string
}

/**
 * Every stable diagnostic code joe emits. Codes are never reused or renumbered:
 * CI scripts and SARIF baselines key on them. Blocks: 1xxx parse/schema/files,
 * 2xxx journey rules, 3xxx store/import, 4xxx simulate/test, 5xxx diff, 6xxx deploy.
 */
export const CODES = {
  JOE1001: {name: 'yaml-syntax', severity: 'error', summary: 'The file is not valid YAML.'},
  JOE1002: {
    name: 'duplicate-key',
    severity: 'error',
    summary: 'A mapping has the same key twice; YAML keeps only one, so the other is silently lost.',
  },
  JOE1003: {name: 'tab-indentation', severity: 'error', summary: 'A tab is used for indentation; YAML allows only spaces.'},
  JOE1004: {
    name: 'alias-limit',
    severity: 'error',
    summary: 'Anchors and aliases expand to too many nodes (a "billion laughs" document); joe refuses to expand it.',
  },
  JOE1005: {name: 'empty-file', severity: 'error', summary: 'The file is empty or holds only comments.'},
  JOE1006: {name: 'unreadable-file', severity: 'error', summary: 'The file cannot be read, is binary, or is not UTF-8 text.'},
  JOE1007: {
    name: 'file-too-large',
    severity: 'error',
    summary: 'The file is larger than the 1 MiB limit for a journey, test or config file.',
  },
  JOE1008: {name: 'not-a-mapping', severity: 'error', summary: 'The document is not a YAML mapping (key: value pairs) at the top level.'},
  JOE1009: {
    name: 'multiple-documents',
    severity: 'error',
    summary: 'The file holds more than one YAML document (`---`); a journey file holds exactly one.',
  },
  JOE1010: {name: 'unknown-key', severity: 'error', summary: 'A key the format does not define.'},
  JOE1011: {name: 'missing-key', severity: 'error', summary: 'A required key is missing.'},
  JOE1012: {name: 'wrong-type', severity: 'error', summary: 'A value has the wrong type (for example a list where a mapping belongs).'},
  JOE1013: {name: 'invalid-value', severity: 'error', summary: 'A value is not one of the allowed values.'},
  JOE1014: {
    name: 'invalid-format',
    severity: 'error',
    summary: 'A value does not have the required form (ids, durations, times of day, format version).',
  },
  JOE1015: {
    name: 'ambiguous-kind',
    severity: 'error',
    summary:
      'An entry or step must have exactly one kind key (e.g. one of event/segment/schedule, or one of wait/wait_for/branch/split/send/update).',
  },
  JOE1016: {name: 'out-of-range', severity: 'error', summary: 'A number is outside its allowed range.'},
  JOE1017: {name: 'schema', severity: 'error', summary: 'Any other JSON Schema violation.'},
  JOE1020: {name: 'invalid-config', severity: 'error', summary: '`joe.config.yaml` does not parse or does not match its schema.'},
  JOE1021: {
    name: 'unresolved-variable',
    severity: 'error',
    summary: 'A `${NAME}` reference in the config names an environment variable that is not set.',
  },
  JOE1030: {name: 'no-journeys', severity: 'error', summary: 'The paths given (or the configured journeys folder) hold no journey files.'},
  JOE1031: {name: 'path-not-found', severity: 'error', summary: 'A path given on the command line does not exist.'},
  JOE2001: {name: 'duplicate-step-id', severity: 'error', summary: 'Two steps share an id; step ids are unique within a journey.'},
  JOE2002: {
    name: 'reserved-step-id',
    severity: 'error',
    summary: '`end` is reserved (it means "complete the journey") and cannot be a step id.',
  },
  JOE2003: {
    name: 'unknown-step',
    severity: 'error',
    summary: '`next`, `else`, `on_timeout` or a split/branch target names no step (and is not `end`).',
  },
  JOE2004: {name: 'unreachable-step', severity: 'warning', summary: 'No path from the entry reaches this step.'},
  JOE2005: {
    name: 'loop-without-wait',
    severity: 'error',
    summary: 'Steps form a loop with no `wait` or `wait_for`; a customer would spin forever at one instant.',
  },
  JOE2006: {name: 'split-percent-sum', severity: 'error', summary: 'Split percents must be integers that sum to 100.'},
  JOE2007: {name: 'duplicate-variant', severity: 'error', summary: 'Two variants of one split share a name.'},
  JOE2008: {name: 'missing-else', severity: 'error', summary: 'A branch has no `else`; every branch needs one so no customer is stranded.'},
  JOE2010: {name: 'cel-syntax', severity: 'error', summary: 'A CEL expression does not parse.'},
  JOE2011: {
    name: 'cel-unknown-variable',
    severity: 'error',
    summary: 'A CEL expression uses a variable that does not exist there (known: event, profile, journey, now, and channel in consent).',
  },
  JOE2012: {
    name: 'cel-type',
    severity: 'error',
    summary: 'A CEL expression does not type-check (e.g. comparing a string with a number, a condition that is not a bool).',
  },
  JOE2020: {
    name: 'unknown-template',
    severity: 'error',
    summary: "A send names a template that the config's `templates` catalog does not list for that channel.",
  },
  JOE2030: {
    name: 'exit-is-entry',
    severity: 'warning',
    summary: 'An exit criterion is the entry event itself, so customers would leave on the next such event.',
  },
  JOE2031: {
    name: 'goal-is-entry',
    severity: 'warning',
    summary: 'The goal event is the entry event itself, so every re-trigger counts as a conversion.',
  },
  JOE2040: {name: 'holdout-range', severity: 'error', summary: '`settings.holdout` is a percent from 0 to 50.'},
  JOE2050: {
    name: 'duplicate-journey-id',
    severity: 'error',
    summary: 'Two journey files declare the same `id`; ids are unique in a project.',
  },
  JOE2060: {name: 'non-positive-duration', severity: 'error', summary: 'A duration is zero or negative.'},
  JOE2061: {
    name: 'invalid-moved',
    severity: 'error',
    summary: 'A `moved` entry points to a step that does not exist, or maps a step that still exists.',
  },
  JOE2062: {name: 'invalid-timezone', severity: 'error', summary: '`settings.timezone` is not UTC, `profile`, or a known IANA time zone.'},
  JOE2063: {name: 'invalid-cron', severity: 'error', summary: 'A schedule entry has a cron expression that is not standard 5-field cron.'},
  JOE2064: {name: 'empty-quiet-hours', severity: 'error', summary: 'Quiet hours start and end at the same time.'},
  JOE2065: {
    name: 'unused-next',
    severity: 'warning',
    summary: 'A `next` on a branch or split step is ignored: its cases or variants choose the next step.',
  },
  JOE2090: {name: 'test-unknown-journey', severity: 'error', summary: 'A test file names a journey id that no journey file declares.'},
  JOE2091: {name: 'test-unknown-step', severity: 'error', summary: 'A test expects a path through a step that the journey does not have.'},
  JOE2092: {name: 'test-unknown-variant', severity: 'error', summary: 'A test pins a split variant that the journey does not have.'},
  JOE2093: {
    name: 'test-invalid-time',
    severity: 'error',
    summary: 'A test event time is neither an ISO 8601 timestamp nor "+duration", or the first event is relative.',
  },
  JOE4001: {
    name: 'test-journey-invalid',
    severity: 'error',
    summary: 'A test file names a journey that has validation errors, so its cases cannot run.',
  },
} as const satisfies Record<string, CodeInfo>

export type DiagnosticCode = keyof typeof CODES
