package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/slot"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/graph/generated"
	"github.com/ofhub/ofhub/server/apptest"
)

// tenantIDs are one tenant's records, by the name an input field gives
// them (activityID, slotIDs, addSpeakerIDs…).
type tenantIDs map[string]string

func (ids tenantIDs) forField(name string) (string, bool) {
	n := strings.ToLower(name)
	for _, k := range []string{"activity", "slot", "speaker", "scan", "checkin", "registration", "device", "user", "membership", "venue", "parent", "organization"} {
		if strings.Contains(n, k) {
			id, ok := ids[k]
			return id, ok
		}
	}
	return "", false
}

// TestAbuse_ForeignLinkIDs replays issue 10 #6: a manager of tenant B wrote
// onto tenant A's records through link fields — updateDevice(addScanIDs:)
// moved A's check-in onto B's device, createSpeaker(slotIDs:) attached B's
// speaker to A's slot. Every mutation input field naming ids (…ID, …IDs,
// add…IDs, remove…IDs) is found by walking the schema and given one of A's
// ids, the rest of the input being B's own: the answer is NOT_FOUND naming
// the field, and nothing changes.
func TestAbuse_ForeignLinkIDs(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		orgB, mgrB, _ := c.newOrg("Organisme B")
		now := time.Now().UTC()
		tenant := func(org *ent.Organization, mgr string) tenantIDs {
			act := c.activity(mgr, org, nil, [2]time.Time{now.Add(time.Hour), now.Add(2 * time.Hour)})
			sp := c.Client().Speaker.Create().SetOrganizationID(org.ID).SetLastName("Orateur").SetFirstName("Org " + apptest.ID(org.ID)).SaveX(c.Sys())
			reg := c.reg(mgr, act.ID, []ckPerson{{"Inscrit", "Org " + apptest.ID(org.ID)}}, act.Slots[0])
			dev := c.device(mgr, org)
			c.scan(dev.Token, reg.Code, act.ID)
			sc := c.Client().Scan.Query().Where(scan.ActivityID(atoi(t, act.ID))).OnlyIDX(c.Sys())
			m := c.Client().Membership.Query().Where(membership.OrganizationID(org.ID)).FirstX(c.Sys())
			v := c.Client().Venue.Create().SetOrganizationID(org.ID).SetName("Salle " + apptest.ID(org.ID)).
				SetStreet("1 rue de la Paix").SetPostcode("75002").SetCity("Paris").SetLatitude(48.87).SetLongitude(2.33).SaveX(c.Sys())
			return tenantIDs{"activity": act.ID, "slot": act.Slots[0], "speaker": apptest.ID(sp.ID), "scan": apptest.ID(sc), "checkin": apptest.ID(sc),
				"registration": reg.ID, "device": dev.ID, "user": apptest.ID(m.UserID), "membership": apptest.ID(m.ID),
				"venue": apptest.ID(v.ID), "parent": apptest.ID(org.ID), "organization": apptest.ID(org.ID)}
		}
		a, b := tenant(c.org, c.mgr), tenant(orgB, mgrB)
		// A user manager of B creating users attaches them to B.
		c.Client().Membership.Update().Where(membership.OrganizationID(orgB.ID)).
			SetPermissions([]viewer.Permission{viewer.Manager}).ExecX(c.Sys())

		fingerprint := func() string {
			ctx := c.Sys()
			byID := ent.Asc("id")
			var s strings.Builder
			fmt.Fprintln(&s, c.Client().Slot.Query().Order(byID).AllX(ctx), c.Client().Speaker.Query().Order(byID).AllX(ctx))
			fmt.Fprintln(&s, c.Client().Scan.Query().Order(byID).Select(scan.FieldDeviceID, scan.FieldRegistrationID, scan.FieldAdmitted).AllX(ctx))
			fmt.Fprintln(&s, c.Client().Registration.Query().Order(byID).QuerySlots().Order(byID).IDsX(ctx))
			fmt.Fprintln(&s, c.Client().Membership.Query().Order(byID).AllX(ctx), c.Client().Organization.Query().Order(byID).AllX(ctx))
			fmt.Fprintln(&s, c.Client().Activity.Query().CountX(ctx))
			fmt.Fprintln(&s, c.Client().Device.Query().Order(byID).Select("name", "organization_id").AllX(ctx))
			return s.String()
		}

		t.Run("audit", func(t *testing.T) {
			c.t = t
			before := fingerprint()
			r := do(c.Env, mgrB, `mutation($d:ID!,$s:ID!){updateDevice(input:{id:$d,addScanIDs:[$s]}){device{id}}}`, map[string]any{"d": b["device"], "s": a["scan"]})
			if r.Code() != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("updateDevice(addScanIDs): the input must be gone, got %s %s", r.Code(), r.Data)
			}
			r = do(c.Env, mgrB, `mutation($o:ID!,$s:ID!){createSpeaker(input:{organizationID:$o,lastName:"Intrus",firstName:"B",slotIDs:[$s]}){speaker{id}}}`,
				map[string]any{"o": b["organization"], "s": a["slot"]})
			if r.Code() != "NOT_FOUND" || len(r.Errors) == 0 || r.Errors[0].Extensions["field"] != "input.slotIDs" {
				t.Errorf("createSpeaker(slotIDs: A's slot): want NOT_FOUND on input.slotIDs, got %+v", r.Errors)
			}
			if sp := c.Client().Slot.Query().Where(slot.ID(atoi(t, a["slot"]))).OnlyX(c.Sys()).SpeakerID; sp == nil || apptest.ID(*sp) == b["speaker"] {
				if sp != nil {
					t.Error("A's slot now has B's speaker")
				}
			}
			if after := fingerprint(); after != before {
				t.Errorf("records changed:\n%s\n%s", trim(before), trim(after))
			}
			// The same links within one's own tenant still work.
			r = do(c.Env, mgrB, `mutation($o:ID!,$s:ID!){createSpeaker(input:{organizationID:$o,lastName:"Orateur",firstName:"Bis",slotIDs:[$s]}){speaker{slots{id}}}}`,
				map[string]any{"o": b["organization"], "s": b["slot"]})
			if len(r.Errors) > 0 || !strings.Contains(string(r.Data), b["slot"]) {
				t.Errorf("createSpeaker on one's own slot: %+v %s", r.Errors, r.Data)
			}
		})

		t.Run("schema", func(t *testing.T) {
			c.t = t
			s := generated.NewExecutableSchema(generated.Config{}).Schema()
			w := &walker{t: t, s: s}
			tried := 0
			for _, fd := range s.Mutation.Fields {
				for _, arg := range fd.Arguments {
					def := s.Types[arg.Type.Name()]
					if def == nil || def.Kind != ast.InputObject {
						continue
					}
					for _, path := range idFields(s, def, "", 0) {
						switch {
						case strings.HasSuffix(path, "trainerIDs"):
							continue // trainer organisations are other tenants by design (R-CAT-23)
						case strings.HasSuffix(path, "replacedByID"):
							continue // certifications are reference data, edited by operators only
						case fd.Name == "register":
							continue // anyone may register to a public activity, any tenant's
						case strings.Contains(path, "sessions."):
							continue // the catalogue's documents: see TestAbuse_ForeignLinkIDs's note in docs/SECURITY.md
						case fd.Name == "addOrganizationDocument":
							continue // an Upload has no literal: TestRORG9_DocumentDownloadAndRemoval sends A's id in a multipart request
						}
						leaf := path[strings.LastIndex(path, ".")+1:]
						foreign, ok := a.forField(leaf)
						if !ok {
							t.Errorf("%s(%s.%s): no fixture id for this field", fd.Name, arg.Name, path)
							continue
						}
						q := "mutation{" + fd.Name + linkArgs(w, s, fd, b, arg.Name, path, foreign) + "{__typename}}"
						before := fingerprint()
						r := do(c.Env, mgrB, q, nil)
						tried++
						field := ""
						if len(r.Errors) > 0 {
							field, _ = r.Errors[0].Extensions["field"].(string)
						}
						want := "input." + strings.TrimPrefix(path, ".")
						if arg.Name != "input" {
							want = arg.Name + "." + strings.TrimPrefix(path, ".")
						}
						// Case-insensitive: an old spelling's refusal names the field by its new one.
						named := strings.HasSuffix(strings.ToLower(strings.ReplaceAll(field, "[0]", "")), strings.ToLower(strings.TrimPrefix(path, ".")))
						// A slot of another activity is refused by the registration's own
						// check (R-ACT-2) before any lookup, naming the same field; the
						// sync is a device's only (FORBIDDEN for a manager, a device of B
						// meets A's activity as NOT_FOUND through checkIn's rule).
						// The catalogue's organisations are no secret (any may be a
						// trainer, R-CAT-11): the organisation a catalogue mutation
						// writes in (input.organizationID) is refused by its role
						// check, FORBIDDEN naming the field, before anything is read.
						okAnswer := (r.Code() == "NOT_FOUND" && named) || (r.Code() == "BAD_USER_INPUT" && named && strings.HasSuffix(path, "slotIDs")) ||
							(fd.Name == "syncCheckIns" && r.Code() == "FORBIDDEN") ||
							(catalogueParent[fd.Name] && path == ".organizationID" && r.Code() == "FORBIDDEN" && named)
						if !okAnswer {
							t.Errorf("%s with A's id in %s: want NOT_FOUND on %s, got %s %q %+v\n%s", fd.Name, want, want, r.Code(), field, r.Errors, q)
						}
						if after := fingerprint(); after != before {
							t.Errorf("%s with A's id in %s changed records", fd.Name, want)
						}
					}
				}
			}
			if tried < 10 {
				t.Errorf("only %d id fields tried: the walk is broken", tried)
			}
		})
	})
}

