import { describe, expect, it } from 'vitest';
import { notificationOf, sameSitePath } from '#lib/push-payload.ts';

const ORIGIN = 'https://rounds.example.org';

describe('what the service worker shows for a push', () => {
  it('shows the title, text and page a reminder names', () => {
    const shown = notificationOf(
      JSON.stringify({
        title: 'New lesson open: Handover',
        body: 'About 4 minutes.',
        url: '/courses/a/b',
        tag: 'event-1',
      }),
      ORIGIN,
    );
    expect(shown).toEqual({
      title: 'New lesson open: Handover',
      body: 'About 4 minutes.',
      tag: 'event-1',
      url: '/courses/a/b',
    });
  });

  it('still shows a notification for a push it cannot read (iOS revokes silent pushes)', () => {
    for (const text of [null, '', 'not json', '42', '{"title": 7}']) {
      const shown = notificationOf(text, ORIGIN);
      expect(shown.title).toBe('Rounds');
      expect(shown.url).toBe('/');
    }
  });

  it('never opens another site', () => {
    expect(sameSitePath('https://evil.example/phish', ORIGIN)).toBe('/');
    expect(sameSitePath('//evil.example/phish', ORIGIN)).toBe('/');
    expect(sameSitePath('javascript:alert(1)', ORIGIN)).toBe('/');
    expect(sameSitePath(`${ORIGIN}/review/from-email?token=x#a`, ORIGIN)).toBe('/review/from-email?token=x#a');
    expect(sameSitePath('/courses/a/b', ORIGIN)).toBe('/courses/a/b');
    expect(sameSitePath(undefined, ORIGIN)).toBe('/');
  });
});
