package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/scanner/testtool"
)

const root = "../.."

// TestSnapshotIsTheServedSchema: the committed snapshot is what the server
// serves, byte for byte, and printing it twice gives the same bytes — the
// breaking-change diff and the lint judge the real schema, and a
// regeneration never shows a change that is not one.
func TestSnapshotIsTheServedSchema(t *testing.T) {
	var a, b bytes.Buffer
	if err := Print(&a); err != nil {
		t.Fatal(err)
	}
	if err := Print(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two prints of the schema differ: the snapshot would change at every make generate")
	}
	committed, err := os.ReadFile(filepath.Join(root, "graph", "schema.snapshot.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), committed) {
		t.Fatal("graph/schema.snapshot.graphql is not the served schema: run make generate and commit it")
	}
	for _, want := range []string{"type Query {", "type Mutation {", "type Subscription {", "interface Node {", "scalar Cursor"} {
		if !strings.Contains(a.String(), want) {
			t.Errorf("the snapshot lacks %q", want)
		}
	}
}

// guard runs tools/schema/check.sh, as `make test` does, but only its
// guard which ("diff": the breaking-change diff, "lint"), on schema (a
// variant of the snapshot) against the committed release baseline, with
// changes as docs/API-CHANGES.md.
func guard(t *testing.T, which, schema, changes string) (string, bool) {
	t.Helper()
	testtool.Require(t, "node", "apt-get install nodejs npm")
	if _, err := os.Stat(filepath.Join(root, "tools", "schema", "node_modules", "@graphql-inspector", "cli", "package.json")); err != nil {
		testtool.Missing(t, "tools/schema/node_modules", "make schema-check (npm ci --prefix tools/schema)")
	}
	dir := t.TempDir()
	snap := filepath.Join(dir, "schema.graphql")
	doc := filepath.Join(dir, "API-CHANGES.md")
	if err := os.WriteFile(snap, []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(doc, []byte(changes), 0o644); err != nil {
		t.Fatal(err)
	}
	// The release to compare with is today's snapshot, not the committed
	// baseline: the cases edit the snapshot and must see only their edit,
	// whatever has changed since the last release.
	released := filepath.Join(dir, "released.graphql")
	if err := os.WriteFile(released, []byte(snapshot(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", filepath.Join(root, "tools", "schema", "check.sh"))
	cmd.Env = append(os.Environ(), "SNAPSHOT="+snap, "RELEASED="+released, "OFHUB_API_CHANGES="+doc, "SCHEMA_GUARDS="+which)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, exit := err.(*exec.ExitError); !exit {
			t.Fatalf("check.sh: %v\n%s", err, out)
		}
	}
	return string(out), err == nil
}

func snapshot(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "graph", "schema.snapshot.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// edit replaces one exact piece of the snapshot, failing when it is not there
// (the test would otherwise prove nothing).
func edit(t *testing.T, s, old, new string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("the snapshot holds %q %d times, not once", old, strings.Count(s, old))
	}
	return strings.Replace(s, old, new, 1)
}

const unreleased = "# ofhub API changes\n\n## Unreleased\n\n"

// TestBreakingChangeNeedsAnAPIChangesLine: removing a field clients may read
// fails `make test` until docs/API-CHANGES.md lists it under « Unreleased »
// (the failure says which line to add); a line under a past release accepts
// nothing; an addition needs no line.
func TestBreakingChangeNeedsAnAPIChangesLine(t *testing.T) {
	t.Parallel()
	// The field and its description go together (a description left alone
	// is a syntax error).
	removed := edit(t, snapshot(t), "  \"\"\"\n  Whether the organisation may assess candidates (habilitation à organiser l'évaluation, R-ORG-5).\n  \"\"\"\n  mayAssess: Boolean!\n", "")
	added := edit(t, snapshot(t), "type Accreditation implements Node {\n", "type Accreditation implements Node {\n  \"\"\"Whether the accreditation is current.\"\"\"\n  current: Boolean!\n")
	line := "- `FIELD_REMOVED` `Accreditation.mayAssess` — read the certifier's list instead\n"
	for _, c := range []struct {
		name, schema, changes string
		pass                  bool
		say                   string
	}{
		{"unchanged schema passes", snapshot(t), unreleased + "(none yet)\n", true, "No changes detected"},
		{"unlisted removal fails and names the line to add", removed, unreleased + "(none yet)\n", false,
			"- `FIELD_REMOVED` `Accreditation.mayAssess`"},
		{"removal listed under Unreleased passes", removed, unreleased + line, true, "accepted: API-CHANGES.md"},
		{"removal listed under a past release fails", removed, "# ofhub API changes\n\n## Unreleased\n\n## 2026-11-01\n\n" + line, false,
			"breaking change not listed"},
		{"another breaking change is not covered by the line", edit(t, removed, "  siret: String!\n  \"\"\"\n  Name of the accredited organisation", "  siret: String\n  \"\"\"\n  Name of the accredited organisation"), unreleased + line, false,
			"- `FIELD_TYPE_CHANGED` `Accreditation.siret`"},
		{"an added field needs no line", added, unreleased + "(none yet)\n", true, "Field current was added to object type Accreditation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, ok := guard(t, "diff", c.schema, c.changes)
			if ok != c.pass || !strings.Contains(strings.ReplaceAll(out, "\x1b", ""), c.say) {
				t.Errorf("passed %v (want %v), output should say %q:\n%s", ok, c.pass, c.say, out)
			}
		})
	}
}

// TestLintFailsOnNewViolation: the schema lint lets today's recorded
// violations pass (saying how many are left) and fails on a new one — a
// `fooId` field, an undescribed field, a mutation without input and payload
// — naming it.
func TestLintFailsOnNewViolation(t *testing.T) {
	t.Parallel()
	const at = "type Accreditation implements Node {\n"
	for _, c := range []struct {
		name, schema string
		pass         bool
		say          string
	}{
		{"today's schema passes, counting what is left", snapshot(t), true, "known violations left"},
		{"a fooId field fails", edit(t, snapshot(t), at, at+"  \"\"\"The foo.\"\"\"\n  fooId: ID\n"), false, `Field "fooId" should not contain the forbidden pattern`},
		{"a fooId argument fails", edit(t, snapshot(t), at, at+"  \"\"\"The foo.\"\"\"\n  foo(\"\"\"Which.\"\"\"\n barId: ID): Boolean\n"), false, `Input value "barId"`},
		{"an undescribed field fails", edit(t, snapshot(t), at, at+"  fooID: ID\n"), false, `Description is required for field "fooID" in type "Accreditation"`},
		{"a lower-case enum value fails", edit(t, snapshot(t), "enum CertificationState {\n", "enum CertificationState {\n  \"\"\"Gone.\"\"\"\n  gone\n"), false, `Enum value "gone" should be in UPPER_CASE format`},
		{"a mutation without input and payload fails", edit(t, snapshot(t), "type Mutation {\n", "type Mutation {\n  \"\"\"Pings.\"\"\"\n  ping(\"\"\"Who.\"\"\"\n who: String): Boolean!\n"), false,
			`Mutation "ping" should return "PingPayload!", not "Boolean!"`},
		{"a mutation with its input and payload passes", edit(t, snapshot(t), "type Mutation {\n", "type Mutation {\n  \"\"\"Pings.\"\"\"\n  ping(\"\"\"What to ping.\"\"\"\n input: PingInput!): PingPayload!\n") +
			"\"\"\"What to ping.\"\"\"\ninput PingInput {\n  \"\"\"Who.\"\"\"\n  who: String\n}\n\"\"\"The ping's answer.\"\"\"\ntype PingPayload {\n  \"\"\"Whether it answered.\"\"\"\n  ok: Boolean!\n}\n", true, "known violations left"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, ok := guard(t, "lint", c.schema, unreleased)
			if ok != c.pass || !strings.Contains(out, c.say) {
				t.Errorf("passed %v (want %v), output should say %q:\n%s", ok, c.pass, c.say, out)
			}
		})
	}
}
