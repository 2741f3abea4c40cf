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

func (i *CreateActivityInput) build(c *ent.ActivityCreate) *ent.ActivityCreate {
	return c.SetTitle(i.Title).SetOrganizationID(i.OrganizationID).
		SetNillableStartsAt(i.StartsAt).SetNillableEndsAt(i.EndsAt).
		SetNillableCapacity(i.Capacity).SetNillableLocation(i.Location).
		SetNillableQrCheckin(i.QrCheckin).SetNillablePerSlotCheckin(i.PerSlotCheckin).
		SetNillableSlotToleranceMinutes(i.SlotToleranceMinutes).SetNillableMaxParticipants(i.MaxParticipants).
		SetNillablePublicRegistration(i.PublicRegistration)
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

func (i *UpdateActivityInput) apply(u *ent.ActivityUpdateOne) *ent.ActivityUpdateOne {
	if i.ClearStartsAt {
		u.ClearStartsAt()
	}
	if i.ClearEndsAt {
		u.ClearEndsAt()
	}
	if i.ClearCapacity {
		u.ClearCapacity()
	}
	if i.ClearLocation {
		u.ClearLocation()
	}
	return u.SetNillableTitle(i.Title).
		SetNillableStartsAt(i.StartsAt).SetNillableEndsAt(i.EndsAt).
		SetNillableCapacity(i.Capacity).SetNillableLocation(i.Location).
		SetNillableQrCheckin(i.QrCheckin).SetNillablePerSlotCheckin(i.PerSlotCheckin).
		SetNillableSlotToleranceMinutes(i.SlotToleranceMinutes).SetNillableMaxParticipants(i.MaxParticipants).
		SetNillablePublicRegistration(i.PublicRegistration)
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
