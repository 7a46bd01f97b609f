export const REFLECTION_MAX = 10_000;
/** Show the character counter once the text gets this close to the limit. */
export const REFLECTION_COUNTER_FROM = 8_000;
