package checkin

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/events"
	"github.com/ofhub/ofhub/ent/participant"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/scan"
)

// The statements of the online path are written out here rather than built
// with ent's query builder, for two reasons measured with `make bench`:
//
//   - They carry no bind parameters: the ids are integers written as
//     literals. lib/pq sends a statement with parameters as an unnamed
//     prepare then an execute — two round trips to PostgreSQL — and one
//     without parameters as a simple query — one round trip. Under a rush
//     the check-in batch is a handful of statements, so this halves its
//     round trips. (Never a string literal: those keep their parameters.)
//   - On PostgreSQL the registrations, their participants and their
//     check-ins are each joined LATERALly (pgKeys), so the plan is an
//     index lookup per registration whatever the statistics say: right
//     after an import of registrations (no ANALYZE yet) the planner chose
//     a hash join over a sequential scan of every participant — 7–10 ms
//     per batch with 110,000 participants — and, for batches of more than
//     about 50 ids, a sequential scan of every registration.

// idList writes ids as a SQL list of integer literals.
func idList(ids []int) string {
	b := make([]byte, 0, len(ids)*12)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return string(b)
}

// registrationsQuery reads registrations (id, activity, organisation,
// state) with their participants' names, one row per participant.
func registrationsQuery(d string, ids []int) string {
	if d == dialect.Postgres {
		return fmt.Sprintf(`SELECT r.id, r.%[2]s, r.%[3]s, r.%[4]s, p.%[5]s, p.%[6]s FROM %[9]s `+
			`CROSS JOIN LATERAL (SELECT id, %[2]s, %[3]s, %[4]s FROM %[1]s WHERE id = k.id OFFSET 0) r `+
			`LEFT JOIN LATERAL (SELECT %[5]s, %[6]s, %[8]s, id FROM %[7]s WHERE %[10]s = r.id OFFSET 0) p ON true `+
			`ORDER BY r.id, p.%[8]s, p.id`,
			registration.Table, registration.FieldActivityID, registration.FieldOrganizationID, registration.FieldState,
			participant.FieldLastName, participant.FieldFirstName, participant.Table, participant.FieldPosition,
			pgKeys(ids), participant.FieldRegistrationID)
	}
	join := fmt.Sprintf(`LEFT JOIN %[1]s p ON p.%[2]s = r.id`, participant.Table, participant.FieldRegistrationID)
	return fmt.Sprintf(`SELECT r.id, r.%[2]s, r.%[3]s, r.%[4]s, p.%[5]s, p.%[6]s FROM %[1]s r %[7]s WHERE r.id IN (%[8]s) ORDER BY r.id, p.%[9]s, p.id`,
		registration.Table, registration.FieldActivityID, registration.FieldOrganizationID, registration.FieldState,
		participant.FieldLastName, participant.FieldFirstName, join, idList(ids), participant.FieldPosition)
}

// pgKeys is ids as the rows k(id) of a PostgreSQL FROM clause, in their
// order. Each registration is then looked up LATERALly by its primary key
// (`WHERE id = k.id`): a unique-index probe whatever the statistics say.
// With `r.id IN (…)` instead, a never-analysed table and a batch of more
// than about 50 ids (a rush, an offline queue's chunks of 500) made the
// planner read every registration — a sequential scan that also sets the
// hint bits of every freshly loaded row: 5–60 ms per batch with 20,000
// registrations, growing with the table, so the next batch grew too.
func pgKeys(ids []int) string {
	return "unnest(ARRAY[" + idList(ids) + "]::bigint[]) AS k(id)"
}

// lockQuery reads the registrations' states and current check-ins; on
// PostgreSQL it locks the registrations' rows, in id order (ids sorted: no
// deadlock between batches), each found by its primary key (pgKeys).
func lockQuery(d string, ids []int) string {
	if d == dialect.Postgres {
		return fmt.Sprintf(`SELECT r.id, r.%[2]s, s.id, s.%[3]s, s.%[4]s, s.%[9]s, s.%[10]s FROM %[5]s `+
			`CROSS JOIN LATERAL (SELECT id, %[2]s FROM %[1]s WHERE id = k.id FOR UPDATE) r `+
			`LEFT JOIN LATERAL (SELECT id, %[3]s, %[4]s, %[9]s, %[10]s FROM %[6]s WHERE %[7]s = r.id AND %[8]s OFFSET 0) s ON true ORDER BY r.id`,
			registration.Table, registration.FieldState, scan.FieldSlotKey, scan.FieldCheckedInAt, pgKeys(ids),
			scan.Table, scan.FieldRegistrationID, scan.FieldAdmitted, scan.FieldDeviceID, scan.FieldClientScanID)
	}
	join := fmt.Sprintf(`LEFT JOIN %[1]s s ON s.%[2]s = r.id AND s.%[3]s`, scan.Table, scan.FieldRegistrationID, scan.FieldAdmitted)
	return fmt.Sprintf(`SELECT r.id, r.%[2]s, s.id, s.%[3]s, s.%[4]s, s.%[7]s, s.%[8]s FROM %[1]s r %[5]s WHERE r.id IN (%[6]s) ORDER BY r.id`,
		registration.Table, registration.FieldState, scan.FieldSlotKey, scan.FieldCheckedInAt, join, idList(ids), scan.FieldDeviceID, scan.FieldClientScanID)
}

