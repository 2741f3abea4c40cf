package graph_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/accreditation"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/organizationchangerequest"
	"github.com/ofhub/ofhub/ent/organizationdocument"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/config"
)

// The organisation record (R-ORG-3 … R-ORG-9), as its users see it through
// the API: a head office with a branch, its MANAGER, a plain member, the
// MANAGER of another organisation and an operator.

type recFixture struct {
	e                         *apptest.Env
	hq, branch, other         *ent.Organization
	mgr, member, outsider, op string // tokens
	mgrID, opID               int
}

func newRecFixture(t *testing.T, d apptest.Dialect, opts ...any) *recFixture {
	t.Helper()
	e := apptest.New(t, d, opts...)
	e.CatalogueRefs()
	f := &recFixture{e: e}
	f.hq = e.TrainingOrg("Bâtiment CFA Normandie (Siège)")
	f.branch = e.Org("Bâtiment CFA Normandie - Caen", f.hq)
	f.other = e.TrainingOrg("Autre organisme")
	f.mgrID = e.User("gestionnaire@cfa.fr", f.hq, viewer.Manager).ID
	e.User("membre@cfa.fr", f.hq, viewer.Reporting, viewer.UserManagement)
	e.User("gestionnaire@autre.fr", f.other, viewer.Manager)
	f.opID = e.Operator("operateur@carif.fr").ID
	f.mgr = e.Login("gestionnaire@cfa.fr", apptest.Password)
	f.member = e.Login("membre@cfa.fr", apptest.Password)
	f.outsider = e.Login("gestionnaire@autre.fr", apptest.Password)
	f.op = e.Login("operateur@carif.fr", apptest.Password)
	return f
}

func (f *recFixture) token(who string) string {
	return map[string]string{"manager": f.mgr, "member": f.member, "outsider": f.outsider, "operator": f.op, "anonymous": ""}[who]
}

func (f *recFixture) org(t *testing.T, id int) *ent.Organization {
	t.Helper()
	o, err := f.e.Client().Organization.Get(f.e.Sys(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// wantErr is the first error a user reads; code "" means success.
type wantErr struct{ code, field, rule, msg string }

// expect checks r against w and returns whether the call succeeded.
func expect(t *testing.T, r *apptest.Response, w wantErr) bool {
	t.Helper()
	if w.code == "" {
		if len(r.Errors) > 0 {
			t.Fatalf("unexpected errors: %+v", r.Errors)
		}
		return true
	}
	if len(r.Errors) == 0 {
		t.Fatalf("want %s, got success: %s", w.code, r.Data)
	}
	// Several errors (every invalid field) come in no promised order: the
	// one checked is the one on w.field.
	e := r.Errors[0]
	for _, x := range r.Errors {
		if w.field != "" && x.Extensions["field"] == w.field {
			e = x
		}
	}
	if got := e.Extensions["code"]; got != w.code {
		t.Errorf("code: want %s, got %v (%s)", w.code, got, e.Message)
	}
	if w.field != "" && e.Extensions["field"] != w.field {
		t.Errorf("field: want %s, got %v", w.field, e.Extensions["field"])
	}
	if w.rule != "" && e.Extensions["rule"] != w.rule {
		t.Errorf("rule: want %s, got %v", w.rule, e.Extensions["rule"])
	}
	if !strings.Contains(e.Message, w.msg) || !frenchSentence(e.Message) {
		t.Errorf("message: want a sentence containing %q, got %q", w.msg, e.Message)
	}
	return false
}

// fields lists the field paths of every error of r, sorted.
func fields(r *apptest.Response) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, fmt.Sprint(e.Extensions["field"]))
	}
	slices.Sort(out)
	return out
}

const profileMutation = `mutation($in:UpdateOrganizationProfileInput!){updateOrganizationProfile(input:$in){organization{
	facilities qualiopi{trainingAction skillsAssessment vae apprenticeship} otherLabels contactRequests}}}`

