/**
 * Every section the code cites in the project's specs exists. Comments and test names cite
 * docs/apex-asp.md and docs/formats.md by section ("docs/apex-asp.md §3.13", "§2.3-2.4", "§4.2 / §4.3
 * of apex-asp.md"); the docs/ prefix is optional, so older citations are checked too. Each § token
 * on a line belongs to the nearest spec named before it on that line, else the nearest after it.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCANNED = ['src', 'test', 'bench', 'tools', 'examples', 'bin'];
const SKIPPED_DIRS = new Set(['node_modules', 'fixtures', 'results']);
const EXTENSIONS = /\.(ts|mts|js|mjs|py|sh)$/;
const SPECS = ['apex-asp', 'formats'] as const;
type Spec = (typeof SPECS)[number];

const SPEC_NAME = new RegExp(`(?<![\\w.-])(?:docs/)?(${SPECS.join('|')})\\.md`, 'g');
const SECTION = /\d+(?:\.\d+)*[a-z]?/;
const SECTION_REF = new RegExp(`§(${SECTION.source})(?:\\s*[-–]\\s*(${SECTION.source}))?`, 'g');
const HEADING = new RegExp(`^#{1,6}\\s+(${SECTION.source})\\.?\\s`);

function files(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!SKIPPED_DIRS.has(name)) out.push(...files(path));
    } else if (EXTENSIONS.test(name)) out.push(path);
  }
  return out;
}

/** Section numbers of a spec's headings ("### 3.11a Title" -> "3.11a"). */
function headings(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const line of markdown.split('\n')) {
    const m = HEADING.exec(line);
    if (m) out.add(m[1]!);
  }
  return out;
}

interface Citation {
  readonly spec: Spec;
  readonly section: string;
}

/** The (spec, section) pairs one line cites. */
function citationsIn(line: string): Citation[] {
  const names = [...line.matchAll(SPEC_NAME)].map((m) => ({ spec: m[1] as Spec, at: m.index }));
  if (names.length === 0) return [];
  const out: Citation[] = [];
  for (const ref of line.matchAll(SECTION_REF)) {
    const before = names.filter((n) => n.at < ref.index);
    const owner = before.length > 0 ? before[before.length - 1]! : names.find((n) => n.at > ref.index)!;
    for (const section of [ref[1], ref[2]]) if (section !== undefined) out.push({ spec: owner.spec, section });
  }
  return out;
}

const self = relative(ROOT, fileURLToPath(import.meta.url));
const cited: { where: string; spec: Spec; section: string }[] = [];
for (const dir of SCANNED) {
  for (const path of files(join(ROOT, dir))) {
    const rel = relative(ROOT, path);
    if (rel === self) continue;
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const c of citationsIn(line)) cited.push({ where: `${rel}:${i + 1}`, ...c });
      });
  }
}

describe('citations of docs/apex-asp.md and docs/formats.md', () => {
  it('reads the forms the code uses', () => {
    expect(citationsIn(' * masks (docs/apex-asp.md §3.2–3.10).')).toEqual([
      { spec: 'apex-asp', section: '3.2' },
      { spec: 'apex-asp', section: '3.10' },
    ]);
    expect(citationsIn("/** apex's toy model (§4.2 / §4.3 of apex-asp.md) */")).toEqual([
      { spec: 'apex-asp', section: '4.2' },
      { spec: 'apex-asp', section: '4.3' },
    ]);
    expect(citationsIn('docs/apex-asp.md §1.2 / docs/formats.md §2.6 state')).toEqual([
      { spec: 'apex-asp', section: '1.2' },
      { spec: 'formats', section: '2.6' },
    ]);
    expect(citationsIn('(apex-asp.md §3.11b, §3.11c)').map((c) => c.section)).toEqual(['3.11b', '3.11c']);
    expect(citationsIn('§3.11d with no spec named')).toEqual([]);
    expect(headings('# Title\n## 3. Channels\n### 3.11a Stripe groups\n#### 3.13 Numbers\ntext 4.1\n')).toEqual(
      new Set(['3', '3.11a', '3.13']),
    );
  });

  for (const spec of SPECS) {
    it(`every section cited in docs/${spec}.md exists`, () => {
      const have = headings(readFileSync(join(ROOT, 'docs', `${spec}.md`), 'utf8'));
      expect(have.size).toBeGreaterThan(5);
      const missing = cited.filter((c) => c.spec === spec && !have.has(c.section));
      expect(missing.map((c) => `${c.where}: §${c.section}`)).toEqual([]);
    });
  }

  it('finds the citations (the scan is not silently empty)', () => {
    expect(cited.filter((c) => c.spec === 'apex-asp').length).toBeGreaterThan(10);
  });
});
