// The Nu HTML Checker (npm `vnu-jar`, run with the machine's Java) over saved HTML files.
import { spawnSync } from 'node:child_process';
import vnuJar from 'vnu-jar';

export interface VnuMessage {
  type: string;
  subType?: string;
  file: string;
  line?: number;
  text: string;
}

export function validateHtml(files: string[]): { errors: number; warnings: number; messages: VnuMessage[] } {
  if (files.length === 0) return { errors: 0, warnings: 0, messages: [] };
  const run = spawnSync('java', ['-Xss1024k', '-jar', vnuJar, '--format', 'json', '--exit-zero-always', ...files], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw new Error(`Could not run Java for the Nu HTML Checker: ${run.error.message}`);
  // vnu writes its JSON report to stderr.
  const text = run.stderr.trim() || run.stdout.trim();
  const report = JSON.parse(text) as {
    messages: { type: string; subType?: string; url?: string; lastLine?: number; message: string }[];
  };
  const messages = report.messages.map((m) => ({
    type: m.type,
    subType: m.subType,
    file: decodeURIComponent((m.url ?? '').replace(/^file:/, '')),
    line: m.lastLine,
    text: m.message,
  }));
  const errors = messages.filter((m) => m.type === 'error' || m.type === 'non-document-error').length;
  const warnings = messages.filter((m) => m.type === 'info' && m.subType === 'warning').length;
  return { errors, warnings, messages };
}
