package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/participant"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/graph/generated"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/config"
)

// deviceFixture is an organisation whose door device scans an activity
// holding every kind of personal data: participants with e-mail, phone,
// address and age, a buyer's phone, a speaker's e-mail, QR tickets, scans.
type deviceFixture struct {
	c                     *ckEnv
	act                   ckActivity // one date, QR check-in
	slotAct               ckActivity // two slots, one with a speaker
	dev, other            ckDevice
	reg, reg2             ckReg
	regID, partID, scanID int
	speakerID             int
	// secrets must never reach the device; names only as ParticipantName.
	secrets []string
	names   []string
}

func newDeviceFixture(t *testing.T, d apptest.Dialect) *deviceFixture {
	// The schema walk asks for every field of every type at once: far above
	// the request limits a client meets, which are not what is tested here.
	c := newCk(t, d, apptest.Option(func(cfg *config.Config) {
		cfg.FieldLimit, cfg.TokenLimit, cfg.Complexity = 1_000_000, 1_000_000, 100_000_000
	}))
	f := &deviceFixture{c: c}
	f.act = c.activity(c.mgr, c.org, nil)
	now := time.Now().UTC()
	f.slotAct = c.activity(c.mgr, c.org, nil, [2]time.Time{now.Add(-time.Hour), now.Add(time.Hour)}, [2]time.Time{now.Add(2 * time.Hour), now.Add(3 * time.Hour)})
	sp := c.Client().Speaker.Create().SetOrganizationID(c.org.ID).SetLastName("Intervenantsecret").SetFirstName("Hortense").
		SetEmail("hortense.intervenante@secret.fr").AddSlotIDs(atoi(t, f.slotAct.Slots[0])).SaveX(c.Sys())
	f.speakerID = sp.ID
	f.reg = c.reg(c.mgr, f.act.ID, []ckPerson{{"Zebulonsecret", "Anatole"}, {"Quirinsecret", "Berthe"}})
	f.reg2 = c.reg(c.mgr, f.slotAct.ID, []ckPerson{{"Ysoldesecret", "Cunégonde"}}, f.slotAct.Slots[0])
	f.regID = atoi(t, f.reg.ID)
	c.Client().Registration.UpdateOneID(f.regID).SetBuyerPhone("0611223344").SetBuyerLastName("Acheteursecret").
		SetBuyerEmail("acheteur.secret@exemple.fr").ExecX(c.Sys())
	c.Client().Participant.Update().Where(participant.RegistrationID(f.regID)).SetEmail("anatole.secret@exemple.fr").
		SetPhone("0699887766").SetAddress("12 rue du Secret, 75001 Paris").SetAge(77).ExecX(c.Sys())
	f.partID = c.Client().Participant.Query().Where(participant.RegistrationID(f.regID)).FirstIDX(c.Sys())
	f.dev = c.device(c.mgr, c.org)
	f.other = c.device(c.mgr, c.org)
	c.scan(f.dev.Token, f.reg2.Code, f.slotAct.ID) // a scan in the log; reg stays to be checked in
	f.scanID = c.Client().Scan.Query().Where(scan.ActivityID(atoi(t, f.slotAct.ID))).FirstIDX(c.Sys())
	f.secrets = []string{"0611223344", "Acheteursecret", "acheteur.secret@exemple.fr", "paul.acheteur@example.fr",
		"anatole.secret@exemple.fr", "0699887766", "12 rue du Secret, 75001 Paris",
		"Intervenantsecret", "hortense.intervenante@secret.fr", f.reg.Code, f.reg2.Code, f.other.Code}
	f.names = []string{"Zebulonsecret", "Quirinsecret", "Ysoldesecret"}
	return f
}

