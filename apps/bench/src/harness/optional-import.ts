/**
 * Imports a module that may not exist yet (a package still being written, a section file that has not
 * landed). The specifier is a runtime value so the type checker does not require the module; callers
 * describe the exports they use with `T` and feature-detect them.
 */
export type Optional<T> =
  | { readonly ok: true; readonly module: T }
  | { readonly ok: false; readonly reason: string };

export async function importOptional<T>(specifier: string | URL): Promise<Optional<T>> {
  try {
    const module = (await import(String(specifier))) as T;
    return { ok: true, module };
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = e instanceof Error ? e.message.split("\n")[0]! : String(e);
    const bare = typeof specifier === "string" && !/^(\.|\/|file:)/.test(specifier);
    if (code === "ERR_MODULE_NOT_FOUND" && bare && message.includes(`'${specifier}'`)) {
      return { ok: false, reason: `${specifier} is not installed` };
    }
    return { ok: false, reason: code ? `${code}: ${message}` : message };
  }
}

/** A function export of `module` named `name`, if it has one. */
export function exportedFunction<F extends (...args: never[]) => unknown>(
  module: unknown,
  name: string,
): F | undefined {
  const f = (module as Record<string, unknown> | undefined)?.[name];
  return typeof f === "function" ? (f as F) : undefined;
}
