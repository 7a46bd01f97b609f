/**
 * What a search box sent, ready to match: trimmed, at most `max` characters, without NUL
 * (PostgreSQL text cannot hold one, so a query with it would fail rather than find nothing).
 */
export function searchText(value: string | null, max: number): string {
  return (value ?? '')
    .replace(/\u0000/g, '')
    .trim()
    .slice(0, max);
}
