package checkin

import (
	"context"
	"errors"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/participant"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/stream"
)

// RecordedScan is one scan of a checkInRecorded stream: the scan as its
// subscriber may see it, the people it checked in, and its position.
type RecordedScan struct {
	Scan   *ent.Scan
	People []*ent.Participant
	At     stream.Position
}

// ScansStart is where a checkInRecorded subscription without a cursor
// starts: after every scan of the activity recorded so far.
func (s *Service) ScansStart(ctx context.Context, activityID int) (stream.Position, error) {
	return stream.Start(ctx, s.Client, func(ctx context.Context) (int, error) {
		ids, err := s.Client.Scan.Query().Where(scan.ActivityID(activityID)).Order(ent.Desc(scan.FieldID)).Limit(1).IDs(sys(ctx))
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return ids[0], nil
	})
}

// ScansAfter returns the scans of activity activityID recorded after pos,
// in commit order (see package stream), as the subscriber in ctx receives
// them.
//
// Positions are read with the system's authorisation, so a scan the
// subscriber may not see is skipped rather than waited for; the scans are
// then read through the subscriber's rules. People read them through their
// own privacy rules (personal data needs SENSITIVE_DATA or MANAGER). A
// device reads no registration or scan itself (issue 10 #3), yet its screen
// follows the other devices' scans of its organisation: the engine reads
// those with its own authorisation and hands over what the roster already
// gives, the names. The scan's edges are left unloaded, so resolving them
// still goes through the device's privacy rules (a registration: null).
func (s *Service) ScansAfter(ctx context.Context, activityID int, pos stream.Position) (stream.Page[RecordedScan], error) {
	var page stream.Page[RecordedScan]
	horizon, err := stream.Horizon(ctx, s.Client)
	if err != nil {
		return page, err
	}
	var heads []stream.Head
	err = s.Client.Scan.Query().Where(scan.ActivityID(activityID), stream.After(pos)).Order(stream.Order).Limit(stream.PageSize).
		Select(scan.FieldID, scan.FieldTxid).Scan(sys(ctx), &heads)
	if err != nil {
		return page, err
	}
	heads, page = stream.Cut[RecordedScan](heads, horizon)
	ids := make([]int, len(heads))
	for i, h := range heads {
		ids[i] = h.ID
	}
	if len(ids) == 0 {
		return page, nil
	}
	byID, err := s.recorded(ctx, ids)
	if err != nil {
		return page, err
	}
	for _, id := range ids {
		if rs, ok := byID[id]; ok {
			page.Items = append(page.Items, rs)
		}
	}
	return page, nil
}

// recorded reads scans ids as the subscriber in ctx receives them (see
// ScansAfter); those it may not see are absent.
func (s *Service) recorded(ctx context.Context, ids []int) (map[int]RecordedScan, error) {
	byID := map[int]RecordedScan{}
	v := viewer.FromContext(ctx)
	if v == nil || v.DeviceID == 0 {
		scans, err := s.Client.Scan.Query().Where(scan.IDIn(ids...)).
			WithRegistration(func(q *ent.RegistrationQuery) {
				q.WithParticipants(func(q *ent.ParticipantQuery) { q.Order(ent.Asc(participant.FieldPosition)) })
			}).All(ctx)
		if err != nil && !isPrivacyDenial(err) {
			return nil, err
		}
		for _, sc := range scans {
			var people []*ent.Participant
			if r := sc.Edges.Registration; r != nil {
				people = r.Edges.Participants
			}
			byID[sc.ID] = RecordedScan{Scan: sc, People: people, At: stream.Of(sc.Txid, sc.ID)}
		}
	} else {
		scans, err := s.Client.Scan.Query().Where(scan.IDIn(ids...), scan.OrganizationID(v.DeviceOrg)).All(sys(ctx))
		if err != nil {
			return nil, err
		}
		var regs []int
		for _, sc := range scans {
			if sc.RegistrationID != nil {
				regs = append(regs, *sc.RegistrationID)
			}
		}
		people := map[int][]*ent.Participant{}
		if len(regs) > 0 {
			ps, err := s.Client.Participant.Query().Where(participant.HasRegistrationWith(registration.IDIn(regs...))).
				Order(ent.Asc(participant.FieldPosition)).
				Select(participant.FieldLastName, participant.FieldFirstName, participant.FieldRegistrationID).All(sys(ctx))
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				people[p.RegistrationID] = append(people[p.RegistrationID], p)
			}
		}
		for _, sc := range scans {
			rs := RecordedScan{Scan: sc, At: stream.Of(sc.Txid, sc.ID)}
			if sc.RegistrationID != nil {
				rs.People = people[*sc.RegistrationID]
			}
			byID[sc.ID] = rs
		}
	}
	return byID, nil
}

// UndoneScan reads scan id of activity activityID, just undone, as the
// subscriber in ctx receives it; ok is false when it may not see it.
func (s *Service) UndoneScan(ctx context.Context, id, activityID int) (RecordedScan, bool, error) {
	sc, err := s.Client.Scan.Query().Where(scan.ID(id), scan.ActivityID(activityID)).Only(sys(ctx))
	if ent.IsNotFound(err) {
		return RecordedScan{}, false, nil
	}
	if err != nil {
		return RecordedScan{}, false, err
	}
	byID, err := s.recorded(ctx, []int{sc.ID})
	rs, ok := byID[sc.ID]
	return rs, ok, err
}

// isPrivacyDenial: the subscriber may see none of the rows asked for.
func isPrivacyDenial(err error) bool { return errors.Is(err, privacy.Deny) }
