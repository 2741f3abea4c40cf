package checkin

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/participant"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/scan"
)

// RosterJSON returns a page of the activity's roster for a device (see
// Roster) as the JSON the deviceRoster GraphQL field answers —
// {"data":{"deviceRoster":{"entries":[…],"cursor":"…","hasMore":…}}}, every
// field of RosterEntry, same encodings — written directly rather than
// through gqlgen's per-field resolution: GET /devices/roster serves it.
// Devices decode both the same way. legacy spells the identifiers as the
// previous release did (registrationId, slotIds, slotId: its deprecated
// GraphQL fields) for the scanners that still ask that way.
func (s *Service) RosterJSON(ctx context.Context, activityID int, after string, first int, legacy bool) ([]byte, error) {
	keyReg, keySlots, keySlot := `{"registrationID":`, `],"slotIDs":[`, `{"slotID":`
	if legacy {
		keyReg, keySlots, keySlot = `{"registrationId":`, `],"slotIds":[`, `{"slotId":`
	}
	entries, cursor, more, err := s.Roster(ctx, activityID, after, first)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 64+len(entries)*160)
	b = append(b, `{"data":{"deviceRoster":{"entries":[`...)
	for i, e := range entries {
		r := e.Registration
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, keyReg...)
		b = appendID(b, r.ID)
		b = append(b, `,"number":`...)
		b = appendString(b, r.Number)
		b = append(b, `,"state":`...)
		b = appendString(b, string(r.State))
		b = append(b, `,"participants":[`...)
		for j, p := range r.Edges.Participants {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"lastName":`...)
			b = appendString(b, p.LastName)
			b = append(b, `,"firstName":`...)
			b = appendString(b, p.FirstName)
			b = append(b, '}')
		}
		b = append(b, keySlots...)
		for j, sl := range r.Edges.Slots {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendID(b, sl.ID)
		}
		b = append(b, `],"checkIns":[`...)
		for j, c := range e.CheckIns {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, keySlot...)
			if c.SlotID != nil {
				b = appendID(b, *c.SlotID)
			} else {
				b = append(b, "null"...)
			}
			b = append(b, `,"at":`...)
			b = appendTime(b, c.CheckedInAt)
			b = append(b, `,"clientScanID":`...)
			if c.ClientScanID != nil {
				b = appendString(b, *c.ClientScanID)
			} else {
				b = append(b, "null"...)
			}
			b = append(b, '}')
		}
		b = append(b, `],"updatedAt":`...)
		b = appendTime(b, r.UpdatedAt)
		b = append(b, '}')
	}
	b = append(b, `],"cursor":`...)
	b = appendString(b, cursor)
	b = append(b, `,"hasMore":`...)
	b = strconv.AppendBool(b, more)
	b = append(b, "}}}\n"...)
	return b, nil
}

// appendID writes an ID as GraphQL does: a string of the decimal id.
func appendID(b []byte, id int) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(id), 10)
	return append(b, '"')
}

// appendTime writes a time as GraphQL's Time scalar does.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendString writes s as a JSON string, escaped as GraphQL's String
// scalar does (quotes, backslashes and control characters).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// rosterEdges reads the participants, chosen slots and check-ins of a
// page of registrations: three statements whose id lists are integer
// literals (one round trip each on PostgreSQL, no 5,000 bind parameters to
// send and parse), scanned straight into the entries.
func (s *Service) rosterEdges(ctx context.Context, regs []*ent.Registration, device int) ([]RosterEntry, error) {
	out := make([]RosterEntry, len(regs))
	if len(regs) == 0 {
		return out, nil
	}
	byID := make(map[int]int, len(regs))
	ids := make([]int, len(regs))
	for i, r := range regs {
		r.Edges.Participants, r.Edges.Slots = []*ent.Participant{}, []*ent.Slot{}
		out[i] = RosterEntry{Registration: r, CheckIns: []*ent.Scan{}}
		byID[r.ID], ids[i] = i, r.ID
	}
	list := idList(ids)
	each := func(query string, dest func() []any, add func(i int)) error {
		rows, err := s.Client.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		var reg int
		for rows.Next() {
			d := append([]any{&reg}, dest()...)
			if err := rows.Scan(d...); err != nil {
				return err
			}
			if i, ok := byID[reg]; ok {
				add(i)
			}
		}
		return rows.Err()
	}
	var last, first string
	err := each(fmt.Sprintf(`SELECT %[2]s, %[3]s, %[4]s FROM %[1]s WHERE %[2]s IN (%[5]s) ORDER BY %[2]s, %[6]s, id`,
		participant.Table, participant.FieldRegistrationID, participant.FieldLastName, participant.FieldFirstName, list,
		participant.FieldPosition),
		func() []any { return []any{&last, &first} },
		func(i int) {
			r := out[i].Registration
			r.Edges.Participants = append(r.Edges.Participants, &ent.Participant{LastName: last, FirstName: first})
		})
	if err != nil {
		return nil, fmt.Errorf("participants: %w", err)
	}
	var slotID int
	err = each(fmt.Sprintf(`SELECT %[2]s, %[3]s FROM %[1]s WHERE %[2]s IN (%[4]s) ORDER BY %[2]s, %[3]s`,
		registration.SlotsTable, registration.SlotsPrimaryKey[0], registration.SlotsPrimaryKey[1], list),
		func() []any { return []any{&slotID} },
		func(i int) {
			r := out[i].Registration
			r.Edges.Slots = append(r.Edges.Slots, &ent.Slot{ID: slotID})
		})
	if err != nil {
		return nil, fmt.Errorf("chosen slots: %w", err)
	}
	var sl, dev stdsql.NullInt64
	var csid stdsql.NullString
	var at time.Time
	err = each(fmt.Sprintf(`SELECT %[2]s, %[3]s, %[4]s, %[7]s, %[8]s FROM %[1]s WHERE %[2]s IN (%[5]s) AND %[6]s ORDER BY %[2]s, id`,
		scan.Table, scan.FieldRegistrationID, scan.FieldSlotID, scan.FieldCheckedInAt, list, scan.FieldAdmitted,
		scan.FieldDeviceID, scan.FieldClientScanID),
		func() []any { return []any{&sl, &at, &dev, &csid} },
		func(i int) {
			c := &ent.Scan{CheckedInAt: at, Admitted: true}
			if sl.Valid {
				id := int(sl.Int64)
				c.SlotID = &id
			}
			if device != 0 && dev.Valid && int(dev.Int64) == device && csid.Valid {
				id := csid.String
				c.ClientScanID = &id
			}
			out[i].CheckIns = append(out[i].CheckIns, c)
		})
	if err != nil {
		return nil, fmt.Errorf("check-ins: %w", err)
	}
	return out, nil
}
