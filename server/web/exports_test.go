package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
)

type exportDownload struct {
	status int
	header http.Header
	body   []byte
}

func exportGet(t *testing.T, e *apptest.Env, path, token, lang string) exportDownload {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return exportDownload{resp.StatusCode, resp.Header, b}
}

// errorCode decodes GraphQL's error shape.
func exportErrorCode(t *testing.T, d exportDownload) string {
	t.Helper()
	var body struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(d.body, &body); err != nil || len(body.Errors) == 0 || body.Errors[0].Message == "" {
		t.Fatalf("error body %q: %v", d.body, err)
	}
	if !strings.HasPrefix(d.header.Get("Content-Type"), "application/json") || d.header.Get("Content-Disposition") != "" {
		t.Errorf("error headers: %v", d.header)
	}
	c, _ := body.Errors[0].Extensions["code"].(string)
	return c
}

func TestParticipantsExportHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		ctx, s := e.Sys(), e.App.Checkin
		org := e.Org("Organisme des exports", nil)
		branch := e.Org("Antenne des exports", org)
		other := e.Org("Organisme voisin", nil)
		e.User("direction@exports.test", org, viewer.Manager)
		e.User("donnees@exports.test", branch, viewer.SensitiveData)
		e.User("accueil@exports.test", branch, viewer.FundingCases)
		e.User("voisin@exports.test", other, viewer.Manager)
		e.Operator("operateur@exports.test")

		at := time.Date(2026, 3, 12, 13, 30, 0, 0, time.UTC) // 14:30 in Paris (UTC+1)
		a, err := s.CreateActivity(ctx, checkin.CreateActivityInput{Title: "Atelier CV", OrganizationID: branch.ID,
			StartsAt: &at, EndsAt: exportTimePtr(at.Add(2 * time.Hour))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		r1, err := s.Register(ctx, checkin.RegisterSpec{ActivityID: a.ID, BuyerLastName: "MOREL", BuyerFirstName: "Inès",
			BuyerEmail: "ines.morel@exemple.test", Participants: []checkin.PersonSpec{
				{LastName: "MOREL", FirstName: "Inès"}, {LastName: "MOREL", FirstName: "Timéo"}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := s.Register(ctx, checkin.RegisterSpec{ActivityID: a.ID, BuyerLastName: "PERRIN", BuyerFirstName: "Gaël",
			BuyerEmail: "gael.perrin@exemple.test", Participants: []checkin.PersonSpec{{LastName: "PERRIN", FirstName: "Gaël"}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cancel(ctx, r2.ID); err != nil {
			t.Fatal(err)
		}
		now := s.Now
		s.Now = func() time.Time { return at.Add(-7 * time.Minute) } // 14:23
		_, err = s.CheckIn(ctx, checkin.Caller{OrgID: branch.ID}, checkin.Input{RegistrationID: r1.ID, ActivityID: a.ID,
			Channel: scan.ChannelLIST}, "fr")
		s.Now = now
		if err != nil {
			t.Fatal(err)
		}

		base := "/exports/activities/" + apptest.ID(a.ID) + "/participants."
		manager := e.Login("direction@exports.test", apptest.Password)

		t.Run("csv", func(t *testing.T) {
			dl := exportGet(t, e, base+"csv", manager, "")
			if dl.status != http.StatusOK {
				t.Fatalf("status %d: %s", dl.status, dl.body)
			}
			if got, want := dl.header.Get("Content-Disposition"), `attachment; filename="participants-`+a.Number+`.csv"`; got != want {
				t.Errorf("Content-Disposition %q, want %q", got, want)
			}
			if ct := dl.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := dl.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			if !bytes.HasPrefix(dl.body, []byte("\xEF\xBB\xBF")) || !bytes.HasSuffix(dl.body, []byte("\r\n")) {
				t.Fatalf("BOM / CRLF: %q", dl.body)
			}
			r := csv.NewReader(bytes.NewReader(dl.body[3:]))
			r.Comma = ';'
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 4 {
				t.Fatalf("%d records: %q", len(recs), recs)
			}
			col := map[string]int{}
			for i, h := range recs[0] {
				col[h] = i
			}
			for _, h := range []string{"Nom", "Prénom", "Courriel", "Téléphone", "Pointé le", "Heure de pointage", "État"} {
				if _, ok := col[h]; !ok {
					t.Errorf("no %q header in %q", h, recs[0])
				}
			}
			want := [][]string{
				{"MOREL", "Inès", "Confirmée", "12/03/2026", "14:23", r1.Number},
				{"MOREL", "Timéo", "Confirmée", "12/03/2026", "14:23", r1.Number},
				{"PERRIN", "Gaël", "Annulée", "", "", r2.Number},
			}
			for i, w := range want {
				rec := recs[i+1]
				got := []string{rec[col["Nom"]], rec[col["Prénom"]], rec[col["État"]], rec[col["Pointé le"]],
					rec[col["Heure de pointage"]], rec[col["N° inscription"]]}
				if strings.Join(got, "|") != strings.Join(w, "|") {
					t.Errorf("row %d: %q, want %q", i+1, got, w)
				}
			}
		})

		t.Run("xlsx in English", func(t *testing.T) {
			dl := exportGet(t, e, base+"xlsx", manager, "en-GB,en;q=0.9")
			if dl.status != http.StatusOK {
				t.Fatalf("status %d: %s", dl.status, dl.body)
			}
			if got := dl.header.Get("Content-Disposition"); got != `attachment; filename="participants-`+a.Number+`.xlsx"` {
				t.Errorf("Content-Disposition %q", got)
			}
			if ct := dl.header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
				t.Errorf("Content-Type %q", ct)
			}
			f, err := excelize.OpenReader(bytes.NewReader(dl.body))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows("Participants")
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 4 {
				t.Fatalf("%d rows: %q", len(rows), rows)
			}
			h := strings.Join(rows[0], "|")
			for _, want := range []string{"Last name", "First name", "E-mail", "Phone", "Checked in on", "Check-in time", "Status"} {
				if !strings.Contains(h, want) {
					t.Errorf("no %q in %s", want, h)
				}
			}
			row := strings.Join(rows[1], "|")
			if !strings.Contains(row, "|MOREL|Inès|") || !strings.Contains(row, "|12/03/2026|14:23") || !strings.Contains(row, "|Confirmed|") {
				t.Errorf("row 1: %s", row)
			}
			if !strings.Contains(strings.Join(rows[3], "|"), "|Cancelled|") {
				t.Errorf("row 3: %q", rows[3])
			}
		})

		t.Run("who may export", func(t *testing.T) {
			cases := []struct {
				who    string
				status int
				code   string
			}{
				{"operateur@exports.test", http.StatusOK, ""},
				{"donnees@exports.test", http.StatusOK, ""},
				{"accueil@exports.test", http.StatusForbidden, "FORBIDDEN"},
				{"voisin@exports.test", http.StatusNotFound, "NOT_FOUND"},
				{"", http.StatusUnauthorized, "UNAUTHENTICATED"},
			}
			for _, c := range cases {
				tok := ""
				if c.who != "" {
					tok = e.Login(c.who, apptest.Password)
				}
				for _, ext := range []string{"csv", "xlsx"} {
					dl := exportGet(t, e, base+ext, tok, "")
					if dl.status != c.status {
						t.Errorf("%s %s: status %d, want %d (%s)", c.who, ext, dl.status, c.status, dl.body)
						continue
					}
					if c.code != "" {
						if got := exportErrorCode(t, dl); got != c.code {
							t.Errorf("%s %s: code %q, want %q", c.who, ext, got, c.code)
						}
					}
				}
			}
			// A dead token is 401 too; an unknown activity or file is 404.
			if dl := exportGet(t, e, base+"csv", "not-a-token", ""); dl.status != http.StatusUnauthorized {
				t.Errorf("dead token: %d", dl.status)
			}
			for _, p := range []string{"/exports/activities/999999/participants.csv", base + "pdf",
				"/exports/activities/abc/participants.csv", "/exports/activities/" + apptest.ID(a.ID) + "/contacts.csv"} {
				dl := exportGet(t, e, p, manager, "")
				if dl.status != http.StatusNotFound || exportErrorCode(t, dl) != "NOT_FOUND" {
					t.Errorf("%s: %d %s", p, dl.status, dl.body)
				}
			}
			// The refusal speaks the caller's language.
			dl := exportGet(t, e, base+"csv", e.Login("accueil@exports.test", apptest.Password), "en")
			if dl.status != http.StatusForbidden || !strings.Contains(string(dl.body), "You are not allowed") {
				t.Errorf("403 in English: %d %s", dl.status, dl.body)
			}
		})
	})
}

func exportTimePtr(t time.Time) *time.Time { return &t }
