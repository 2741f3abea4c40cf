package checkin_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
)

// TestCheckInStatementsUseIndexes: the statements of a check-in batch
// find each registration, its participants and its check-ins through an
// index, on freshly loaded tables the database has never analysed (an
// event day: registrations imported, then the doors open; CI's PostgreSQL
// runs without autovacuum) as well as after ANALYZE, for a door's batch
// and an offline queue's chunk of 500 (a third of the people already
// in). A sequential scan of every
// registration per batch made the doors wait 5–60 ms more per batch on
// PostgreSQL (issue 10, item 19).
func TestCheckInStatementsUseIndexes(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		ctx := history.Quiet(privacy.DecisionContext(viewer.SystemContext(context.Background()), privacy.Allow))
		c := e.Client()
		org := e.Org("Plans", nil)
		act, err := e.App.Checkin.CreateActivity(ctx, checkin.CreateActivityInput{Title: "Salon", OrganizationID: org.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		dev, err := c.Device.Create().SetOrganizationID(org.ID).SetName("Douchette").SetIdentificationCode("PLAN-1").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int
		for lo := 0; lo < 3000; lo += 1000 {
			regs := make([]*ent.RegistrationCreate, 1000)
			for i := range regs {
				regs[i] = c.Registration.Create().SetActivityID(act.ID).SetOrganizationID(org.ID).
					SetNumber(fmt.Sprintf("P%06d", lo+i)).SetBuyerLastName("ACHETEUR").SetBuyerFirstName("Camille").
					SetBuyerEmail(fmt.Sprintf("a%d@plan.test", lo+i))
			}
			saved, err := c.Registration.CreateBulk(regs...).Save(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ps := make([]*ent.ParticipantCreate, len(saved))
			for i, r := range saved {
				ps[i] = c.Participant.Create().SetRegistrationID(r.ID).SetLastName("DUPONT").SetFirstName("Jean")
				ids = append(ids, r.ID)
			}
			if err := c.Participant.CreateBulk(ps...).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			// A third of the people already in, by one device: check-ins
			// and client scan ids to look up.
			now := time.Now()
			var scans []*ent.ScanCreate
			for _, r := range saved[:len(saved)/3] {
				scans = append(scans, c.Scan.Create().SetActivityID(act.ID).SetOrganizationID(org.ID).SetRegistrationID(r.ID).
					SetStatus(scan.StatusACCESS_OK).SetAdmitted(true).SetChannel(scan.ChannelQR).SetServerTime(now).SetCheckedInAt(now).
					SetDeviceID(dev.ID).SetClientScanID(fmt.Sprintf("door-%d", r.ID)))
			}
			if err := c.Scan.CreateBulk(scans...).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		explain := func(q string) string {
			prefix := "EXPLAIN "
			if d == apptest.SQLite {
				prefix = "EXPLAIN QUERY PLAN "
			}
			rows, err := e.App.DB.SQL.Query(prefix + q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			var plan []string
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, fmt.Sprint(vals[len(vals)-1])) // the plan line (SQLite: its detail column)
			}
			return strings.Join(plan, "\n")
		}
		for _, stats := range []string{"never analysed", "after ANALYZE"} {
			if stats == "after ANALYZE" {
				if _, err := e.App.DB.SQL.Exec("ANALYZE"); err != nil {
					t.Fatal(err)
				}
			}
			for _, n := range []int{1, 20, 128, 500} {
				// Every 6th registration: ids spread over the table, sorted as
				// the engine sends them.
				var batch []int
				for i := 0; i < len(ids) && len(batch) < n; i += 6 {
					batch = append(batch, ids[i])
				}
				qs := map[string]string{
					"registrations": checkin.RegistrationsQuery(string(d), batch),
					"lock":          checkin.LockQuery(string(d), batch),
				}
				if d == apptest.Postgres {
					// The replay lookup, with its array parameter written in.
					var cids []string
					for i := range batch {
						cids = append(cids, fmt.Sprintf(`"offline-%d"`, i))
					}
					qs["replays"] = strings.Replace(checkin.ReplaysCTE(dev.ID), "$1", "'{"+strings.Join(cids, ",")+"}'", 1) + " SELECT * FROM scans"
				}
				for name, q := range qs {
					plan := explain(q)
					// A full read of a table: PostgreSQL "Seq Scan on t",
					// SQLite "SCAN t" (an index search is "SEARCH t USING …").
					full := strings.Contains(plan, "Seq Scan")
					for _, l := range strings.Split(plan, "\n") {
						if strings.HasPrefix(strings.TrimSpace(l), "SCAN ") {
							full = true
						}
					}
					if full {
						t.Errorf("%s, %d ids, %s statement reads a whole table:\n%s\n%s", stats, n, name, q[:min(len(q), 300)], plan)
					}
				}
			}
		}
	})
}