func TestRORG3_Facilities(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newRecFixture(t, d)
		qualiopiOn := map[string]any{"trainingAction": true, "skillsAssessment": true, "vae": true, "apprenticeship": true}
		cases := []struct {
			name, who string
			org       *ent.Organization
			input     map[string]any
			want      wantErr
			after     []string // facilities after the call
			fields    []string // every error's field, when several
		}{
			{name: "manager picks facilities (deduplicated, in code order)", who: "manager", org: f.hq,
				input: map[string]any{"facilities": []string{"07", "01", "07"}}, after: []string{"01", "07"}},
			{name: "head office manager edits a branch", who: "manager", org: f.branch,
				input: map[string]any{"facilities": []string{"03"}}, after: []string{"03"}},
			{name: "operator edits any organisation", who: "operator", org: f.other,
				input: map[string]any{"facilities": []string{"04", "05", "06"}}, after: []string{"04", "05", "06"}},
			{name: "an empty list clears", who: "manager", org: f.hq,
				input: map[string]any{"facilities": []string{}}, after: []string{}},
			{name: "unknown code refused by its index, nothing half-saved", who: "manager", org: f.hq,
				input: map[string]any{"facilities": []string{"01", "09"}, "qualiopi": qualiopiOn},
				want:  wantErr{"BAD_USER_INPUT", "input.facilities[1]", "R-ORG-3", "Infrastructure d'accueil inconnue « 09 »"}, after: []string{"02"}},
			{name: "every unknown code reported", who: "manager", org: f.hq,
				input: map[string]any{"facilities": []string{"xx", "01", "08"}},
				want:  wantErr{"BAD_USER_INPUT", "input.facilities[0]", "R-ORG-3", "« xx »"}, after: []string{"02"},
				fields: []string{"input.facilities[0]", "input.facilities[2]"}},
			{name: "plain member", who: "member", org: f.hq, input: map[string]any{"facilities": []string{"01"}},
				want: wantErr{"FORBIDDEN", "input.id", "", "Vous n'avez pas le droit"}, after: []string{"02"}},
			{name: "plain member, even with an unknown code, hears FORBIDDEN", who: "member", org: f.hq, input: map[string]any{"facilities": []string{"99"}},
				want: wantErr{"FORBIDDEN", "input.id", "", "Vous n'avez pas le droit"}, after: []string{"02"}},
			{name: "another organisation's manager", who: "outsider", org: f.hq, input: map[string]any{"facilities": []string{"01"}},
				want: wantErr{"FORBIDDEN", "input.id", "", "Vous n'avez pas le droit"}, after: []string{"02"}},
			{name: "anonymous", who: "anonymous", org: f.hq, input: map[string]any{"facilities": []string{"01"}},
				want: wantErr{"UNAUTHENTICATED", "", "", "Vous devez vous connecter"}, after: []string{"02"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f.e.Client().Organization.UpdateOneID(c.org.ID).SetFacilities([]string{"02"}).ClearQualiopi().ExecX(f.e.Sys())
				r := do(f.e, f.token(c.who), profileMutation, inputWith(c.input, "id", apptest.ID(c.org.ID)))
				ok := expect(t, r, c.want)
				if c.fields != nil && !slices.Equal(fields(r), c.fields) {
					t.Errorf("error fields: want %v, got %v", c.fields, fields(r))
				}
				o := f.org(t, c.org.ID)
				if !slices.Equal(o.Facilities, c.after) {
					t.Errorf("facilities after: want %v, got %v", c.after, o.Facilities)
				}
				if !ok && o.Qualiopi != nil {
					t.Errorf("refused input half-saved: qualiopi %+v", o.Qualiopi)
				}
				if ok {
					var d struct {
						UpdateOrganizationProfile struct{ Organization struct{ Facilities []string } }
					}
					r.Decode(t, &d)
					if !slices.Equal(d.UpdateOrganizationProfile.Organization.Facilities, c.after) {
						t.Errorf("answer: want %v, got %v", c.after, d.UpdateOrganizationProfile.Organization.Facilities)
					}
				}
			})
		}
		t.Run("updateOrganization and createOrganization apply the same list", func(t *testing.T) {
			r := do(f.e, f.mgr, `mutation($id:ID!){updateOrganization(input:{id:$id,facilities:["01","42"],city:"Lisieux"}){organization{id}}}`,
				map[string]any{"id": apptest.ID(f.hq.ID)})
			expect(t, r, wantErr{"BAD_USER_INPUT", "input.facilities[1]", "R-ORG-3", "« 42 »"})
			r = do(f.e, f.mgr, `mutation($id:ID!){updateOrganization(input:{id:$id,appendFacilities:["01"]}){organization{id}}}`,
				map[string]any{"id": apptest.ID(f.hq.ID)})
			// No append… field any more (issue 12): lists are replaced whole.
			expect(t, r, wantErr{"GRAPHQL_VALIDATION_FAILED", "", "", "appendFacilities"})
			if o := f.org(t, f.hq.ID); o.City == "Lisieux" {
				t.Error("refused update half-saved")
			}
			r = do(f.e, f.op, `mutation($s:String!){createOrganization(input:{name:"Nouvel OF",siret:$s,otherLabels:["NF214","XX"]}){organization{id}}}`,
				map[string]any{"s": apptest.SIRET("")})
			expect(t, r, wantErr{"BAD_USER_INPUT", "input.otherLabels[1]", "R-ORG-4", "« XX »"})
			r = do(f.e, f.member, `mutation($id:ID!){updateOrganization(input:{id:$id,facilities:["42"]}){organization{id}}}`,
				map[string]any{"id": apptest.ID(f.hq.ID)})
			expect(t, r, wantErr{"FORBIDDEN", "", "", "Vous n'avez pas le droit"})
		})
		t.Run("history entry of the change", func(t *testing.T) {
			do(f.e, f.mgr, profileMutation, inputWith(map[string]any{"facilities": []string{"01", "07"}}, "id", apptest.ID(f.hq.ID)))
			h := recHistory(t, f.e, f.member, f.hq.ID)
			e := h[0]
			if e.EntityType != "Organization" || e.Action != "UPDATE" || e.ActorID != apptest.ID(f.mgrID) ||
				!slices.ContainsFunc(e.Changes, func(c schematype.FieldChange) bool { return c.Field == "facilities" && c.New == `["01","07"]` }) {
				t.Errorf("newest history entry: %+v", e)
			}
		})
	})
}

func TestRORG4_QualityLabels(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newRecFixture(t, d)
		qualiopi := map[string]any{"trainingAction": true, "skillsAssessment": false, "vae": true, "apprenticeship": true}
		cases := []struct {
			name, who, lang string
			input           map[string]any
			want            wantErr
			fields          []string
		}{
			{name: "manager sets Qualiopi per category, labels and contact requests", who: "manager",
				input: map[string]any{"qualiopi": qualiopi, "otherLabels": []string{"OPQF", "ISO9001"},
					"contactRequests": "  Ajouter Mme MARTIN Lucie, assistante, lucie.martin@cfa.fr  "}},
			{name: "unknown label and too long contact requests, both reported, nothing saved", who: "manager",
				input:  map[string]any{"qualiopi": qualiopi, "otherLabels": []string{"QUALIFELT"}, "contactRequests": strings.Repeat("a", 3001)},
				want:   wantErr{"BAD_USER_INPUT", "input.otherLabels[0]", "R-ORG-4", "Label qualité inconnu « QUALIFELT »"},
				fields: []string{"input.contactRequests", "input.otherLabels[0]"}},
			{name: "in English on request", who: "manager", lang: "en", input: map[string]any{"otherLabels": []string{"QUALIFELT"}},
				want: wantErr{"BAD_USER_INPUT", "input.otherLabels[0]", "R-ORG-4", `Unknown quality label "QUALIFELT"`}},
			{name: "plain member reads but does not edit", who: "member", input: map[string]any{"qualiopi": qualiopi},
				want: wantErr{"FORBIDDEN", "input.id", "", "Vous n'avez pas le droit"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f.e.Client().Organization.UpdateOneID(f.hq.ID).ClearQualiopi().ClearOtherLabels().ClearContactRequests().ExecX(f.e.Sys())
				r := f.e.Do(apptest.Request{Token: f.token(c.who), Lang: c.lang, Query: profileMutation,
					Variables: inputWith(c.input, "id", apptest.ID(f.hq.ID))})
				ok := expect(t, r, c.want)
				if c.fields != nil && !slices.Equal(fields(r), c.fields) {
					t.Errorf("error fields: want %v, got %v", c.fields, fields(r))
				}
				o := f.org(t, f.hq.ID)
				if !ok {
					if o.Qualiopi != nil || o.OtherLabels != nil || o.ContactRequests != "" {
						t.Errorf("refused input half-saved: %+v %v %q", o.Qualiopi, o.OtherLabels, o.ContactRequests)
					}
					return
				}
				want := schematype.Qualiopi{TrainingAction: true, VAE: true, Apprenticeship: true}
				if o.Qualiopi == nil || *o.Qualiopi != want || !slices.Equal(o.OtherLabels, []string{"ISO9001", "OPQF"}) ||
					o.ContactRequests != "Ajouter Mme MARTIN Lucie, assistante, lucie.martin@cfa.fr" {
					t.Errorf("after: %+v %v %q", o.Qualiopi, o.OtherLabels, o.ContactRequests)
				}
				// what every member reads (R)
				var got struct {
					Node struct {
						Qualiopi    schematype.Qualiopi
						OtherLabels []string
					}
				}
				recQ(t, f.e, f.member, `query($id:ID!){node(id:$id){...on Organization{qualiopi{trainingAction skillsAssessment vae apprenticeship} otherLabels}}}`,
					map[string]any{"id": apptest.ID(f.hq.ID)}, &got)
				if got.Node.Qualiopi != want || len(got.Node.OtherLabels) != 2 {
					t.Errorf("member reads %+v", got.Node)
				}
			})
		}
	})
}

