import { formatInZone, zoneLabel } from './time-format.ts';

/** Escapes Markdown syntax so a reflection reads back exactly as typed, never as markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|<>~])/g, '\\$1');
}

/** The journal as one Markdown file, its times in the owner's time zone. */
export function journalMarkdown(
  owner: string,
  entries: { title: string; prompt: string; text: string; updatedAt: Date }[],
  timeZone: string,
  now = new Date(),
): string {
  const parts = [
    `# Journal of ${escapeMarkdown(owner)}`,
    '',
    `Exported from Rounds on ${formatInZone(now, timeZone, 'date')}. Times are in ${zoneLabel(timeZone)}.`,
    '',
  ];
  for (const entry of entries) {
    parts.push(`## ${escapeMarkdown(entry.title)}`, '', `*${escapeMarkdown(entry.prompt)}*`, '');
    // Keep line breaks: two trailing spaces make a Markdown line break.
    parts.push(
      escapeMarkdown(entry.text).split(/\r?\n/).join('  \n'),
      '',
      `_Last changed ${formatInZone(entry.updatedAt, timeZone)}_`,
      '',
    );
  }
  return parts.join('\n');
}
