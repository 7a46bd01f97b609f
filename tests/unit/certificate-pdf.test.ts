import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import {
  renderCertificatePdf,
  unsupportedCharacters,
  UndrawableTextError,
  type CertificatePdfInput,
} from '#server/certificates/pdf.ts';

// These tests read the PDFs back with Poppler and qpdf, as a credentialing office's tools would.
const TOOLS = ['pdftotext', 'pdfinfo', 'pdffonts', 'pdftoppm', 'qpdf'];

const NAMES = ['Nguyễn Thị Ánh', 'Zoë Ødegaard', 'Łukasz Żółć', 'Ἀλέξανδρος', 'Юлия', 'José Álvarez'];
const STATEMENT =
  'Northside Community Health is approved as a provider of nursing continuing professional development by the State Nurses Association, an accredited approver. This enduring material has been approved for 0.5 contact hours.';

const base: CertificatePdfInput = {
  holderName: 'Zoë Ødegaard',
  courseTitle: 'Safe medication handover at shift change',
  completedOn: new Date('2026-11-26T09:30:00Z'),
  contactHours: 0.5,
  certificateCode: 'RND-7K4Q-2M9X',
  verifyUrl: 'https://rounds.example.org/certificates/c_8f3k2m9x7q4w1z5t',
  issuedAt: new Date('2026-11-26T10:05:00Z'),
  expiresAt: null,
  providerName: 'Northside Community Health',
  providerAddress: '12 Harbour Street, Portland, OR 97204, USA',
  accreditationStatement: '',
};

let dir: string;
let count = 0;

