// Builds share/dtap/pii/names/*.txt from @faker-js/faker's per-locale person
// names (MIT licence): one run, outputs committed (see share/dtap/pii/names/README).
//   d=$(mktemp -d) && cp scripts/make-name-lists.mjs $d && (cd $d && npm install @faker-js/faker@10.6.0 &&
//     node make-name-lists.mjs OUTDIR)   (ES modules resolve packages beside the script)
// detector-*.txt: every name (dtap-annotate's lists). heldout-*.txt: names
// that no list holds, made by an order-3 character Markov chain trained on the
// Latin-script names (seeded, so the output is fixed); dtap-synth --names
// heldout draws them, so synthetic recall can be measured on names the
// detector cannot look up.
import * as F from '@faker-js/faker';
import fs from 'node:fs';
import path from 'node:path';

const out = process.argv[2];
if (!out) { console.error('usage: node make-name-lists.mjs OUTDIR'); process.exit(2); }
const flat = (v) => Array.isArray(v) ? v : (v && typeof v === 'object' ? Object.values(v).flatMap(flat) : []);
// A small seeded generator (mulberry32) so the lists are reproducible.
let seed = 1001;
const random = () => { seed |= 0; seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
// The synthesiser's own lists (OUTDIR/../first_names.txt, last_names.txt) are also
// the detector's: a held-out name must not be on them either.
const readList = (f) => fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.trim().toLowerCase()) : [];
const shippedNames = new Set([...readList(path.join(out, '..', 'first_names.txt')), ...readList(path.join(out, '..', 'last_names.txt'))]);
const lists = { 'detector-first': new Map(), 'detector-last': new Map(), 'heldout-first': new Map(), 'heldout-last': new Map() };
const known = new Set(shippedNames);
const latin = { first: [], last: [] };
const locales = [];
for (const key of Object.keys(F).sort()) {
  const def = F[key];
  if (!/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/.test(key) || !def || !def.person || key === 'en_BORK') continue;
  locales.push(key);
  for (const [kind, field] of [['first', 'first_name'], ['last', 'last_name']]) {
    for (const raw of flat(def.person[field])) {
      const name = String(raw).trim();
      if (!name || /\s/.test(name) || name.length < 2) continue;
      known.add(name.toLowerCase());
      if (/^[A-Z][a-z]+$/.test(name)) latin[kind].push(name.toLowerCase());
      const m = lists[`detector-${kind}`];
      if (!m.has(name.toLowerCase())) m.set(name.toLowerCase(), name);
    }
  }
}
const dictionary = new Set(fs.existsSync('/usr/share/dict/words') ? fs.readFileSync('/usr/share/dict/words', 'utf8').toLowerCase().split('\n') : []);
for (const kind of ['first', 'last']) {
  // Order-3 chain over "^^^name$" of this kind's Latin names.
  const next = new Map();
  for (const n of latin[kind]) {
    const w = '^^^' + n + '$';
    for (let i = 3; i < w.length; ++i) {
      const k = w.slice(i - 3, i);
      if (!next.has(k)) next.set(k, []);
      next.get(k).push(w[i]);
    }
  }
  const m = lists[`heldout-${kind}`];
  for (let tries = 0; m.size < 4000 && tries < 400000; ++tries) {
    let w = '^^^';
    while (w.length < 16) {
      const options = next.get(w.slice(-3));
      const c = options[Math.floor(random() * options.length)];
      if (c === '$') break;
      w += c;
    }
    const name = w.slice(3);
    if (name.length < 4 || name.length > 10 || known.has(name) || dictionary.has(name) || m.has(name)) continue;
    m.set(name, name[0].toUpperCase() + name.slice(1));
  }
}
fs.mkdirSync(out, { recursive: true });
for (const [file, m] of Object.entries(lists)) {
  const names = [...m.values()].sort();
  const header = file.startsWith('heldout')
    ? `# ${file}: ${names.length} made-up names (a character chain over @faker-js/faker's Latin names), on no list and in no dictionary\n`
    : `# ${file}: ${names.length} names from @faker-js/faker ${process.env.FAKER_VERSION || '10.6.0'} (MIT), locales ${locales.join(' ')}\n`;
  fs.writeFileSync(path.join(out, `${file}.txt`), header + names.join('\n') + '\n');
  console.error(`${file}: ${names.length}`);
}