// emit announces recorded scans as events.EmitMany does, with the
// PostgreSQL NOTIFY written without parameters (one round trip, not two):
// the payloads are "topic:id", a constant topic and integer ids.
func emit(ctx context.Context, tx *ent.Client, evs []events.Event) error {
	if len(evs) == 0 || tx.Dialect() != dialect.Postgres {
		return events.EmitMany(ctx, tx, evs)
	}
	var q strings.Builder
	q.WriteString("SELECT pg_notify('" + events.Channel + "', p) FROM (VALUES ")
	for i, ev := range evs {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("('" + ev.Encode() + "')")
	}
	q.WriteString(") AS v(p)")
	if _, err := tx.ExecContext(ctx, q.String()); err != nil {
		return fmt.Errorf("events: notify %d events: %w", len(evs), err)
	}
	publishHooks(ctx, tx, evs)
	return nil
}

// publishHooks runs this instance's OnPublish hooks (cache invalidation)
// for evs once the transaction in ctx commits, as events.EmitMany does on
// PostgreSQL; subscribers get the events through NOTIFY.
func publishHooks(ctx context.Context, tx *ent.Client, evs []events.Event) {
	b := tx.Events
	if b == nil {
		return
	}
	publish := func() {
		for _, ev := range evs {
			b.PublishHooks(ev)
		}
	}
	if t := ent.TxFromContext(ctx); t != nil {
		t.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				err := next.Commit(ctx, tx)
				if err == nil {
					publish()
				}
				return err
			})
		})
		return
	}
	publish()
}

// literalSafe says whether rows can be written as SQL literals exactly as
// bind parameters would send them: no NUL byte in a string (PostgreSQL
// refuses those either way; the parameterised path reports it) and years
// that print as four digits.
func literalSafe(rows []*ent.Scan) bool {
	okTime := func(t *time.Time) bool { return t == nil || (t.Year() >= 1 && t.Year() <= 9999) }
	for _, r := range rows {
		if (r.ClientScanID != nil && strings.IndexByte(*r.ClientScanID, 0) >= 0) || strings.IndexByte(r.RawCode, 0) >= 0 ||
			!okTime(r.DeviceTime) || !okTime(&r.ServerTime) || !okTime(&r.CheckedInAt) {
			return false
		}
	}
	return true
}

