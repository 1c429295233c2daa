import {JoeError} from '../errors.js'

/** The journey (and step) id pattern of the format spec. */
export const JOURNEY_ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/

/** A valid id close to `text` ("Spring Sale!" -> "spring-sale"), or undefined when none can be made. */
export function suggestJourneyId(text: string): string | undefined {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '')
  return JOURNEY_ID_PATTERN.test(slug) ? slug : undefined
}

/** Throws JOE1014 (a usage error) unless `id` is a valid journey id. */
export function assertJourneyId(id: string): void {
  if (JOURNEY_ID_PATTERN.test(id)) return
  const suggestion = suggestJourneyId(id)
  throw new JoeError('JOE1014', `"${id}" is not a valid journey id`, {
    hint:
      'ids start with a lowercase letter and use only lowercase letters, digits and "-", at most 63 characters' +
      (suggestion ? `; try "${suggestion}"` : ', e.g. "spring-sale"'),
    exitCode: 2,
  })
}
