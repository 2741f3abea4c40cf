package demo_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/validate"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/demo"
)

// TestDemo loads the demo data set and tries it as a newcomer would: log
// in, look at the open day, join with a phone using the printed codes.
func TestDemo(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		ctx := context.Background()
		if empty, err := demo.Empty(ctx, e.Client()); err != nil || !empty {
			t.Fatalf("fresh database not empty: %v %v", empty, err)
		}
		var none bytes.Buffer
		if shown, err := demo.PrintBanner(ctx, &none, e.Client(), e.URL, false); err != nil || shown || none.Len() > 0 {
			t.Errorf("PrintBanner without the demo data: %v %v %q", shown, err, none.String())
		}
		if err := demo.Load(ctx, e.Client(), e.App.Auth); err != nil {
			t.Fatalf("load demo: %v", err)
		}
		if empty, _ := demo.Empty(ctx, e.Client()); empty {
			t.Fatal("demo loaded nothing")
		}
		// The demo password is one the policy accepts for every demo account
		// (R-USR-5: not their names nor their e-mail).
		for _, u := range e.Client().User.Query().AllX(e.Sys()) {
			if err := validate.PasswordFor(demo.Password, u.Email, u.FirstName, u.LastName); err != nil {
				t.Errorf("the demo password is refused for %s: %v", u.Email, err)
			}
		}
		st, err := demo.Catalogue(ctx, e.Client(), e.App.Offer)
		if err != nil {
			t.Fatalf("demo catalogue: %v", err)
		}
		// Issue "Catalogue I": about 50 trainings and 150 sessions in every
		// state of the workflow (R-CAT-21).
		if st.Trainings < 45 || st.Sessions < 140 {
			t.Errorf("demo catalogue: %d trainings, %d sessions", st.Trainings, st.Sessions)
		}
		for _, state := range []string{"IN_CREATION", "AWAITING_VALIDATION", "PUBLISHED", "NOT_PUBLISHED", "ARCHIVED"} {
			if st.ByState[training.State(state)] == 0 {
				t.Errorf("demo catalogue: no training %s (%v)", state, st.ByState)
			}
		}
		if st.Drafts == 0 {
			t.Errorf("demo catalogue: no draft over a published training")
		}
		var out bytes.Buffer
		if shown, err := demo.PrintBanner(ctx, &out, e.Client(), e.URL, true); err != nil || !shown {
			t.Fatalf("PrintBanner: %v %v", shown, err)
		}
		printed := out.String()
		for _, l := range demo.Logins {
			if !strings.Contains(printed, l.Email) {
				t.Errorf("PrintBanner does not show %s", l.Email)
			}
		}

		// Every account logs in with the printed password.
		for _, l := range demo.Logins {
			if tok := e.Login(l.Email, demo.Password); tok == "" {
				t.Errorf("%s: no token", l.Email)
			}
		}
		op := e.Login(demo.Logins[0].Email, demo.Password)
		r := e.Q(op, `{organizations(first: 20){edges{node{name activities(first: 20){edges{node{id number title
			stats{registrations registered present perSlot{registered present}}}}}}}}}`, nil)
		type activity struct {
			ID, Number, Title string
			Stats             struct {
				Registrations, Registered, Present int
				PerSlot                            []struct{ Registered, Present int }
			}
		}
		var data struct {
			Organizations struct {
				Edges []struct {
					Node struct {
						Activities struct{ Edges []struct{ Node activity } }
					}
				}
			}
		}
		r.Decode(t, &data)
		var acts []activity
		for _, o := range data.Organizations.Edges {
			for _, a := range o.Node.Activities.Edges {
				acts = append(acts, a.Node)
			}
		}
		var found bool
		var activityID string
		for _, n := range acts {
			if n.Title != demo.OpenDayTitle {
				continue
			}
			found, activityID = true, n.ID
			st := n.Stats
			if st.Registrations < 3 || st.Registered <= st.Registrations || st.Present <= 0 || st.Present >= st.Registered {
				t.Errorf("open day stats: %+v (want registrations with several participants, some present)", st)
			}
			if len(st.PerSlot) != 2 || st.PerSlot[0].Present <= 0 {
				t.Errorf("open day per slot: %+v", st.PerSlot)
			}
		}
		if !found {
			t.Fatalf("no %q in %s", demo.OpenDayTitle, r.Data)
		}

		// The codes PrintBanner shows register a device.
		site := regexp.MustCompile(`Code identifiant du site\s*:\s*(\S+)`).FindStringSubmatch(printed)
		code := regexp.MustCompile(`Code d'identification\s*:\s*(\S+)`).FindStringSubmatch(printed)
		scanURL := regexp.MustCompile(`Application de pointage\s*:\s*(\S+)`).FindStringSubmatch(printed)
		if site == nil || code == nil || scanURL == nil {
			t.Fatalf("device codes not printed:\n%s", printed)
		}
		if !strings.HasPrefix(scanURL[1], e.URL+"/scan/?server=") || !strings.HasSuffix(scanURL[1], "&site="+site[1]) {
			t.Errorf("scanning app URL %q", scanURL[1])
		}
		reg := e.Q("", `mutation($i: RegisterDeviceInput!){registerDevice(input: $i){token device{name} activities{title}}}`,
			map[string]any{"i": map[string]any{"siteCode": site[1], "identificationCode": code[1], "deviceInfo": "demo test"}})
		var dev struct {
			RegisterDevice struct {
				Token      string
				Device     struct{ Name string }
				Activities []struct{ Title string }
			}
		}
		reg.Decode(t, &dev)
		if dev.RegisterDevice.Token == "" || dev.RegisterDevice.Device.Name != demo.DeviceName {
			t.Errorf("registerDevice: %s", reg.Data)
		}
		if len(dev.RegisterDevice.Activities) == 0 || dev.RegisterDevice.Activities[0].Title != demo.OpenDayTitle {
			t.Errorf("the device does not see the open day: %s", reg.Data)
		}

		// The printed export address is the open day's, on this server; a
		// later start prints the device codes and that address again.
		export := regexp.MustCompile(`(\S+)/exports/activities/(\S+)/participants\.csv`).FindStringSubmatch(printed)
		if export == nil || export[1] != e.URL || export[2] != activityID {
			t.Errorf("export address printed %q, want %s/exports/activities/%s/participants.csv", export, e.URL, activityID)
		}
		var again bytes.Buffer
		if shown, err := demo.PrintBanner(ctx, &again, e.Client(), e.URL, false); err != nil || !shown {
			t.Fatalf("PrintBanner on a later start: %v %v", shown, err)
		}
		for _, want := range []string{demo.Logins[0].Email, demo.Password, `Code identifiant du site\s*: ` + site[1] + "\n",
			`Code d'identification\s*: ` + code[1] + "\n", "/exports/activities/" + activityID + "/participants.csv"} {
			if !regexp.MustCompile(want).MatchString(again.String()) {
				t.Errorf("a later start does not print %q:\n%s", want, again.String())
			}
		}

		// The head office's manager exports the participants, with the
		// check-ins already made; the receptionist may not (R-X-5).
		get := func(tok string) (int, string) {
			req, _ := http.NewRequest(http.MethodGet, e.URL+"/exports/activities/"+activityID+"/participants.csv", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			return resp.StatusCode, b.String()
		}
		status, body := get(e.Login(demo.Logins[1].Email, demo.Password))
		if status != http.StatusOK || !strings.Contains(body, "Pointé le") || !strings.Contains(body, "Annulée") {
			t.Errorf("export by the manager: %d %.300s", status, body)
		}
		if status, _ := get(e.Login(demo.Logins[3].Email, demo.Password)); status != http.StatusForbidden {
			t.Errorf("export by the receptionist: %d, want 403", status)
		}
	})
}