// TestAbuse_DeviceReadsPersonalData replays issue 10 #3: with a device
// token, the audit read participants' e-mails, phones, addresses and ages,
// buyers' phones, tickets, « les présents », searched participants by name,
// opened a participant by node id and marked someone present. A device
// reads what the door needs only — its activities and slots, itself, its
// keys, the roster's names and codes' digests (docs/PERMISSIONS.md, column
// Dev) — and every field of the schema is tried.
func TestAbuse_DeviceReadsPersonalData(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newDeviceFixture(t, d)
		c, tok := f.c, f.dev.Token

		t.Run("audit", func(t *testing.T) {
			c.t = t
			r := do(c.Env, tok, `{deviceActivities{id registrations{totalCount edges{node{buyerPhone buyerEmail ticket{code}
				participants{email phone address age lastName}}}} present{email phone lastName}}}`, nil)
			f.noSecrets(t, "deviceActivities", string(r.Data), true)
			var got struct {
				DeviceActivities []struct {
					ID            string
					Registrations struct{ TotalCount int }
					Present       []json.RawMessage
				}
			}
			if len(r.Errors) > 0 {
				t.Fatalf("deviceActivities: %+v", r.Errors)
			}
			r.Decode(t, &got)
			if len(got.DeviceActivities) < 2 {
				t.Fatalf("the device lost its activities: %s", r.Data)
			}
			for _, a := range got.DeviceActivities {
				if a.Registrations.TotalCount != 0 || len(a.Present) != 0 {
					t.Errorf("activity %s: the device reads registrations or « les présents »: %s", a.ID, r.Data)
				}
			}
			r = do(c.Env, tok, `query($a:ID!){searchParticipants(activityID:$a,query:"secret"){email phone lastName}}`, map[string]any{"a": f.act.ID})
			if r.Code() != "FORBIDDEN" {
				t.Errorf("searchParticipants: want FORBIDDEN, got %s %s", r.Code(), r.Data)
			}
			f.noSecrets(t, "searchParticipants", string(r.Data), false)
			for what, id := range map[string]int{"participant": f.partID, "registration": f.regID, "scan": f.scanID,
				"speaker": f.speakerID, "other device": atoi(t, f.other.ID), "organisation": c.org.ID} {
				r = do(c.Env, tok, `query($id:ID!){node(id:$id){id}}`, map[string]any{"id": apptest.ID(id)})
				if r.Code() != "NOT_FOUND" || strings.Contains(string(r.Data), `"id"`) {
					t.Errorf("node(%s): want null + NOT_FOUND, got %s %s", what, r.Code(), r.Data)
				}
			}
			before := c.Client().Scan.Query().CountX(c.Sys())
			r = do(c.Env, tok, `mutation($r:ID!){markPresent(input:{registrationID:$r}){status participants{lastName}}}`, map[string]any{"r": f.reg.ID})
			if r.Code() != "FORBIDDEN" {
				t.Errorf("markPresent: want FORBIDDEN, got %s %s", r.Code(), r.Data)
			}
			if after := c.Client().Scan.Query().CountX(c.Sys()); after != before {
				t.Errorf("markPresent by a device recorded %d scans", after-before)
			}
		})

		t.Run("schema", func(t *testing.T) { f.walkSchema(t) })

		t.Run("rosterStillWorks", func(t *testing.T) {
			c.t = t
			var roster struct {
				DeviceRoster struct {
					Entries []struct {
						RegistrationID string
						Participants   []struct{ LastName string }
					}
				}
			}
			c.q(tok, `query($a:ID!){deviceRoster(activityId:$a){entries{registrationId participants{lastName}}}}`, map[string]any{"a": f.act.ID}, &roster)
			if e := roster.DeviceRoster.Entries; len(e) != 1 || len(e[0].Participants) != 2 || e[0].Participants[0].LastName != "Zebulonsecret" {
				t.Errorf("deviceRoster: %+v", roster)
			}
			req, _ := http.NewRequest(http.MethodGet, c.URL+"/devices/roster?activityId="+f.act.ID, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "Zebulonsecret") {
				t.Errorf("GET /devices/roster: %d %s", resp.StatusCode, body)
			}
			f.noSecrets(t, "GET /devices/roster", string(body), true)
			res := c.scan(tok, f.reg.Code, f.act.ID)
			if res.Status != "ACCESS_OK" || len(res.Participants) != 2 {
				t.Errorf("checkIn: %+v", res)
			}
		})
	})
}