beforeAll(() => {
  const missing = TOOLS.filter((tool) => spawnSync('which', [tool]).status !== 0);
  if (missing.length > 0) throw new Error(`Missing ${missing.join(', ')}: apt-get install -y poppler-utils qpdf`);
  dir = mkdtempSync(path.join(tmpdir(), 'rounds-certificate-pdf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function renderToFile(overrides: Partial<CertificatePdfInput> = {}): Promise<string> {
  const file = path.join(dir, `certificate-${++count}.pdf`);
  writeFileSync(file, await renderCertificatePdf({ ...base, ...overrides }));
  return file;
}

const run = (tool: string, ...args: string[]) => execFileSync(tool, args, { encoding: 'utf8' });
const extractText = (file: string) => run('pdftotext', '-enc', 'UTF-8', file, '-').normalize('NFC');
const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

function info(file: string): Record<string, string> {
  return Object.fromEntries(
    run('pdfinfo', '-enc', 'UTF-8', file)
      .split('\n')
      .filter((line) => line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  );
}

interface Word {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}
function words(file: string): Word[] {
  const html = run('pdftotext', '-enc', 'UTF-8', '-bbox', file, '-');
  return [
    ...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g),
  ].map((m) => ({
    xMin: Number(m[1]),
    yMin: Number(m[2]),
    xMax: Number(m[3]),
    yMax: Number(m[4]),
    text: m[5]!,
  }));
}

function expectValidPdf(file: string) {
  const qpdf = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  expect(qpdf.status, qpdf.stdout + qpdf.stderr).toBe(0);
  const pdfinfo = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  expect(pdfinfo.status).toBe(0);
  expect(pdfinfo.stderr).toBe('');
}

describe('renderCertificatePdf', () => {
  it.each(NAMES)('prints %s exactly, with what a continuing-education office checks', async (name) => {
    const file = await renderToFile({ holderName: name });
    expectValidPdf(file);
    const text = extractText(file);
    expect(text).toContain(name.normalize('NFC'));
    expect(text).toContain('Certificate of completion');
    expect(text).toContain(base.courseTitle);
    expect(text).toContain('has completed the enduring material');
    expect(text).toContain('Learning format: enduring material');
    expect(text).toContain('Completed on 26 November 2026');
    expect(text).toContain('Contact hours awarded: 0.5');
    expect(text).toContain(base.providerName);
    expect(text).toContain(base.providerAddress);
    expect(text).toContain(base.certificateCode);
    expect(text).toContain(base.verifyUrl);
  });

  it('prints a name typed in decomposed form (NFD) as its composed characters', async () => {
    const text = extractText(await renderToFile({ holderName: 'Nguyễn Thị Ánh'.normalize('NFD') }));
    expect(text).toContain('Nguyễn Thị Ánh');
  });

  it('is one landscape page that fits A4 and US Letter, with subset fonts and metadata', async () => {
    const file = await renderToFile();
    const meta = info(file);
    expect(meta.Pages).toBe('1');
    const [width, height] = meta['Page size']!.match(/[\d.]+/g)!.map(Number) as [number, number];
    expect(width).toBeGreaterThan(height);
    expect(width).toBeLessThanOrEqual(792); // Letter landscape is 792 pt wide
    expect(height).toBeLessThanOrEqual(595.3); // A4 landscape is 595.3 pt high
    expect(meta.Title).toContain('Zoë Ødegaard');
    expect(meta.Author).toBe(base.providerName);
    expect(meta.CreationDate).toContain('2026');
    expect(new Date(run('pdfinfo', '-isodates', file).match(/CreationDate:\s+(\S+)/)![1]!)).toEqual(base.issuedAt);

    const fonts = run('pdffonts', file).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) expect(font).toMatch(/^[A-Z]{6}\+\S+\s.*\byes\s+yes\s+yes\b/); // embedded, subset, ToUnicode
    expect(readFileSync(file).byteLength).toBeLessThan(100_000);
  });

  it('gives the same bytes for the same certificate', async () => {
    const [first, second] = await Promise.all([renderCertificatePdf(base), renderCertificatePdf(base)]);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
  });

  it('prints the accreditation statement only when there is one', async () => {
    const withStatement = collapse(extractText(await renderToFile({ accreditationStatement: STATEMENT })));
    expect(withStatement).toContain(STATEMENT);
    const without = collapse(extractText(await renderToFile({ accreditationStatement: '  ' })));
    expect(without).not.toContain('approved as a provider');
    expect(without).not.toContain('State Nurses Association');
  });

  it('prints the expiry date only when the certificate expires', async () => {
    expect(extractText(await renderToFile())).not.toContain('Valid until');
    expect(extractText(await renderToFile({ expiresAt: new Date('2028-11-26T10:05:00Z') }))).toContain(
      'Valid until 26 November 2028',
    );
  });

  it('draws a QR code that scans to the verification URL', async () => {
    const file = await renderToFile();
    const prefix = path.join(dir, 'qr');
    run('pdftoppm', '-r', '100', '-gray', '-singlefile', file, prefix);
    const pgm = readFileSync(`${prefix}.pgm`);
    // Binary PGM: "P5\n<width> <height>\n<max>\n" then one byte per pixel.
    const [, width, height, max] = pgm
      .toString('latin1', 0, 40)
      .match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/)!
      .map(Number) as number[];
    expect(max).toBe(255);
    const pixels = pgm.subarray(pgm.byteLength - width! * height!);
    const rgba = new Uint8ClampedArray(width! * height! * 4);
    pixels.forEach((value, i) => rgba.fill(value, i * 4, i * 4 + 3).fill(255, i * 4 + 3, i * 4 + 4));
    const code = jsQR(rgba, width!, height!);
    expect(code?.data).toBe(base.verifyUrl);
    // Upright, not mirrored: the corner finder pattern is at the top left of the page image.
    const {
      topLeftFinderPattern: topLeft,
      topRightFinderPattern: topRight,
      bottomLeftFinderPattern: bottomLeft,
    } = code!.location;
    expect(topLeft.x).toBeLessThan(topRight.x);
    expect(topLeft.y).toBeLessThan(bottomLeft.y);
  });

  it('fits a 60-character name and a long course title without overlapping or leaving the frame', async () => {
    const holderName = 'Maria-Fernanda de los Ángeles Castañeda-Villalobos y Ødegård';
    expect(holderName.length).toBe(60);
    const courseTitle =
      'Recognising and responding to the deteriorating patient in community and residential aged-care settings: early warning scores, escalation pathways and structured communication with families';
    const file = await renderToFile({
      holderName,
      courseTitle,
      accreditationStatement: STATEMENT.repeat(4),
      expiresAt: new Date('2028-01-01'),
      status: 'reissued',
    });
    expectValidPdf(file);
    const text = collapse(extractText(file));
    expect(text).toContain(holderName);
    expect(text).toContain(courseTitle);

    const boxes = words(file);
    for (const word of boxes) {
      expect(word.xMin, word.text).toBeGreaterThanOrEqual(28);
      expect(word.xMax, word.text).toBeLessThanOrEqual(792 - 28);
      expect(word.yMin, word.text).toBeGreaterThanOrEqual(28);
      expect(word.yMax, word.text).toBeLessThanOrEqual(595 - 28);
    }
    const overlaps = boxes.flatMap((a, i) =>
      boxes
        .slice(i + 1)
        .filter((b) => a.xMin < b.xMax - 0.5 && b.xMin < a.xMax - 0.5 && a.yMin < b.yMax - 0.5 && b.yMin < a.yMax - 0.5)
        .map((b) => `${a.text} / ${b.text}`),
    );
    expect(overlaps).toEqual([]);
  });

  it.each([
    ['revoked', 'REVOKED — see verification page'],
    ['reissued', 'REISSUED — see verification page for the current certificate'],
  ] as const)('marks a %s certificate with a banner', async (status, banner) => {
    const text = extractText(await renderToFile({ status }));
    expect(text).toContain(banner);
    expect(text).toContain('Zoë Ødegaard');
  });

  it('names stay extractable whatever was printed before in the same process (the font is shared)', async () => {
    // "Ż", "Ǻ", "ῼ" are composite glyphs: subsetting them once used to strip "Z", "A", "Ω" of their Unicode mapping.
    for (const first of ['Łukasz Żółć', 'Ǻsa Ῥόδη ῼ']) await renderToFile({ holderName: first });
    for (const name of [...NAMES, 'Zygmunt Żak', 'Ånsa Ωmega'])
      expect(collapse(extractText(await renderToFile({ holderName: name }))), name).toContain(name.normalize('NFC'));
  });

  it('has no banner while the certificate is valid', async () => {
    const text = extractText(await renderToFile({ status: 'valid' }));
    expect(text).not.toMatch(/REVOKED|REISSUED|EXPIRED/);
  });

  it('an expired certificate says so above its term, which it still states as issued', async () => {
    const text = extractText(await renderToFile({ status: 'expired', expiresAt: new Date('2026-03-01T00:00:00Z') }));
    expect(text).toContain('EXPIRED on 1 March 2026 — see verification page');
    expect(text).toContain('Valid until 1 March 2026');
    expect(text).toContain('Zoë Ødegaard');
  });
});

describe('unsupportedCharacters', () => {
  it.each(NAMES)('accepts %s', (name) => expect(unsupportedCharacters(name)).toEqual([]));

  it('lists characters the font cannot draw, each once', () => {
    expect(unsupportedCharacters('李雷')).toEqual(['李', '雷']);
    expect(unsupportedCharacters('Ana 李 Li 李')).toEqual(['李']);
  });

  it('refuses right-to-left scripts, which would print backwards', () => {
    expect(unsupportedCharacters('שרה')).toHaveLength(3);
  });

  it('refuses to render a name it cannot print, naming the characters', async () => {
    const rendering = renderCertificatePdf({ ...base, holderName: '李雷' });
    await expect(rendering).rejects.toBeInstanceOf(UndrawableTextError);
    await expect(rendering).rejects.toThrow('The name contains characters the certificate cannot print: "李", "雷".');
  });
});
