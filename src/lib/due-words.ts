// A due date as a tired person reads it: "due today", "2 days overdue", not a bare date.

const DAY_MS = 86_400_000;
const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' });

/** Whole days from `today` to `dueOn` (both YYYY-MM-DD): negative when past. */
export function daysUntil(dueOn: string, today: string): number {
  return Math.round((Date.parse(`${dueOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS);
}

/** "due today", "due tomorrow", "due in 3 days" (within a week), "due 14 December"; "1 day overdue". */
export function dueInWords(dueOn: string, today: string): string {
  const days = daysUntil(dueOn, today);
  if (days < 0) return `${-days} ${days === -1 ? 'day' : 'days'} overdue`;
  if (days === 0) return 'due today';
  if (days === 1) return 'due tomorrow';
  if (days < 7) return `due in ${days} days`;
  return `due ${dayMonth.format(new Date(`${dueOn}T00:00:00Z`))}`;
}
