/** "1 file", "2 files": a count with its noun, so no sentence in the package says "1 files". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** "was" or "were" for a count. */
export function wasWere(n: number): string {
  return n === 1 ? "was" : "were";
}

/** "All 3 changes", "The 1 change", "No change": the subject of a sentence about a whole population. */
export function all(n: number, singular: string, pluralForm = `${singular}s`): string {
  return n === 0 ? `No ${singular}` : n === 1 ? `The 1 ${singular}` : `All ${n} ${pluralForm}`;
}
