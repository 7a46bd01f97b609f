import type { PublicUser, RequestContext } from '#server/kernel/context.ts';
import { catalog } from '#server/kernel/catalog.ts';
import { requireUser } from '#server/kernel/error-responses.ts';
import { db } from './db.ts';

/** The context every service takes, for the person signed in on this request. */
export async function contextFor(user: PublicUser): Promise<RequestContext> {
  return { db: await db(), catalog: await catalog(), user };
}

/** For an Action: the signed-in person's context (refused when nobody is), with their address for throttles. */
export async function actionContext(ctx: { locals: App.Locals }): Promise<RequestContext & { clientIp: string }> {
  return { ...(await contextFor(requireUser(ctx.locals.user))), clientIp: ctx.locals.clientIp };
}
