/**
 * Dotted names, as PyTorch writes them (`layer1.0.conv1.weight`): module scopes, module paths and
 * state-dict keys are all made by joining a prefix and a name with a dot.
 */

/** `prefix.name`; an empty prefix (the root module) gives `name`, an empty name gives `prefix`. */
export function joinName(prefix: string, name: string): string {
  if (prefix === '') return name;
  return name === '' ? prefix : `${prefix}.${name}`;
}
