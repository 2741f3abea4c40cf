// A graphql-inspector diff rule (`graphql-inspector diff --rule`): a breaking
// change listed in docs/API-CHANGES.md, under « ## Unreleased », as
//
//   - `FIELD_REMOVED` `Accreditation.mayAssess` — why, and what clients use instead
//
// (graphql-inspector's change type, then the schema coordinate it prints
// with --rule verboseChanges) is accepted: it is downgraded to dangerous, so
// it is still shown but no longer fails `make test`. Any other breaking change
// fails, naming the line to add. OFHUB_API_CHANGES points at another file
// (the guard's own test).
'use strict';
const fs = require('fs');
const path = require('path');

const repo = path.join(__dirname, '..', '..');
const file = process.env.OFHUB_API_CHANGES || path.join(repo, 'docs', 'API-CHANGES.md');
const shown = path.relative(repo, file).startsWith('..') ? file : path.relative(repo, file);

// accepted returns the « type path » keys listed in the Unreleased section.
function accepted() {
  const text = fs.readFileSync(file, 'utf8');
  const keys = new Set();
  let inUnreleased = false;
  for (const line of text.split('\n')) {
    if (/^##\s/.test(line)) {
      inUnreleased = /^##\s+Unreleased\b/i.test(line);
      continue;
    }
    const m = inUnreleased && line.match(/^\s*[-*]\s+`([A-Z_]+)`\s+`([^`]+)`/);
    if (m) keys.add(`${m[1]} ${m[2]}`);
  }
  return keys;
}

module.exports = function acceptedChanges({ changes }) {
  const keys = accepted();
  const used = new Set();
  const unlisted = [];
  const out = changes.map((change) => {
    if (change.criticality.level !== 'BREAKING') return change;
    const key = `${change.type} ${change.path}`;
    if (!keys.has(key)) {
      unlisted.push(key);
      return change;
    }
    used.add(key);
    return {
      ...change,
      criticality: { ...change.criticality, level: 'DANGEROUS', reason: `accepted in ${path.basename(file)}` },
      message: `${change.message} (accepted: ${path.basename(file)})`,
    };
  });
  for (const key of unlisted) {
    console.error(`not listed in ${shown} (## Unreleased): - \`${key.replace(' ', '` `')}\` — why, and what clients do instead`);
  }
  for (const key of keys) {
    if (!used.has(key)) console.error(`listed in ${path.basename(file)} but not a breaking change of this diff: ${key}`);
  }
  return out;
};
