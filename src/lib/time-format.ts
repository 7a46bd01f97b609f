// Every time a person reads is written in their own time zone (their account's), by
// these helpers: pages, emails, reminders and exports alike. A person never has to
// convert from UTC in their head.

/** The zones a person may choose: UTC first, then every IANA zone this runtime knows. */
export const TIME_ZONES: readonly string[] = [
  'UTC',
  ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC'),
];
const KNOWN_ZONES = new Set(TIME_ZONES);

export function isKnownTimeZone(zone: string): boolean {
  return KNOWN_ZONES.has(zone);
}

/** The zone as the list names it ('US/Eastern' → 'America/New_York'), or undefined when unknown. */
export function listedTimeZone(zone: string | undefined): string | undefined {
  if (!zone) return undefined;
  if (KNOWN_ZONES.has(zone)) return zone;
  try {
    const canonical = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    return KNOWN_ZONES.has(canonical) ? canonical : undefined;
  } catch {
    return undefined;
  }
}

/** 'America/New_York' as people write it: 'America/New York'. */
export function zoneLabel(zone: string): string {
  return zone.replaceAll('_', ' ');
}

const STYLES = {
  /** '7 Dec 2026, 03:38' */
  dateTime: { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  /** '7 Dec 2026' */
  shortDate: { day: 'numeric', month: 'short', year: 'numeric' },
  /** '7 December' */
  dayMonth: { day: 'numeric', month: 'long' },
  /** '7 December 2026' */
  date: { day: 'numeric', month: 'long', year: 'numeric' },
  /** '7 Dec 2026, 03:38:05' (the audit log) */
  preciseDateTime: {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  },
  /** 'Mon 7 Dec, 21:00' */
  dayTime: { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  /** '03:38' */
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;
export type TimeStyle = keyof typeof STYLES;

// Building an Intl.DateTimeFormat costs far more than using one: keep one per zone and style.
const formats = new Map<string, Intl.DateTimeFormat>();

/** An instant as the person reads it in `timeZone`. */
export function formatInZone(at: Date, timeZone: string, style: TimeStyle = 'dateTime'): string {
  const key = `${style} ${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { ...STYLES[style], timeZone });
    formats.set(key, format);
  }
  return format.format(at);
}

/** A calendar date (YYYY-MM-DD, e.g. a due date) in words: '14 December 2026'; it is the same day everywhere. */
export function formatCalendarDate(day: string, style: 'date' | 'shortDate' | 'dayMonth' = 'date'): string {
  return formatInZone(new Date(`${day}T12:00:00Z`), 'UTC', style);
}