const requestMutation = `mutation($in:RequestOrganizationChangeInput!){requestOrganizationChange(input:$in){organizationChangeRequest{
	id state authorID organizationID change{name street street2 postcode city siret nda apeCode message contactPoints{kind value published principal}}}}}`

type recRequest struct {
	ID, State, AuthorID, OrganizationID, OperatorComment string
	DecidedAt                                            *time.Time
	Change                                               struct {
		Name, Street, Siret, Nda, ApeCode, Postcode *string
		Message                                     string
		ContactPoints                               []schematype.ContactPoint
	}
}

// submit asks for a change as token and returns the request (nil on error).
func submit(t *testing.T, e *apptest.Env, token string, org int, in map[string]any) (*recRequest, *apptest.Response) {
	t.Helper()
	r := do(e, token, requestMutation, inputWith(in, "organizationID", apptest.ID(org)))
	if len(r.Errors) > 0 {
		return nil, r
	}
	var d struct {
		RequestOrganizationChange struct{ OrganizationChangeRequest recRequest }
	}
	r.Decode(t, &d)
	return &d.RequestOrganizationChange.OrganizationChangeRequest, r
}

func decide(e *apptest.Env, token, op, id string, comment any) *apptest.Response {
	q := map[string]string{
		"cancel": `mutation($id:ID!){cancelOrganizationChange(input:{id:$id}){organizationChangeRequest{id state decidedAt operatorComment}}}`,
		"apply":  `mutation($id:ID!,$c:String){applyOrganizationChange(input:{id:$id,comment:$c}){organizationChangeRequest{id state decidedAt operatorComment}}}`,
		"reject": `mutation($id:ID!,$c:String!){rejectOrganizationChange(input:{id:$id,comment:$c}){organizationChangeRequest{id state decidedAt operatorComment}}}`,
	}[op]
	vars := map[string]any{"id": id}
	if op != "cancel" {
		vars["c"] = comment
	}
	return do(e, token, q, vars)
}

func countRequests(t *testing.T, e *apptest.Env, org int) int {
	t.Helper()
	return e.Client().OrganizationChangeRequest.Query().Where(organizationchangerequest.OrganizationID(org)).CountX(e.Sys())
}

func TestRORG6_RegistryChangeRequest(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newRecFixture(t, d)
		email := func(v string) []map[string]any {
			return []map[string]any{{"kind": "EMAIL", "value": v, "published": true, "principal": true}}
		}
		refused := []struct {
			name   string
			input  map[string]any
			want   wantErr
			fields []string
		}{
			{"SIRET with a wrong Luhn key", map[string]any{"siret": "12345678901234"},
				wantErr{"BAD_USER_INPUT", "input.siret", "R-ORG-1", "clé de contrôle (Luhn)"}, nil},
			{"NDA not 11 digits", map[string]any{"nda": "28AB"}, wantErr{"BAD_USER_INPUT", "input.nda", "R-ORG-1", "11 chiffres"}, nil},
			{"APE code", map[string]any{"apeCode": "85"}, wantErr{"BAD_USER_INPUT", "input.apeCode", "R-ORG-1", "8559A"}, nil},
			{"postcode", map[string]any{"postcode": "1400"}, wantErr{"BAD_USER_INPUT", "input.postcode", "R-ORG-1", "code postal « 1400 »"}, nil},
			{"contact point", map[string]any{"contactPoints": email("pas-un-mail")},
				wantErr{"BAD_USER_INPUT", "input.contactPoints[0].value", "R-ORG-1", "« pas-un-mail »"}, nil},
			{"SIRET of another organisation", map[string]any{"siret": f.other.Siret},
				wantErr{"CONFLICT", "input.siret", "R-ORG-1", "Une structure porte déjà le SIRET"}, nil},
			{"blank name", map[string]any{"name": "   "}, wantErr{"BAD_USER_INPUT", "input.name", "R-ORG-1", "obligatoire"}, nil},
			{"nothing asked", map[string]any{}, wantErr{"BAD_USER_INPUT", "input", "R-ORG-7", "au moins une modification"}, nil},
			{"only current values", map[string]any{"name": f.hq.Name, "siret": f.hq.Siret},
				wantErr{"BAD_USER_INPUT", "input", "R-ORG-7", "au moins une modification"}, nil},
			{"every invalid field reported at once", map[string]any{"siret": "1", "nda": "2", "apeCode": "3", "message": "Nouveaux numéros"},
				wantErr{"BAD_USER_INPUT", "input.siret", "R-ORG-1", "SIRET « 1 »"}, []string{"input.apeCode", "input.nda", "input.siret"}},
		}
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				_, r := submit(t, f.e, f.mgr, f.hq.ID, c.input)
				expect(t, r, c.want)
				if c.fields != nil && !slices.Equal(fields(r), c.fields) {
					t.Errorf("error fields: want %v, got %v", c.fields, fields(r))
				}
				if n := countRequests(t, f.e, f.hq.ID); n != 0 {
					t.Errorf("%d change requests recorded for a refused one", n)
				}
			})
		}

		newSiret := apptest.SIRET(f.hq.Siren)
		t.Run("the manager cannot write registry fields directly", func(t *testing.T) {
			r := do(f.e, f.mgr, `mutation($id:ID!,$s:String!){updateOrganization(input:{id:$id,siret:$s}){organization{id}}}`,
				map[string]any{"id": apptest.ID(f.hq.ID), "s": newSiret})
			expect(t, r, wantErr{"FORBIDDEN", "input.siret", "R-ORG-6", "demandez sa modification au Carif-Oref"})
		})
		var req *recRequest
		t.Run("the manager asks, the record is unchanged until the operator applies", func(t *testing.T) {
			spaced := newSiret[:3] + " " + newSiret[3:6] + " " + newSiret[6:9] + " " + newSiret[9:]
			var r *apptest.Response
			req, r = submit(t, f.e, f.mgr, f.hq.ID, map[string]any{"siret": spaced, "nda": "28760058376", "apeCode": "85.59a",
				"name": f.hq.Name, "message": " Notre SIRET et notre NDA ont changé. "})
			expect(t, r, wantErr{})
			if req.State != "PENDING" || req.AuthorID != apptest.ID(f.mgrID) || req.Change.Siret == nil || *req.Change.Siret != newSiret ||
				req.Change.Nda == nil || *req.Change.Nda != "28760058376" || req.Change.ApeCode == nil || *req.Change.ApeCode != "85.59A" ||
				req.Change.Name != nil || req.Change.Message != "Notre SIRET et notre NDA ont changé." {
				t.Fatalf("request: %+v", req)
			}
			if o := f.org(t, f.hq.ID); o.Siret != f.hq.Siret || o.Nda != f.hq.Nda {
				t.Errorf("record changed before the decision: %s %s", o.Siret, o.Nda)
			}
		})
		t.Run("the operator applies registry fields", func(t *testing.T) {
			r := decide(f.e, f.op, "apply", req.ID, "Vérifié dans la base SIRENE")
			expect(t, r, wantErr{})
			o := f.org(t, f.hq.ID)
			if o.Siret != newSiret || o.Siren != f.hq.Siren || o.Nda != "28760058376" || o.ApeCode != "85.59A" {
				t.Errorf("after apply: %s %s %s %s", o.Siret, o.Siren, o.Nda, o.ApeCode)
			}
			ocr := f.e.Client().OrganizationChangeRequest.GetX(f.e.Sys(), atoi(t, req.ID))
			if ocr.State != organizationchangerequest.StateAPPLIED || ocr.DecidedAt == nil || ocr.OperatorComment != "Vérifié dans la base SIRENE" {
				t.Errorf("request after apply: %+v", ocr)
			}
		})
		t.Run("a value taken since the request: nothing applied, the request stays pending", func(t *testing.T) {
			taken := apptest.SIRET(f.hq.Siren)
			req, r := submit(t, f.e, f.mgr, f.hq.ID, map[string]any{"siret": taken, "street": "9 rue du Port"})
			expect(t, r, wantErr{})
			f.e.Client().Organization.UpdateOneID(f.branch.ID).SetSiret(taken).ExecX(f.e.Sys())
			expect(t, decide(f.e, f.op, "apply", req.ID, nil), wantErr{"CONFLICT", "input.id", "R-ORG-1", "Une structure porte déjà le SIRET"})
			if o := f.org(t, f.hq.ID); o.Street == "9 rue du Port" || o.Siret == taken {
				t.Errorf("half-applied: %s %s", o.Street, o.Siret)
			}
			if st := f.e.Client().OrganizationChangeRequest.GetX(f.e.Sys(), atoi(t, req.ID)).State; st != organizationchangerequest.StatePENDING {
				t.Errorf("state: %s", st)
			}
		})
	})
}

