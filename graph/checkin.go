package graph

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/graph/model"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/ticket"
	"github.com/ofhub/ofhub/server/checkin"
	"github.com/ofhub/ofhub/server/stream"
)

func slotSpec(s model.SlotInput) checkin.SlotSpec {
	sp := checkin.SlotSpec{StartsAt: s.StartsAt, EndsAt: s.EndsAt, Capacity: s.Capacity, SpeakerID: s.SpeakerID}
	if s.Label != nil {
		sp.Label = *s.Label
	}
	return sp
}

func createActivityInput(in model.CreateActivityInput) checkin.CreateActivityInput {
	return checkin.CreateActivityInput{OrganizationID: in.OrganizationID, Title: in.Title, StartsAt: in.StartsAt, EndsAt: in.EndsAt,
		Capacity: in.Capacity, Location: in.Location, QrCheckin: in.QRCheckin, PerSlotCheckin: in.PerSlotCheckin,
		SlotToleranceMinutes: in.SlotToleranceMinutes, MaxParticipants: in.MaxParticipants, PublicRegistration: in.PublicRegistration}
}

// updateActivityInput reads a patch: an omitted field keeps, null clears.
func updateActivityInput(in model.UpdateActivityInput) checkin.UpdateActivityInput {
	out := checkin.UpdateActivityInput{Title: in.Title, QrCheckin: in.QRCheckin, PerSlotCheckin: in.PerSlotCheckin,
		SlotToleranceMinutes: in.SlotToleranceMinutes, MaxParticipants: in.MaxParticipants, PublicRegistration: in.PublicRegistration}
	if v, set := in.StartsAt.ValueOK(); set {
		out.StartsAt, out.ClearStartsAt = v, v == nil
	}
	if v, set := in.EndsAt.ValueOK(); set {
		out.EndsAt, out.ClearEndsAt = v, v == nil
	}
	if v, set := in.Capacity.ValueOK(); set {
		out.Capacity, out.ClearCapacity = v, v == nil
	}
	if v, set := in.Location.ValueOK(); set {
		out.Location, out.ClearLocation = v, v == nil
	}
	return out
}

// targetNotFound names the input field of a mutation's target the caller
// does not find (input.id, input.activityID): another organisation's
// record is absent, and the refusal says which id.
func targetNotFound(err error, field string) error {
	if ent.IsNotFound(err) {
		return &apperr.Error{Code: apperr.NotFound, Field: "input." + field, Key: "not_found", Err: err}
	}
	return err
}

// visible returns what a lookup of an edge the API resolves by hand found,
// or nil when the caller may not see it (or it is gone): an edge the
// caller cannot follow reads null, as ent's own edges do.
func visible[T any](v *T, err error) (*T, error) {
	if ent.IsNotFound(err) || errors.Is(err, privacy.Deny) {
		return nil, nil
	}
	return v, err
}

func (r *mutationResolver) register(ctx context.Context, in model.RegisterInput, public bool) (*model.RegisterPayload, error) {
	spec := checkin.RegisterSpec{ActivityID: in.ActivityID, BuyerLastName: in.BuyerLastName, BuyerFirstName: in.BuyerFirstName,
		BuyerEmail: in.BuyerEmail, SlotIDs: in.SlotIDs}
	if in.BuyerPhone != nil {
		spec.Phone = *in.BuyerPhone
	}
	for _, p := range in.Participants {
		ps := checkin.PersonSpec{LastName: p.LastName, FirstName: p.FirstName, Age: p.Age}
		if p.Email != nil {
			ps.Email = *p.Email
		}
		if p.Phone != nil {
			ps.Phone = *p.Phone
		}
		if p.Address != nil {
			ps.Address = *p.Address
		}
		spec.Participants = append(spec.Participants, ps)
	}
	reg, err := r.Checkin.Register(ctx, spec, public)
	if err != nil {
		return nil, reportAll(ctx, err)
	}
	code, err := r.Checkin.TicketCode(ctx, reg)
	if err != nil {
		return nil, err
	}
	return &model.RegisterPayload{Registration: reg, Ticket: &model.Ticket{Code: code, PngURL: r.Checkin.TicketURL(code)}}, nil
}

