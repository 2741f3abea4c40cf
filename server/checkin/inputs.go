package checkin

import (
	"context"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/server/store"
)

// CreateActivityInput is a new activity's fields (createActivity; its
// slots travel beside it). The GraphQL input is hand-written (one input
// per mutation, the slots inside it): ent generates none.
type CreateActivityInput struct {
	Title                string
	StartsAt             *time.Time
	EndsAt               *time.Time
	Capacity             *int
	Location             *string
	QrCheckin            *bool
	PerSlotCheckin       *bool
	SlotToleranceMinutes *int
	MaxParticipants      *int
	PublicRegistration   *bool
	OrganizationID       int
}

func (i *CreateActivityInput) mutate(m *ent.ActivityMutation) {
	m.SetTitle(i.Title)
	if v := i.StartsAt; v != nil {
		m.SetStartsAt(*v)
	}
	if v := i.EndsAt; v != nil {
		m.SetEndsAt(*v)
	}
	if v := i.Capacity; v != nil {
		m.SetCapacity(*v)
	}
	if v := i.Location; v != nil {
		m.SetLocation(*v)
	}
	if v := i.QrCheckin; v != nil {
		m.SetQrCheckin(*v)
	}
	if v := i.PerSlotCheckin; v != nil {
		m.SetPerSlotCheckin(*v)
	}
	if v := i.SlotToleranceMinutes; v != nil {
		m.SetSlotToleranceMinutes(*v)
	}
	if v := i.MaxParticipants; v != nil {
		m.SetMaxParticipants(*v)
	}
	if v := i.PublicRegistration; v != nil {
		m.SetPublicRegistration(*v)
	}
	m.SetOrganizationID(i.OrganizationID)
}

// UpdateActivityInput is a patch of an activity (updateActivity): a nil
// field keeps its value, a Clear… flag empties a field that may be empty
// (the API's null).
type UpdateActivityInput struct {
	Title                *string
	ClearStartsAt        bool
	StartsAt             *time.Time
	ClearEndsAt          bool
	EndsAt               *time.Time
	ClearCapacity        bool
	Capacity             *int
	ClearLocation        bool
	Location             *string
	QrCheckin            *bool
	PerSlotCheckin       *bool
	SlotToleranceMinutes *int
	MaxParticipants      *int
	PublicRegistration   *bool
}

func (i *UpdateActivityInput) mutate(m *ent.ActivityMutation) {
	if v := i.Title; v != nil {
		m.SetTitle(*v)
	}
	if i.ClearStartsAt {
		m.ClearStartsAt()
	}
	if v := i.StartsAt; v != nil {
		m.SetStartsAt(*v)
	}
	if i.ClearEndsAt {
		m.ClearEndsAt()
	}
	if v := i.EndsAt; v != nil {
		m.SetEndsAt(*v)
	}
	if i.ClearCapacity {
		m.ClearCapacity()
	}
	if v := i.Capacity; v != nil {
		m.SetCapacity(*v)
	}
	if i.ClearLocation {
		m.ClearLocation()
	}
	if v := i.Location; v != nil {
		m.SetLocation(*v)
	}
	if v := i.QrCheckin; v != nil {
		m.SetQrCheckin(*v)
	}
	if v := i.PerSlotCheckin; v != nil {
		m.SetPerSlotCheckin(*v)
	}
	if v := i.SlotToleranceMinutes; v != nil {
		m.SetSlotToleranceMinutes(*v)
	}
	if v := i.MaxParticipants; v != nil {
		m.SetMaxParticipants(*v)
	}
	if v := i.PublicRegistration; v != nil {
		m.SetPublicRegistration(*v)
	}
}

// CreateDevice declares a device of an organisation (R-CHK-3); the
// Device policy says who may, its hooks check the codes.
func (s *Service) CreateDevice(ctx context.Context, organizationID int, name, identificationCode string) (*ent.Device, error) {
	return store.Client(ctx, s.Client).Device.Create().SetOrganizationID(organizationID).
		SetName(name).SetIdentificationCode(identificationCode).Save(ctx)
}

// UpdateDevice renames a device or changes its identification code; nil
// keeps.
func (s *Service) UpdateDevice(ctx context.Context, id int, name, identificationCode *string) (*ent.Device, error) {
	c := store.Client(ctx, s.Client)
	d, err := c.Device.Get(ctx, id) // privacy: another organisation's is not found
	if err != nil {
		return nil, err
	}
	return c.Device.UpdateOne(d).SetNillableName(name).SetNillableIdentificationCode(identificationCode).Save(ctx)
}

// DeleteDevice deletes a device and returns it as it was (its
// organisation for the answer); its check-ins stay in the log.
func (s *Service) DeleteDevice(ctx context.Context, id int) (*ent.Device, error) {
	c := store.Client(ctx, s.Client)
	d, err := c.Device.Get(ctx, id) // privacy: the viewer's organisations
	if err != nil {
		return nil, err
	}
	if err := c.Device.DeleteOne(d).Exec(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// SpeakerInput is a speaker's fields (createSpeaker, updateSpeaker): on an
// update a nil field keeps, ClearEmail empties the e-mail, a non-nil
// SlotIDs replaces the slots whole.
type SpeakerInput struct {
	OrganizationID      int
	LastName, FirstName *string
	Email               *string
	ClearEmail          bool
	SlotIDs             *[]int
}

// CreateSpeaker creates a speaker of an organisation (R-ACT-6); the
// Speaker policy and the slot hooks check the organisation.
func (s *Service) CreateSpeaker(ctx context.Context, in SpeakerInput) (*ent.Speaker, error) {
	c := store.Client(ctx, s.Client).Speaker.Create().SetOrganizationID(in.OrganizationID).SetNillableEmail(in.Email)
	if in.LastName != nil {
		c.SetLastName(*in.LastName)
	}
	if in.FirstName != nil {
		c.SetFirstName(*in.FirstName)
	}
	if in.SlotIDs != nil {
		c.AddSlotIDs(*in.SlotIDs...)
	}
	return c.Save(ctx)
}

// UpdateSpeaker patches a speaker.
func (s *Service) UpdateSpeaker(ctx context.Context, id int, in SpeakerInput) (*ent.Speaker, error) {
	c := store.Client(ctx, s.Client)
	sp, err := c.Speaker.Get(ctx, id) // privacy: another organisation's is not found
	if err != nil {
		return nil, err
	}
	u := c.Speaker.UpdateOne(sp).SetNillableLastName(in.LastName).SetNillableFirstName(in.FirstName)
	if in.ClearEmail {
		u.ClearEmail()
	}
	u.SetNillableEmail(in.Email)
	if in.SlotIDs != nil {
		u.ClearSlots().AddSlotIDs(*in.SlotIDs...)
	}
	return u.Save(ctx)
}
