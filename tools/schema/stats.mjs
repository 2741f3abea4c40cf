// Figures of the served schema against docs/API.md's conventions, printed by
// `make schema-check` so the size of what is left stays in sight: identifiers
// spelled …Id, mutations without a payload or with more than one `input`,
// description coverage (the issue « API conventions » asks for ≥ 95 %).
//
//   node tools/schema/stats.mjs [SCHEMA]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, isObjectType, isInterfaceType, isInputObjectType, isEnumType, isIntrospectionType, isSpecifiedScalarType, getNamedType } from 'graphql';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2] || path.join(here, '..', '..', 'graph', 'schema.snapshot.graphql');
const schema = buildSchema(fs.readFileSync(file, 'utf8'));

const idSpelling = /[a-z\d]Ids?(?=[A-Z]|$)/;
const IDSpelling = /[a-z\d]IDs?(?=[A-Z]|$)/;
const generatedPredicate = (typeName) => /WhereInput$/.test(typeName);
const count = { Id: 0, ID: 0 };
const cov = {}; // kind → [described, total]
const described = (kind, d) => {
  cov[kind] ??= [0, 0];
  cov[kind][1]++;
  if (d && d.trim()) cov[kind][0]++;
};
const names = (name) => {
  if (idSpelling.test(name)) count.Id++;
  if (IDSpelling.test(name)) count.ID++;
};

for (const t of Object.values(schema.getTypeMap())) {
  if (isIntrospectionType(t) || isSpecifiedScalarType(t)) continue;
  described('types', t.description);
  if (isObjectType(t) || isInterfaceType(t)) {
    for (const f of Object.values(t.getFields())) {
      names(f.name);
      described('fields', f.description);
      for (const a of f.args) {
        names(a.name);
        described('arguments', a.description);
      }
    }
  } else if (isInputObjectType(t)) {
    for (const f of Object.values(t.getFields())) {
      names(f.name);
      if (!generatedPredicate(t.name)) described('input fields', f.description);
    }
  } else if (isEnumType(t)) {
    for (const v of t.getValues()) described('enum values', v.description);
  }
}

const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
const live = mutations.filter((m) => !m.deprecationReason);
const payload = live.filter((m) => getNamedType(m.type).name.endsWith('Payload'));
const ownPayload = live.filter((m) => getNamedType(m.type).name === m.name[0].toUpperCase() + m.name.slice(1) + 'Payload');
const onlyInput = live.filter((m) => m.args.length === 1 && m.args[0].name === 'input');

let d = 0, n = 0;
const parts = Object.entries(cov).map(([k, [a, b]]) => {
  d += a; n += b;
  return `${k} ${a}/${b}`;
});
const pct = (a, b) => (b ? (100 * a / b).toFixed(1) : '100.0') + ' %';
console.log(`schema figures: names …Id ${count.Id} (…ID ${count.ID}); mutations ${live.length}: ${live.length - payload.length} without a …Payload, ${live.length - ownPayload.length} without their own VerbNounPayload, ${live.length - onlyInput.length} not taking one \`input\``);
console.log(`schema figures: described ${pct(d, n)} (${parts.join(', ')}; …WhereInput predicates not counted)`);