func names(people []result.Person) []*model.ParticipantName {
	out := make([]*model.ParticipantName, len(people))
	for i, p := range people {
		out[i] = &model.ParticipantName{LastName: p.LastName, FirstName: p.FirstName}
	}
	return out
}

// detachedScan is a copy of s bound to the database rather than to the
// engine's own transaction, closed by now: its edges (activity,
// registration, device) then resolve. A scan read outside a transaction is
// returned as is.
func detachedScan(s *ent.Scan) (out *ent.Scan) {
	if s == nil {
		return nil
	}
	c := *s
	defer func() {
		if recover() != nil { // not a transactional entity
			out = s
		}
	}()
	return c.Unwrap()
}

func checkInResult(res checkin.Result) *model.CheckInPayload {
	out := &model.CheckInPayload{Status: scan.Status(res.Status), Message: res.Message, Color: model.ResultColor(res.Color),
		Participants: names(res.People), FirstCheckedInAt: res.FirstCheckedInAt, Duplicate: res.Duplicate, CheckIn: detachedScan(res.Scan)}
	if res.RegistrationID != 0 {
		id := res.RegistrationID
		out.RegistrationID, out.RegistrationIDOld = &id, &id
	}
	return out
}

func publicKeys(ks ticket.KeySet) []*model.PublicKey {
	out := make([]*model.PublicKey, 0, len(ks))
	for id, pub := range ks {
		kid := strconv.FormatUint(uint64(id), 10)
		out = append(out, &model.PublicKey{KeyID: kid, KeyIDOld: kid, PublicKey: ticket.EncodePublicKey(pub)})
	}
	return out
}

func rosterEntry(e checkin.RosterEntry) *model.RosterEntry {
	r := e.Registration
	out := &model.RosterEntry{RegistrationID: r.ID, RegistrationIDOld: r.ID, Number: r.Number, State: r.State, UpdatedAt: r.UpdatedAt,
		Participants: []*model.ParticipantName{}, SlotIDs: []int{}, CheckIns: []*model.RosterCheckIn{}}
	for _, p := range r.Edges.Participants {
		out.Participants = append(out.Participants, &model.ParticipantName{LastName: p.LastName, FirstName: p.FirstName})
	}
	for _, s := range r.Edges.Slots {
		out.SlotIDs = append(out.SlotIDs, s.ID)
	}
	out.SlotIDsOld = out.SlotIDs
	for _, s := range e.CheckIns {
		out.CheckIns = append(out.CheckIns, &model.RosterCheckIn{SlotID: s.SlotID, SlotIDOld: s.SlotID, At: s.CheckedInAt, ClientScanID: s.ClientScanID})
	}
	return out
}