// idFields lists the paths (".speakerID", ".sessions.venueIDs") of input
// fields naming ids in def, nested inputs included.
func idFields(s *ast.Schema, def *ast.Definition, prefix string, depth int) []string {
	var out []string
	for _, f := range def.Fields {
		if f.Type.Name() == "ID" && (strings.HasSuffix(f.Name, "ID") || strings.HasSuffix(f.Name, "IDs") || strings.HasSuffix(f.Name, "Id")) {
			out = append(out, prefix+"."+f.Name)
			continue
		}
		if sub := s.Types[f.Type.Name()]; sub != nil && sub.Kind == ast.InputObject && depth < 3 {
			out = append(out, idFields(s, sub, prefix+"."+f.Name, depth+1)...)
		}
	}
	return out
}

// linkArgs writes fd's arguments: B's own ids and values everywhere, but
// foreign at path inside argument target.
func linkArgs(w *walker, s *ast.Schema, fd *ast.FieldDefinition, own tenantIDs, target, path, foreign string) string {
	var parts []string
	for _, a := range fd.Arguments {
		if a.Name == target {
			// The input object is named after its mutation: its id is the
			// record acted on (updateSpeaker(input: {id}) → B's speaker).
			parts = append(parts, a.Name+":"+linkValue(w, s, a.Type, fd.Name, own, path, foreign))
			continue
		}
		if !a.Type.NonNull || a.DefaultValue != nil {
			continue
		}
		v := linkValue(w, s, a.Type, ownIDName(fd.Name, a.Name), own, "-", "")
		parts = append(parts, a.Name+":"+v)
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// ownIDName turns an "id" argument or input field into the record the
// mutation acts on (updateSpeaker(input: {id}) → speaker).
func ownIDName(mutation, arg string) string {
	if arg != "id" {
		return arg
	}
	return strings.TrimPrefix(strings.TrimPrefix(mutation, "update"), "delete")
}

func linkValue(w *walker, s *ast.Schema, t *ast.Type, name string, own tenantIDs, path, foreign string) string {
	if t.Elem != nil {
		return "[" + linkValue(w, s, t.Elem, name, own, path, foreign) + "]"
	}
	if t.NamedType == "ID" {
		if path == "" {
			return `"` + foreign + `"`
		}
		if id, ok := own.forField(name); ok {
			return `"` + id + `"`
		}
		return `"0"`
	}
	def := s.Types[t.NamedType]
	if def == nil || def.Kind != ast.InputObject {
		switch t.NamedType {
		case "String":
			if strings.Contains(strings.ToLower(name), "email") {
				return `"valeur.` + strings.ToLower(name) + `@exemple.fr"`
			}
			return `"Valeur ` + name + `"`
		case "Time":
			at := time.Now().Add(24 * time.Hour)
			if strings.HasPrefix(name, "end") {
				at = at.Add(2 * time.Hour)
			}
			return `"` + at.UTC().Format(time.RFC3339) + `"`
		}
		v, _ := w.value(t, name, 0)
		return v
	}
	var parts []string
	for _, f := range def.Fields {
		sub := "-"
		if path == "."+f.Name || strings.HasPrefix(path, "."+f.Name+".") {
			sub = strings.TrimPrefix(path, "."+f.Name)
		}
		// A deprecated alias (activityId beside activityID) is sent only
		// when tried, and then without its twin: both spellings at once
		// are refused for disagreeing before any lookup.
		if sub == "-" && (f.Directives.ForName("deprecated") != nil || strings.EqualFold(path, "."+f.Name)) {
			continue
		}
		// An activity is named where a slot is tried (a slot of A's
		// activity needs the activity it is checked against: B's); a scan
		// needs its clientScanID (required, under one spelling or the other).
		if sub == "-" && (!f.Type.NonNull || f.DefaultValue != nil) && !((f.Name == "activityID" || f.Name == "clientScanID") && path != "-") {
			continue
		}
		fname := f.Name
		if fname == "id" {
			fname = ownIDName(name, "id")
		}
		parts = append(parts, f.Name+":"+linkValue(w, s, f.Type, fname, own, sub, foreign))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// catalogueParent are the catalogue's mutations whose input names the
// organisation they write in.
var catalogueParent = map[string]bool{"requestOrganizationChange": true, "createTraining": true, "createVenue": true}
