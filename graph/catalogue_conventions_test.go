package graph_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent/accreditation"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/graph"
	"github.com/ofhub/ofhub/server/apptest"
)

// inputWith is in with key set to v, as the variables of a mutation
// taking it: {"in": in + key}. The catalogue's mutations take their parent
// or target inside their input (issue 12).
func inputWith(in any, key string, v any) map[string]any {
	m := map[string]any{}
	if src, ok := in.(map[string]any); ok {
		for k, x := range src {
			m[k] = x
		}
	}
	m[key] = v
	return map[string]any{"in": m}
}

// Introspection as a client reads it.

type itRef struct {
	Kind, Name string
	OfType     *itRef
}

// String is the type as written in SDL: [Warning!]!.
func (r *itRef) String() string {
	switch {
	case r == nil:
		return ""
	case r.Kind == "NON_NULL":
		return r.OfType.String() + "!"
	case r.Kind == "LIST":
		return "[" + r.OfType.String() + "]"
	}
	return r.Name
}

type itField struct {
	Name string
	Args []struct {
		Name string
		Type *itRef
	}
	Type *itRef
}

type itType struct {
	Kind, Name  string
	Fields      []itField
	InputFields []struct {
		Name string
		Type *itRef
	}
	EnumValues []struct{ Name string }
}

const itRefQ = `kind name ofType { kind name ofType { kind name ofType { kind name } } }`

var itTypeQ = `query($n: String!) { __type(name: $n) { kind name
  fields { name args { name type { ` + itRefQ + ` } } type { ` + itRefQ + ` } }
  inputFields { name type { ` + itRefQ + ` } }
  enumValues { name } } }`

func catIntrospect(t *testing.T, e *apptest.Env, name string) *itType {
	t.Helper()
	var d struct {
		Type *itType `json:"__type"`
	}
	e.Q("", itTypeQ, map[string]any{"n": name}).Decode(t, &d)
	if d.Type == nil {
		t.Fatalf("type %s is not in the schema", name)
	}
	return d.Type
}

func (ty *itType) field(name string) *itField {
	for i := range ty.Fields {
		if ty.Fields[i].Name == name {
			return &ty.Fields[i]
		}
	}
	return nil
}

// fieldTypes is name → SDL type of the fields (input fields) of ty.
func (ty *itType) fieldTypes() map[string]string {
	m := map[string]string{}
	for _, f := range ty.Fields {
		m[f.Name] = f.Type.String()
	}
	for _, f := range ty.InputFields {
		m[f.Name] = f.Type.String()
	}
	return m
}

// API conventions (issue 12), catalogue half: every mutation of
// catalogue.graphql is verbNoun(input: VerbNounInput!): VerbNounPayload!,
// its target input.id or its parent input.organizationID, its payload the
// entity under its name (plus warnings where the rules warn; the workflow
// steps of a training all { training, warnings }), a removal the deleted
// id and the parent. On main most of them took positional arguments and
// returned the bare entity, an ID or a shared TrainingPayload.
func TestMutationsTakeOneInputAndReturnAPayload_Catalogue(t *testing.T) {
	e := apptest.New(t, apptest.SQLite)
	mutation := catIntrospect(t, e, "Mutation")
	training := map[string]string{"training": "Training!", "warnings": "[Warning!]!"}
	cases := []struct {
		name    string
		key     string            // the input's target or parent: id, organizationID; "" for none
		payload map[string]string // every field of the payload, with its type
	}{
		{"createCertification", "", map[string]string{"certification": "Certification!"}},
		{"updateOrganizationProfile", "id", map[string]string{"organization": "Organization!"}},
		{"requestOrganizationChange", "organizationID", map[string]string{"organizationChangeRequest": "OrganizationChangeRequest!"}},
		{"cancelOrganizationChange", "id", map[string]string{"organizationChangeRequest": "OrganizationChangeRequest!"}},
		{"applyOrganizationChange", "id", map[string]string{"organizationChangeRequest": "OrganizationChangeRequest!"}},
		{"rejectOrganizationChange", "id", map[string]string{"organizationChangeRequest": "OrganizationChangeRequest!"}},
		{"addOrganizationDocument", "organizationID", map[string]string{"organizationDocument": "OrganizationDocument!"}},
		{"removeOrganizationDocument", "id", map[string]string{"deletedOrganizationDocumentID": "ID!", "organization": "Organization!"}},
		{"createTraining", "organizationID", training},
		{"updateTraining", "id", training},
		{"submitTraining", "id", training},
		{"cancelTrainingSubmission", "id", training},
		{"dropTrainingRequest", "id", map[string]string{"deletedTrainingID": "ID", "training": "Training", "organization": "Organization!"}},
		{"validateTraining", "id", training},
		{"rejectTraining", "id", training},
		{"archiveTraining", "id", training},
		{"duplicateSession", "id", training},
		{"createVenue", "organizationID", map[string]string{"venue": "Venue!", "warnings": "[Warning!]!"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mutation.field(c.name)
			if f == nil {
				t.Fatalf("no mutation %s", c.name)
			}
			title := strings.ToUpper(c.name[:1]) + c.name[1:]
			if len(f.Args) != 1 || f.Args[0].Name != "input" || f.Args[0].Type.String() != title+"Input!" {
				var args []string
				for _, a := range f.Args {
					args = append(args, a.Name+": "+a.Type.String())
				}
				t.Errorf("arguments (%s), want (input: %sInput!)", strings.Join(args, ", "), title)
			}
			if got := f.Type.String(); got != title+"Payload!" {
				t.Fatalf("returns %s, want %sPayload!", got, title)
			}
			if c.key != "" && len(f.Args) == 1 {
				if got := catIntrospect(t, e, title+"Input").fieldTypes()[c.key]; got != "ID!" {
					t.Errorf("%sInput.%s: %q, want ID!", title, c.key, got)
				}
			}
			got := catIntrospect(t, e, title+"Payload").fieldTypes()
			if fmt.Sprint(got) != fmt.Sprint(c.payload) {
				t.Errorf("%sPayload { %v }, want { %v }", title, got, c.payload)
			}
		})
	}
	t.Run("no Id spelling left in catalogue arguments", func(t *testing.T) {
		for _, root := range []string{"Query", "Mutation"} {
			for _, f := range catIntrospect(t, e, root).Fields {
				for _, a := range f.Args {
					if strings.HasSuffix(a.Name, "Id") {
						if _, ours := catalogueRoots[f.Name]; ours {
							t.Errorf("%s.%s(%s:)", root, f.Name, a.Name)
						}
					}
				}
			}
		}
	})
}

