import { stringify } from 'csv-stringify/sync';

// Spreadsheet apps run a cell that starts with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell made safe for spreadsheets: a leading formula character is shown, not run. */
export function neutralizeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * RFC 4180 CSV (CRLF, quotes doubled) with a UTF-8 byte-order mark so Excel reads
 * names with accents correctly. Every cell goes through neutralizeCell.
 */
export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  const safe = [header, ...rows].map((row) =>
    row.map((cell) => neutralizeCell(cell === null || cell === undefined ? '' : String(cell))),
  );
  return '\uFEFF' + stringify(safe, { record_delimiter: '\r\n', quoted_match: /[",\r\n]/ });
}

/** A CSV file the browser downloads (never cached: it holds people's progress). */
export function csvDownload(filename: string, body: string): Response {
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'private, no-store',
    },
  });
}
