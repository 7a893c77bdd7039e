// The models the demo offers: every .onebit file in the repository's models/ folder when the site
// is built (Vite copies each into the output as an asset and gives its URL), MNIST-sized ones first.

export interface ModelChoice {
  /** File name without `.onebit`, e.g. "mnist-tiny". */
  readonly name: string;
  readonly url: string;
}

/** Preferred order: the tiny model loads fastest, the others follow. */
const PREFERENCE = ["mnist-tiny", "mnist-conv", "mnist-mlp"];

const found = import.meta.glob<string>("../../../models/*.onebit", {
  query: "?url",
  import: "default",
  eager: true,
});

function rank(name: string): number {
  const i = PREFERENCE.indexOf(name);
  return i < 0 ? PREFERENCE.length : i;
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1).replace(/\.onebit$/, "");
}

/** The models built into the site. */
export const BUILT_IN: readonly ModelChoice[] = Object.entries(found)
  .map(([path, url]) => ({ name: nameOf(path), url }))
  .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));

/** The built-in models, after the one named by the page's `?model=<url>` parameter (your own .onebit file). */
export function modelChoices(search: string): ModelChoice[] {
  const url = new URLSearchParams(search).get("model");
  return url ? [{ name: nameOf(new URL(url, "http://x/").pathname), url }, ...BUILT_IN] : [...BUILT_IN];
}