// subscribeCheckIns streams the activity's scans as they are recorded, by
// any device or desk on any instance, in commit order, from after (a
// cursor) or from now. The broker only wakes the stream up: the scans are
// read from the database (checkin.ScansAfter, package stream), so a slow
// client is paced rather than losing scans, and a reconnecting client
// resumes exactly. Each scan is read for the subscriber (people through
// their privacy rules, a device the names only). A device's stream closes
// when it is revoked.
//
// An undone check-in keeps its place in the stream: its undoing is sent
// live, as the scan again (undoneAt set) with the cursor of the last event
// sent, once the scan itself was sent (a scan not sent yet is read undone
// when its turn comes). Undoings missed while away are not replayed: the
// scan's undoneAt and the roster say it.
func subscribeCheckIns(ctx context.Context, svc *checkin.Service, b *eventbus.Broker, activityID int, after *string) (<-chan *model.CheckInEvent, error) {
	v := viewer.FromContext(ctx)
	if v == nil || !v.Authenticated() {
		return nil, unauthenticated()
	}
	// The start is fixed and every topic listened to before the
	// subscription says it listens (tests wait on Broker.Started), so
	// « subscribe, then act » sees the act.
	start, err := startAt(ctx, after, func(ctx context.Context) (stream.Position, error) { return svc.ScansStart(ctx, activityID) })
	if err != nil {
		return nil, err
	}
	wake, cancel := b.Wake(checkin.Topic)
	undos := b.Watch(checkin.UndoTopic)
	devs, cancelDev := b.Subscribe(checkin.DeviceTopic)
	b.Listening()
	out := make(chan *model.CheckInEvent, 64)
	ctx, stop := context.WithCancel(ctx)
	var mu sync.Mutex // one sender at a time; last is the position sent last
	last := start
	send := func(rs checkin.RecordedScan, at stream.Position) bool {
		s := rs.Scan
		ev := &model.CheckInEvent{CheckIn: s, Status: s.Status, RegistrationID: s.RegistrationID, RegistrationIDOld: s.RegistrationID, CheckedInAt: s.CheckedInAt,
			Participants: []*model.ParticipantName{}, Cursor: at.Cursor()}
		for _, p := range rs.People {
			ev.Participants = append(ev.Participants, &model.ParticipantName{LastName: p.LastName, FirstName: p.FirstName})
		}
		select {
		case out <- ev:
			last = at
			return true
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		defer cancelDev()
		defer undos.Cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case d := <-devs:
				if v.DeviceID != 0 && d.ID == v.DeviceID {
					stop() // revoked: the stream ends at once
					return
				}
			case <-undos.Lost:
				slog.Warn("checkInRecorded: undone check-ins missed", "activity", activityID)
			case e := <-undos.C:
				rs, ok, err := svc.UndoneScan(ctx, e.ID, activityID)
				if err != nil || !ok {
					continue
				}
				mu.Lock()
				if !last.Less(rs.At) && !send(rs, last) {
					mu.Unlock()
					return
				}
				mu.Unlock()
			}
		}
	}()
	go func() {
		defer func() { // after stop: the undo sender has given up
			mu.Lock()
			close(out)
			mu.Unlock()
		}()
		defer cancel()
		defer stop()
		read := func(ctx context.Context, pos stream.Position) (stream.Page[checkin.RecordedScan], error) {
			return svc.ScansAfter(ctx, activityID, pos)
		}
		stream.Follow(ctx, wake, start, read, func(rs checkin.RecordedScan) bool {
			mu.Lock()
			defer mu.Unlock()
			return send(rs, rs.At)
		})
	}()
	return out, nil
}

// startAt is where a resumable subscription starts: after the cursor the
// client passed (BAD_USER_INPUT on after when malformed), or from now.
func startAt(ctx context.Context, after *string, now func(context.Context) (stream.Position, error)) (stream.Position, error) {
	if after != nil {
		return stream.Parse("after", *after)
	}
	return now(privacy.DecisionContext(ctx, privacy.Allow))
}

// scanIDs reads a scan's identifiers under their new spelling (clientScanID,
// activityID, slotID) or the old one scanners of the previous release send
// (clientScanId…, deprecated for one release): either is accepted, both
// only when they agree — two different values cannot both be meant.
func scanIDs(at string, client, clientOld *string, act, actOld, slot, slotOld *int) (string, int, int, error) {
	c, err := alias(at, "clientScanID", "clientScanId", client, clientOld)
	if err != nil {
		return "", 0, 0, err
	}
	a, err := alias(at, "activityID", "activityId", act, actOld)
	if err != nil {
		return "", 0, 0, err
	}
	s, err := alias(at, "slotID", "slotId", slot, slotOld)
	if err != nil {
		return "", 0, 0, err
	}
	var out struct {
		c    string
		a, s int
	}
	if c != nil {
		out.c = *c
	}
	if a != nil {
		out.a = *a
	}
	if s != nil {
		out.s = *s
	}
	return out.c, out.a, out.s, nil
}

// alias picks the value of an input field sent under its new name or its
// deprecated old one; both with different values is BAD_USER_INPUT naming
// both.
func alias[T comparable](at, name, old string, v, vOld *T) (*T, error) {
	switch {
	case v == nil:
		return vOld, nil
	case vOld != nil && *vOld != *v:
		return nil, apperr.Invalid(at+"."+name, "R-X-2", "ck_alias_conflict", name, old, name)
	}
	return v, nil
}

// newestCheckInFirst is the order of a check-in log without orderBy: the
// door's latest answers first.
var newestCheckInFirst = []*ent.CheckInOrder{{Direction: entgql.OrderDirectionDesc, Field: ent.ScanOrderFieldServerTime}}
