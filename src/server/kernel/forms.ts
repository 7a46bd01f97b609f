import { isInputError, type SafeResult, type ActionError } from 'astro:actions';

export interface FormState {
  /** First message per field, shown next to it. */
  errors: Record<string, string>;
  /** A message about the whole form (throttling, an outage), shown above it. */
  formError?: string;
  /** What the person typed, to put back in the form (never passwords). */
  values: Record<string, string>;
  succeeded: boolean;
}

const NEVER_ECHO = /password/i;

/**
 * Reads an action's result for the page that rendered the form: field errors,
 * a form-level message, and the submitted values so nothing typed is lost.
 */
export async function formState(
  request: Request,
  result: SafeResult<ActionError, unknown> | undefined,
): Promise<FormState> {
  const values: Record<string, string> = {};
  // A body refused as too large was never read (the HTTP server dropped it): there is
  // nothing to put back, and reading it again is what must not happen.
  const refused = (result?.error as { code?: string } | undefined)?.code === 'CONTENT_TOO_LARGE';
  if (result?.error && request.method === 'POST' && !refused) {
    try {
      const data = await request.clone().formData();
      // A NUL cannot live in HTML (the parser turns it into U+FFFD): the rest comes back as typed.
      for (const [key, value] of data)
        if (typeof value === 'string' && !NEVER_ECHO.test(key)) values[key] = value.replace(/\u0000/g, '');
    } catch {
      // Not a form (the error says why): nothing to restore.
    }
  }
  if (!result?.error) return { errors: {}, values, succeeded: Boolean(result && !result.error) };
  const errors: Record<string, string> = {};
  if (isInputError(result.error)) {
    for (const [field, messages] of Object.entries(result.error.fields)) {
      const first = (messages as string[] | undefined)?.[0];
      if (first) errors[field] = first;
    }
    return {
      errors,
      values,
      succeeded: false,
      formError: Object.keys(errors).length ? undefined : 'Please check the form.',
    };
  }
  const code = (result.error as { code?: string }).code;
  const message =
    code === 'INTERNAL_SERVER_ERROR'
      ? 'Something went wrong on our side. Your input is kept; please try again.'
      : (result.error as Error).message;
  return { errors, values, succeeded: false, formError: message };
}
