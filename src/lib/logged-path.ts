const JOIN_WITH_CODE = /^[/\\]+join[/\\]+[^/\\]/i;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The path as the request log shows it: never the query (it may hold a token), and
 * `/join/:code` for an invite or event code (the code itself grants membership).
 * Checked as sent, as routed (dot segments resolved) and percent-decoded, so no
 * spelling of a join link slips through.
 */
export function loggedPath(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0]!;
  let routed = path;
  try {
    routed = new URL(path, 'http://rounds.invalid').pathname;
  } catch {
    // Not a path URL can parse: checked as sent.
  }
  const spellings = [path, routed].flatMap((p) => [p, decoded(p)]);
  return spellings.some((p) => JOIN_WITH_CODE.test(p)) ? '/join/:code' : path;
}
