package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// ckIntroType is a type as introspection describes it.
type ckIntroType struct {
	Kind   string
	Name   *string
	OfType *ckIntroType
}

// named unwraps NON_NULL and LIST down to the named type, and says whether
// the outer type is non-null.
func (t ckIntroType) named() (kind, name string, nonNull bool) {
	nonNull = t.Kind == "NON_NULL"
	for t.OfType != nil && t.Name == nil {
		t = *t.OfType
	}
	if t.Name != nil {
		name = *t.Name
	}
	return t.Kind, name, nonNull
}

type ckIntroField struct {
	Name string
	Args []struct {
		Name string
		Type ckIntroType
	}
	Type        ckIntroType
	InputFields []struct {
		Name string
		Type ckIntroType
	}
}

const shapesQuery = `{
  __schema { mutationType { fields { name args { name type { ...T } } type { ...T } } } }
  types: __schema { types { name kind fields(includeDeprecated: true) { name args { name type { ...T } } type { ...T } } inputFields { name type { ...T } } } }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

// TestMutationsTakeOneInputAndReturnAPayload_CheckIn reads the served
// schema by introspection: every mutation of the check-in half
// (graph/schema/checkin.graphql) takes exactly one argument, input:
// VerbNounInput!, that carries its target or parent (input.id,
// input.activityID…), and returns VerbNounPayload! holding the entity
// under its name (API conventions, issue 12). No input field is spelled
// …Id, none is a clear…/append…/add…/remove… flag, none attaches
// check-ins; the entity is CheckIn, its slot and undoer are edges.
func TestMutationsTakeOneInputAndReturnAPayload_CheckIn(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		var out struct {
			Schema struct {
				MutationType struct{ Fields []ckIntroField }
			} `json:"__schema"`
			Types struct {
				Types []struct {
					Name, Kind  string
					Fields      []ckIntroField
					InputFields []struct {
						Name string
						Type ckIntroType
					}
				}
			}
		}
		c.q(c.mgr, shapesQuery, nil, &out)
		types := map[string]int{}
		for i, ty := range out.Types.Types {
			types[ty.Name] = i
		}
		fieldsOf := func(typ string) map[string]ckIntroType {
			i, ok := types[typ]
			if !ok {
				return nil
			}
			m := map[string]ckIntroType{}
			for _, f := range out.Types.Types[i].Fields {
				m[f.Name] = f.Type
			}
			for _, f := range out.Types.Types[i].InputFields {
				m[f.Name] = f.Type
			}
			return m
		}
		mutations := map[string]ckIntroField{}
		for _, f := range out.Schema.MutationType.Fields {
			mutations[f.Name] = f
		}
		for _, tc := range []struct {
			mutation string
			target   []string // required input fields: the target or the parent
			payload  []string // fields the payload holds
		}{
			{"createActivity", []string{"organizationID", "title"}, []string{"activity"}},
			{"updateActivity", []string{"id"}, []string{"activity"}},
			{"addSlot", []string{"activityID", "startsAt", "endsAt"}, []string{"slot", "activity"}},
			{"register", []string{"activityID"}, []string{"registration", "ticket"}},
			{"createRegistration", []string{"activityID"}, []string{"registration", "ticket"}},
			{"cancelRegistration", []string{"id"}, []string{"registration"}},
			{"createDevice", []string{"organizationID", "name", "identificationCode"}, []string{"device"}},
			{"updateDevice", []string{"id"}, []string{"device"}},
			{"deleteDevice", []string{"id"}, []string{"deletedDeviceID", "organization"}},
			{"revokeDevice", []string{"id"}, []string{"device"}},
			{"registerDevice", []string{"siteCode", "identificationCode"}, []string{"token", "device"}},
			{"releaseDevice", []string{"id"}, []string{"device"}},
			{"createSpeaker", []string{"organizationID", "lastName", "firstName"}, []string{"speaker"}},
			{"updateSpeaker", []string{"id"}, []string{"speaker"}},
			{"speakerLink", []string{"id"}, []string{"url", "speaker"}},
			{"rotateTicketKey", []string{"organizationID"}, []string{"keyID", "organization"}},
			{"checkIn", []string{"code"}, []string{"status", "message", "color", "participants", "firstCheckedInAt", "registrationID", "duplicate", "checkIn"}},
			{"syncCheckIns", []string{"deviceClock", "scans"}, []string{"results", "serverTime"}},
			{"markPresent", []string{"registrationID"}, []string{"status", "message", "checkIn", "registrationID"}},
			{"undoCheckIn", []string{"checkInID"}, []string{"checkIn"}},
		} {
			t.Run(tc.mutation, func(t *testing.T) {
				m, ok := mutations[tc.mutation]
				if !ok {
					t.Fatalf("no mutation %s", tc.mutation)
				}
				verbNoun := strings.ToUpper(tc.mutation[:1]) + tc.mutation[1:]
				if len(m.Args) != 1 || m.Args[0].Name != "input" {
					var names []string
					for _, a := range m.Args {
						names = append(names, a.Name)
					}
					t.Fatalf("%s(%s): want exactly one argument, input", tc.mutation, strings.Join(names, ", "))
				}
				kind, in, nonNull := m.Args[0].Type.named()
				if kind != "INPUT_OBJECT" || in != verbNoun+"Input" || !nonNull {
					t.Errorf("%s(input: %s %s, non-null %v): want %sInput!", tc.mutation, kind, in, nonNull, verbNoun)
				}
				kind, payload, nonNull := m.Type.named()
				if kind != "OBJECT" || payload != verbNoun+"Payload" || !nonNull {
					t.Errorf("%s: returns %s %s (non-null %v), want %sPayload!", tc.mutation, kind, payload, nonNull, verbNoun)
				}
				inFields := fieldsOf(in)
				for _, f := range tc.target {
					ft, ok := inFields[f]
					if !ok || ft.Kind != "NON_NULL" {
						t.Errorf("%s: input.%s missing or optional (%+v)", in, f, ft)
					}
				}
				for f, ft := range inFields {
					_, typ, _ := ft.named()
					switch {
					case strings.HasSuffix(f, "Id") || strings.HasSuffix(f, "Ids"):
						if !(tc.mutation == "checkIn" || tc.mutation == "syncCheckIns") { // the devices' deprecated aliases
							t.Errorf("%s.%s: spelled …Id", in, f)
						}
					case strings.HasPrefix(f, "clear") || strings.HasPrefix(f, "append") ||
						(strings.HasPrefix(f, "add") && strings.HasSuffix(f, "IDs")) || strings.HasPrefix(f, "remove"):
						t.Errorf("%s.%s: a clear/append/add/remove flag; updates patch (null clears, lists replaced whole)", in, f)
					case strings.Contains(strings.ToLower(f), "scanids") || strings.Contains(strings.ToLower(f), "checkinids") ||
						strings.Contains(strings.ToLower(f), "tokenids") || strings.Contains(strings.ToLower(f), "registrationids"):
						t.Errorf("%s.%s: an input attaches audit records", in, f)
					case typ == "Cursor" || typ == "SlotInput" && f != "slots":
						t.Errorf("%s.%s: unexpected %s", in, f, typ)
					}
				}
				pFields := fieldsOf(payload)
				for _, f := range tc.payload {
					if _, ok := pFields[f]; !ok {
						t.Errorf("%s has no %s", payload, f)
					}
				}
			})
		}

		// The entity is CheckIn: Scan and its derived types are gone, the
		// foreign keys come with their edges.
		t.Run("CheckIn", func(t *testing.T) {
			for _, gone := range []string{"Scan", "ScanConnection", "ScanWhereInput", "CheckInResult", "CreateSlotInput", "UpdateSlotInput"} {
				if _, ok := types[gone]; ok {
					t.Errorf("type %s still served", gone)
				}
			}
			ci := fieldsOf("CheckIn")
			for f, want := range map[string]string{"slot": "Slot", "undoneBy": "User", "undoneByID": "ID", "user": "User", "speaker": "Speaker", "registration": "Registration", "device": "Device"} {
				if _, got, _ := ci[f].named(); got != want {
					t.Errorf("CheckIn.%s: %q, want %s", f, got, want)
				}
			}
			for typ, f := range map[string]string{"Device": "scans", "Registration": "scans", "Activity": "scans", "CreateDeviceInput": "scanIDs", "UpdateDeviceInput": "addScanIDs"} {
				if _, ok := fieldsOf(typ)[f]; ok {
					t.Errorf("%s.%s still served", typ, f)
				}
			}
			if _, got, _ := fieldsOf("Activity")["checkInLog"].named(); got != "CheckInConnection" {
				t.Errorf("Activity.checkInLog: %s, want CheckInConnection", got)
			}
		})

		// A target the caller does not find is NOT_FOUND naming the input
		// field (input.id…): another organisation's records are absent.
		t.Run("targets", func(t *testing.T) {
			now := time.Now().UTC()
			act := c.activity(c.mgr, c.org, nil, [2]time.Time{now.Add(time.Hour), now.Add(2 * time.Hour)})
			reg := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}}, act.Slots[0])
			dev := c.device(c.mgr, c.org)
			sp := c.Client().Speaker.Create().SetOrganizationID(c.org.ID).SetLastName("Renaud").SetFirstName("Anne").SaveX(c.Sys())
			var m struct {
				MarkPresent struct{ CheckIn struct{ ID string } }
			}
			c.q(c.mgr, `mutation($r:ID!){markPresent(input:{registrationID:$r}){checkIn{id}}}`, map[string]any{"r": reg.ID}, &m)
			_, mgrB, _ := c.newOrg("Organisme B")
			for _, tc := range []struct{ mutation, input, field string }{
				{"updateActivity", `{id:"` + act.ID + `",title:"Pris"}`, "input.id"},
				{"addSlot", `{activityID:"` + act.ID + `",startsAt:"2026-12-05T09:00:00Z",endsAt:"2026-12-05T10:00:00Z"}`, "input.activityID"},
				{"cancelRegistration", `{id:"` + reg.ID + `"}`, "input.id"},
				{"updateDevice", `{id:"` + dev.ID + `",name:"Pris"}`, "input.id"},
				{"deleteDevice", `{id:"` + dev.ID + `"}`, "input.id"},
				{"revokeDevice", `{id:"` + dev.ID + `"}`, "input.id"},
				{"releaseDevice", `{id:"` + dev.ID + `"}`, "input.id"},
				{"updateSpeaker", `{id:"` + apptest.ID(sp.ID) + `",lastName:"Pris"}`, "input.id"},
				{"speakerLink", `{id:"` + apptest.ID(sp.ID) + `"}`, "input.id"},
				{"rotateTicketKey", `{organizationID:"` + apptest.ID(c.org.ID) + `"}`, "input.organizationID"},
				{"markPresent", `{registrationID:"` + reg.ID + `"}`, "input.registrationID"},
				{"undoCheckIn", `{checkInID:"` + m.MarkPresent.CheckIn.ID + `"}`, "input.checkInID"},
			} {
				r := c.Do(apptest.Request{Token: mgrB, Query: "mutation{" + tc.mutation + "(input:" + tc.input + "){__typename}}"})
				field := ""
				if len(r.Errors) > 0 {
					field, _ = r.Errors[0].Extensions["field"].(string)
				}
				if r.Code() != "NOT_FOUND" || field != tc.field {
					t.Errorf("%s on A's record as B's manager: %s on %q %+v, want NOT_FOUND on %s", tc.mutation, r.Code(), field, r.Errors, tc.field)
				}
			}
		})

		// The queries of the check-in half spell their ids …ID; deviceRoster's
		// after stays a String for the previous release (docs/API.md).
		t.Run("queries", func(t *testing.T) {
			q := map[string]ckIntroField{}
			for _, ty := range out.Types.Types {
				if ty.Name == "Query" {
					for _, f := range ty.Fields {
						q[f.Name] = f
					}
				}
			}
			for name, args := range map[string][]string{"searchParticipants": {"activityID", "query", "first"},
				"deviceSetup": {"organizationID"}, "deviceRoster": {"activityID", "after", "first"}} {
				var got []string
				for _, a := range q[name].Args {
					got = append(got, a.Name)
				}
				if strings.Join(got, ",") != strings.Join(args, ",") {
					t.Errorf("%s(%s), want (%s)", name, strings.Join(got, ","), strings.Join(args, ","))
				}
			}
			for _, a := range q["deviceRoster"].Args {
				if _, typ, _ := a.Type.named(); a.Name == "after" && typ != "String" {
					t.Errorf("deviceRoster(after: %s): scanners of the previous release declare $after: String", typ)
				}
			}
		})
	})
}