// insertScansPG records rows on PostgreSQL in one statement and one round
// trip: the INSERT, its NOTIFYs (in RETURNING, so inside the same
// transaction) and the recorded rows read back through ent (so the scans
// returned are ordinary ent entities). The CTE is named after the table:
// inside its own definition the name still means the table.
func insertScansPG(ctx context.Context, tx *ent.Client, rows []*ent.Scan) ([]*ent.Scan, error) {
	var v strings.Builder
	v.Grow(len(rows) * 256)
	num := func(n int64) { v.WriteString(strconv.FormatInt(n, 10)) }
	ref := func(id *int) {
		if id == nil {
			v.WriteString("NULL")
			return
		}
		num(int64(*id))
	}
	str := func(s string) { v.WriteString(pq.QuoteLiteral(s)) }
	ts := func(t time.Time) { v.WriteString("'" + t.UTC().Format(time.RFC3339Nano) + "'::timestamptz") }
	for i, r := range rows {
		if i > 0 {
			v.WriteByte(',')
		}
		v.WriteByte('(')
		num(int64(r.ActivityID))
		v.WriteByte(',')
		num(int64(r.OrganizationID))
		v.WriteByte(',')
		ref(r.RegistrationID)
		v.WriteByte(',')
		ref(r.SlotID)
		v.WriteByte(',')
		num(int64(r.SlotKey))
		v.WriteByte(',')
		ref(r.DeviceID)
		v.WriteByte(',')
		ref(r.UserID)
		v.WriteByte(',')
		ref(r.SpeakerID)
		v.WriteByte(',')
		if r.ClientScanID != nil {
			str(*r.ClientScanID)
		} else {
			v.WriteString("NULL")
		}
		v.WriteByte(',')
		str(string(r.Status))
		v.WriteString("," + strconv.FormatBool(r.Admitted) + "," + strconv.FormatBool(r.Duplicate) + "," + strconv.FormatBool(r.Offline) + ",")
		str(string(r.Channel))
		v.WriteByte(',')
		if r.DeviceTime != nil {
			ts(*r.DeviceTime)
		} else {
			v.WriteString("NULL")
		}
		v.WriteByte(',')
		ts(r.ServerTime)
		v.WriteByte(',')
		ts(r.CheckedInAt)
		v.WriteByte(',')
		num(r.ClockSkewMs)
		v.WriteByte(',')
		if r.RawCode != "" {
			str(r.RawCode)
		} else {
			v.WriteString("NULL")
		}
		v.WriteByte(',')
		if r.DoorAdmitted != nil {
			v.WriteString(strconv.FormatBool(*r.DoorAdmitted))
		} else {
			v.WriteString("NULL")
		}
		v.WriteByte(')')
	}
	cols := []string{scan.FieldActivityID, scan.FieldOrganizationID, scan.FieldRegistrationID, scan.FieldSlotID, scan.FieldSlotKey,
		scan.FieldDeviceID, scan.FieldUserID, scan.FieldSpeakerID, scan.FieldClientScanID, scan.FieldStatus, scan.FieldAdmitted,
		scan.FieldDuplicate, scan.FieldOffline, scan.FieldChannel, scan.FieldDeviceTime, scan.FieldServerTime,
		scan.FieldCheckedInAt, scan.FieldClockSkewMs, scan.FieldRawCode, scan.FieldDoorAdmitted}
	with := fmt.Sprintf(`WITH %[1]s AS (INSERT INTO %[1]s (%[2]s) VALUES %[3]s RETURNING *, pg_notify('%[4]s', '%[5]s:' || id))`,
		scan.Table, strings.Join(cols, ", "), v.String(), events.Channel, Topic)
	q := tx.Scan.Query().Order(ent.Asc(scan.FieldID)) // ids follow the VALUES order
	q.Modify(func(s *entsql.Selector) { s.Prefix(entsql.Expr(with)) })
	saved, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	if len(saved) != len(rows) {
		return nil, fmt.Errorf("insert scans: %d rows returned for %d", len(saved), len(rows))
	}
	evs := make([]events.Event, len(saved))
	for i, s := range saved {
		if r := rows[i]; s.Status != r.Status || !sameRef(s.RegistrationID, r.RegistrationID) || !sameStr(s.ClientScanID, r.ClientScanID) {
			return nil, fmt.Errorf("insert scans: row %d returned out of order", i)
		}
		evs[i] = events.Event{Topic: Topic, ID: s.ID}
	}
	publishHooks(ctx, tx, evs)
	return saved, nil
}

func sameRef(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func sameStr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// scansByClientID returns the device's scans recorded under the client
// scan ids (the replays of an offline queue sent again). On PostgreSQL each
// id is one probe of the unique (device_id, client_scan_id) index, the ids
// sent as one array parameter. With `client_scan_id IN (…)` — 10,000 bind
// parameters, or as many literals — the statement took 100–150 ms to plan,
// a cost estimate high enough to be JIT-compiled (another 100 ms) and, on a
// never-analysed table, read every scan of the device (0.4 s with
// 100,000). The CTE is named after the table, as in insertScansPG.
func scansByClientID(ctx context.Context, tx *ent.Client, device int, ids []string) ([]*ent.Scan, error) {
	if tx.Dialect() != dialect.Postgres {
		return tx.Scan.Query().Where(scan.DeviceID(device), scan.ClientScanIDIn(ids...)).All(ctx)
	}
	q := tx.Scan.Query()
	q.Modify(func(s *entsql.Selector) { s.Prefix(entsql.Expr(replaysCTE(device), pq.Array(ids))) })
	return q.All(ctx)
}

// replaysCTE is scansByClientID's CTE on PostgreSQL; $1 is the ids.
func replaysCTE(device int) string {
	return fmt.Sprintf(`WITH %[1]s AS (SELECT s.* FROM unnest($1::text[]) AS k(c) `+
		`CROSS JOIN LATERAL (SELECT * FROM %[1]s WHERE %[2]s = %[3]d AND %[4]s = k.c OFFSET 0) s)`,
		scan.Table, scan.FieldDeviceID, device, scan.FieldClientScanID)
}
