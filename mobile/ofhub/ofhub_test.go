package ofhub

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/server/apptest"
)

// The exported API uses only what gomobile can bind, so `gomobile bind`
// produces an Android / iOS library from it.
func TestAPIIsBindable(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "ofhub.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	structs, ifaces := map[string]bool{}, map[string]bool{}
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok {
			for _, s := range g.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
					switch ts.Type.(type) {
					case *ast.StructType:
						structs[ts.Name.Name] = true
					case *ast.InterfaceType:
						ifaces[ts.Name.Name] = true
					}
				}
			}
		}
	}
	basic := map[string]bool{"string": true, "bool": true, "int64": true, "int32": true, "float64": true, "[]byte": true, "error": true}
	ok := func(e ast.Expr) bool {
		s := types(e)
		if basic[s] || ifaces[s] {
			return true
		}
		return strings.HasPrefix(s, "*") && structs[s[1:]]
	}
	checkFields := func(where string, fl *ast.FieldList) {
		if fl == nil {
			return
		}
		for _, fld := range fl.List {
			if !ok(fld.Type) {
				t.Errorf("%s uses %s, which gomobile cannot bind", where, types(fld.Type))
			}
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv != nil {
				recv := strings.TrimPrefix(types(d.Recv.List[0].Type), "*")
				if !structs[recv] {
					continue
				}
			}
			checkFields(d.Name.Name, d.Type.Params)
			checkFields(d.Name.Name, d.Type.Results)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				ts, isType := s.(*ast.TypeSpec)
				if !isType || !ts.Name.IsExported() {
					continue
				}
				if st, isStruct := ts.Type.(*ast.StructType); isStruct {
					for _, fld := range st.Fields.List {
						exported := len(fld.Names) > 0 && fld.Names[0].IsExported()
						if exported && !basic[types(fld.Type)] {
							t.Errorf("field %s.%s is %s", ts.Name.Name, fld.Names[0].Name, types(fld.Type))
						}
					}
				}
			}
		}
	}
}

func types(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.StarExpr:
		return "*" + types(e.X)
	case *ast.ArrayType:
		return "[]" + types(e.Elt)
	case *ast.SelectorExpr:
		return types(e.X) + "." + e.Sel.Name
	}
	return "?"
}

// TestScannerOnHost: the facade registers, scans a photographed ticket
// online and reports the repeat, as a phone app would (R-CHK-3, R-CHK-4).
func TestScannerOnHost(t *testing.T) {
	e := apptest.New(t, apptest.SQLite)
	org := e.Org("Organisme mobile", nil)
	e.User("chef@mobile.test", org, viewer.Manager)
	tok := e.Login("chef@mobile.test", apptest.Password)
	var a struct {
		CreateActivity struct{ Activity struct{ ID string } }
	}
	e.Q(tok, `mutation($o:ID!){createActivity(input:{organizationID:$o,title:"Forum"}){activity{id}}}`, map[string]any{"o": apptest.ID(org.ID)}).Decode(t, &a)
	var r struct {
		CreateRegistration struct{ Ticket struct{ Code string } }
	}
	e.Q(tok, `mutation($a:ID!){createRegistration(input:{activityID:$a,buyerLastName:"Dupont",buyerFirstName:"Jean",buyerEmail:"jean@exemple.fr",
		participants:[{lastName:"Dupont",firstName:"Jean"}]}){ticket{code}}}`, map[string]any{"a": a.CreateActivity.Activity.ID}).Decode(t, &r)
	e.Q(tok, `mutation($o:ID!){createDevice(input:{organizationID:$o,name:"Téléphone",identificationCode:"TEL-1"}){device{id}}}`, map[string]any{"o": apptest.ID(org.ID)})
	var setup struct{ DeviceSetup struct{ SiteCode string } }
	e.Q(tok, `query($o:ID!){deviceSetup(organizationID:$o){siteCode}}`, map[string]any{"o": apptest.ID(org.ID)}).Decode(t, &setup)

	s, err := Open(t.TempDir(), "fr")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reg, err := s.Register(e.URL, setup.DeviceSetup.SiteCode, "TEL-1", "test")
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if reg.Keys == 0 || !strings.Contains(reg.ActivitiesJSON, "Forum") {
		t.Fatalf("registration: %+v", reg)
	}
	png, err := qr.Encode(r.CreateRegistration.Ticket.Code)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.ScanImage(png)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "ACCESS_OK" || res.Color != "GREEN" || res.Message != "Accès OK — DUPONT Jean" || res.Names != "DUPONT Jean" {
		t.Fatalf("first scan: %+v", res)
	}
	again := s.Scan(r.CreateRegistration.Ticket.Code)
	if !again.Repeated || again.Status != "ACCESS_OK" {
		t.Fatalf("a repeat within 3 s repeats the answer: %+v", again)
	}
	if _, err := s.ScanImage([]byte("not an image")); err == nil {
		t.Fatal("garbage image accepted")
	}
	st := s.Status()
	if !st.Registered || st.Roster < 1 || st.DeviceName != "Téléphone" {
		t.Fatalf("status: %+v", st)
	}
	if m := Message("en", "CANCELLED"); m != "KO, registration cancelled" {
		t.Fatalf("message: %q", m)
	}
}

// The native apps tune the engine as ofhub-scan's flags and the PWA's
// settings do (issue 11 #8, #12): the online wait is a second by default,
// the app's value when set; a negative setting is refused.
func TestSettings(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings *Settings
		wantMs   int64
		wantErr  bool
	}{
		{"defaults", nil, 1000, false},
		{"zero fields are the defaults", &Settings{}, 1000, false},
		{"online wait set", &Settings{OnlineTimeoutMs: 300, ProbeIntervalMs: 250, ProbeSuccesses: 3}, 300, false},
		{"negative wait refused", &Settings{OnlineTimeoutMs: -1}, 0, true},
		{"negative probe refused", &Settings{ProbeIntervalMs: -5}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := OpenWithSettings(t.TempDir(), "fr", tc.settings)
			if tc.wantErr {
				if err == nil {
					s.Close()
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.OnlineTimeoutMs(); got != tc.wantMs {
				t.Errorf("OnlineTimeoutMs() = %d, want %d", got, tc.wantMs)
			}
		})
	}
	if DefaultOnlineTimeoutMs > 1000 {
		t.Errorf("default online wait %d ms, want ≤ 1 s", DefaultOnlineTimeoutMs)
	}
}
