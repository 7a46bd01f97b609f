/** Escapes Markdown syntax so a reflection reads back exactly as typed, never as markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|<>~])/g, '\\$1');
}

export function journalMarkdown(
  owner: string,
  entries: { title: string; prompt: string; text: string; updatedAt: Date }[],
): string {
  const parts = [
    `# Journal of ${escapeMarkdown(owner)}`,
    '',
    `Exported from Rounds on ${new Date().toISOString().slice(0, 10)}.`,
    '',
  ];
  for (const entry of entries) {
    parts.push(`## ${escapeMarkdown(entry.title)}`, '', `*${escapeMarkdown(entry.prompt)}*`, '');
    // Keep line breaks: two trailing spaces make a Markdown line break.
    parts.push(
      escapeMarkdown(entry.text).split(/\r?\n/).join('  \n'),
      '',
      `_Last changed ${entry.updatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC_`,
      '',
    );
  }
  return parts.join('\n');
}