// noSecrets fails when any personal data of the fixture appears in body;
// names too unless namesOK (the roster's and check-in results' names).
func (f *deviceFixture) noSecrets(t *testing.T, what, body string, namesOK bool) {
	t.Helper()
	for _, s := range f.secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s: the device reads %q: %s", what, s, trim(body))
		}
	}
	if !namesOK {
		for _, s := range f.names {
			if strings.Contains(body, s) {
				t.Errorf("%s: the device reads the name %q: %s", what, s, trim(body))
			}
		}
	}
}

func trim(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// deviceTypes are the object types a device may receive. Entities beyond
// those (Participant, Registration, Speaker, User, Organization,
// HistoryEntry, Ticket…) must come back null or absent; Device only as the
// device itself; CheckIn only as the result of its own check-in or an
// event of its activity (CheckInPayload.checkIn, CheckInEvent.checkIn).
var deviceEntities = []string{"Accreditation", "Activity", "Certification", "Device", "ReferenceCode", "Session",
	"SkillBlock", "Slot", "Training", "Venue"}

// walkSchema calls every Query and Mutation field of the schema as the
// device, selecting every field reachable from it a few levels deep, with
// the fixture's ids as arguments, and checks the answers: no personal
// data, no entity outside the device's scope, and nothing changed.
func (f *deviceFixture) walkSchema(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{}).Schema()
	w := &walker{t: t, s: s, f: f}
	c := f.c
	// Entities the device is allowed to see in full, by the public catalogue
	// or as its own scope; everything else is checked field by field.
	regs := c.Client().Registration.Query().IDsX(c.Sys()) // public register adds some: allowed
	fingerprint := func() string {
		ctx := c.Sys()
		var b strings.Builder
		fmt.Fprintln(&b, c.Client().Registration.Query().Where(registration.IDIn(regs...)).Order(ent.Asc(registration.FieldID)).AllX(ctx))
		fmt.Fprintln(&b, c.Client().Participant.Query().Where(participant.RegistrationIDIn(regs...)).Order(ent.Asc(participant.FieldID)).AllX(ctx))
		byID := ent.Asc("id")
		fmt.Fprintln(&b, c.Client().Activity.Query().Order(byID).AllX(ctx))
		fmt.Fprintln(&b, c.Client().Slot.Query().Order(byID).AllX(ctx))
		fmt.Fprintln(&b, c.Client().Speaker.Query().Order(byID).AllX(ctx))
		fmt.Fprintln(&b, c.Client().Device.Query().Order(byID).Select("name", "identification_code", "revoked_at", "organization_id").AllX(ctx))
		fmt.Fprintln(&b, c.Client().User.Query().Order(byID).AllX(ctx))
		fmt.Fprintln(&b, c.Client().Membership.Query().Order(ent.Asc(membership.FieldID)).AllX(ctx))
		fmt.Fprintln(&b, c.Client().Organization.Query().Order(byID).AllX(ctx))
		fmt.Fprintln(&b, c.Client().Scan.Query().Where(scan.Admitted(true)).CountX(ctx))
		return b.String()
	}
	// Mutations a device may make (its job, or open to anyone).
	allowed := []string{"checkIn", "syncCheckIns", "register", "registerDevice", "login", "requestPasswordReset", "resetPassword"}
	before := fingerprint()
	for _, op := range []*ast.Definition{s.Query, s.Mutation} {
		for _, fd := range op.Fields {
			if strings.HasPrefix(fd.Name, "__") {
				continue
			}
			t.Run(op.Name+"."+fd.Name, func(t *testing.T) {
				for _, args := range w.argSets(fd) {
					q := (map[bool]string{true: "mutation", false: "query"})[op == s.Mutation] + "{" + fd.Name + args + w.selection(fd.Type, 3) + "}"
					r := c.Do(apptest.Request{Token: f.dev.Token, Query: q})
					if op == s.Mutation && slices.Contains(allowed, fd.Name) {
						if fd.Name != "register" { // what one registers comes back: the caller's own data
							f.noSecrets(t, fd.Name, string(r.Data), true)
						}
						continue
					}
					code := r.Code()
					okCodes := []string{"", "FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"}
					if op == s.Mutation {
						okCodes = append(okCodes, "BAD_USER_INPUT")
					}
					if !slices.Contains(okCodes, code) {
						t.Errorf("%s: unexpected answer %s %+v\n%s", fd.Name, code, r.Errors, q)
					}
					if op == s.Mutation && code == "" {
						t.Errorf("mutation %s succeeded for a device: %s", fd.Name, trim(string(r.Data)))
					}
					var data any
					json.Unmarshal(r.Data, &data)
					w.check(t, fd.Name, data, "")
					f.noSecrets(t, fd.Name, string(r.Data), true)
				}
			})
		}
	}
	after := fingerprint()
	bl, al := strings.Split(before, "\n"), strings.Split(after, "\n")
	for i := range bl {
		if i < len(al) && al[i] != bl[i] {
			t.Errorf("the device's calls changed records:\nbefore %s\nafter  %s", bl[i], al[i])
		}
	}
}