// catalogueRoots are the root fields of catalogue.graphql.
var catalogueRoots = map[string]bool{"trainings": true, "venues": true, "trainingByReference": true, "certifications": true,
	"certification": true, "referenceCodes": true, "certificationHistory": true, "organizationChangeRequests": true}

// The types of the catalogue (issue 12): date-only facts are Date, hours
// of a day LocalTime, closed code sets enums, identifiers ID with their
// edge, growing lists connections.
func TestCatalogueTypesFollowTheConventions_Issue12(t *testing.T) {
	e := apptest.New(t, apptest.SQLite)
	cases := []struct{ typ, field, want string }{
		{"Certification", "decisionDate", "Date"},
		{"Certification", "registrationEndDate", "Date"},
		{"Certification", "firstExamSession", "Date"},
		{"Certification", "lastExamSession", "Date"},
		{"Accreditation", "endDate", "Date"},
		{"CreateCertificationInput", "decisionDate", "Date"},
		{"Session", "startsOn", "Date!"},
		{"RecruitmentSlot", "startTime", "LocalTime"},
		{"RecruitmentSlot", "endTime", "LocalTime"},
		{"RecruitmentSlotInput", "startTime", "LocalTime"},
		{"RecruitmentSlot", "kind", "RecruitmentSlotKind!"},
		{"RecruitmentSlotInput", "kind", "RecruitmentSlotKind!"},
		{"SkillBlockUse", "validation", "SkillBlockValidation!"},
		{"SkillBlockUseInput", "validation", "SkillBlockValidation!"},
		{"Funding", "recruitmentState", "RecruitmentState!"},
		{"FundingInput", "recruitmentState", "RecruitmentState!"},
		{"Warning", "code", "WarningCode!"},
		{"Session", "organizationID", "ID!"},
		{"Session", "organization", "Organization!"},
		{"Certification", "accreditations", "AccreditationConnection!"},
		{"Query", "venues", "VenueConnection!"},
	}
	types := map[string]map[string]string{}
	for _, c := range cases {
		if types[c.typ] == nil {
			types[c.typ] = catIntrospect(t, e, c.typ).fieldTypes()
		}
		if got := types[c.typ][c.field]; got != c.want {
			t.Errorf("%s.%s: %q, want %s", c.typ, c.field, got, c.want)
		}
	}
	for _, enum := range []struct {
		name   string
		values string
	}{
		{"RecruitmentSlotKind", "[ICO RDVI ISC]"},
		{"SkillBlockValidation", "[PARTIAL TOTAL MIXED]"},
		{"RecruitmentState", "[OPEN CLOSED]"},
		{"WarningCode", "[NOT_ACCREDITED SHORT_SESSION VENUE_NEAR_DUPLICATE NOT_POSITIONABLE]"},
	} {
		var got []string
		for _, v := range catIntrospect(t, e, enum.name).EnumValues {
			got = append(got, v.Name)
		}
		if fmt.Sprint(got) != enum.values {
			t.Errorf("enum %s %v, want %s", enum.name, got, enum.values)
		}
	}
	for _, f := range []string{"accreditations"} {
		args := map[string]string{}
		for _, a := range catIntrospect(t, e, "Certification").field(f).Args {
			args[a.Name] = a.Type.String()
		}
		if args["first"] != "Int" || args["after"] != "Cursor" || args["orderBy"] != "[AccreditationOrder!]" || args["where"] != "AccreditationWhereInput" {
			t.Errorf("Certification.%s(%v)", f, args)
		}
	}
}