func TestRORG7_ChangeRequestWorkflow(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newRecFixture(t, d)
		proposal := map[string]any{"name": "Bâtiment CFA Normandie", "street": "1 rue Neuve", "city": "Rouen", "postcode": "76000",
			"contactPoints": []map[string]any{{"kind": "PHONE", "label": "accueil", "value": "02 35 00 00 00", "published": true, "principal": true}},
			"message":       "Nous avons déménagé."}
		var id string // the pending request
		steps := []struct {
			name, who, action string // action: submit, cancel, apply, reject, list
			comment           any
			want              wantErr
			state             string // request state after the step
			listed            int    // list: pending requests seen
		}{
			{name: "plain member cannot ask", who: "member", action: "submit", want: wantErr{"FORBIDDEN", "input.organizationID", "", "Vous n'avez pas le droit"}},
			{name: "another organisation's manager cannot ask", who: "outsider", action: "submit", want: wantErr{"FORBIDDEN", "input.organizationID", "", "Vous n'avez pas le droit"}},
			{name: "anonymous", who: "anonymous", action: "submit", want: wantErr{"UNAUTHENTICATED", "", "", "connecter"}},
			{name: "manager asks", who: "manager", action: "submit", state: "PENDING"},
			{name: "one pending request at a time", who: "manager", action: "submit",
				want: wantErr{"CONFLICT", "", "R-ORG-7", "déjà en attente"}, state: "PENDING"},
			{name: "operator sees it", who: "operator", action: "list", listed: 1},
			{name: "members of the organisation see it", who: "member", action: "list", listed: 1},
			{name: "other organisations do not", who: "outsider", action: "list", listed: 0},
			{name: "anonymous cannot list", who: "anonymous", action: "list", want: wantErr{"UNAUTHENTICATED", "", "", "connecter"}},
			{name: "the manager cannot apply", who: "manager", action: "apply",
				want: wantErr{"FORBIDDEN", "", "R-ORG-7", "Seul un gestionnaire du Carif-Oref"}, state: "PENDING"},
			{name: "a plain member cannot cancel", who: "member", action: "cancel", want: wantErr{"FORBIDDEN", "", "", "Vous n'avez pas le droit"}, state: "PENDING"},
			{name: "another organisation cannot even find it", who: "outsider", action: "cancel", want: wantErr{"NOT_FOUND", "", "", "introuvable"}, state: "PENDING"},
			{name: "manager cancels", who: "manager", action: "cancel", state: "CANCELLED"},
			{name: "cancelled is final", who: "manager", action: "cancel", want: wantErr{"CONFLICT", "", "R-ORG-7", "n'est plus en attente (elle est annulée)"}, state: "CANCELLED"},
			{name: "the operator cannot apply a cancelled request", who: "operator", action: "apply", want: wantErr{"CONFLICT", "", "R-ORG-7", "annulée"}, state: "CANCELLED"},
			{name: "manager asks again", who: "manager", action: "submit", state: "PENDING"},
			{name: "rejecting needs a comment", who: "operator", action: "reject", comment: "  ",
				want: wantErr{"BAD_USER_INPUT", "input.comment", "R-ORG-7", "Indiquez la raison du refus"}, state: "PENDING"},
			{name: "operator rejects with a comment", who: "operator", action: "reject", comment: "Adresse absente du registre SIRENE.", state: "REJECTED"},
			{name: "rejected is final", who: "operator", action: "apply", want: wantErr{"CONFLICT", "", "R-ORG-7", "refusée"}, state: "REJECTED"},
			{name: "manager asks a third time", who: "manager", action: "submit", state: "PENDING"},
			{name: "operator applies", who: "operator", action: "apply", comment: "Vérifié avec l'avis de situation INSEE.", state: "APPLIED"},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				tok := f.token(s.who)
				var r *apptest.Response
				switch s.action {
				case "submit":
					var req *recRequest
					req, r = submit(t, f.e, tok, f.hq.ID, proposal)
					if req != nil {
						id = req.ID
					}
				case "list":
					r = do(f.e, tok, `{organizationChangeRequests{totalCount edges{node{id organizationID state change{name}}}}}`, nil)
					if expect(t, r, s.want) {
						var d struct{ OrganizationChangeRequests struct{ TotalCount int } }
						r.Decode(t, &d)
						if d.OrganizationChangeRequests.TotalCount != s.listed {
							t.Errorf("listed: want %d, got %s", s.listed, r.Data)
						}
					}
					return
				default:
					r = decide(f.e, tok, s.action, id, s.comment)
				}
				expect(t, r, s.want)
				if s.state != "" {
					if got := f.e.Client().OrganizationChangeRequest.GetX(f.e.Sys(), atoi(t, id)).State; string(got) != s.state {
						t.Errorf("state after: want %s, got %s", s.state, got)
					}
				}
			})
		}
		t.Run("the applied request changed the record", func(t *testing.T) {
			o := f.org(t, f.hq.ID)
			if o.Name != "Bâtiment CFA Normandie" || o.Street != "1 rue Neuve" || o.City != "Rouen" || o.Postcode != "76000" ||
				len(o.ContactPoints) != 1 || o.ContactPoints[0].Value != "02 35 00 00 00" || o.Siret != f.hq.Siret {
				t.Errorf("record: %+v", o)
			}
			var d struct {
				OrganizationChangeRequests struct {
					Edges []struct{ Node recRequest }
				}
			}
			recQ(t, f.e, f.mgr, `{organizationChangeRequests(state:null){edges{node{id state operatorComment decidedAt}}}}`, nil, &d)
			var states []string
			for _, e := range d.OrganizationChangeRequests.Edges {
				states = append(states, e.Node.State)
				if e.Node.DecidedAt == nil {
					t.Errorf("decided request without a date: %+v", e.Node)
				}
			}
			if !slices.Equal(states, []string{"CANCELLED", "REJECTED", "APPLIED"}) {
				t.Errorf("every request of the organisation, oldest first: %v", states)
			}
		})
		t.Run("requests sent together: one is recorded, the others hear CONFLICT", func(t *testing.T) {
			const n = 6
			codes := make(chan string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := do(f.e, f.mgr, requestMutation, inputWith(map[string]any{"message": fmt.Sprintf("Demande %d", i)}, "organizationID", apptest.ID(f.branch.ID)))
					codes <- r.Code()
				}()
			}
			wg.Wait()
			close(codes)
			var got []string
			for c := range codes {
				got = append(got, c)
			}
			slices.Sort(got)
			if want := []string{"", "CONFLICT", "CONFLICT", "CONFLICT", "CONFLICT", "CONFLICT"}; !slices.Equal(got, want) {
				t.Errorf("codes: %q", got)
			}
			if n := f.e.Client().OrganizationChangeRequest.Query().Where(organizationchangerequest.OrganizationID(f.branch.ID),
				organizationchangerequest.StateEQ(organizationchangerequest.StatePENDING)).CountX(f.e.Sys()); n != 1 {
				t.Errorf("%d pending requests", n)
			}
		})
		t.Run("contact details are still edited directly by the manager (updateOrganization)", func(t *testing.T) {
			r := do(f.e, f.mgr, `mutation($id:ID!){updateOrganization(input:{id:$id,city:"Caen"}){organization{city}}}`, map[string]any{"id": apptest.ID(f.hq.ID)})
			expect(t, r, wantErr{})
			if f.org(t, f.hq.ID).City != "Caen" {
				t.Error("city not changed")
			}
		})
	})
}

