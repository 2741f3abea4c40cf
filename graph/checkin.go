package graph

import (
	"context"
	"strconv"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/graph/model"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/ticket"
	"github.com/ofhub/ofhub/server/checkin"
)

func slotSpec(s model.SlotInput) checkin.SlotSpec {
	sp := checkin.SlotSpec{StartsAt: s.StartsAt, EndsAt: s.EndsAt, Capacity: s.Capacity, SpeakerID: s.SpeakerID}
	if s.Label != nil {
		sp.Label = *s.Label
	}
	return sp
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

func checkInResult(res checkin.Result) *model.CheckInResult {
	out := &model.CheckInResult{Status: scan.Status(res.Status), Message: res.Message, Color: model.ResultColor(res.Color),
		Participants: names(res.People), FirstCheckedInAt: res.FirstCheckedInAt, Duplicate: res.Duplicate, CheckIn: detachedScan(res.Scan)}
	if res.RegistrationID != 0 {
		id := res.RegistrationID
		out.RegistrationID = &id
	}
	return out
}

func publicKeys(ks ticket.KeySet) []*model.PublicKey {
	out := make([]*model.PublicKey, 0, len(ks))
	for id, pub := range ks {
		out = append(out, &model.PublicKey{KeyID: strconv.FormatUint(uint64(id), 10), PublicKey: ticket.EncodePublicKey(pub)})
	}
	return out
}

func rosterEntry(e checkin.RosterEntry) *model.RosterEntry {
	r := e.Registration
	out := &model.RosterEntry{RegistrationID: r.ID, Number: r.Number, State: r.State, UpdatedAt: r.UpdatedAt,
		Participants: []*model.ParticipantName{}, SlotIds: []int{}, CheckIns: []*model.RosterCheckIn{}}
	for _, p := range r.Edges.Participants {
		out.Participants = append(out.Participants, &model.ParticipantName{LastName: p.LastName, FirstName: p.FirstName})
	}
	for _, s := range r.Edges.Slots {
		out.SlotIds = append(out.SlotIds, s.ID)
	}
	for _, s := range e.CheckIns {
		out.CheckIns = append(out.CheckIns, &model.RosterCheckIn{SlotID: s.SlotID, At: s.CheckedInAt, ClientScanID: s.ClientScanID})
	}
	return out
}

// subscribeCheckIns streams the activity's scans as they are recorded, by
// any device or desk on any instance. Each scan is re-read for the
// subscriber (checkin.CheckInEvent: people through their privacy rules, a
// device the names only). A device's stream closes when it is revoked.
func subscribeCheckIns(ctx context.Context, svc *checkin.Service, b *eventbus.Broker, activityID int) (<-chan *model.CheckInEvent, error) {
	v := viewer.FromContext(ctx)
	if v == nil || !v.Authenticated() {
		return nil, unauthenticated()
	}
	in, cancel := b.Subscribe(checkin.Topic)
	devs, cancelDev := b.Subscribe(checkin.DeviceTopic)
	out := make(chan *model.CheckInEvent, 64)
	go func() {
		defer close(out)
		defer cancel()
		defer cancelDev()
		for {
			select {
			case <-ctx.Done():
				return
			case d := <-devs:
				if v.DeviceID != 0 && d.ID == v.DeviceID {
					return // revoked: the stream ends at once
				}
			case e := <-in:
				s, people, err := svc.CheckInEvent(ctx, e.ID, activityID)
				if err != nil {
					continue // another activity, or not visible to this viewer
				}
				ev := &model.CheckInEvent{CheckIn: s, Status: s.Status, RegistrationID: s.RegistrationID, CheckedInAt: s.CheckedInAt,
					Participants: []*model.ParticipantName{}}
				for _, p := range people {
					ev.Participants = append(ev.Participants, &model.ParticipantName{LastName: p.LastName, FirstName: p.FirstName})
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
