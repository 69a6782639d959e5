/**
 * Reading numbers out of safetensors `__metadata__`, where every value is a string. `Number()`
 * is the wrong tool: it reads '' and '  ' as 0, '0x10' as 16 and '1e3' as 1000, so an empty or
 * mangled entry would pass as a real value. These helpers accept plain decimal digits only.
 */
import { clip } from './clip.js';
import { FormatError } from './errors.js';

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * The non-negative integer stored under `key`, or undefined when the key is absent. Anything but
 * plain decimal digits within the safe-integer range (an empty string included) is a FormatError
 * naming the file, the key and what was found.
 */
export function metadataInteger(
  file: string,
  metadata: Readonly<Record<string, string>>,
  key: string,
): number | undefined {
  if (!Object.prototype.hasOwnProperty.call(metadata, key)) return undefined;
  const text = metadata[key]!;
  const n = Number(text);
  if (!DECIMAL.test(text) || !Number.isSafeInteger(n)) {
    throw new FormatError(
      file,
      `__metadata__ '${clip(key)}' must be a non-negative integer in decimal digits, found '${clip(text)}'`,
    );
  }
  return n;
}
