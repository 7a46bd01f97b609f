// How the reflection box reconciles this device's copy with the server's (pure; the
// island in src/components/islands/ReflectionBox.svelte does the storing and sending).

/** The text as kept in this browser. `unseen`: written while the server's copy was not in the box. */
export interface ReflectionDraft {
  body: string;
  /** The writer's clock (README, Decision 5): the newer revision wins. */
  revision: number;
  unseen?: boolean;
}

/** Both texts, the earlier first, unless one already holds the other. */
export function joinTexts(earlier: string, later: string): string {
  if (!later || earlier.includes(later)) return earlier;
  if (!earlier || later.includes(earlier)) return later;
  return `${earlier}\n\n${later}`;
}

/**
 * What the box holds once the server's copy is known: the newer of the two. Text typed
 * into a box that looked empty (before the island woke up, while signed out, while the
 * server could not be reached) is added after the server's copy instead of replacing it.
 */
export function reconcile(
  local: ReflectionDraft,
  server: { body: string; revision: number } | null,
  now: number,
): { body: string; revision: number; unsaved: boolean } {
  const serverRevision = server?.revision ?? 0;
  if (local.revision <= serverRevision)
    return { body: server?.body ?? local.body, revision: serverRevision, unsaved: false };
  const body = local.unseen && server ? joinTexts(server.body, local.body) : local.body;
  return { body, revision: body === local.body ? local.revision : Math.max(now, local.revision + 1), unsaved: true };
}
