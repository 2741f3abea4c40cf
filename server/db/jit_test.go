package db_test

import (
	"context"
	"testing"

	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/db"
)

// TestPostgresJITOff: ofhub's PostgreSQL connections run without JIT
// compilation, which a high cost estimate (a never-analysed table, an
// offline queue of 10,000 scans) otherwise starts for 80–130 ms in the
// middle of a check-in (issue 10, item 19); a URL choosing its own setting
// keeps it.
func TestPostgresJITOff(t *testing.T) {
	if apptest.PostgresURL() == "" {
		t.Skip("PostgreSQL: set OFHUB_TEST_POSTGRES_URL")
	}
	for _, c := range []struct{ suffix, want string }{{"", "off"}, {"&jit=on", "on"}} {
		d, err := db.Open(context.Background(), apptest.DatabaseURL(t, apptest.Postgres)+c.suffix, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := d.SQL.QueryRow("SHOW jit").Scan(&got); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if got != c.want {
			t.Errorf("URL …%s: jit = %s, want %s", c.suffix, got, c.want)
		}
	}
}
