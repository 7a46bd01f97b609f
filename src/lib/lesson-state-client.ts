// What the lesson islands share: the learner's state (one request per page) and a
// small poster for Actions. Islands post FormData to the Action's URL themselves
// rather than bundling Astro's Action client, to keep lesson pages within 20 KB of JS.

export interface LessonState {
  signedIn: boolean;
  started?: boolean;
  completedAt?: string | null;
  /** Completed, but with less time recorded than its contact hours need: it can be completed again. */
  needsMoreTime?: boolean;
  correctQuestions?: number[];
  /** A lesson of a joined event that has not opened yet: when it opens (it can be read). */
  locked?: string | null;
  reflection?: { body: string; revision: number; updatedAt: string } | null;
  /** Lessons of the course still to do besides this one. */
  otherLessonsLeft?: number;
  /** Once the course is complete: the certificate, or why it is waiting. */
  certificate?: { status: 'issued'; url: string; code: string } | { status: 'held'; message: string } | null;
}

let pending: Promise<LessonState> | undefined;

/** The state, fetched once per page; `fresh` fetches it again (after completing the course). */
export function loadLessonState(lessonUrl: string, fresh = false): Promise<LessonState> {
  if (fresh) pending = undefined;
  pending ??= fetch(`${lessonUrl}/state.json`, { headers: { accept: 'application/json' } }).then((response) => {
    if (!response.ok) throw new Error(`state ${response.status}`);
    return response.json() as Promise<LessonState>;
  });
  return pending;
}

export interface ActionFailure {
  /** HTTP status; 0 when the request never reached the server. */
  status: number;
  code: string;
  message: string;
  fields: Record<string, string[]>;
}

/** POSTs form data to an Astro Action (`/_actions/<name>`); resolves with the failure, if any. */
export async function postAction(
  name: string,
  data: Record<string, string>,
  options: { keepalive?: boolean } = {},
): Promise<ActionFailure | null> {
  const body = new FormData();
  for (const [key, value] of Object.entries(data)) body.set(key, value);
  let response: Response;
  try {
    response = await fetch(`/_actions/${name}`, { method: 'POST', body, keepalive: options.keepalive });
  } catch {
    return { status: 0, code: 'NETWORK', message: 'No connection.', fields: {} };
  }
  if (response.ok) return null;
  const error = (await response.json().catch(() => ({}))) as {
    code?: string;
    message?: string;
    fields?: Record<string, string[]>;
  };
  return {
    status: response.status,
    code: error.code ?? 'UNKNOWN',
    message: error.message ?? 'The server could not save this.',
    fields: error.fields ?? {},
  };
}

export function loginUrl(returnTo: string): string {
  return `/login?reason=save&next=${encodeURIComponent(returnTo)}`;
}
