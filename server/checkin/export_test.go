package checkin_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
)

// exportFixture is an organisation with a slot activity checked in per
// slot (summer time) and a one-date activity (winter time).
type exportFixture struct {
	org, other       *ent.Organization
	slots, single    *ent.Activity
	r1, r2, r3, r4   *ent.Registration
	morning, evening *ent.Slot
}

func ptr[T any](v T) *T { return &v }

func newExportFixture(t *testing.T, e *apptest.Env) exportFixture {
	t.Helper()
	ctx, s := e.Sys(), e.App.Checkin
	var f exportFixture
	f.org = e.Org("Organisme exporté", nil)
	f.other = e.Org("Autre organisme", nil)
	var err error
	day := func(h, m int) time.Time { return time.Date(2026, 6, 15, h, m, 0, 0, time.UTC) }
	f.slots, err = s.CreateActivity(ctx, checkin.CreateActivityInput{Title: "Journée découverte des métiers", OrganizationID: f.org.ID,
		PerSlotCheckin: ptr(true), StartsAt: ptr(day(7, 30)), EndsAt: ptr(day(15, 0))}, []checkin.SlotSpec{
		{Label: "Matin", StartsAt: day(7, 30), EndsAt: day(10, 30)},
		{Label: "Après-midi", StartsAt: day(12, 0), EndsAt: day(15, 0)},
	})
	if err != nil {
		t.Fatal(err)
	}
	sl, err := e.Client().Slot.Query().Order(ent.Asc("starts_at")).All(ctx)
	if err != nil || len(sl) != 2 {
		t.Fatalf("slots: %v %v", sl, err)
	}
	f.morning, f.evening = sl[0], sl[1]
	reg := func(a *ent.Activity, buyer []string, people []checkin.PersonSpec, slots ...int) *ent.Registration {
		t.Helper()
		r, err := s.Register(ctx, checkin.RegisterSpec{ActivityID: a.ID, BuyerLastName: buyer[0], BuyerFirstName: buyer[1],
			BuyerEmail: buyer[2], Phone: buyer[3], Participants: people, SlotIDs: slots}, false)
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		return r
	}
	f.r1 = reg(f.slots, []string{"LEMAÎTRE", "Odile", "odile.lemaitre@exemple.test", "06 11 22 33 44"}, []checkin.PersonSpec{
		{LastName: "LEMAÎTRE", FirstName: "Odile", Email: "odile.lemaitre@exemple.test", Phone: "06 11 22 33 44", Age: ptr(41), Address: "5 rue des Lilas, 14000 Caen"},
		{LastName: "LEMAÎTRE", FirstName: "Bastien", Age: ptr(12)},
	}, f.morning.ID, f.evening.ID)
	f.r2 = reg(f.slots, []string{"NGUYEN", "Lan", "lan.nguyen@exemple.test", "+33 7 00 00 00 01"}, []checkin.PersonSpec{
		{LastName: "=1+1", FirstName: "Lan", Phone: "+33 7 00 00 00 01"},
	}, f.evening.ID)
	f.r3 = reg(f.slots, []string{"ROCHE", "Élise", "elise.roche@exemple.test", ""}, []checkin.PersonSpec{
		{LastName: "ROCHE", FirstName: "Élise"},
	}, f.morning.ID)
	if _, err := s.Cancel(ctx, f.r3.ID); err != nil {
		t.Fatal(err)
	}
	f.single, err = s.CreateActivity(ctx, checkin.CreateActivityInput{Title: "Réunion d'information", OrganizationID: f.org.ID,
		StartsAt: ptr(time.Date(2026, 1, 20, 8, 0, 0, 0, time.UTC)), EndsAt: ptr(time.Date(2026, 1, 20, 10, 0, 0, 0, time.UTC))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.r4 = reg(f.single, []string{"FABRE", "Noé", "noe.fabre@exemple.test", ""}, []checkin.PersonSpec{{LastName: "FABRE", FirstName: "Noé"}})

	// Check-ins through the engine, at known instants.
	now := s.Now
	defer func() { s.Now = now }()
	checkIn := func(at time.Time, r *ent.Registration, slotID int) {
		t.Helper()
		s.Now = func() time.Time { return at }
		res, err := s.CheckIn(ctx, checkin.Caller{OrgID: f.org.ID}, checkin.Input{RegistrationID: r.ID, ActivityID: r.ActivityID,
			SlotID: slotID, Channel: scan.ChannelLIST}, "fr")
		if err != nil || res.Status != "ACCESS_OK" {
			t.Fatalf("check-in: %+v %v", res, err)
		}
	}
	checkIn(day(7, 45), f.r1, f.morning.ID)                        // 09:45 in Paris (UTC+2)
	checkIn(day(12, 10), f.r1, f.evening.ID)                       // 14:10
	checkIn(time.Date(2026, 1, 20, 8, 5, 0, 0, time.UTC), f.r4, 0) // 09:05 in Paris (UTC+1)
	return f
}

// table is an export read back: headers and rows of cells by header.
type table struct {
	header []string
	rows   []map[string]string
	raw    [][]string
}

func parseCSV(t *testing.T, b []byte) table {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV without BOM: %q", b[:min(len(b), 20)])
	}
	if !bytes.Contains(b, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(b, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatalf("CSV lines must end with CRLF")
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	return toTable(recs)
}

func parseXLSX(t *testing.T, b []byte) table {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("Participants")
	if err != nil {
		t.Fatalf("XLSX rows: %v", err)
	}
	if len(rows) > 0 {
		for i := range rows {
			for len(rows[i]) < len(rows[0]) { // GetRows drops trailing empty cells
				rows[i] = append(rows[i], "")
			}
		}
	}
	return toTable(rows)
}

func toTable(recs [][]string) table {
	tb := table{raw: recs}
	if len(recs) == 0 {
		return tb
	}
	tb.header = recs[0]
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range tb.header {
			m[h] = rec[i]
		}
		tb.rows = append(tb.rows, m)
	}
	return tb
}

func export(t *testing.T, s *checkin.Service, ctx context.Context, id int, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.ExportParticipants(ctx, id, format, &buf); err != nil {
		t.Fatalf("export %s: %v", format, err)
	}
	return buf.Bytes()
}

func paris(t time.Time) (string, string) {
	loc, _ := time.LoadLocation("Europe/Paris")
	return t.In(loc).Format("02/01/2006"), t.In(loc).Format("15:04")
}

func TestExportParticipants(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		f := newExportFixture(t, e)
		s := e.App.Checkin
		manager := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1,
			Orgs: map[int][]viewer.Permission{f.org.ID: {viewer.SensitiveData}}})

		for _, format := range []string{checkin.FormatCSV, checkin.FormatXLSX} {
			t.Run(format, func(t *testing.T) {
				var tb table
				if format == checkin.FormatCSV {
					tb = parseCSV(t, export(t, s, manager, f.slots.ID, format))
				} else {
					tb = parseXLSX(t, export(t, s, manager, f.slots.ID, format))
				}
				wantHeader := []string{"N° activité", "Activité", "N° inscription", "État", "Annulée le", "Origine",
					"Nom de l'acheteur", "Prénom de l'acheteur", "Courriel de l'acheteur", "Téléphone de l'acheteur",
					"Inscrit le", "Heure d'inscription", "N° participant", "Nom", "Prénom", "Courriel", "Téléphone", "Âge", "Adresse",
					"Créneaux choisis", "Pointé le", "Heure de pointage",
					"Pointé le — Matin", "Heure de pointage — Matin", "Pointé le — Après-midi", "Heure de pointage — Après-midi"}
				if strings.Join(tb.header, "|") != strings.Join(wantHeader, "|") {
					t.Fatalf("header\n got %q\nwant %q", tb.header, wantHeader)
				}
				if len(tb.rows) != 4 {
					t.Fatalf("rows: %d, want 4 (2+1+1 participants): %q", len(tb.rows), tb.raw)
				}
				cd, ct := paris(f.r1.CreatedAt)
				odile := tb.rows[0]
				want := map[string]string{
					"N° activité": f.slots.Number, "Activité": "Journée découverte des métiers", "N° inscription": f.r1.Number,
					"État": "Confirmée", "Annulée le": "", "Origine": "Saisie par l'équipe",
					"Nom de l'acheteur": "LEMAÎTRE", "Prénom de l'acheteur": "Odile", "Courriel de l'acheteur": "odile.lemaitre@exemple.test",
					"Téléphone de l'acheteur": "06 11 22 33 44", "Inscrit le": cd, "Heure d'inscription": ct,
					"N° participant": "1", "Nom": "LEMAÎTRE", "Prénom": "Odile", "Courriel": "odile.lemaitre@exemple.test",
					"Téléphone": "06 11 22 33 44", "Âge": "41", "Adresse": "5 rue des Lilas, 14000 Caen",
					"Créneaux choisis": "Matin, Après-midi", "Pointé le": "15/06/2026", "Heure de pointage": "09:45",
					"Pointé le — Matin": "15/06/2026", "Heure de pointage — Matin": "09:45",
					"Pointé le — Après-midi": "15/06/2026", "Heure de pointage — Après-midi": "14:10",
				}
				for k, v := range want {
					if odile[k] != v {
						t.Errorf("row 1 %q = %q, want %q", k, odile[k], v)
					}
				}
				bastien := tb.rows[1]
				if bastien["Prénom"] != "Bastien" || bastien["N° participant"] != "2" || bastien["Âge"] != "12" ||
					bastien["N° inscription"] != f.r1.Number || bastien["Heure de pointage — Après-midi"] != "14:10" {
					t.Errorf("row 2: %v", bastien)
				}
				lan := tb.rows[2]
				wantName := "'=1+1" // neutralised formula in CSV
				if format == checkin.FormatXLSX {
					wantName = "=1+1" // a plain text cell in XLSX
				}
				if lan["Nom"] != wantName || lan["Téléphone"] != "+33 7 00 00 00 01" || lan["Créneaux choisis"] != "Après-midi" ||
					lan["Pointé le"] != "" || lan["Pointé le — Après-midi"] != "" || lan["Âge"] != "" {
					t.Errorf("row 3: %v", lan)
				}
				elise := tb.rows[3]
				if elise["État"] != "Annulée" || elise["Annulée le"] == "" || elise["Nom"] != "ROCHE" || elise["Pointé le"] != "" {
					t.Errorf("row 4 (cancelled): %v", elise)
				}
			})
		}

		t.Run("xlsx layout", func(t *testing.T) {
			x, err := excelize.OpenReader(bytes.NewReader(export(t, s, manager, f.slots.ID, checkin.FormatXLSX)))
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			// Dates and times are numbers (real date cells), shown in Paris time.
			for _, c := range []string{"U2", "V2", "W2", "Z2", "K2"} {
				raw, err := x.GetCellValue("Participants", c, excelize.Options{RawCellValue: true})
				if err != nil || raw == "" || strings.ContainsAny(raw, "/:") {
					t.Errorf("%s raw value %q (%v): want a serial number", c, raw, err)
				}
			}
			if v, _ := x.GetCellValue("Participants", "U2"); v != "15/06/2026" {
				t.Errorf("U2 = %q", v)
			}
			if v, _ := x.GetCellValue("Participants", "Z2"); v != "14:10" {
				t.Errorf("Z2 = %q", v)
			}
			st, _ := x.GetCellStyle("Participants", "A1")
			style, err := x.GetStyle(st)
			if err != nil || style.Font == nil || !style.Font.Bold {
				t.Errorf("header not bold: %+v %v", style, err)
			}
			panes, err := x.GetPanes("Participants")
			if err != nil || !panes.Freeze || panes.YSplit != 1 {
				t.Errorf("first row not frozen: %+v %v", panes, err)
			}
			if w, _ := x.GetColWidth("Participants", "S"); w < 30 {
				t.Errorf("address column width %v", w)
			}
		})

		t.Run("english and one-date activity", func(t *testing.T) {
			en := viewer.WithLang(manager, "en")
			tb := parseCSV(t, export(t, s, en, f.single.ID, checkin.FormatCSV))
			want := "Activity number|Activity|Registration number|Status|Cancelled on|Source|Buyer last name|Buyer first name|" +
				"Buyer e-mail|Buyer phone|Registered on|Registration time|Participant no.|Last name|First name|E-mail|Phone|Age|Address|" +
				"Checked in on|Check-in time"
			if got := strings.Join(tb.header, "|"); got != want {
				t.Fatalf("header\n got %s\nwant %s", got, want)
			}
			if len(tb.rows) != 1 || tb.rows[0]["Status"] != "Confirmed" || tb.rows[0]["Checked in on"] != "20/01/2026" ||
				tb.rows[0]["Check-in time"] != "09:05" || tb.rows[0]["Source"] != "Staff" {
				t.Errorf("rows: %v", tb.rows)
			}
			xt := parseXLSX(t, export(t, s, en, f.single.ID, checkin.FormatXLSX))
			if strings.Join(xt.raw[0], "|") != want || xt.rows[0]["Check-in time"] != "09:05" {
				t.Errorf("xlsx: %q", xt.raw)
			}
		})

		t.Run("csv and xlsx agree", func(t *testing.T) {
			c := parseCSV(t, export(t, s, manager, f.slots.ID, checkin.FormatCSV))
			x := parseXLSX(t, export(t, s, manager, f.slots.ID, checkin.FormatXLSX))
			if len(c.raw) != len(x.raw) {
				t.Fatalf("%d CSV rows, %d XLSX rows", len(c.raw), len(x.raw))
			}
			for i := range c.raw {
				got := strings.Join(x.raw[i], "|")
				want := strings.ReplaceAll(strings.Join(c.raw[i], "|"), "'=1+1", "=1+1")
				if got != want {
					t.Errorf("row %d\n xlsx %s\n  csv %s", i, got, want)
				}
			}
		})

		t.Run("authorization", func(t *testing.T) {
			as := func(v *viewer.Viewer) context.Context {
				if v == nil {
					return context.Background()
				}
				return viewer.NewContext(context.Background(), v)
			}
			member := func(perms ...viewer.Permission) *viewer.Viewer {
				return &viewer.Viewer{UserID: 2, Orgs: map[int][]viewer.Permission{f.org.ID: perms}}
			}
			cases := []struct {
				name string
				v    *viewer.Viewer
				code string
			}{
				{"anonymous", nil, apperr.Unauthenticated},
				{"operator", &viewer.Viewer{UserID: 3, Operator: true}, ""},
				{"manager", member(viewer.Manager), ""},
				{"sensitive data", member(viewer.SensitiveData), ""},
				{"member without permission", member(viewer.FundingCases, viewer.Reporting), apperr.Forbidden},
				{"member with no permission", member(), apperr.Forbidden},
				{"device of the organisation", &viewer.Viewer{DeviceID: 9, DeviceOrg: f.org.ID}, apperr.Forbidden},
				{"another organisation's manager", &viewer.Viewer{UserID: 4, Orgs: map[int][]viewer.Permission{f.other.ID: {viewer.Manager}}}, apperr.NotFound},
			}
			for _, c := range cases {
				err := s.ExportParticipants(as(c.v), f.slots.ID, checkin.FormatCSV, io.Discard)
				got := ""
				if e, ok := apperr.As(err); ok {
					got = e.Code
				} else if err != nil {
					got = err.Error()
				}
				if got != c.code {
					t.Errorf("%s: %q, want %q", c.name, got, c.code)
				}
			}
			if err := s.ExportParticipants(as(member(viewer.Manager)), 987654, checkin.FormatCSV, io.Discard); err == nil {
				t.Error("unknown activity exported")
			} else if e, _ := apperr.As(err); e == nil || e.Code != apperr.NotFound {
				t.Errorf("unknown activity: %v", err)
			}
			if err := s.ExportParticipants(as(member(viewer.Manager)), f.slots.ID, "pdf", io.Discard); err == nil {
				t.Error("pdf exported")
			}
		})
	})
}

