// Builds share/dtap/pii/names/*.txt from @faker-js/faker's per-locale person
// names (MIT licence): one run, outputs committed (see share/dtap/pii/names/README).
//   d=$(mktemp -d) && cp scripts/make-name-lists.mjs $d && (cd $d && npm install @faker-js/faker@10.6.0 &&
//     node make-name-lists.mjs OUTDIR)   (ES modules resolve packages beside the script)
// Each name goes to exactly one side, by a hash of its lower-case form:
// detector (3/4: dtap-annotate's lists) or heldout (1/4: dtap-synth --names
// heldout), so synthetic recall can be measured on names the detector never saw.
import * as F from '@faker-js/faker';
import fs from 'node:fs';
import path from 'node:path';

const out = process.argv[2];
if (!out) { console.error('usage: node make-name-lists.mjs OUTDIR'); process.exit(2); }
const flat = (v) => Array.isArray(v) ? v : (v && typeof v === 'object' ? Object.values(v).flatMap(flat) : []);
const fnv1a = (s) => { let h = 0x811c9dc5; for (const b of Buffer.from(s, 'utf8')) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; } return h; };
const side = (name) => (fnv1a(name.toLowerCase()) % 4 === 0 ? 'heldout' : 'detector');
// Rendered by dtap-synth's fonts (Latin, Greek, Cyrillic): the held-out side keeps only these.
const renderable = (s) => /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}'-]+$/u.test(s);
// The synthesiser's own lists (OUTDIR/../first_names.txt, last_names.txt) are also
// the detector's: a held-out name must not be on them either.
const readList = (f) => fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.trim().toLowerCase()) : [];
const shippedNames = new Set([...readList(path.join(out, '..', 'first_names.txt')), ...readList(path.join(out, '..', 'last_names.txt'))]);
const lists = { 'detector-first': new Map(), 'detector-last': new Map(), 'heldout-first': new Map(), 'heldout-last': new Map() };
const locales = [];
for (const key of Object.keys(F).sort()) {
  const def = F[key];
  if (!/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/.test(key) || !def || !def.person || key === 'en_BORK') continue;
  locales.push(key);
  for (const [kind, field] of [['first', 'first_name'], ['last', 'last_name']]) {
    for (const raw of flat(def.person[field])) {
      const name = String(raw).trim();
      if (!name || /\s/.test(name) || name.length < 2) continue;
      const s = side(name);
      if (s === 'heldout' && (!renderable(name) || shippedNames.has(name.toLowerCase()))) continue;
      const m = lists[`${s}-${kind}`];
      if (!m.has(name.toLowerCase())) m.set(name.toLowerCase(), name);
    }
  }
}
fs.mkdirSync(out, { recursive: true });
for (const [file, m] of Object.entries(lists)) {
  const names = [...m.values()].sort();
  const header = `# ${file}: ${names.length} names from @faker-js/faker ${process.env.FAKER_VERSION || '10.6.0'} (MIT), locales ${locales.join(' ')}\n`;
  fs.writeFileSync(path.join(out, `${file}.txt`), header + names.join('\n') + '\n');
  console.error(`${file}: ${names.length}`);
}
