import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { Catalog } from '#lib/catalog.ts';
import { questionOfCard, reviewStreamWeek } from '#lib/review-rules.ts';
import { unlockAtFor } from '#lib/release-schedule.ts';
import { inQuietHours } from '#lib/team-rules.ts';
import { composeMail } from '#server/platform/mail.ts';
import { dayOf } from '#server/platform/daily-mail.ts';
import { settings } from '#server/platform/settings.ts';
import * as review from '#server/review/index.ts';
import * as repo from './repo.ts';
import {
  eventLessons,
  pauseOf,
  quietHoursOf,
  scheduleOf,
  sendThroughLedger,
  settledNudge,
  unsubscribeToken,
  type NudgeOptions,
  type NudgeRunResult,
} from './events.ts';

// An event's review stream (decision 0029): after the drip ends, one review question a
// week for the weeks the organiser chose. Sent through the nudge ledger (decision 0013):
// one row per enrollment and week, claimed before sending, so two runners send it once.

/** The ledger's course column for review-stream rows: not a course slug, so it never meets a lesson's nudge. */
export const REVIEW_STREAM = '*review';
const weekKey = (week: number) => `week-${week}`;

/**
 * Sends this week's review question to each attendee of an event with a review stream:
 * their most overdue card of the event's courses, as a signed link that answers it in
 * one tap. Nothing due this run: a later run of the same week tries again. Quiet hours,
 * nudges turned off (the one-click unsubscribe), unconfirmed addresses and deactivated
 * or deleted accounts get nothing, as for nudges.
 */
export async function runEventReviewStream(
  db: Kysely<Database>,
  catalog: Catalog,
  now = new Date(),
  options: NudgeOptions = {},
): Promise<NudgeRunResult> {
  const result: NudgeRunResult = { sent: 0, pushed: 0, failed: 0, waiting: 0 };
  const candidates = await repo.nudgeCandidates(db, now);
  if (candidates.length === 0) return result;
  const eventIds = [...new Set(candidates.map((c) => c.event_id))];
  const events = (await repo.eventsByIds(db, eventIds)).filter((e) => e.review_weeks > 0);
  if (events.length === 0) return result;
  const eventById = new Map(events.map((e) => [e.id, e]));
  const streamed = candidates.filter((c) => eventById.has(c.event_id));
  const [courses, records] = await Promise.all([
    repo.coursesOfEvents(
      db,
      events.map((e) => e.id),
    ),
    repo.nudgesOf(
      db,
      streamed.map((c) => c.enrollment_id),
    ),
  ]);
  const recorded = new Map(
    records.filter((r) => r.course_slug === REVIEW_STREAM).map((r) => [`${r.enrollment_id}/${r.lesson_slug}`, r]),
  );
  const base = settings().PUBLIC_URL;

  for (const candidate of streamed) {
    const event = eventById.get(candidate.event_id)!;
    const courseSlugs = courses.get(event.id) ?? [];
    const lessonCount = eventLessons(catalog, courseSlugs).length;
    if (lessonCount === 0 || !candidate.email_verified) continue;
    const dripEnded = unlockAtFor(scheduleOf(event), lessonCount - 1, pauseOf(candidate));
    const week = dripEnded && dripEnded <= now ? reviewStreamWeek(dripEnded, event.review_weeks, now) : undefined;
    if (!week) continue;
    if (settledNudge(recorded.get(`${candidate.enrollment_id}/${weekKey(week)}`), now)) continue;
    const card = await review.mostOverdueCard(db, catalog, candidate.user_id, courseSlugs, now);
    if (!card) continue;
    if (inQuietHours(quietHoursOf(candidate), now)) {
      result.waiting += 1;
      continue;
    }
    const key = { enrollmentId: candidate.enrollment_id, courseSlug: REVIEW_STREAM, lessonSlug: weekKey(week) };
    const weekOpened = new Date(dripEnded!.getTime() + week * 7 * 86_400_000);
    const day = dayOf(candidate.user_id, candidate.time_zone, now);
    await sendThroughLedger(db, { keys: [{ key, opened: weekOpened }], day, now, options, result }, async () => {
      const lesson = catalog.lesson(card.courseSlug, card.lessonSlug)!;
      const question = questionOfCard(lesson, card.card)!.question;
      const answerUrl = `${base}/review/from-email?token=${await review.emailReviewToken(db, candidate.user_id, card, now)}`;
      const unsubscribeUrl = `${base}/events/${event.slug}/unsubscribe?token=${await unsubscribeToken(db, candidate.enrollment_id)}`;
      const push = {
        title: `Review question from ${event.name}`,
        body: question,
        url: answerUrl,
        tag: `review-${event.id}`,
      };
      return {
        userId: candidate.user_id,
        push,
        mail: composeMail({
          to: candidate.email,
          subject: `This week’s review question from ${event.name}`,
          greeting: `Hello ${candidate.name},`,
          paragraphs: [
            `One question from “${lesson.title}” (week ${week} of ${event.review_weeks}). One tap answers it; about 30 seconds.`,
            question,
          ],
          action: { label: 'Answer it', url: answerUrl },
          footer: `You get one review question a week for ${event.review_weeks} weeks because you joined the event “${event.name}” on Rounds. To stop emails for this event, open this link: ${unsubscribeUrl}`,
          unsubscribeUrl,
        }),
      };
    });
  }
  return result;
}
