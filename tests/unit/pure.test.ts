import { describe, expect, it } from 'vitest';
import { safeNextPath } from '#lib/safe-next.ts';
import { optionOrder } from '#lib/option-order.ts';
import { choiceIndexField, emailField, nameField, passwordField } from '#lib/validation.ts';
import { huddlePosition, TEN_MINUTE_HUDDLE, formatClock } from '#lib/huddle.ts';
import { escapeMarkdown, journalMarkdown } from '#lib/journal-markdown.ts';
import { escapeHtml } from '#lib/escape-html.ts';
import { parseSettings } from '#server/platform/settings.ts';
import { describeUserAgent } from '#lib/user-agent.ts';
import { loggedPath } from '#lib/logged-path.ts';
import { joinTexts, reconcile } from '#lib/reflection-draft.ts';

describe('safeNextPath', () => {
  it.each(['/courses/a/b', '/journal?q=x', '/'])('keeps same-site path %s', (path) =>
    expect(safeNextPath(path)).toBe(path),
  );
  it.each([
    '//evil.example',
    'https://evil.example/',
    '/\\evil.example',
    '/.//evil.example',
    '/a/..//evil.example',
    'javascript:alert(1)',
    '/%0d%0aSet-Cookie:x',
    '\t/x',
    '',
  ])('refuses %s', (path) => {
    const result = safeNextPath(path);
    expect(result === undefined || (result.startsWith('/') && !result.startsWith('//'))).toBe(true);
    if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\')) expect(result).toBeUndefined();
  });
});

describe('form fields', () => {
  it.each(['José Álvarez', 'Nguyễn Thị Ánh', 'Zoë Ødegaard', '李雷', 'Ἀλέξανδρος'])('accepts the name %s', (name) => {
    expect(nameField.parse(`  ${name} `)).toBe(name.normalize('NFC'));
  });
  it('refuses empty, overlong and control-character names with a message', () => {
    expect(nameField.safeParse('   ').error?.issues[0]?.message).toBe('Enter your name.');
    expect(nameField.safeParse('x'.repeat(10_000)).error?.issues[0]?.message).toMatch(/at most 100/);
    expect(nameField.safeParse('Ana\u0000Bell').error?.issues[0]?.message).toMatch(/control characters/);
    expect(nameField.safeParse('<script>alert(1)</script>').error?.issues[0]?.message).toMatch(/without < or >/);
  });
  it('normalises emails and refuses malformed ones', () => {
    expect(emailField.parse(' Ana@Example.ORG ')).toBe('ana@example.org');
    expect(emailField.safeParse('ana@').success).toBe(false);
    expect(emailField.safeParse('<script>@x').success).toBe(false);
  });
  it('requires 12 to 256 characters of password', () => {
    expect(passwordField.safeParse('short').success).toBe(false);
    expect(passwordField.safeParse('x'.repeat(257)).success).toBe(false);
    expect(passwordField.safeParse('twelve chars').success).toBe(true);
  });
});

describe('huddle timer', () => {
  it('walks through the agenda in order', () => {
    expect(huddlePosition(TEN_MINUTE_HUDDLE, 0)).toEqual({ index: 0, remaining: 120, finished: false });
    expect(huddlePosition(TEN_MINUTE_HUDDLE, 121).index).toBe(1);
    expect(huddlePosition(TEN_MINUTE_HUDDLE, 600).finished).toBe(true);
    expect(formatClock(125.2)).toBe('2:06');
  });
});

