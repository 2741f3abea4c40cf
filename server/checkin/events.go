package checkin

import (
	"context"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/participant"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/viewer"
)

// CheckInEvent reads scan id of activity activityID as the subscriber in
// ctx receives it, with the names of the people it checked in; an error
// when the subscriber may not see it.
//
// People read it through their own privacy rules (personal data needs
// SENSITIVE_DATA or MANAGER). A device reads no registration or scan
// itself (issue 10 #3), yet its screen follows the other devices' scans of
// its organisation: the engine reads those with its own authorisation and
// hands over what the roster already gives, the names. The scan's edges
// are left unloaded, so resolving them still goes through the device's
// privacy rules (a registration: null).
func (s *Service) CheckInEvent(ctx context.Context, id, activityID int) (*ent.Scan, []*ent.Participant, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.DeviceID == 0 {
		sc, err := s.Client.Scan.Query().Where(scan.ID(id), scan.ActivityID(activityID)).
			WithRegistration(func(q *ent.RegistrationQuery) {
				q.WithParticipants(func(q *ent.ParticipantQuery) { q.Order(ent.Asc(participant.FieldPosition)) })
			}).Only(ctx)
		if err != nil {
			return nil, nil, err
		}
		var people []*ent.Participant
		if r := sc.Edges.Registration; r != nil {
			people = r.Edges.Participants
		}
		return sc, people, nil
	}
	sc, err := s.Client.Scan.Query().Where(scan.ID(id), scan.ActivityID(activityID), scan.OrganizationID(v.DeviceOrg)).Only(sys(ctx))
	if err != nil {
		return nil, nil, err
	}
	var people []*ent.Participant
	if sc.RegistrationID != nil {
		people, err = s.Client.Participant.Query().Where(participant.HasRegistrationWith(registration.ID(*sc.RegistrationID))).
			Order(ent.Asc(participant.FieldPosition)).Select(participant.FieldLastName, participant.FieldFirstName).All(sys(ctx))
	}
	return sc, people, err
}
