/**
 * The limits that keep every expression cheap to check and bounded to run,
 * in one place; docs/journey-format.md ("Limits") states the same numbers.
 *
 * Cost is counted in steps: one step per element of a list or map that a
 * macro (`all`, `exists`, `exists_one`, `map`, `filter`) iterates over. Each
 * step does a bounded amount of work (the macro's body, which cannot loop
 * except through further macros), so steps bound time. Nested macros multiply:
 * `a.all(x, b.all(y, ...))` costs size(a) + size(a) * size(b).
 */

/**
 * How deep brackets, `? :` and the parsed tree may nest. The parser and every
 * walker over the tree recurse, so deeper input would overflow the stack; no
 * real condition comes near this.
 */
export const MAX_NESTING = 100

/** The size validation assumes for a list or map whose size it cannot see (profile and event data). */
export const ASSUMED_LIST_SIZE = 100

/**
 * The worst-case steps validation accepts (JOE2013), with ASSUMED_LIST_SIZE
 * for unknown sizes: two macros nested over unknown lists (10,100) pass,
 * three (1,010,100) do not.
 */
export const STATIC_STEP_BUDGET = 100_000

/**
 * The steps one evaluation may take before it stops with an error (which the
 * engine counts as false and reports). Ten times the static budget, so data
 * larger than validation assumed still runs, while no evaluation runs long
 * (about a second at the library's speed of a step or two per microsecond).
 */
export const RUNTIME_STEP_BUDGET = 1_000_000