describe('escaping', () => {
  it('renders reflections in Markdown as text, never markup', () => {
    expect(escapeMarkdown('**bold** <b>x</b> [link](http://a)')).toBe(
      String.raw`\*\*bold\*\* \<b\>x\</b\> \[link\]\(http://a\)`,
    );
    const markdown = journalMarkdown(
      'Ana',
      [{ title: 'T', prompt: 'P', text: 'line 1\nline 2', updatedAt: new Date('2026-01-02T03:04:00Z') }],
      'America/Chicago',
      new Date('2026-01-03T01:00:00Z'),
    );
    expect(markdown).toContain('line 1  \nline 2');
    // In the owner's zone: 03:04 UTC on the 2nd is 21:04 on the 1st in Chicago.
    expect(markdown).toContain('Exported from Rounds on 2 January 2026. Times are in America/Chicago.');
    expect(markdown).toContain('_Last changed 1 Jan 2026, 21:04_');
    expect(markdown).not.toContain('UTC');
  });
  it('escapes HTML', () =>
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;'));
});

describe('settings', () => {
  it('uses defaults and derives PUBLIC_URL', () => {
    const config = parseSettings({});
    expect(config.PORT).toBe(4321);
    expect(config.PUBLIC_URL).toBe('http://localhost:4321');
    expect(config.DATABASE_URL).toBeUndefined();
  });
  it('names the bad setting', () => {
    expect(() => parseSettings({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => parseSettings({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => parseSettings({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});

describe('user agents', () => {
  it('describes common browsers briefly', () => {
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
      ),
    ).toBe('Chrome on Android');
    expect(describeUserAgent('')).toBe('Unknown device');
  });
});

describe('option order', () => {
  it('is a fixed permutation of the authored options', () => {
    const options = [
      { text: 'Name the feeling' },
      { text: 'Explain the plan' },
      { text: 'Ask them to calm down' },
      { text: 'Say you know how they feel' },
    ];
    const order = optionOrder('Which response names the emotion?', options);
    expect([...order].sort()).toEqual([0, 1, 2, 3]);
    expect(optionOrder('Which response names the emotion?', options)).toEqual(order);
  });
});

describe('loggedPath', () => {
  it.each([
    ['/courses/a/b', '/courses/a/b'],
    ['/reset-password?token=abc123', '/reset-password'],
    ['/verify-email?token=abc123&x=1', '/verify-email'],
    ['/join', '/join'],
    ['/join?code=ABCD-EFGH', '/join'],
    ['/teams/7f0c/record.csv', '/teams/7f0c/record.csv'],
  ])('keeps %s as %s', (url, logged) => expect(loggedPath(url)).toBe(logged));

  it.each([
    '/join/ABCD-EFGH',
    '/join/abcdefgh/',
    '/join/ABC-DEF?x=1',
    '/JOIN/ABCDEFGH',
    '//join/ABCDEFGH',
    '/./join/ABCDEFGH',
    '/x/../join/ABCDEFGH',
    '/%6Aoin/ABCDEFGH',
    '/join%2FABCDEFGH',
    '/\\join/ABCDEFGH',
  ])('hides the code in %s', (url) => {
    expect(loggedPath(url)).toBe('/join/:code');
  });
});

describe('reflection drafts', () => {
  it('joins two texts once, the earlier first', () => {
    expect(joinTexts('', 'typed')).toBe('typed');
    expect(joinTexts('saved', '')).toBe('saved');
    expect(joinTexts('saved', 'typed')).toBe('saved\n\ntyped');
    expect(joinTexts('saved and more', 'saved')).toBe('saved and more');
    expect(joinTexts('saved', 'saved and more')).toBe('saved and more');
  });

  it('keeps the newer copy by the writer’s clock', () => {
    const server = { body: 'from the server', revision: 200 };
    expect(reconcile({ body: 'older draft', revision: 100 }, server, 1_000)).toEqual({
      body: 'from the server',
      revision: 200,
      unsaved: false,
    });
    expect(reconcile({ body: 'newer edit', revision: 300 }, server, 1_000)).toEqual({
      body: 'newer edit',
      revision: 300,
      unsaved: true,
    });
    expect(reconcile({ body: '', revision: 0, unseen: true }, null, 1_000)).toEqual({
      body: '',
      revision: 0,
      unsaved: false,
    });
    expect(reconcile({ body: 'first words', revision: 300, unseen: true }, null, 1_000)).toEqual({
      body: 'first words',
      revision: 300,
      unsaved: true,
    });
  });

  it('puts text typed without the server’s copy after it, never in its place', () => {
    const server = { body: 'from the server', revision: 200 };
    expect(reconcile({ body: 'typed early', revision: 300, unseen: true }, server, 1_000)).toEqual({
      body: 'from the server\n\ntyped early',
      revision: 1_000,
      unsaved: true,
    });
    expect(reconcile({ body: 'typed early', revision: 5_000, unseen: true }, server, 1_000).revision).toBe(5_001);
    // Already holding the server's text (typed on top of it): nothing is doubled.
    expect(reconcile({ body: 'from the server, edited', revision: 300, unseen: true }, server, 1_000)).toEqual({
      body: 'from the server, edited',
      revision: 300,
      unsaved: true,
    });
  });
});

describe('choiceIndexField', () => {
  it('takes one digit and refuses a missing field instead of reading it as the first option', () => {
    const field = choiceIndexField('Choose one of the answers.');
    expect(field.parse('2')).toBe(2);
    for (const bad of [null, undefined, '', '10', '-1', '1.5', 'a'])
      expect(field.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