type walker struct {
	t *testing.T
	s *ast.Schema
	f *deviceFixture
}

// argSets returns the argument lists to try: required arguments filled with
// the fixture's ids; node and nodes once per id of the fixture.
func (w *walker) argSets(fd *ast.FieldDefinition) []string {
	if fd.Name == "node" || fd.Name == "nodes" {
		var out []string
		for _, id := range w.allIDs() {
			if fd.Name == "node" {
				out = append(out, fmt.Sprintf(`(id:"%d")`, id))
			} else {
				out = append(out, fmt.Sprintf(`(ids:["%d"])`, id))
			}
		}
		return out
	}
	a, ok := w.args(fd.Arguments, "")
	if !ok {
		return nil // needs a file upload: not a device's business either
	}
	sets := []string{a}
	// Fields taking an activity are tried on both activities.
	if strings.Contains(sets[0], `"`+w.f.act.ID+`"`) {
		sets = append(sets, strings.ReplaceAll(sets[0], `"`+w.f.act.ID+`"`, `"`+w.f.slotAct.ID+`"`))
	}
	return sets
}

func (w *walker) allIDs() []int {
	f := w.f
	return []int{f.regID, f.partID, f.scanID, f.speakerID, atoi(w.t, f.other.ID), atoi(w.t, f.dev.ID), f.c.org.ID,
		atoi(w.t, f.act.ID), atoi(w.t, f.slotAct.Slots[0])}
}

// args fills the required arguments (and first: 2 on lists, to stay under
// the complexity limit); ok is false when one cannot be given (an upload).
func (w *walker) args(defs ast.ArgumentDefinitionList, field string) (string, bool) {
	var parts []string
	for _, a := range defs {
		if a.Name == "first" {
			parts = append(parts, "first:2")
			continue
		}
		if !a.Type.NonNull || a.DefaultValue != nil {
			continue
		}
		v, ok := w.value(a.Type, a.Name, 0)
		if !ok {
			return "", false
		}
		parts = append(parts, a.Name+":"+v)
	}
	if len(parts) == 0 {
		return "", true
	}
	return "(" + strings.Join(parts, ",") + ")", true
}

// idFor picks a fixture id from an argument or input field's name.
func (w *walker) idFor(name string) string {
	f, n := w.f, strings.ToLower(name)
	switch {
	case strings.Contains(n, "activity"):
		return f.act.ID
	case strings.Contains(n, "slot"):
		return f.slotAct.Slots[0]
	case strings.Contains(n, "checkin") || strings.Contains(n, "scan"):
		return apptest.ID(f.scanID)
	case strings.Contains(n, "organization"):
		return apptest.ID(f.c.org.ID)
	case strings.Contains(n, "device"):
		return f.other.ID
	case strings.Contains(n, "speaker"):
		return apptest.ID(f.speakerID)
	case strings.Contains(n, "participant"):
		return apptest.ID(f.partID)
	}
	return f.reg.ID
}

