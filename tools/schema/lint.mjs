// The schema lint of `make test`: graphql-eslint checks the served schema
// (graph/schema.snapshot.graphql) against docs/API.md's naming and
// description rules. Today's schema breaks many of them; those violations
// are recorded in lint-baseline.txt, so only a NEW one fails (the API
// conventions issue shrinks the baseline to zero). A violation is keyed by
// rule and message, which name the type and field — not by line, which
// moves whenever the schema grows.
//
//   node tools/schema/lint.mjs [--baseline FILE] [--update] [SCHEMA]
//
// --update rewrites the baseline from the schema's current violations (after
// fixing some, to lock the gain in; never to hide a new one).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import graphql from '@graphql-eslint/eslint-plugin';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

// mutationPayload: `verbNoun(input: VerbNounInput!): VerbNounPayload!`, the
// payload half (graphql-eslint's input-name checks the input half). A
// deprecated alias keeps its old shape for the release it lives.
const mutationPayload = {
  meta: { type: 'suggestion', schema: [], docs: { description: 'A mutation returns its own non-null VerbNounPayload.' } },
  create(context) {
    return {
      'ObjectTypeDefinition[name.value=Mutation] > FieldDefinition'(node) {
        if ((node.directives || []).some((d) => d.name.value === 'deprecated')) return;
        const name = node.name.value;
        const want = name.charAt(0).toUpperCase() + name.slice(1) + 'Payload';
        const t = node.gqlType;
        const got = t.kind === 'NonNullType' && t.gqlType.kind === 'NamedType' ? t.gqlType.name.value : null;
        if (got !== want) {
          const src = context.sourceCode.getText(t);
          context.report({ node: node.name, message: `Mutation "${name}" should return "${want}!", not "${src}"` });
        }
      },
    };
  },
};

// An identifier is spelled ID (activityID, slotIDs), never Id — also
// inside a generated predicate's name (clientScanIdIn).
const noId = /[a-z\d]Ids?(?=[A-Z]|$)/;

export const config = {
  files: ['**/*.graphql'],
  languageOptions: { parser: graphql.parser },
  plugins: { '@graphql-eslint': graphql, ofhub: { rules: { 'mutation-payload': mutationPayload } } },
  rules: {
    '@graphql-eslint/naming-convention': ['error', {
      types: 'PascalCase',
      FieldDefinition: { style: 'camelCase', forbiddenPatterns: [noId] },
      InputValueDefinition: { style: 'camelCase', forbiddenPatterns: [noId] },
      EnumValueDefinition: 'UPPER_CASE',
      allowLeadingUnderscore: false,
    }],
    '@graphql-eslint/input-name': ['error', { checkInputType: true, caseSensitiveInputType: false, checkMutations: true, checkQueries: false }],
    'ofhub/mutation-payload': 'error',
    // Every type, field, argument and enum value says what a client needs
    // to know. Exceptions (docs/API.md): the predicates of ent's generated
    // …WhereInput filters, whose names are their description (nameContainsFold),
    // and the arguments of gqlgen's own @goField / @goModel.
    '@graphql-eslint/require-description': ['error', {
      types: true, FieldDefinition: true, InputValueDefinition: true, EnumValueDefinition: true, DirectiveDefinition: false,
      ignoredSelectors: ['[parent.name.value=/WhereInput$/]', '[parent.name.value=/^go[A-Z]/]'],
    }],
  },
};

const key = (m) => `${m.ruleId}\t${m.message.replace(/\s+/g, ' ')}`;

async function main(argv) {
  let baselineFile = path.join(here, 'lint-baseline.txt');
  let update = false;
  let schema = path.join(repo, 'graph', 'schema.snapshot.graphql');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--baseline') baselineFile = path.resolve(argv[++i]);
    else if (argv[i] === '--update') update = true;
    else schema = path.resolve(argv[i]);
  }
  const eslint = new ESLint({ cwd: path.dirname(schema), overrideConfigFile: true, overrideConfig: [config] });
  const [result] = await eslint.lintFiles([schema]);
  const messages = result.messages;
  const fatal = messages.filter((m) => !m.ruleId);
  if (fatal.length) {
    for (const m of fatal) console.error(`${schema}:${m.line}:${m.column} ${m.message}`);
    return 2;
  }
  if (update) {
    const lines = messages.map(key).sort();
    fs.writeFileSync(baselineFile,
      '# Known violations of the schema lint (tools/schema/lint.mjs): rule<TAB>message, one a line.\n' +
      '# `make test` fails on any violation not listed here; fix the schema, then shrink this file with\n' +
      '#   node tools/schema/lint.mjs --update\n' +
      lines.map((l) => l + '\n').join(''));
    console.log(`schema lint: ${lines.length} known violations written to ${path.relative(repo, baselineFile)}`);
    return 0;
  }
  const known = new Map();
  for (const l of fs.readFileSync(baselineFile, 'utf8').split('\n')) {
    if (l && !l.startsWith('#')) known.set(l, (known.get(l) || 0) + 1);
  }
  const fresh = [];
  const byRule = new Map();
  for (const m of messages) {
    const k = key(m);
    const n = known.get(k) || 0;
    if (n > 0) {
      known.set(k, n - 1);
      byRule.set(m.ruleId, (byRule.get(m.ruleId) || 0) + 1);
    } else fresh.push(m);
  }
  const gone = [...known.values()].reduce((a, b) => a + b, 0);
  const left = messages.length - fresh.length;
  const rules = [...byRule].map(([r, n]) => `${r.replace('@graphql-eslint/', '')} ${n}`).join(', ');
  console.log(`schema lint: ${left} known violations left in ${path.relative(repo, baselineFile)} (${rules || 'none'})`);
  if (gone > 0) {
    console.log(`schema lint: ${gone} listed violations are fixed — shrink the baseline: node tools/schema/lint.mjs --update`);
  }
  if (fresh.length) {
    const rel = path.relative(process.cwd(), schema);
    for (const m of fresh) console.error(`${rel}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
    console.error(`schema lint: ${fresh.length} new violations of docs/API.md's conventions (see above)`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
