export const REFLECTION_MAX = 10_000;
/** Show the character counter once the text gets this close to the limit. */
export const REFLECTION_COUNTER_FROM = 8_000;

/** What a form without script says when a reflection is over the limit: how long it is and how much to cut. */
export function reflectionTooLongMessage(length: number): string {
  const n = (value: number) => value.toLocaleString('en');
  return `Too long to save: ${n(length)} characters, ${n(length - REFLECTION_MAX)} over the limit of ${n(REFLECTION_MAX)}. Shorten it and save again; your text is kept below.`;
}
