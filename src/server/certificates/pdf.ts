import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import {
  PDFDocument,
  degrees,
  fill,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  rgb,
  setFillingColor,
  type Color,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';
import QRCode from 'qrcode';

export interface CertificatePdfInput {
  holderName: string;
  courseTitle: string;
  completedOn: Date;
  contactHours: number;
  certificateCode: string;
  verifyUrl: string;
  issuedAt: Date;
  expiresAt: Date | null;
  providerName: string;
  providerAddress: string;
  accreditationStatement: string;
  /** Continuing-education credit the learner claimed (issue 21); absent on a completion certificate. */
  credit?: { typeLabel: string; hours: string; activityId: string } | null;
  /** What was completed (the learning format): a course's enduring material unless given (an event's activity). */
  format?: string;
  /**
   * The certificate's status when the PDF is made (it is made on each download). An
   * expired one still prints "Valid until <date>" — the term it was issued for, which a
   * continuing-education office records — under a banner saying it has expired.
   */
  status?: 'valid' | 'revoked' | 'reissued' | 'expired';
  /** IANA zone the dates are written in; UTC when absent. */
  timeZone?: string;
}

/** Thrown before anything is drawn, so a certificate is never issued with blank boxes. */
export class UndrawableTextError extends Error {
  readonly field: string;
  readonly characters: string[];
  constructor(field: string, characters: string[]) {
    super(
      `The ${field} contains characters the certificate cannot print: ${characters.map((c) => `"${c}"`).join(', ')}.`,
    );
    this.name = 'UndrawableTextError';
    this.field = field;
    this.characters = characters;
  }
}

// --- Fonts -------------------------------------------------------------------------------
// DejaVu covers Latin Extended (Vietnamese), polytonic Greek and Cyrillic. Resolved through
// node_modules so it works both from src/ and from the built server bundle.

const FONT_FILES = {
  serif: 'DejaVuSerif.ttf',
  serifBold: 'DejaVuSerif-Bold.ttf',
  sans: 'DejaVuSans.ttf',
  sansBold: 'DejaVuSans-Bold.ttf',
} as const;
type FontRole = keyof typeof FONT_FILES;
type Face = ReturnType<typeof fontkit.create>;

let fontCache:
  { bytes: Record<FontRole, Uint8Array>; faces: Record<FontRole, Face>; parsed: Map<Uint8Array, Face> } | undefined;

/**
 * fontkit caches each glyph with the characters of its first lookup. Subsetting a composite
 * glyph ("Ż" is Z plus a dot) looks its parts up with none, and the face is shared by every
 * PDF: from then on "Z" had no Unicode mapping, and text extraction dropped it from the next
 * certificate's names ("oë Ødegaard"). A lookup that knows the characters fills them in.
 */
function keepCodePoints(face: Face): Face {
  const getGlyph = face.getGlyph.bind(face);
  face.getGlyph = (id: number, characters: number[] = []) => {
    const glyph = getGlyph(id, characters);
    if (glyph.codePoints.length === 0 && characters.length > 0)
      (glyph as { codePoints: number[] }).codePoints = characters;
    return glyph;
  };
  return face;
}

/** Reads and parses the fonts once per process. */
function fonts(): NonNullable<typeof fontCache> {
  if (!fontCache) {
    const require = createRequire(import.meta.url);
    const bytes = {} as Record<FontRole, Uint8Array>;
    const faces = {} as Record<FontRole, Face>;
    for (const role of Object.keys(FONT_FILES) as FontRole[]) {
      bytes[role] = readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${FONT_FILES[role]}`));
      faces[role] = keepCodePoints(fontkit.create(bytes[role]));
    }
    fontCache = {
      bytes,
      faces,
      parsed: new Map((Object.keys(faces) as FontRole[]).map((role) => [bytes[role], faces[role]])),
    };
  }
  return fontCache;
}

// Subset fonts are named "TAG+Name" (PDF 32000 9.6.4); fixed tags keep output reproducible.
const SUBSET_NAMES: Record<FontRole, string> = {
  serif: 'RNDSRF+DejaVuSerif',
  serifBold: 'RNDSRB+DejaVuSerif-Bold',
  sans: 'RNDSNS+DejaVuSans',
  sansBold: 'RNDSNB+DejaVuSans-Bold',
};

// pdf-lib parses the font bytes on every embed; parsing DejaVu's large layout tables is most
// of the render time. Hand it the already parsed face instead: a face is read-only here and
// every document makes its own subset from it.
const cachedFontkit = {
  create: (data: Uint8Array, postscriptName?: string) =>
    fonts().parsed.get(data) ?? fontkit.create(data, postscriptName),
};

// pdf-lib places glyphs left to right without bidi reordering, so right-to-left scripts
// would print backwards even where the font has the glyphs.
const RIGHT_TO_LEFT =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Adlam}]/u;

const ALL_ROLES = Object.keys(FONT_FILES) as FontRole[];

function missingGlyphs(text: string, roles: readonly FontRole[]): string[] {
  const { faces } = fonts();
  const missing = new Set<string>();
  for (const char of text.normalize('NFC')) {
    if (/\s/u.test(char)) continue; // whitespace is collapsed to plain spaces before drawing
    const codePoint = char.codePointAt(0)!;
    if (RIGHT_TO_LEFT.test(char) || roles.some((role) => !faces[role].hasGlyphForCodePoint(codePoint)))
      missing.add(char);
  }
  return [...missing];
}

/**
 * Characters of `text` the certificate cannot print, in order, each once (checked against
 * every certificate font). Issuance calls this on the name to refuse it with a clear message.
 */
export function unsupportedCharacters(text: string): string[] {
  return missingGlyphs(text, ALL_ROLES);
}

// Each field against the fonts it is drawn in.
const FIELD_FONTS = {
  holderName: { label: 'name', roles: ['serifBold'] },
  courseTitle: { label: 'course title', roles: ['serifBold'] },
  providerName: { label: 'provider name', roles: ['sansBold'] },
  providerAddress: { label: 'provider address', roles: ['sans'] },
  accreditationStatement: { label: 'accreditation statement', roles: ['sans'] },
  certificateCode: { label: 'certificate code', roles: ['sansBold'] },
  verifyUrl: { label: 'verification URL', roles: ['sans'] },
} as const satisfies Partial<Record<keyof CertificatePdfInput, { label: string; roles: readonly FontRole[] }>>;

/** Throws UndrawableTextError for the first field with characters its font cannot print. */
export function assertDrawable(input: CertificatePdfInput): void {
  for (const [field, { label, roles }] of Object.entries(FIELD_FONTS)) {
    const missing = missingGlyphs(input[field as keyof typeof FIELD_FONTS], roles);
    if (missing.length > 0) throw new UndrawableTextError(label, missing);
  }
}

// --- Formatting --------------------------------------------------------------------------

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** "26 November 2026": day, month name, year reads the same in every country. */
export function formatCertificateDate(date: Date, timeZone = 'UTC'): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone });
    dateFormats.set(timeZone, format);
  }
  return format.format(date);
}

/** 0.5 -> "0.5", 1 -> "1", 1.25 -> "1.25". */
export function formatContactHours(hours: number): string {
  if (!Number.isFinite(hours) || hours < 0)
    throw new RangeError(`Contact hours must be a non-negative number, got ${hours}.`);
  return String(Math.round(hours * 100) / 100);
}

const singleLine = (text: string) => text.normalize('NFC').replace(/\s+/g, ' ').trim();

// --- Layout ------------------------------------------------------------------------------
// 792 x 595 pt is the overlap of US Letter (792 x 612) and A4 (842 x 595) landscape, so the
// page prints at 100 % on either without cropping; content keeps a 0.75 in margin inside it.

const PAGE_WIDTH = 792;
const PAGE_HEIGHT = 595;
const MARGIN_X = 72;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X;
const TEXT_WIDTH = 600;

const INK = rgb(0.11, 0.15, 0.2);
const MUTED = rgb(0.36, 0.4, 0.46);
const ACCENT = rgb(0x0b / 255, 0x5d / 255, 0x57 / 255);
const ALERT = rgb(0.72, 0.1, 0.1);

type Fonts = Record<FontRole, PDFFont>;
interface TextBlock {
  lines: string[];
  font: FontRole;
  size: number;
  color: Color;
  leading: number;
}

// pdf-lib positions glyphs by their advance widths only (no kerning, no mark positioning), so
// shaping would be computed and thrown away; turning it off keeps glyphs = cmap lookups and
// makes embedding several times faster.
const NO_SHAPING = {
  liga: false,
  clig: false,
  calt: false,
  rlig: false,
  ccmp: false,
  locl: false,
  kern: false,
  mark: false,
  mkmk: false,
};

/** Width in points exactly as pdf-lib will draw it: the sum of glyph advances. */
function measure(role: FontRole, text: string, size: number): number {
  const face = fonts().faces[role];
  let units = 0;
  for (const char of text) units += face.glyphForCodePoint(char.codePointAt(0)!).advanceWidth;
  return (units / face.unitsPerEm) * size;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Greedy word wrap; a word wider than the line is broken between graphemes. */
function wrap(text: string, font: FontRole, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  const fits = (candidate: string) => measure(font, candidate, size) <= width;
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    if (fits(word)) {
      line = word;
      continue;
    }
    for (const { segment } of graphemes.segment(word)) {
      if (line && !fits(line + segment)) {
        lines.push(line);
        line = '';
      }
      line += segment;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Largest size at which the text fits: each stage allows up to `lines` lines down to `minSize`,
 * so a long name first shrinks on one line and only then wraps. Past the last stage the text
 * keeps its smallest size and takes the lines it needs: never cut off.
 */
function fitText(
  text: string,
  font: FontRole,
  options: {
    maxSize: number;
    stages: { lines: number; minSize: number }[];
    width: number;
    color: Color;
    leading?: number;
  },
): TextBlock {
  const { maxSize, stages, width, color, leading = 1.2 } = options;
  const block = (lines: string[], size: number): TextBlock => ({ lines, font, size, color, leading: size * leading });
  for (const stage of stages) {
    for (let size = maxSize; size >= Math.min(stage.minSize, maxSize); size -= 0.5) {
      const lines = wrap(text, font, size, width);
      if (lines.length <= stage.lines) return block(lines, size);
    }
  }
  const smallest = Math.min(stages.at(-1)!.minSize, maxSize);
  return block(wrap(text, font, smallest, width), smallest);
}

function paragraphs(
  text: string,
  font: FontRole,
  options: { size: number; width: number; color: Color; leading?: number },
): TextBlock {
  const lines = text
    .normalize('NFC')
    .split(/\r?\n/)
    .map((part) => part.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .flatMap((part) => wrap(part, font, options.size, options.width));
  return { lines, font, size: options.size, color: options.color, leading: options.size * (options.leading ?? 1.3) };
}

const blockHeight = (block: TextBlock) => block.lines.length * block.leading;
const stackHeight = (blocks: TextBlock[]) => blocks.reduce((sum, block) => sum + blockHeight(block), 0);
const label = (text: string): TextBlock => ({ lines: [text], font: 'sans', size: 7.5, color: MUTED, leading: 10 });

/** Draws the block's lines with the first baseline one font size below `top`. */
function drawBlock(page: PDFPage, font: Fonts, block: TextBlock, top: number, align: Align, x: number): void {
  let y = top;
  for (const line of block.lines) {
    const width = measure(block.font, line, block.size);
    const left = align === 'center' ? x - width / 2 : align === 'right' ? x - width : x;
    page.drawText(line, { x: left, y: y - block.size, size: block.size, font: font[block.font], color: block.color });
    y -= block.leading;
  }
}

/** The QR code as vector rectangles (one per run of dark modules), sharp at any print size. */
function drawQrCode(page: PDFPage, text: string, x: number, y: number, side: number): void {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const module = side / size;
  const operators = [pushGraphicsState(), setFillingColor(INK)];
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!data[row * size + col]) continue;
      const start = col;
      while (col + 1 < size && data[row * size + col + 1]) col++;
      operators.push(rectangle(x + start * module, y + side - (row + 1) * module, (col + 1 - start) * module, module));
    }
  }
  operators.push(fill(), popGraphicsState());
  page.pushOperators(...operators);
}

function drawBanner(
  page: PDFPage,
  font: Fonts,
  status: 'revoked' | 'reissued' | 'expired',
  validUntil: string | null,
): void {
  const message = {
    revoked: 'REVOKED — see verification page',
    reissued: 'REISSUED — see verification page for the current certificate',
    expired: `EXPIRED on ${validUntil} — see verification page`,
  }[status];
  page.drawRectangle({ x: 30, y: PAGE_HEIGHT - 62, width: PAGE_WIDTH - 60, height: 30, color: ALERT });
  const size = 13;
  page.drawText(message, {
    x: (PAGE_WIDTH - measure('sansBold', message, size)) / 2,
    y: PAGE_HEIGHT - 52,
    size,
    font: font.sansBold,
    color: rgb(1, 1, 1),
  });
  // A faint diagonal word makes a printed copy obviously void even if the banner is cut off.
  // Drawn as outlines, not text, so it does not interleave with the real text when extracted.
  const face = fonts().faces.sansBold;
  let path = '';
  let advance = 0;
  for (const char of status.toUpperCase()) {
    const glyph = face.glyphForCodePoint(char.codePointAt(0)!);
    // Font units are y-up, SVG y-down. (fontkit's Path has transform(); pdf-lib's type omits it.)
    const outline = glyph.path as typeof glyph.path & { transform(...matrix: number[]): typeof glyph.path };
    path += outline.transform(1, 0, 0, -1, advance, 0).toSVG();
    advance += glyph.advanceWidth;
  }
  const wordSize = 120;
  const scale = wordSize / face.unitsPerEm;
  const width = advance * scale;
  const height = 0.73 * wordSize; // DejaVu's cap height
  const angle = Math.atan2(PAGE_HEIGHT - 120, PAGE_WIDTH);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  page.drawSvgPath(path, {
    x: PAGE_WIDTH / 2 - (cos * width - sin * height) / 2,
    y: PAGE_HEIGHT / 2 - 20 - (sin * width + cos * height) / 2,
    scale,
    rotate: degrees((angle * 180) / Math.PI),
    color: ALERT,
    opacity: 0.08,
    borderWidth: 0,
  });
}

// --- Page plan -------------------------------------------------------------------------

type Align = 'center' | 'left' | 'right';
interface PlacedText {
  block: TextBlock;
  top: number;
  align: Align;
  x: number;
}
interface PagePlan {
  texts: PlacedText[];
  rules: { x: number; y: number; width: number; height: number; color: Color }[];
  /** Points by which the body overlaps header or footer; 0 or less when everything fits. */
  overflow: number;
}

/** The certificate's wording, normalised and formatted, ready to be laid out. */
interface CertificateText {
  holderName: string;
  courseTitle: string;
  providerName: string;
  providerAddress: string;
  statement: string;
  code: string;
  verifyUrl: string;
  completedOn: string;
  issuedOn: string;
  validUntil: string | null;
  contactHours: string;
  credit: { typeLabel: string; hours: string; activityId: string } | null;
  format: string;
  status: NonNullable<CertificatePdfInput['status']>;
}

// Long names, titles and statements together may not fit at the preferred sizes: the page is
// planned again at each step until it fits.
const TIGHTNESS = [
  { title: 32, body: 1, statement: 8 },
  { title: 30, body: 0.9, statement: 7.5 },
  { title: 28, body: 0.8, statement: 7 },
  { title: 26, body: 0.7, statement: 6.5 },
  { title: 24, body: 0.6, statement: 6 },
];

const FOOTER_BOTTOM = 48;
const QR_SIDE = 78;
const QR_GAP = 14;
const CENTRE = PAGE_WIDTH / 2;

function planPage(text: CertificateText, tight: (typeof TIGHTNESS)[number]): PagePlan {
  const texts: PlacedText[] = [];
  const rules: PagePlan['rules'] = [];
  const place = (block: TextBlock, top: number, align: Align, x: number) => {
    texts.push({ block, top, align, x });
    return top - blockHeight(block);
  };

  // Header: provider, title, accent rule.
  let y = PAGE_HEIGHT - (text.status === 'valid' ? 62 : 84);
  y = place(
    fitText(text.providerName, 'sansBold', {
      maxSize: 11,
      stages: [{ lines: 1, minSize: 8 }],
      width: TEXT_WIDTH,
      color: ACCENT,
    }),
    y,
    'center',
    CENTRE,
  );
  y = place(
    { lines: ['Certificate of completion'], font: 'serif', size: tight.title, color: INK, leading: tight.title },
    y - 14 * tight.body,
    'center',
    CENTRE,
  );
  rules.push({ x: CENTRE - 28, y: y - 16 * tight.body, width: 56, height: 1.5, color: ACCENT });
  const headerBottom = y - 16 * tight.body - 1.5;

  // Footer: provider and address at left; code, verification URL and QR code at right.
  const right: TextBlock[] = [
    label('Certificate code'),
    fitText(text.code, 'sansBold', { maxSize: 12, stages: [{ lines: 1, minSize: 8 }], width: 320, color: INK }),
    { lines: [`Issued ${text.issuedOn}`], font: 'sans', size: 8.5, color: MUTED, leading: 14 },
    label('Verify this certificate at'),
    fitText(text.verifyUrl, 'sans', { maxSize: 9, stages: [{ lines: 1, minSize: 6.5 }], width: 320, color: ACCENT }),
  ];
  const rightWidth = Math.max(
    ...right.flatMap((block) => block.lines.map((line) => measure(block.font, line, block.size))),
  );
  const leftWidth = CONTENT_WIDTH - QR_SIDE - QR_GAP - rightWidth - 32;
  const left: TextBlock[] = [
    label('Provider'),
    fitText(text.providerName, 'sansBold', {
      maxSize: 9.5,
      stages: [{ lines: 2, minSize: 7.5 }],
      width: leftWidth,
      color: INK,
      leading: 1.3,
    }),
    paragraphs(text.providerAddress, 'sans', { size: 8.5, width: leftWidth, color: MUTED }),
  ];
  const footerTop = FOOTER_BOTTOM + Math.max(QR_SIDE, stackHeight(right), stackHeight(left));
  let rightTop = FOOTER_BOTTOM + Math.max(QR_SIDE, stackHeight(right));
  for (const block of right) rightTop = place(block, rightTop, 'right', MARGIN_X + CONTENT_WIDTH - QR_SIDE - QR_GAP);
  let leftTop = footerTop;
  for (const block of left) leftTop = place(block, leftTop, 'left', MARGIN_X);

  // Accreditation statement: standing alone above the footer, only when there is one.
  let bodyFloor = footerTop + 20 * tight.body;
  if (text.statement) {
    const block = paragraphs(text.statement, 'sans', { size: tight.statement, width: 560, color: INK, leading: 1.35 });
    const top = bodyFloor + blockHeight(block);
    place(block, top, 'center', CENTRE);
    rules.push({ x: CENTRE - 120, y: top + 10 * tight.body, width: 240, height: 0.4, color: MUTED });
    bodyFloor = top + 26 * tight.body;
  }

  // Body: who, what, when, how much — centred in the space left between header and footer.
  const details = [
    `Completed on ${text.completedOn}`,
    text.credit ? `${text.credit.typeLabel}: ${text.credit.hours}` : `Contact hours awarded: ${text.contactHours}`,
    `Learning format: ${text.format}`,
  ];
  const detailLines = [
    details.join('   ·   '),
    ...(text.credit ? [`Activity ID ${text.credit.activityId}`] : []),
    ...(text.validUntil ? [`Valid until ${text.validUntil}`] : []),
  ];
  const body: TextBlock[] = [
    { lines: ['This certifies that'], font: 'sans', size: 11, color: MUTED, leading: 11 },
    fitText(text.holderName, 'serifBold', {
      maxSize: 32 * tight.body,
      stages: [
        { lines: 1, minSize: 20 },
        { lines: 2, minSize: 14 },
      ],
      width: TEXT_WIDTH,
      color: INK,
    }),
    { lines: [`has completed the ${text.format}`], font: 'sans', size: 11, color: MUTED, leading: 11 },
    fitText(text.courseTitle, 'serifBold', {
      maxSize: 22 * tight.body,
      stages: [
        { lines: 2, minSize: 16 },
        { lines: 3, minSize: 11 },
      ],
      width: TEXT_WIDTH,
      color: ACCENT,
    }),
    {
      lines: detailLines,
      font: 'sans',
      size: 10,
      color: INK,
      leading: 15,
    },
  ];
  const gaps = [14, 10, 14, 18, 0].map((gap) => gap * tight.body);
  const bodyHeight = stackHeight(body) + gaps.reduce((a, b) => a + b, 0);
  const available = headerBottom - bodyFloor - 12; // keep clear of the rule under the title
  y = headerBottom - 6 - Math.max(0, (available - bodyHeight) / 2);
  body.forEach((block, i) => {
    y = place(block, y, 'center', CENTRE) - gaps[i]!;
  });
  return { texts, rules, overflow: bodyHeight - available };
}

// --- Rendering ---------------------------------------------------------------------------

export async function renderCertificatePdf(input: CertificatePdfInput): Promise<Uint8Array> {
  assertDrawable(input);
  const timeZone = input.timeZone ?? 'UTC';
  const text: CertificateText = {
    holderName: singleLine(input.holderName),
    courseTitle: singleLine(input.courseTitle),
    providerName: singleLine(input.providerName),
    providerAddress: input.providerAddress,
    statement: input.accreditationStatement.trim(),
    code: singleLine(input.certificateCode),
    verifyUrl: input.verifyUrl.trim(),
    completedOn: formatCertificateDate(input.completedOn, timeZone),
    issuedOn: formatCertificateDate(input.issuedAt, timeZone),
    validUntil: input.expiresAt ? formatCertificateDate(input.expiresAt, timeZone) : null,
    contactHours: formatContactHours(input.contactHours),
    credit: input.credit
      ? {
          typeLabel: singleLine(input.credit.typeLabel),
          hours: input.credit.hours,
          activityId: singleLine(input.credit.activityId),
        }
      : null,
    format: input.format ?? 'enduring material',
    status: input.status ?? 'valid',
  };
  let plan = planPage(text, TIGHTNESS[0]!);
  for (const tight of TIGHTNESS.slice(1)) {
    if (plan.overflow <= 0) break;
    plan = planPage(text, tight);
  }

  const doc = await PDFDocument.create();
  // pdf-lib compresses font subsets with pako (JavaScript); Node's native zlib writes the same
  // FlateDecode data several times faster and with far less garbage.
  doc.context.flateStream = (contents, dict = {}) =>
    doc.context.stream(deflateSync(contents), { ...dict, Filter: 'FlateDecode' });
  doc.registerFontkit(cachedFontkit);
  const { bytes } = fonts();
  // Subsets keep each PDF small (about 30 KB instead of megabytes).
  const embed = (role: FontRole) =>
    doc.embedFont(bytes[role], { subset: true, features: NO_SHAPING, customName: SUBSET_NAMES[role] });
  const font: Fonts = {
    serif: await embed('serif'),
    serifBold: await embed('serifBold'),
    sans: await embed('sans'),
    sansBold: await embed('sansBold'),
  };

  doc.setTitle(`Certificate of completion: ${text.courseTitle} — ${text.holderName}`, { showInWindowTitleBar: true });
  doc.setAuthor(text.providerName);
  doc.setSubject(
    `${text.holderName} completed the ${text.format} "${text.courseTitle}" (${text.contactHours} contact hours). Certificate ${text.code}.`,
  );
  doc.setKeywords(['certificate of completion', text.format, text.code]);
  doc.setCreator('Rounds');
  doc.setProducer('Rounds (pdf-lib)');
  doc.setLanguage('en');
  // Dates from the certificate, not the clock, so the same certificate renders the same bytes.
  doc.setCreationDate(input.issuedAt);
  doc.setModificationDate(input.issuedAt);

  const page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
  // Frame: a firm outer rule and a hairline inside it.
  page.drawRectangle({
    x: 22,
    y: 22,
    width: PAGE_WIDTH - 44,
    height: PAGE_HEIGHT - 44,
    borderColor: ACCENT,
    borderWidth: 1.5,
  });
  page.drawRectangle({
    x: 27,
    y: 27,
    width: PAGE_WIDTH - 54,
    height: PAGE_HEIGHT - 54,
    borderColor: ACCENT,
    borderWidth: 0.5,
  });
  if (text.status !== 'valid') drawBanner(page, font, text.status, text.validUntil);
  for (const rule of plan.rules) page.drawRectangle(rule);
  for (const { block, top, align, x } of plan.texts) drawBlock(page, font, block, top, align, x);
  drawQrCode(page, text.verifyUrl, MARGIN_X + CONTENT_WIDTH - QR_SIDE, FOOTER_BOTTOM, QR_SIDE);

  return doc.save();
}