// Every warning a catalogue service emits (apperr.Warn) has its
// WarningCode: a new warning without one would answer an empty code.
func TestWarningCodesCoverTheServices(t *testing.T) {
	re := regexp.MustCompile(`apperr\.Warn\(.*?"R-[A-Z]+-[0-9]+",\s*"([a-z_]+)"`)
	files, _ := filepath.Glob("../server/*/*.go")
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen++
			if graph.WarningCode(m[1]) == "" {
				t.Errorf("%s: warning %q has no WarningCode", f, m[1])
			}
		}
	}
	if seen < 4 {
		t.Errorf("found %d warnings in the services, want at least the 4 known", seen)
	}
}

// The catalogue's growing lists are connections (issue 12): 50 per page
// when the client says nothing, at most 1,000 (beyond, BAD_USER_INPUT
// naming first), with where and orderBy.
func TestCatalogueConnectionsPage_Issue12(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		ctx := c.e.Sys()
		for i := range 55 {
			c.e.Client().Venue.Create().SetOrganizationID(c.orgA.ID).SetName(fmt.Sprintf("Salle %02d", i)).SetStreet("1 rue du Port").
				SetPostcode("76600").SetCity("Le Havre").SetLatitude(49.49).SetLongitude(0.11).ExecX(ctx)
		}
		cert := c.e.Client().Certification.Query().Where(certification.Code(apptest.CertTP)).OnlyX(ctx)
		for i := range 60 {
			c.e.Client().Accreditation.Create().SetCertificationID(cert.ID).SetSiret(fmt.Sprintf("900000000%05d", i)).SetMayTrain(true).ExecX(ctx)
		}
		total := c.e.Client().Accreditation.Query().Where(accreditation.CertificationID(cert.ID)).CountX(ctx)
		type page struct {
			TotalCount int
			PageInfo   struct{ HasNextPage bool }
			Edges      []struct{ Node struct{ Name, Siret string } }
		}
		org := apptest.ID(c.orgA.ID)
		var v struct{ Venues page }
		c.e.Q(c.mgrA, `query($o:ID!){venues(organizationID:$o){totalCount pageInfo{hasNextPage} edges{node{name}}}}`, map[string]any{"o": org}).Decode(t, &v)
		if v.Venues.TotalCount != 56 || len(v.Venues.Edges) != 50 || !v.Venues.PageInfo.HasNextPage || v.Venues.Edges[0].Node.Name != "Salle 00" {
			t.Errorf("venues without first: %d of %d, next %v, first %q", len(v.Venues.Edges), v.Venues.TotalCount, v.Venues.PageInfo.HasNextPage, v.Venues.Edges[0].Node.Name)
		}
		c.e.Q(c.mgrA, `query($o:ID!){venues(organizationID:$o, first:3, where:{nameHasPrefix:"Salle 5"}, orderBy:[{field:NAME, direction:DESC}]){totalCount pageInfo{hasNextPage} edges{node{name}}}}`,
			map[string]any{"o": org}).Decode(t, &v)
		if v.Venues.TotalCount != 5 || len(v.Venues.Edges) != 3 || v.Venues.Edges[0].Node.Name != "Salle 54" {
			t.Errorf("venues filtered and ordered: %+v", v.Venues)
		}
		var a struct{ Certification struct{ Accreditations page } }
		c.e.Q(c.op, `query($c:String!){certification(code:$c){accreditations{totalCount pageInfo{hasNextPage} edges{node{siret}}}}}`, map[string]any{"c": apptest.CertTP}).Decode(t, &a)
		if got := a.Certification.Accreditations; got.TotalCount != total || len(got.Edges) != 50 || !got.PageInfo.HasNextPage {
			t.Errorf("accreditations without first: %d of %d (want 50 of %d)", len(got.Edges), got.TotalCount, total)
		}
		for _, q := range []string{
			`query($o:ID!){venues(organizationID:$o, first:1001){totalCount}}`,
			`query($c:String!){certification(code:$c){accreditations(first:1001){totalCount}}}`,
		} {
			r := c.e.Do(apptest.Request{Token: c.op, Query: q, Variables: map[string]any{"o": org, "c": apptest.CertTP}})
			if r.Code() != "BAD_USER_INPUT" || len(r.Errors) == 0 || r.Errors[0].Extensions["field"] != "first" {
				t.Errorf("%s: want BAD_USER_INPUT on first, got %+v", q, r.Errors)
			}
		}
		r := c.e.Do(apptest.Request{Token: c.op, Query: `query($o:ID!){venues(organizationID:$o, first:1000){totalCount}}`, Variables: map[string]any{"o": org}})
		if len(r.Errors) > 0 {
			t.Errorf("first: 1000 is allowed: %+v", r.Errors)
		}
	})
}