// writeCounter counts the writes reaching the destination: a streamed
// export writes as it goes, not once at the end.
type writeCounter struct{ writes, bytes int }

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes++
	w.bytes += len(p)
	return len(p), nil
}

// TestExportLarge exports 50,000 participants (5,000 registrations of 10).
func TestExportLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large export skipped in -short")
	}
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		ctx, c, s := e.Sys(), e.Client(), e.App.Checkin
		org := e.Org("Grand salon", nil)
		quiet := history.Quiet(ctx) // a fixture, not anyone's change: no history rows
		a, err := s.CreateActivity(ctx, checkin.CreateActivityInput{Title: "Salon de l'orientation", OrganizationID: org.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		const regs, per = 5000, 10
		start := time.Now()
		var ids []int
		for i := 0; i < regs; i += 500 {
			var b []*ent.RegistrationCreate
			for j := i; j < i+500; j++ {
				b = append(b, c.Registration.Create().SetActivityID(a.ID).SetOrganizationID(org.ID).
					SetNumber(fmt.Sprintf("R%08d", 20_000_000+j)).SetBuyerLastName("ACHETEUR").SetBuyerFirstName(fmt.Sprint(j)).
					SetBuyerEmail(fmt.Sprintf("a%d@exemple.test", j)))
			}
			rs, err := c.Registration.CreateBulk(b...).Save(quiet)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				ids = append(ids, r.ID)
			}
		}
		var ps []*ent.ParticipantCreate
		flush := func() {
			if err := c.Participant.CreateBulk(ps...).Exec(quiet); err != nil {
				t.Fatal(err)
			}
			ps = ps[:0]
		}
		for _, id := range ids {
			for k := 0; k < per; k++ {
				ps = append(ps, c.Participant.Create().SetRegistrationID(id).SetPosition(k).
					SetLastName("PARTICIPANT").SetFirstName(fmt.Sprintf("n°%d", k)).SetAddress("1 place de la Mairie, 14000 Caen"))
				if len(ps) == 1000 {
					flush()
				}
			}
		}
		t.Logf("fixture: %s", time.Since(start))
		for _, format := range []string{checkin.FormatCSV, checkin.FormatXLSX} {
			start := time.Now()
			w := &writeCounter{}
			if err := s.ExportParticipants(ctx, a.ID, format, w); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d bytes in %d writes, %s", format, w.bytes, w.writes, time.Since(start))
			if format == checkin.FormatCSV && w.writes < 10 {
				t.Errorf("CSV written in %d writes: not streamed", w.writes)
			}
		}
		var buf bytes.Buffer
		if err := s.ExportParticipants(ctx, a.ID, checkin.FormatCSV, &buf); err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(buf.Bytes(), []byte("\r\n")); n != regs*per+1 {
			t.Errorf("%d CSV lines, want %d", n, regs*per+1)
		}
	})
}
