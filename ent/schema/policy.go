package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/entql"

	gen "github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/activity"
	"github.com/ofhub/ofhub/ent/check"
	"github.com/ofhub/ofhub/ent/device"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/participant"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/rule"
	"github.com/ofhub/ofhub/ent/slot"
	"github.com/ofhub/ofhub/ent/speaker"
	"github.com/ofhub/ofhub/ent/viewer"
)

// Policies, hooks and history scopes of each entity; see package rule for
// the authorization model and docs/PERMISSIONS.md for the matrix.

func (User) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.FilterUsers()},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.LinksInScope(), rule.UserMutation()},
	}
}

func (User) Hooks() []ent.Hook {
	return []ent.Hook{check.User(), history.Hook(func(_ context.Context, _ *gen.Client, id int) (*int, *int, error) {
		return nil, &id, nil
	})}
}

func (Organization) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.FilterOrganizations()},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.LinksInScope(), rule.OrganizationMutation()},
	}
}

func (Organization) Hooks() []ent.Hook {
	return []ent.Hook{check.Organization(), history.Hook(func(_ context.Context, _ *gen.Client, id int) (*int, *int, error) {
		return &id, nil, nil
	})}
}

func (Membership) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.FilterMemberships()},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.LinksInScope(), rule.MembershipMutation()},
	}
}

func (Membership) Hooks() []ent.Hook {
	return []ent.Hook{check.Membership(), history.Hook(func(ctx context.Context, c *gen.Client, id int) (*int, *int, error) {
		m, err := c.Membership.Query().Where(membership.ID(id)).Only(ctx)
		if err != nil {
			return nil, nil, err
		}
		return &m.OrganizationID, &m.UserID, nil
	})}
}

func (HistoryEntry) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.FilterHistory()},
		Mutation: privacy.MutationPolicy{rule.DenyAll()},
	}
}

func (OutboxMessage) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.DenyAll()},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAll()},
	}
}

// Session tables are read and written by the auth service under a system
// decision only.
func (AuthToken) Policy() ent.Policy     { return systemOnly() }
func (PasswordReset) Policy() ent.Policy { return systemOnly() }
func (LoginAttempt) Policy() ent.Policy  { return systemOnly() }

func systemOnly() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowSystem(), rule.DenyAll()},
		Mutation: privacy.MutationPolicy{rule.AllowSystem(), rule.DenyAll()},
	}
}

// Check-in entities are scoped to their organisation. Members read them
// (check-in at the door is everybody's job); MANAGER configures activities,
// speakers and devices; any member registers people. Scans are written by
// the check-in engine only (system decision after its own checks).

func tenantPolicy(read privacy.QueryRule, write privacy.MutationRule) ent.Policy {
	return devicePolicy(nil, read, write)
}

// devicePolicy is tenantPolicy whose rows a scanning device also reads,
// those of device (nil: none). A device reads its organisation's
// activities and slots and itself (docs/PERMISSIONS.md, column Dev); the
// roster's names and codes come from the check-in engine.
func devicePolicy(device func(v *viewer.Viewer) entql.P, read privacy.QueryRule, write privacy.MutationRule) ent.Policy {
	q := privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous()}
	if device != nil {
		q = append(q, rule.FilterDevice(device))
	}
	return privacy.Policy{
		Query:    append(q, read),
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.DenyDevice(), rule.LinksInScope(), write},
	}
}

// deviceActivities are the activities a device may scan: its
// organisation's, with QR check-in.
func deviceActivities(v *viewer.Viewer) entql.P {
	return entql.And(entql.FieldEQ("organization_id", v.DeviceOrg), entql.FieldEQ("qr_checkin", true))
}

func (Activity) Policy() ent.Policy {
	return devicePolicy(deviceActivities, rule.FilterOrgField("organization_id"), rule.OrgWrite(rule.OrgsOfActivities, viewer.Manager))
}

