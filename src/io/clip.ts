/**
 * Error messages quote values from the file (a shape entry, a tensor name, a dtype string), and a
 * hostile file can make any of them megabytes long. Every quoted value goes through `clip`, so a
 * message stays one readable line however large the value.
 */

/** Longest quoted value kept whole. */
export const MAX_QUOTED = 120;

/** `text` itself when short, else its start and how much was left out. */
export function clip(text: string, max = MAX_QUOTED): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A value as JSON (for names and strings from a file), clipped. */
export function quote(value: unknown, max = MAX_QUOTED): string {
  return clip(JSON.stringify(value) ?? String(value), max);
}

/** A shape as `[a, b, c]`, clipped (a header may claim a shape with a million entries). */
export function shapeText(shape: readonly unknown[], max = MAX_QUOTED): string {
  return clip(`[${shape.join(', ')}]`, max);
}