func (w *walker) value(t *ast.Type, name string, depth int) (string, bool) {
	if t.Elem != nil {
		v, ok := w.value(t.Elem, name, depth)
		return "[" + v + "]", ok
	}
	switch t.NamedType {
	case "ID":
		return `"` + w.idFor(name) + `"`, true
	case "String":
		if name == "code" {
			return `"` + w.f.reg2.Code + `"`, true // already checked in: the walk admits nobody
		}
		return `"secret"`, true
	case "Int":
		return "5", true
	case "Float":
		return "1.5", true
	case "Boolean":
		return "true", true
	case "Time":
		return `"` + time.Now().UTC().Format(time.RFC3339) + `"`, true
	case "Date":
		return `"2027-03-01"`, true
	case "Upload":
		return "", false
	}
	def := w.s.Types[t.NamedType]
	if def == nil {
		return `"x"`, true
	}
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[0].Name, true
	case ast.InputObject:
		if depth > 4 {
			return "{}", true
		}
		var parts []string
		for _, fd := range def.Fields {
			if !fd.Type.NonNull || fd.DefaultValue != nil {
				continue
			}
			v, ok := w.value(fd.Type, fd.Name, depth+1)
			if !ok {
				return "", false
			}
			parts = append(parts, fd.Name+":"+v)
		}
		return "{" + strings.Join(parts, ",") + "}", true
	}
	return `"x"`, true
}

// selection selects every field of t down to depth object levels, with
// __typename everywhere (the check knows what it reads).
func (w *walker) selection(t *ast.Type, depth int) string { return w.sel(t, depth, "") }

// sel is selection whose fields are aliased with prefix (fragments of an
// interface: the same field name may have different types).
func (w *walker) sel(t *ast.Type, depth int, prefix string) string {
	def := w.s.Types[t.Name()]
	if def == nil || (def.Kind != ast.Object && def.Kind != ast.Interface && def.Kind != ast.Union) {
		return ""
	}
	if depth == 0 {
		return "{__typename}"
	}
	var parts []string
	parts = append(parts, "__typename")
	if def.Kind == ast.Interface || def.Kind == ast.Union {
		for _, impl := range w.s.GetPossibleTypes(def) {
			parts = append(parts, "...on "+impl.Name+w.sel(&ast.Type{NamedType: impl.Name}, depth-1, impl.Name+"_"))
		}
		return "{" + strings.Join(parts, " ") + "}"
	}
	for _, fd := range def.Fields {
		if strings.HasPrefix(fd.Name, "__") {
			continue
		}
		args, ok := w.args(fd.Arguments, fd.Name)
		if !ok {
			continue
		}
		alias := ""
		if prefix != "" {
			alias = prefix + fd.Name + ":"
		}
		parts = append(parts, alias+fd.Name+args+w.selection(fd.Type, depth-1))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// check walks an answer: every object's __typename must be one a device
// may read.
func (w *walker) check(t *testing.T, path string, v any, parent string) {
	switch x := v.(type) {
	case string:
		if slices.Contains(w.f.names, x) && parent != "ParticipantName" {
			t.Errorf("%s: a participant's name outside the roster's names: %q", path, x)
		}
	case []any:
		for i, e := range x {
			w.check(t, fmt.Sprintf("%s[%d]", path, i), e, parent)
		}
	case map[string]any:
		typ, _ := x["__typename"].(string)
		def := w.s.Types[typ]
		entity := def != nil && slices.Contains(def.Interfaces, "Node")
		switch {
		case typ == "Device":
			if x["id"] != nil && x["id"] != w.f.dev.ID {
				t.Errorf("%s: the device reads another device: %v", path, x)
			}
		case typ == "CheckIn":
			if !strings.HasSuffix(parent, "CheckInPayload") && !strings.HasSuffix(parent, "CheckInEvent") {
				t.Errorf("%s: the device reads a check-in: %v", path, x)
			}
		case typ == "Ticket" || typ == "HistoryEntry" || (entity && !slices.Contains(deviceEntities, typ)):
			t.Errorf("%s: the device reads a %s: %v", path, typ, x)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			w.check(t, path+"."+k, x[k], typ)
		}
	}
}
