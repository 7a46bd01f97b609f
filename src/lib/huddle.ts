export interface HuddleItem {
  title: string;
  minutes: number;
  prompt: string;
}

/** The ten-minute huddle from the team-huddles course. */
export const TEN_MINUTE_HUDDLE: HuddleItem[] = [
  { title: 'Safety', minutes: 2, prompt: 'Any risk to patients or staff in the next few hours?' },
  { title: 'Flow and staffing', minutes: 3, prompt: 'Where will the crunch be, and who is covering whom?' },
  { title: 'Wins and gratitude', minutes: 2, prompt: 'What went well, and who deserves a thank-you?' },
  { title: 'One improvement', minutes: 3, prompt: 'One small thing to try or fix today, and who owns it?' },
];

export function formatClock(totalSeconds: number): string {
  const seconds = Math.max(0, Math.ceil(totalSeconds));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Which agenda item is running after `elapsed` seconds, and how long it has left. */
export function huddlePosition(
  items: HuddleItem[],
  elapsed: number,
): { index: number; remaining: number; finished: boolean } {
  let start = 0;
  for (let index = 0; index < items.length; index++) {
    const end = start + items[index]!.minutes * 60;
    if (elapsed < end) return { index, remaining: end - elapsed, finished: false };
    start = end;
  }
  return { index: items.length - 1, remaining: 0, finished: true };
}