type recEntry struct {
	EntityType, Action, ActorID, ActorName, OrganizationID string
	Comment                                                *string
	CreatedAt                                              time.Time
	Changes                                                []schematype.FieldChange
}

func (e recEntry) change(field string) (schematype.FieldChange, bool) {
	for _, c := range e.Changes {
		if c.Field == field {
			return c, true
		}
	}
	return schematype.FieldChange{}, false
}

func recHistory(t *testing.T, e *apptest.Env, token string, org int) []recEntry {
	t.Helper()
	var d struct {
		Node *struct {
			History struct {
				Edges []struct{ Node recEntry }
			}
		}
	}
	r := do(e, token, `query($id:ID!){node(id:$id){...on Organization{history(first:100){edges{node{
		entityType action actorID actorName organizationID comment createdAt changes{field old new}}}}}}}`,
		map[string]any{"id": apptest.ID(org)})
	if r.Code() == "NOT_FOUND" {
		return nil // the organisation is not visible
	}
	expect(t, r, wantErr{})
	r.Decode(t, &d)
	if d.Node == nil {
		return nil
	}
	out := make([]recEntry, len(d.Node.History.Edges))
	for i, e := range d.Node.History.Edges {
		out[i] = e.Node
	}
	return out
}

func TestRORG8_HistoryShowsRequests(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newRecFixture(t, d)
		ask := func() string {
			req, r := submit(t, f.e, f.mgr, f.hq.ID, map[string]any{"name": "CFA du Bâtiment", "message": "Nouveau nom"})
			expect(t, r, wantErr{})
			return req.ID
		}
		expect(t, decide(f.e, f.mgr, "cancel", ask(), nil), wantErr{})
		expect(t, decide(f.e, f.op, "reject", ask(), "Le nom doit suivre le registre."), wantErr{})
		expect(t, decide(f.e, f.op, "apply", ask(), "Nom vérifié."), wantErr{})

		// What the seed's "Historique" shows, newest first: created at,
		// action, Carif comment, author.
		type line struct{ entity, action, state, comment, actor string }
		want := []line{
			{"OrganizationChangeRequest", "UPDATE", "APPLIED", "Nom vérifié.", apptest.ID(f.opID)},
			{"Organization", "UPDATE", "", "Nom vérifié.", apptest.ID(f.opID)},
			{"OrganizationChangeRequest", "CREATE", "PENDING", "", apptest.ID(f.mgrID)}, // « Demande de modification »
			{"OrganizationChangeRequest", "UPDATE", "REJECTED", "Le nom doit suivre le registre.", apptest.ID(f.opID)},
			{"OrganizationChangeRequest", "CREATE", "PENDING", "", apptest.ID(f.mgrID)},
			{"OrganizationChangeRequest", "UPDATE", "CANCELLED", "", apptest.ID(f.mgrID)}, // « Demande … annulée »
			{"OrganizationChangeRequest", "CREATE", "PENDING", "", apptest.ID(f.mgrID)},
		}
		for _, who := range []string{"manager", "member", "operator"} {
			t.Run("as "+who, func(t *testing.T) {
				h := recHistory(t, f.e, f.token(who), f.hq.ID)
				if len(h) < len(want) {
					t.Fatalf("history: %d entries, want at least %d: %+v", len(h), len(want), h)
				}
				for i, w := range want {
					e := h[i]
					comment := ""
					if e.Comment != nil {
						comment = *e.Comment
					}
					state := ""
					if c, ok := e.change("state"); ok {
						state = c.New
						if w.action == "UPDATE" && c.Old != "PENDING" {
							t.Errorf("entry %d: state %q → %q", i, c.Old, c.New)
						}
					} else if w.entity == "OrganizationChangeRequest" && w.action == "CREATE" {
						state = "PENDING" // the default, set by the database
					}
					got := line{e.EntityType, e.Action, state, comment, e.ActorID}
					if got != w || e.OrganizationID != apptest.ID(f.hq.ID) || e.ActorName == "" {
						t.Errorf("entry %d: want %+v, got %+v (%+v)", i, w, got, e)
					}
					if i > 0 && e.CreatedAt.After(h[i-1].CreatedAt) {
						t.Errorf("entry %d is newer than entry %d", i, i-1)
					}
				}
				if c, ok := h[1].change("name"); !ok || c.Old != f.hq.Name || c.New != "CFA du Bâtiment" {
					t.Errorf("the organisation's entry shows the name change: %+v", h[1].Changes)
				}
				if c, ok := h[2].change("change"); !ok || !strings.Contains(c.New, "Nouveau nom") {
					t.Errorf("the request's entry shows what was asked: %+v", h[2].Changes)
				}
			})
		}
		t.Run("another organisation sees none of it", func(t *testing.T) {
			if h := recHistory(t, f.e, f.outsider, f.hq.ID); h != nil {
				t.Errorf("outsider reads %d entries", len(h))
			}
		})
	})
}

