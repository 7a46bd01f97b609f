import type { PublicUser, RequestContext } from '#server/kernel/context.ts';
import { catalog } from '#server/kernel/catalog.ts';
import { db } from './db.ts';

/** The context every service takes, for the person signed in on this request. */
export async function contextFor(user: PublicUser): Promise<RequestContext> {
  return { db: await db(), catalog: await catalog(), user };
}