func (Slot) Policy() ent.Policy {
	return devicePolicy(func(v *viewer.Viewer) entql.P {
		return entql.HasEdgeWith("activity", deviceActivities(v))
	}, rule.FilterThrough("activity"), rule.OrgWrite(func(ctx context.Context, c *gen.Client, ids []int) ([]int, error) {
		return c.Activity.Query().Where(activity.HasSlotsWith(slot.IDIn(ids...))).Select(activity.FieldOrganizationID).Ints(ctx)
	}, viewer.Manager))
}

func (Speaker) Policy() ent.Policy {
	return tenantPolicy(rule.FilterOrgField("organization_id"), rule.OrgWrite(func(ctx context.Context, c *gen.Client, ids []int) ([]int, error) {
		return c.Speaker.Query().Where(speaker.IDIn(ids...)).Select(speaker.FieldOrganizationID).Ints(ctx)
	}, viewer.Manager))
}

// Registrations, participants and scans hold personal data: readable with
// SENSITIVE_DATA or MANAGER (R-X-5); the check-in engine reads what the
// door needs with its own authorisation.
func (Registration) Policy() ent.Policy {
	return tenantPolicy(rule.FilterPersonalData("", "organization_id"), rule.PersonalDataWrite(rule.OrgsOfRegistrations))
}

func (Participant) Policy() ent.Policy {
	return tenantPolicy(rule.FilterPersonalData("registration", "organization_id"), rule.PersonalDataWrite(func(ctx context.Context, c *gen.Client, ids []int) ([]int, error) {
		return c.Registration.Query().Where(registration.HasParticipantsWith(participant.IDIn(ids...))).Select(registration.FieldOrganizationID).Ints(ctx)
	}))
}

func (Scan) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.FilterPersonalData("", "organization_id")},
		Mutation: privacy.MutationPolicy{rule.AllowSystem(), rule.DenyAll()},
	}
}

func (Device) Policy() ent.Policy {
	return devicePolicy(func(v *viewer.Viewer) entql.P { return entql.FieldEQ("id", v.DeviceID) },
		rule.FilterOrgField("organization_id"), rule.OrgWrite(func(ctx context.Context, c *gen.Client, ids []int) ([]int, error) {
			return c.Device.Query().Where(device.IDIn(ids...)).Select(device.FieldOrganizationID).Ints(ctx)
		}, viewer.Manager))
}

func (TicketKey) Policy() ent.Policy { return systemOnly() }

func (Slot) Hooks() []ent.Hook {
	return []ent.Hook{check.Slot(), history.Hook(func(ctx context.Context, c *gen.Client, id int) (*int, *int, error) {
		org, err := c.Activity.Query().Where(activity.HasSlotsWith(slot.ID(id))).Select(activity.FieldOrganizationID).Int(ctx)
		return &org, nil, err
	})}
}

func (Speaker) Hooks() []ent.Hook {
	return []ent.Hook{history.Hook(func(ctx context.Context, c *gen.Client, id int) (*int, *int, error) {
		sp, err := c.Speaker.Get(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		return &sp.OrganizationID, nil, nil
	})}
}

func (Participant) Hooks() []ent.Hook {
	return []ent.Hook{check.Participant(), history.Hook(func(ctx context.Context, c *gen.Client, id int) (*int, *int, error) {
		org, err := c.Registration.Query().Where(registration.HasParticipantsWith(participant.ID(id))).
			Select(registration.FieldOrganizationID).Int(ctx)
		return &org, nil, err
	})}
}

func (Activity) Hooks() []ent.Hook {
	return []ent.Hook{check.Activity(), history.Hook(func(ctx context.Context, c *gen.Client, id int) (*int, *int, error) {
		a, err := c.Activity.Get(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		return &a.OrganizationID, nil, nil
	})}
}

func (Device) Hooks() []ent.Hook {
	return []ent.Hook{history.Hook(func(ctx context.Context, c *gen.Client, id int) (*int, *int, error) {
		d, err := c.Device.Get(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		return &d.OrganizationID, nil, nil
	})}
}

func (Registration) Hooks() []ent.Hook {
	return []ent.Hook{check.Registration(), history.Hook(func(ctx context.Context, c *gen.Client, id int) (*int, *int, error) {
		r, err := c.Registration.Get(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		return &r.OrganizationID, nil, nil
	})}
}