// ---------------------------------------------------------------------------
// Documents (R-ORG-9)

// uploadDoc posts addOrganizationDocument as a GraphQL multipart request
// (https://github.com/jaydenseric/graphql-multipart-request-spec).
func uploadDoc(t testing.TB, e *apptest.Env, token string, org int, name string, content []byte, lang string) *apptest.Response {
	t.Helper()
	ops, _ := json.Marshal(map[string]any{
		"query":     `mutation($in:AddOrganizationDocumentInput!){addOrganizationDocument(input:$in){organizationDocument{id name contentType size url organizationID uploadedByID}}}`,
		"variables": map[string]any{"in": map[string]any{"organizationID": apptest.ID(org), "file": nil}},
	})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("operations", string(ops))
	// The file is a field of the input (issue 12): the part maps there.
	mw.WriteField("map", `{"0":["variables.in.file"]}`)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="0"; filename=%q`, name))
	h.Set("Content-Type", "application/pdf") // what a client claims is ignored
	fw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &apptest.Response{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("upload: %d %s: %v", resp.StatusCode, raw, err)
	}
	return out
}

type recDoc struct {
	ID, Name, ContentType, URL, OrganizationID, UploadedByID string
	Size                                                     int
}

func uploaded(t *testing.T, r *apptest.Response) recDoc {
	t.Helper()
	var d struct {
		AddOrganizationDocument struct{ OrganizationDocument recDoc }
	}
	r.Decode(t, &d)
	return d.AddOrganizationDocument.OrganizationDocument
}

// download gets url with token ("" = none).
func download(t *testing.T, url, token string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// padded returns a PDF of exactly n bytes.
func padded(n int) []byte {
	b := make([]byte, n)
	copy(b, pdf)
	for i := len(pdf); i < n; i++ {
		b[i] = ' '
	}
	return b
}

func countDocs(t *testing.T, e *apptest.Env) int {
	t.Helper()
	return e.Client().OrganizationDocument.Query().CountX(e.Sys())
}

func TestRORG9_DocumentSizeLimit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		const mib = 1 << 20
		cases := []struct {
			name  string
			limit int64 // configured; 0 = the default (5 MiB)
			size  int
			lang  string
			want  wantErr
		}{
			{name: "default limit: 5 Mo accepted", size: 5 * mib},
			{name: "default limit: one byte more refused", size: 5*mib + 1,
				want: wantErr{"BAD_USER_INPUT", "input.file", "R-ORG-9", "fait 5,01 Mo : la taille maximale d'un document est de 5 Mo"}},
			{name: "in English", size: 5*mib + 1, lang: "en", want: wantErr{"BAD_USER_INPUT", "input.file", "R-ORG-9", "is 5.01 MB: a document may not exceed 5 MB"}},
			{name: "configured limit 1.5 Mo", limit: 3 * mib / 2, size: 2 * mib,
				want: wantErr{"BAD_USER_INPUT", "input.file", "R-ORG-9", "fait 2 Mo : la taille maximale d'un document est de 1,5 Mo"}},
			{name: "configured limit 1.5 Mo, file below", limit: 3 * mib / 2, size: mib},
		}
		envs := map[int64]*recFixture{}
		for _, c := range cases {
			if envs[c.limit] == nil {
				limit := c.limit
				envs[c.limit] = newRecFixture(t, d, apptest.Option(func(cfg *config.Config) { cfg.MaxDocumentBytes = limit }))
			}
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := envs[c.limit]
				before := countDocs(t, f.e)
				r := uploadDoc(t, f.e, f.mgr, f.hq.ID, "Certificat Qualiopi.pdf", padded(c.size), c.lang)
				if expect(t, r, c.want) {
					if doc := uploaded(t, r); doc.Size != c.size || doc.ContentType != "application/pdf" {
						t.Errorf("document: %+v", doc)
					}
					if countDocs(t, f.e) != before+1 {
						t.Error("no row")
					}
					return
				}
				if !strings.Contains(r.Errors[0].Message, "Certificat Qualiopi.pdf") {
					t.Errorf("the message names the file: %q", r.Errors[0].Message)
				}
				if countDocs(t, f.e) != before {
					t.Error("a refused document was stored")
				}
			})
		}
	})
}

func TestRORG9_DocumentLimitFromEnvironment(t *testing.T) {
	load := func() *config.Config {
		c, err := config.Load(flag.NewFlagSet("test", flag.ContinueOnError), nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if got := load().MaxDocumentBytes; got != 5<<20 {
		t.Errorf("default: %d", got)
	}
	t.Setenv("OFHUB_MAX_DOCUMENT_BYTES", "1048576")
	if got := load().MaxDocumentBytes; got != 1<<20 {
		t.Errorf("OFHUB_MAX_DOCUMENT_BYTES=1048576: %d", got)
	}
}

// officeFile builds a minimal OOXML or OpenDocument container.
func officeFile(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	if slices.Contains(names, "mimetype") { // first, as ODF wants it
		names = append([]string{"mimetype"}, slices.DeleteFunc(names, func(s string) bool { return s == "mimetype" })...)
	}
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[n]))
	}
	zw.Close()
	return b.Bytes()
}

func TestRORG9_DocumentTypes(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newRecFixture(t, d)
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
		jpeg := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
		typeErr := func(kind string) wantErr {
			return wantErr{"BAD_USER_INPUT", "input.file", "R-ORG-9", "n'est pas d'un type accepté (" + kind + ")"}
		}
		cases := []struct {
			name, file string
			content    []byte
			wantType   string
			want       wantErr
		}{
			{"PDF", "attestation.pdf", pdf, "application/pdf", wantErr{}},
			{"PNG", "logo.png", png, "image/png", wantErr{}},
			{"JPEG", "photo.jpg", jpeg, "image/jpeg", wantErr{}},
			{"plain text", "notes.txt", []byte("Liste des formateurs : Mme Martin, M. Durand.\n"), "text/plain; charset=utf-8", wantErr{}},
			{"Word (OOXML)", "programme.docx", officeFile(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
				"application/vnd.openxmlformats-officedocument.wordprocessingml.document", wantErr{}},
			{"Excel (OOXML)", "tarifs.xlsx", officeFile(t, map[string]string{"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", wantErr{}},
			{"OpenDocument text", "statuts.odt", officeFile(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office:document-content/>"}),
				"application/vnd.oasis.opendocument.text", wantErr{}},
			{"a zip archive is not an office file", "archive.docx", officeFile(t, map[string]string{"a.exe": "MZ"}), "", typeErr("application/zip")},
			{"HTML, whatever its name", "page.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "", typeErr("text/html")},
			{"an executable", "setup.pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 64)...), "", typeErr("application/octet-stream")},
			{"an empty file", "vide.pdf", nil, "", wantErr{"BAD_USER_INPUT", "input.file", "R-ORG-9", "« vide.pdf » est vide"}},
			{"a path in the name is dropped", `C:\fakepath\Qualité.pdf`, pdf, "application/pdf", wantErr{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := countDocs(t, f.e)
				r := uploadDoc(t, f.e, f.mgr, f.hq.ID, c.file, c.content, "")
				if !expect(t, r, c.want) {
					if countDocs(t, f.e) != before {
						t.Error("a refused document was stored")
					}
					return
				}
				doc := uploaded(t, r)
				if doc.ContentType != c.wantType || doc.Size != len(c.content) || strings.ContainsAny(doc.Name, `\/`) {
					t.Errorf("document: %+v", doc)
				}
			})
		}
	})
}

func TestRORG9_DocumentDownloadAndRemoval(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newRecFixture(t, d)
		content := append(slices.Clone(pdf), "% Certificat Qualiopi n° 2025-117\n"...)
		var doc recDoc
		t.Run("who may attach", func(t *testing.T) {
			for _, c := range []struct {
				who  string
				org  *ent.Organization
				want wantErr
			}{
				{"member", f.hq, wantErr{"FORBIDDEN", "input.organizationID", "", "Vous n'avez pas le droit"}},
				{"outsider", f.hq, wantErr{"FORBIDDEN", "input.organizationID", "", "Vous n'avez pas le droit"}},
				{"anonymous", f.hq, wantErr{"UNAUTHENTICATED", "", "", "connecter"}},
				{"operator", f.other, wantErr{}},
				{"manager", f.branch, wantErr{}}, // through the head office
				{"manager", f.hq, wantErr{}},
			} {
				before := countDocs(t, f.e)
				r := uploadDoc(t, f.e, f.token(c.who), c.org.ID, "Qualité été 2025.pdf", content, "")
				if expect(t, r, c.want) {
					doc = uploaded(t, r)
					continue
				}
				if countDocs(t, f.e) != before {
					t.Errorf("%s: a refused document was stored", c.who)
				}
			}
			if doc.Name != "Qualité été 2025.pdf" || doc.OrganizationID != apptest.ID(f.hq.ID) || doc.UploadedByID != apptest.ID(f.mgrID) ||
				doc.URL != f.e.URL+"/documents/"+doc.ID {
				t.Fatalf("document: %+v", doc)
			}
		})
		t.Run("members read the list (R)", func(t *testing.T) {
			var d struct {
				Node struct{ Documents []recDoc }
			}
			recQ(t, f.e, f.member, `query($id:ID!){node(id:$id){...on Organization{documents{id name size contentType url}}}}`,
				map[string]any{"id": apptest.ID(f.hq.ID)}, &d)
			if len(d.Node.Documents) != 1 || d.Node.Documents[0].URL != doc.URL {
				t.Errorf("documents: %+v", d.Node.Documents)
			}
		})
		t.Run("download", func(t *testing.T) {
			for _, c := range []struct {
				who    string
				status int
			}{{"manager", 200}, {"member", 200}, {"operator", 200}, {"outsider", 404}, {"anonymous", 401}} {
				resp, body := download(t, doc.URL, f.token(c.who))
				if resp.StatusCode != c.status {
					t.Errorf("%s: status %d, want %d: %s", c.who, resp.StatusCode, c.status, body)
					continue
				}
				if c.status != 200 {
					var e apptest.Response
					if json.Unmarshal(body, &e) != nil || len(e.Errors) == 0 || !frenchSentence(e.Errors[0].Message) || bytes.Contains(body, content) {
						t.Errorf("%s: refusal %s", c.who, body)
					}
					continue
				}
				h := resp.Header
				if !bytes.Equal(body, content) || h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
					h.Get("Content-Disposition") != `attachment; filename="Qualite ete 2025.pdf"; filename*=UTF-8''Qualit%C3%A9%20%C3%A9t%C3%A9%202025.pdf` {
					t.Errorf("%s: %d bytes, headers %v", c.who, len(body), h)
				}
			}
			if resp, _ := download(t, doc.URL, "ofu_not-a-token"); resp.StatusCode != 401 {
				t.Errorf("dead token: %d", resp.StatusCode)
			}
			if resp, _ := download(t, f.e.URL+"/documents/x", f.op); resp.StatusCode != 404 {
				t.Errorf("bad id: %d", resp.StatusCode)
			}
		})
		t.Run("history records the document, not its bytes", func(t *testing.T) {
			h := recHistory(t, f.e, f.member, f.hq.ID)
			if len(h) == 0 || h[0].EntityType != "OrganizationDocument" || h[0].Action != "CREATE" {
				t.Fatalf("newest entry: %+v", h)
			}
			c, ok := h[0].change("data")
			if n, _ := h[0].change("name"); !ok || c.New != "" || n.New != "Qualité été 2025.pdf" {
				t.Errorf("changes: %+v", h[0].Changes)
			}
		})
		t.Run("removal", func(t *testing.T) {
			const q = `mutation($id:ID!){removeOrganizationDocument(input:{id:$id}){deletedOrganizationDocumentID organization{id}}}`
			vars := map[string]any{"id": doc.ID}
			expect(t, do(f.e, f.member, q, vars), wantErr{"FORBIDDEN", "", "", "Vous n'avez pas le droit"})
			expect(t, do(f.e, f.outsider, q, vars), wantErr{"NOT_FOUND", "", "", "introuvable"})
			if !f.e.Client().OrganizationDocument.Query().Where(organizationdocument.ID(atoi(t, doc.ID))).ExistX(f.e.Sys()) {
				t.Fatal("removed by a refused call")
			}
			r := do(f.e, f.mgr, q, vars)
			expect(t, r, wantErr{})
			var d struct {
				RemoveOrganizationDocument struct {
					DeletedOrganizationDocumentID string
					Organization                  struct{ ID string }
				}
			}
			r.Decode(t, &d)
			if got := d.RemoveOrganizationDocument; got.DeletedOrganizationDocumentID != doc.ID || got.Organization.ID != apptest.ID(f.hq.ID) {
				t.Errorf("payload: %+v", got)
			}
			if resp, _ := download(t, doc.URL, f.mgr); resp.StatusCode != 404 {
				t.Errorf("download after removal: %d", resp.StatusCode)
			}
			if h := recHistory(t, f.e, f.member, f.hq.ID); h[0].EntityType != "OrganizationDocument" || h[0].Action != "DELETE" {
				t.Errorf("newest entry: %+v", h[0])
			}
		})
	})
}

// ---------------------------------------------------------------------------
// Accreditations (R-ORG-5)

func TestRORG5_AccreditationsBySiret(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newRecFixture(t, d)
		c, ctx := f.e.Client(), f.e.Sys()
		cert := func(code string) *ent.Certification {
			return c.Certification.Query().Where(certification.Code(code)).OnlyX(ctx)
		}
		end := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
		// As the France compétences import leaves them: a row with the SIRET
		// only (imported before the organisation existed), a row linked by
		// id, another organisation's row, a row of a SIRET nobody holds yet.
		c.Accreditation.Create().SetCertification(cert(apptest.CertTP)).SetSiret(f.hq.Siret).SetName("BATIMENT CFA").
			SetMayTrain(true).SetEndDate(end).SaveX(ctx)
		f.e.Accredit(f.hq, apptest.CertRS)
		f.e.Accredit(f.other, apptest.CertBTS)
		future := apptest.SIRET(f.hq.Siren)
		c.Accreditation.Create().SetCertification(cert(apptest.CertBTS)).SetSiret(future).SetMayAssess(true).SaveX(ctx)

		const q = `query($id:ID!){node(id:$id){...on Organization{accreditations{siret mayTrain mayAssess endDate
			certification{code rncpCode rsCode title registrationEndDate}}}}}`
		type accr struct {
			Siret               string
			MayTrain, MayAssess bool
			EndDate             *string
			Certification       struct {
				Code, Title         string
				RncpCode, RsCode    *string
				RegistrationEndDate *string
			}
		}
		read := func(t *testing.T, token string) ([]accr, bool) {
			var d struct {
				Node *struct{ Accreditations []accr }
			}
			r := do(f.e, token, q, map[string]any{"id": apptest.ID(f.hq.ID)})
			if r.Code() == "NOT_FOUND" {
				return nil, false
			}
			expect(t, r, wantErr{})
			r.Decode(t, &d)
			if d.Node == nil {
				return nil, false
			}
			return d.Node.Accreditations, true
		}
		codes := func(l []accr) []string {
			var out []string
			for _, a := range l {
				out = append(out, a.Certification.Code)
			}
			return out
		}
		for _, c := range []struct {
			who     string
			visible bool
		}{{"manager", true}, {"member", true}, {"operator", true}, {"outsider", false}} {
			t.Run("as "+c.who, func(t *testing.T) {
				l, ok := read(t, f.token(c.who))
				if ok != c.visible {
					t.Fatalf("organisation visible: %v", ok)
				}
				if !ok {
					return
				}
				if !slices.Equal(codes(l), []string{apptest.CertTP, apptest.CertRS}) {
					t.Fatalf("accreditations: %v", codes(l))
				}
				tp, rs := l[0], l[1]
				if tp.Siret != f.hq.Siret || !tp.MayTrain || tp.MayAssess || tp.EndDate == nil || *tp.EndDate != end.Format(time.DateOnly) ||
					tp.Certification.RncpCode == nil || *tp.Certification.RncpCode != "35967" || tp.Certification.RsCode != nil ||
					!strings.HasPrefix(tp.Certification.Title, "Agent d'exploitation") || tp.Certification.RegistrationEndDate == nil || *tp.Certification.RegistrationEndDate != "2028-12-31" {
					t.Errorf("matched by SIRET: %+v", tp)
				}
				if rs.Certification.RsCode == nil || *rs.Certification.RsCode != "5000" || !rs.MayTrain || !rs.MayAssess {
					t.Errorf("linked by the import: %+v", rs)
				}
			})
		}
		t.Run("anonymous", func(t *testing.T) {
			r := do(f.e, "", q, map[string]any{"id": apptest.ID(f.hq.ID)})
			expect(t, r, wantErr{"UNAUTHENTICATED", "", "", "connecter"})
		})
		t.Run("a new SIRET brings its accreditations", func(t *testing.T) {
			req, r := submit(t, f.e, f.mgr, f.hq.ID, map[string]any{"siret": future, "message": "Transfert du siège"})
			expect(t, r, wantErr{})
			expect(t, decide(f.e, f.op, "apply", req.ID, nil), wantErr{})
			l, _ := read(t, f.mgr)
			if !slices.Equal(codes(l), []string{apptest.CertBTS}) || l[0].Siret != future || !l[0].MayAssess {
				t.Errorf("after the SIRET change: %+v", l)
			}
			linked := c.Accreditation.Query().Where(accreditation.OrganizationID(f.hq.ID)).AllX(ctx)
			if len(linked) != 1 || linked[0].Siret != future {
				t.Errorf("rows linked to the organisation: %+v", linked)
			}
		})
	})
}

// recQ runs a query that must succeed and decodes its data into v.
func recQ(t *testing.T, e *apptest.Env, token, query string, vars map[string]any, v any) {
	t.Helper()
	r := do(e, token, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", strings.Join(strings.Fields(query), " "), r.Errors)
	}
	r.Decode(t, v)
}
