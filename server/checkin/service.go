package checkin

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/activity"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/device"
	"github.com/ofhub/ofhub/ent/events"
	"github.com/ofhub/ofhub/ent/fold"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/participant"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/slot"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/ticket"
	"github.com/ofhub/ofhub/server/auth"
	"github.com/ofhub/ofhub/server/limit"
	"github.com/ofhub/ofhub/server/store"
)

// DeviceTopic announces device changes (revocation closes subscriptions).
const DeviceTopic = "device"

// UndoTopic announces an undone check-in (the scan's id): the scan keeps
// its place in the checkInRecorded stream, so its undoing is told apart
// from a new scan (Topic).
const UndoTopic = "checkin_undo"

// Service is the check-in domain: activities, registrations, devices,
// scans, rosters.
type Service struct {
	*Engine
	BaseURL string
	// Limits of unauthenticated endpoints, per address / site, in Window,
	// reserved on Limiter before the work (server/limit).
	Window            time.Duration
	RegisterPerIP     int // public registrations per address
	DeviceFailPerSite int // device activations refused per site code
	DeviceFailPerIP   int // device activations refused per address
	Limiter           *limit.Limiter
}

// NewService returns the check-in service.
func NewService(c *ent.Client, baseURL string) *Service {
	return &Service{Engine: New(c), BaseURL: strings.TrimRight(baseURL, "/"), Window: 15 * time.Minute,
		RegisterPerIP: 30, DeviceFailPerSite: 10, DeviceFailPerIP: 20, Limiter: limit.New(c)}
}

// SlotSpec describes a slot to create.
type SlotSpec struct {
	Label            string
	StartsAt, EndsAt time.Time
	Capacity         *int
	SpeakerID        *int
}

// CreateActivity creates an activity and its slots in one transaction.
func (s *Service) CreateActivity(ctx context.Context, in CreateActivityInput, slots []SlotSpec) (*ent.Activity, error) {
	if err := checkCreateActivity(&in, slots); err != nil {
		return nil, err
	}
	var a *ent.Activity
	err := store.InTx(ctx, s.Client, func(ctx context.Context, tx *ent.Client) error {
		var err error
		if a, err = in.build(tx.Activity.Create()).Save(ctx); err != nil {
			return err
		}
		for i, sl := range slots {
			if _, err := s.addSlot(ctx, tx, a.ID, sl); err != nil {
				if e, ok := apperr.As(err); ok {
					// A slot's field, named from the slot (the link rules root
					// it at addSlot's input), inside createActivity's slots.
					c := *e
					c.Field = strings.TrimPrefix(c.Field, "input.")
					return c.WithField(fmt.Sprintf("input.slots[%d]", i))
				}
				return err
			}
		}
		return nil
	})
	return a, err
}

// UpdateActivity changes an activity, every broken field reported at once.
func (s *Service) UpdateActivity(ctx context.Context, id int, in UpdateActivityInput) (*ent.Activity, error) {
	c := store.Client(ctx, s.Client)
	a, err := c.Activity.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkUpdateActivity(a, &in); err != nil {
		return nil, err
	}
	return in.apply(c.Activity.UpdateOneID(id)).Save(ctx)
}

// AddSlot adds a slot to an activity.
func (s *Service) AddSlot(ctx context.Context, activityID int, sl SlotSpec) (*ent.Slot, error) {
	var c checks
	if c.slot("", sl); len(c.l) > 0 {
		return nil, c.l
	}
	return s.addSlot(ctx, store.Client(ctx, s.Client), activityID, sl)
}

func (s *Service) addSlot(ctx context.Context, c *ent.Client, activityID int, sl SlotSpec) (*ent.Slot, error) {
	return c.Slot.Create().SetActivityID(activityID).SetLabel(sl.Label).SetStartsAt(sl.StartsAt.UTC()).
		SetEndsAt(sl.EndsAt.UTC()).SetNillableCapacity(sl.Capacity).SetNillableSpeakerID(sl.SpeakerID).Save(ctx)
}

// PersonSpec is a participant to register.
type PersonSpec struct {
	LastName, FirstName, Email, Phone, Address string
	Age                                        *int
}

// RegisterSpec is a registration request (R-ACT-2).
type RegisterSpec struct {
	ActivityID                                       int
	BuyerLastName, BuyerFirstName, BuyerEmail, Phone string
	Participants                                     []PersonSpec
	SlotIDs                                          []int
}

// Register records a registration. Public registrations (no login) are
// rate-limited per address and need the activity's public registration;
// staff registrations need membership of the organisation (privacy).
// Capacity is checked under a lock on the activity, so two last seats are
// never sold twice.
func (s *Service) Register(ctx context.Context, in RegisterSpec, public bool) (*ent.Registration, error) {
	if err := checkRegistration(&in); err != nil {
		return nil, err
	}
	ip := auth.RequestInfoFrom(ctx).IP
	if public {
		// Reserved before the work: parallel requests cannot all pass.
		key := limit.Key{Name: "register-address:" + limit.Address(ip), Policy: limit.Fixed(s.RegisterPerIP, s.Window)}
		if err := s.Limiter.Reserve(ctx, key); err != nil {
			return nil, limit.Error(err, "", "R-ACT-2", "limit_register")
		}
	}
	readCtx := ctx
	if public {
		readCtx = sys(ctx)
	}
	var reg *ent.Registration
	err := store.InTx(ctx, s.Client, func(ctx context.Context, tx *ent.Client) error {
		q := tx.Activity.Query().Where(activity.ID(in.ActivityID)).WithSlots()
		if tx.Dialect() == dialect.Postgres {
			q = q.ForUpdate(entsql.WithLockTables(activity.Table))
		}
		a, err := q.Only(readCtx)
		if ent.IsNotFound(err) {
			// Unknown, or another tenant's: not found either way (issue 10 #6).
			return &apperr.Error{Code: apperr.NotFound, Field: "activityID", Rule: "R-ACT-2", Key: "not_found"}
		}
		if err != nil {
			return fmt.Errorf("register: %w", err)
		}
		if public && !a.PublicRegistration {
			return apperr.Invalid("activityID", "R-ACT-2", "registration_closed")
		}
		if len(in.Participants) == 0 {
			return apperr.Invalid("participants", "R-ACT-2", "required")
		}
		if len(in.Participants) > a.MaxParticipants {
			return apperr.Invalid("participants", "R-ACT-2", "too_many_participants", a.MaxParticipants)
		}
		slots := map[int]*ent.Slot{}
		for _, sl := range a.Edges.Slots {
			slots[sl.ID] = sl
		}
		if len(a.Edges.Slots) > 0 && len(in.SlotIDs) == 0 {
			return apperr.Invalid("slotIDs", "R-ACT-2", "slot_required")
		}
		for i, id := range in.SlotIDs {
			if slots[id] == nil {
				return apperr.Invalid(fmt.Sprintf("slotIDs[%d]", i), "R-ACT-2", "slot_not_of_activity")
			}
		}
		n := len(in.Participants)
		if a.Capacity != nil {
			taken, err := tx.Participant.Query().Where(participant.HasRegistrationWith(
				registration.ActivityID(a.ID), registration.StateEQ(registration.StateCONFIRMED))).Count(sys(ctx))
			if err != nil {
				return err
			}
			if taken+n > *a.Capacity {
				return &apperr.Error{Code: apperr.Conflict, Field: "participants", Rule: "R-ACT-1", Key: "activity_full", Args: []any{*a.Capacity}}
			}
		}
		for _, id := range in.SlotIDs {
			sl := slots[id]
			if sl.Capacity == nil {
				continue
			}
			taken, err := tx.Participant.Query().Where(participant.HasRegistrationWith(
				registration.StateEQ(registration.StateCONFIRMED), registration.HasSlotsWith(slot.ID(id)))).Count(sys(ctx))
			if err != nil {
				return err
			}
			if taken+n > *sl.Capacity {
				label := sl.Label
				if label == "" {
					label = sl.StartsAt.In(result.Paris).Format("02/01/2006 15:04")
				}
				return &apperr.Error{Code: apperr.Conflict, Field: "slotIDs", Rule: "R-ACT-1", Key: "slot_full", Args: []any{label}}
			}
		}
		source := registration.SourceSTAFF
		wctx := ctx
		if public {
			source, wctx = registration.SourcePUBLIC, sys(ctx)
		}
		reg, err = tx.Registration.Create().SetActivityID(a.ID).SetOrganizationID(a.OrganizationID).
			SetBuyerLastName(strings.TrimSpace(in.BuyerLastName)).SetBuyerFirstName(strings.TrimSpace(in.BuyerFirstName)).
			SetBuyerEmail(in.BuyerEmail).SetBuyerPhone(in.Phone).SetSource(source).AddSlotIDs(in.SlotIDs...).Save(wctx)
		if err != nil {
			return err
		}
		for i, p := range in.Participants {
			err := tx.Participant.Create().SetRegistrationID(reg.ID).SetPosition(i).
				SetLastName(strings.TrimSpace(p.LastName)).SetFirstName(strings.TrimSpace(p.FirstName)).
				SetEmail(strings.TrimSpace(p.Email)).SetPhone(p.Phone).SetAddress(p.Address).SetNillableAge(p.Age).Exec(wctx)
			if err != nil {
				if e, ok := apperr.As(err); ok {
					return e.WithField(fmt.Sprintf("participants[%d]", i))
				}
				if ve, ok := err.(*ent.ValidationError); ok {
					return apperr.Invalid(fmt.Sprintf("participants[%d].%s", i, apperr.FieldName(ve.Name)), "R-ACT-2", "invalid_input")
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return reg, nil
}

// Cancel cancels a registration: its ticket is refused from now on.
func (s *Service) Cancel(ctx context.Context, id int) (*ent.Registration, error) {
	c := store.Client(ctx, s.Client)
	r, err := c.Registration.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.State == registration.StateCANCELLED {
		return nil, &apperr.Error{Code: apperr.Conflict, Key: "already_cancelled"}
	}
	return c.Registration.UpdateOne(r).SetState(registration.StateCANCELLED).SetCancelledAt(s.Now()).Save(ctx)
}

// TicketURL is the stable address of a registration's QR image.
func (s *Service) TicketURL(code string) string {
	return s.BaseURL + "/tickets/" + url.PathEscape(code) + ".png"
}

// TicketPNG renders the QR image of a ticket code after verifying it: the
// URL is unguessable because the code is signed.
func (s *Service) TicketPNG(ctx context.Context, code string) ([]byte, error) {
	if _, err := s.verify(ctx, 0, code); err != nil {
		return nil, apperr.New(apperr.NotFound, "not_found")
	}
	return qr.Encode(code)
}

// RevokeDevice stops a device at once.
func (s *Service) RevokeDevice(ctx context.Context, id int) (*ent.Device, error) {
	c := store.Client(ctx, s.Client)
	d, err := c.Device.Get(ctx, id) // privacy: another organisation's is not found
	if err != nil {
		return nil, err
	}
	d, err = c.Device.UpdateOne(d).SetRevokedAt(s.Now()).Save(ctx)
	if err != nil {
		return nil, err
	}
	if err := events.Emit(ctx, c, events.Event{Topic: DeviceTopic, ID: id}); err != nil {
		return nil, err
	}
	return d, nil
}

// ReleaseDevice frees an activated device so that its codes can activate
// a phone again (R-CHK-3: a lost or replaced phone). The token it held
// stops working at once, on every instance (the device event empties the
// session caches and closes its subscriptions). Who may: the Device
// policy's writers (MANAGER of its organisation). Releasing a device that
// is not activated changes nothing.
func (s *Service) ReleaseDevice(ctx context.Context, id int) (*ent.Device, error) {
	c := store.Client(ctx, s.Client)
	d, err := c.Device.Get(ctx, id) // privacy: the viewer's organisations
	if err != nil {
		return nil, err
	}
	if !activated(d) {
		return d, nil
	}
	note := "Libéré (depuis l'adresse " + auth.RequestInfoFrom(ctx).IP + ")"
	if d, err = c.Device.UpdateOne(d).ClearTokenHash().ClearRegisteredAt().Save(history.WithComment(ctx, note)); err != nil {
		return nil, err
	}
	if err := events.Emit(ctx, c, events.Event{Topic: DeviceTopic, ID: id}); err != nil {
		return nil, err
	}
	slog.InfoContext(ctx, "device released", "device", d.ID, "organization", d.OrganizationID)
	return d, nil
}

// activated: the device holds a token (ent reads a NULL digest as a
// pointer to an empty slice).
func activated(d *ent.Device) bool { return d.TokenHash != nil && len(*d.TokenHash) > 0 }

// Registered is what a device gets when it joins.
type Registered struct {
	Token      string
	Device     *ent.Device
	Activities []*ent.Activity
	Keys       ticket.KeySet
}

// RegisterDevice lets a device join with the organisation's site code and
// its identification code (R-CHK-3), once, like pretix's one-time device
// initialisation: a device already activated is refused until a manager
// releases it (ReleaseDevice), so that knowing the codes is not enough to
// take over a phone in use. Every activation is in the device's history
// with the address and the device's description.
//
// Attempts are reserved on the limiter per site code and per address
// before the codes are looked up; an activation gives its attempt back, a
// refusal (wrong codes, a device already active or revoked) keeps it.
func (s *Service) RegisterDevice(ctx context.Context, siteCode, idCode, info string) (*Registered, error) {
	ip := auth.RequestInfoFrom(ctx).IP
	siteCode, idCode = strings.TrimSpace(siteCode), strings.TrimSpace(idCode)
	keys := []limit.Key{
		{Name: "device-site:" + siteCode, Policy: limit.Fixed(s.DeviceFailPerSite, s.Window)},
		{Name: "device-address:" + limit.Address(ip), Policy: limit.Fixed(s.DeviceFailPerIP, s.Window)},
	}
	if err := s.Limiter.Reserve(ctx, keys...); err != nil {
		return nil, limit.Error(err, "input.identificationCode", "R-CHK-3", "limit_device_codes")
	}
	fail := func() error {
		slog.WarnContext(ctx, "device registration refused: wrong codes", "site", siteCode, "ip", ip)
		return &apperr.Error{Code: apperr.Unauthenticated, Field: "input.identificationCode", Rule: "R-CHK-3", Key: "device_codes"}
	}
	claimed := func() error {
		slog.WarnContext(ctx, "device registration refused: already activated", "site", siteCode, "ip", ip)
		return &apperr.Error{Code: apperr.Conflict, Field: "input.identificationCode", Rule: "R-CHK-3", Key: "device_claimed"}
	}
	org, err := s.Client.Organization.Query().Where(organization.SiteCode(siteCode)).Only(sys(ctx))
	if ent.IsNotFound(err) {
		return nil, fail()
	}
	if err != nil {
		return nil, fmt.Errorf("register device: %w", err)
	}
	d, err := s.Client.Device.Query().Where(device.OrganizationID(org.ID), device.IdentificationCode(idCode)).Only(sys(ctx))
	if ent.IsNotFound(err) {
		return nil, fail()
	}
	if err != nil {
		return nil, fmt.Errorf("register device: %w", err)
	}
	if d.RevokedAt != nil {
		return nil, &apperr.Error{Code: "DEVICE_REVOKED", Rule: "R-CHK-3", Key: "device_revoked"}
	}
	if activated(d) {
		return nil, claimed()
	}
	tok, hash, err := auth.NewDeviceToken()
	if err != nil {
		return nil, err
	}
	if len(info) > 255 {
		info = info[:255]
	}
	note := "Activé depuis l'adresse " + ip
	if info != "" {
		note += " — " + info
	}
	hctx := history.WithComment(viewer.NewContext(sys(ctx), &viewer.Viewer{System: true, Name: "appareil " + d.Name}), note)
	// Claimed only if still free: of two phones activating at once, one wins.
	d, err = s.Client.Device.UpdateOneID(d.ID).Where(device.TokenHashIsNil(), device.RevokedAtIsNil()).
		SetTokenHash(hash).SetRegisteredAt(s.Now()).SetDeviceInfo(info).Save(hctx)
	if ent.IsNotFound(err) {
		return nil, claimed()
	}
	if err != nil {
		return nil, fmt.Errorf("register device: %w", err)
	}
	if err := s.Limiter.Refund(ctx, keys...); err != nil {
		return nil, fmt.Errorf("register device: %w", err)
	}
	slog.InfoContext(ctx, "device registered", "device", d.ID, "organization", org.ID, "ip", ip)
	acts, err := s.deviceActivities(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	keySet, err := s.PublicKeys(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	return &Registered{Token: tok, Device: d, Activities: acts, Keys: keySet}, nil
}

// DeviceActivities lists the activities the calling device may scan: its
// organisation's, with QR check-in, not over for more than a day.
func (s *Service) DeviceActivities(ctx context.Context) ([]*ent.Activity, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.DeviceID == 0 {
		return nil, apperr.New(apperr.Forbidden, "forbidden")
	}
	return s.deviceActivities(ctx, v.DeviceOrg)
}

// DevicePublicKeys returns the calling device's organisation's keys.
func (s *Service) DevicePublicKeys(ctx context.Context) (ticket.KeySet, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.DeviceID == 0 {
		return nil, apperr.New(apperr.Forbidden, "forbidden")
	}
	return s.PublicKeys(ctx, v.DeviceOrg)
}

func (s *Service) deviceActivities(ctx context.Context, org int) ([]*ent.Activity, error) {
	recent := s.Now().Add(-24 * time.Hour)
	return s.Client.Activity.Query().Where(activity.OrganizationID(org), activity.QrCheckin(true),
		activity.Or(activity.EndsAtIsNil(), activity.EndsAtGT(recent))).
		WithSlots().Order(ent.Asc(activity.FieldStartsAt)).All(sys(ctx))
}

// CallerFor authorises the viewer to check people in at activity id and
// says who they are: the activity's organisation's device, or one of its
// members holding SENSITIVE_DATA or MANAGER.
func (s *Service) CallerFor(ctx context.Context, activityID int) (Caller, *ent.Activity, error) {
	v := viewer.FromContext(ctx)
	if v == nil || !v.Authenticated() {
		return Caller{}, nil, apperr.New(apperr.Unauthenticated, "unauthenticated")
	}
	a, err := s.Activity(sys(ctx), activityID)
	if ent.IsNotFound(err) {
		return Caller{}, nil, apperr.New(apperr.NotFound, "not_found")
	}
	if err != nil {
		return Caller{}, nil, err
	}
	switch {
	case v.DeviceID != 0:
		if a.OrganizationID != v.DeviceOrg {
			return Caller{}, nil, apperr.New(apperr.NotFound, "not_found")
		}
		return Caller{OrgID: v.DeviceOrg, DeviceID: v.DeviceID}, a, nil
	case v.SpeakerID != 0:
		// A speaker checks people in for their own slots only (R-ACT-6).
		ids, err := s.Client.Slot.Query().Where(slot.ActivityID(a.ID), slot.SpeakerID(v.SpeakerID)).IDs(sys(ctx))
		if err != nil {
			return Caller{}, nil, err
		}
		if len(ids) == 0 || a.OrganizationID != v.SpeakerOrg {
			return Caller{}, nil, apperr.New(apperr.NotFound, "not_found")
		}
		return Caller{OrgID: a.OrganizationID, SpeakerID: v.SpeakerID, SpeakerSlots: ids}, a, nil
	case v.Operator || v.System:
		return Caller{OrgID: a.OrganizationID, UserID: v.UserID}, a, nil
	case v.Has(a.OrganizationID, viewer.SensitiveData):
		// Checking people in shows their names: SENSITIVE_DATA or MANAGER
		// (R-X-5; the welcome desk holds SENSITIVE_DATA).
		return Caller{OrgID: a.OrganizationID, UserID: v.UserID}, a, nil
	case v.Member(a.OrganizationID):
		return Caller{}, nil, apperr.New(apperr.Forbidden, "forbidden")
	}
	return Caller{}, nil, apperr.New(apperr.NotFound, "not_found")
}

// denyDevice keeps scanning devices away from the desk's actions (« Présent »
// in the list, name search, undo): they show and change a participant list,
// which a device never reads (issue 10 #3). A device scans codes against its
// roster; CallerFor lets it in for that.
func denyDevice(ctx context.Context) error {
	if v := viewer.FromContext(ctx); v != nil && v.DeviceID != 0 {
		return apperr.New(apperr.Forbidden, "forbidden")
	}
	return nil
}

// ScanCode checks a QR code in online (device or desk).
func (s *Service) ScanCode(ctx context.Context, in Input, lang string) (Result, error) {
	v := viewer.FromContext(ctx)
	if v == nil || !v.Authenticated() {
		return Result{}, apperr.New(apperr.Unauthenticated, "unauthenticated")
	}
	c := Caller{UserID: v.UserID}
	if in.ActivityID != 0 {
		var err error
		var a *ent.Activity
		if c, a, err = s.CallerFor(ctx, in.ActivityID); err != nil {
			if e, ok := apperr.As(err); ok && e.Field == "" {
				return Result{}, e.WithField("input.activityID")
			}
			return Result{}, err
		}
		if !a.QrCheckin {
			return Result{}, apperr.Invalid("input.activityID", "R-CHK-3", "qr_disabled")
		}
		if err := slotOf(a, in.SlotID, "input.slotID"); err != nil {
			return Result{}, err
		}
	} else if v.DeviceID != 0 {
		c = Caller{OrgID: v.DeviceOrg, DeviceID: v.DeviceID}
	} else if !v.Operator {
		// A person scanning must say which activity (their organisation's).
		return Result{}, apperr.Invalid("input.activityID", "R-CHK-3", "required")
	}
	in.Channel = scan.ChannelQR
	return s.CheckIn(ctx, c, in, lang)
}

// slotOf checks that slot id (0: none) is one of activity a's slots: a
// slot id of nothing, or of another activity, would otherwise be ignored
// and the person admitted as if it named a real slot.
func slotOf(a *ent.Activity, id int, field string) error {
	if id == 0 {
		return nil
	}
	for _, sl := range a.Edges.Slots {
		if sl.ID == id {
			return nil
		}
	}
	// NOT_FOUND, as every foreign or unknown id (issue 10 #6): another
	// activity's slot may be another tenant's.
	return &apperr.Error{Code: apperr.NotFound, Field: field, Rule: "R-CHK-1", Key: "ck_slot_not_of_activity"}
}

// MaxSyncScans bounds one syncCheckIns batch: 10,000 scans are a whole
// day of a busy door, decided in a few seconds; more would hold the
// engine's transaction (and a 32 MiB request) for too long. The scanner
// clients send far less at once (scanner/device.BatchSize, the PWA's
// SYNC_BATCH; a test checks).
const MaxSyncScans = 10000

// MaxClockSkew is how far a device's clock may be from the server's at
// sync. Beyond it the skew correction would date the scans anywhere (a
// clock at 3000-01-01 dated check-ins centuries back, winning every
// conflict): the batch is refused and stays queued on the device.
const MaxClockSkew = 365 * 24 * time.Hour

// DeviceClock is what a device says of its clock when it syncs.
type DeviceClock struct {
	// At is the device's clock when it sent the batch.
	At time.Time
	// SkewMs is the offset (server − device) the device measured from its
	// quickest round trip to the server, NTP-style; nil from older devices.
	// Its error is at most RoundTripMs / 2.
	SkewMs      *int64
	RoundTripMs int64
}

// MaxSyncTransit bounds how long a batch may have been on its way for the
// device's measured skew to be believed: the device library gives up on a
// request after a minute, the PWA after 20 s. A larger gap between the
// measured skew and "server now − device clock at sending" means the
// device's clock was changed since it measured: the old rule is used.
const MaxSyncTransit = 2 * time.Minute

// skewSlack is what a measured skew may exceed "server now − device clock
// at sending" by beyond half its round trip: drift since the measure and
// rounding to milliseconds.
const skewSlack = 2 * time.Second

// Skew returns the skew (server − device, ms) applied to a batch received
// at now. A device that measured its offset from a round trip gives it:
// "now − c.At" also counts the batch's transit time, so a sync held 10 s
// in a blackhole dated its scans 10 s late (issue 11 #10). The measure is
// taken when it agrees with the batch — at most half its round trip (plus
// skewSlack) above now − c.At, at most MaxSyncTransit below — and the old
// rule otherwise, and for older devices.
func Skew(now time.Time, c DeviceClock) time.Duration {
	naive := now.Sub(c.At)
	if c.SkewMs == nil {
		return naive
	}
	measured := time.Duration(*c.SkewMs) * time.Millisecond
	transit := naive - measured
	if transit < -(time.Duration(max(c.RoundTripMs, 0))*time.Millisecond/2+skewSlack) || transit > MaxSyncTransit {
		return naive
	}
	return measured
}

// Sync uploads a device's offline queue. The device's clock gives the skew
// applied to every scan's device time (see Skew), stored on the device. A
// clock too far off, or too large a batch, refuses the batch as a whole; a
// scan whose own time is impossible is answered INVALID_TIME and the rest
// is decided (see process).
func (s *Service) Sync(ctx context.Context, clock DeviceClock, ins []Input, lang string) ([]Result, int64, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.DeviceID == 0 {
		return nil, 0, apperr.New(apperr.Forbidden, "forbidden")
	}
	if len(ins) > MaxSyncScans {
		return nil, 0, apperr.Invalid("input.scans", "R-CHK-5", "ck_sync_too_many", MaxSyncScans, len(ins))
	}
	now := s.Now()
	if d := now.Sub(clock.At); d > MaxClockSkew || d < -MaxClockSkew {
		return nil, 0, apperr.Invalid("input.deviceClock", "R-CHK-5", "ck_device_clock", clock.At.UTC().Format(time.RFC3339))
	}
	skewD := Skew(now, clock)
	if clock.SkewMs != nil && skewD != time.Duration(*clock.SkewMs)*time.Millisecond {
		slog.WarnContext(ctx, "sync: measured clock skew disagrees with the batch, using server now − device clock",
			"device", v.DeviceID, "measuredMs", *clock.SkewMs, "roundTripMs", clock.RoundTripMs, "skewMs", skewD.Milliseconds())
	}
	skew := skewD.Milliseconds()
	for i := range ins {
		ins[i].Offline, ins[i].Channel = true, scan.ChannelQR
		if !doorDecision(ins[i].Shown) {
			// Not a decision a door shows (SCAN_ID_REUSED is never stored,
			// INVALID_TIME is the server's): as if the device had not said.
			ins[i].Shown = ""
		}
	}
	res, err := s.Process(ctx, Caller{OrgID: v.DeviceOrg, DeviceID: v.DeviceID}, skew, ins, lang)
	if err != nil {
		return nil, 0, err
	}
	_ = s.Client.Device.UpdateOneID(v.DeviceID).SetClockSkewMs(skew).SetLastSeenAt(s.Now()).
		Exec(quietSys(ctx))
	return res, skew, nil
}

// doorDecision says whether st is a decision a door shows offline.
func doorDecision(st result.Status) bool {
	switch st {
	case result.AccessOK, result.AlreadyCheckedIn, result.InvalidCode, result.UnknownRegistration,
		result.WrongActivity, result.Cancelled, result.OutsideSlot:
		return true
	}
	return false
}

func quietSys(ctx context.Context) context.Context { return noHistory(sys(ctx)) }

// MarkPresent is « Présent » in the participant list (R-CHK-1).
func (s *Service) MarkPresent(ctx context.Context, registrationID int, slotID *int, lang string) (Result, error) {
	if err := denyDevice(ctx); err != nil {
		return Result{}, err
	}
	r, err := s.Client.Registration.Get(ctx, registrationID) // privacy: the viewer's organisations
	if ent.IsNotFound(err) {
		return Result{}, &apperr.Error{Code: apperr.NotFound, Field: "registrationID", Rule: "R-CHK-1", Key: "not_found"}
	}
	if err != nil {
		return Result{}, err
	}
	c, a, err := s.CallerFor(ctx, r.ActivityID)
	if err != nil {
		return Result{}, err
	}
	in := Input{RegistrationID: r.ID, ActivityID: r.ActivityID, Channel: scan.ChannelLIST}
	if slotID != nil {
		in.SlotID = *slotID
	}
	if err := slotOf(a, in.SlotID, "slotID"); err != nil {
		return Result{}, err
	}
	return s.CheckIn(ctx, c, in, lang)
}

// Undo cancels a check-in made by mistake; the scan stays in the log. Only
// a check-in is undone, once: a refusal or an offline duplicate admitted
// nobody, and a second undo would rewrite who undid it and when. The
// condition is part of the update, so two desks undoing at once cannot
// both succeed.
func (s *Service) Undo(ctx context.Context, scanID int) (*ent.Scan, error) {
	if err := denyDevice(ctx); err != nil {
		return nil, err
	}
	sc, err := s.Client.Scan.Get(ctx, scanID)
	if ent.IsNotFound(err) {
		return nil, &apperr.Error{Code: apperr.NotFound, Field: "checkInID", Rule: "R-CHK-1", Key: "not_found"}
	}
	if err != nil {
		return nil, err
	}
	if _, _, err := s.CallerFor(ctx, sc.ActivityID); err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	var out *ent.Scan
	err = store.InTx(sys(ctx), s.Client, func(ctx context.Context, tx *ent.Client) error {
		upd := tx.Scan.Update().Where(scan.ID(sc.ID), scan.Admitted(true), scan.UndoneAtIsNil()).
			SetAdmitted(false).SetUndoneAt(s.Now())
		if v.UserID != 0 {
			upd.SetUndoneByID(v.UserID)
		}
		n, err := upd.Save(ctx)
		if err != nil {
			return fmt.Errorf("undo check-in: %w", err)
		}
		if out, err = tx.Scan.Get(ctx, sc.ID); err != nil {
			return fmt.Errorf("undo check-in: %w", err)
		}
		if n == 0 {
			return undoRefusal(out)
		}
		return events.Emit(ctx, tx, events.Event{Topic: UndoTopic, ID: sc.ID})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// undoRefusal says why scan sc cannot be undone.
func undoRefusal(sc *ent.Scan) error {
	if sc.UndoneAt != nil {
		return &apperr.Error{Code: apperr.Conflict, Field: "checkInID", Rule: "R-CHK-1", Key: "ck_undo_already",
			Args: []any{sc.UndoneAt.In(result.Paris).Format("02/01/2006 15:04")}}
	}
	return apperr.Invalid("checkInID", "R-CHK-1", "ck_undo_not_admitted")
}

// Search finds participants of an activity by name (R-CHK-2).
func (s *Service) Search(ctx context.Context, activityID int, q string, first int) ([]*ent.Participant, error) {
	if err := denyDevice(ctx); err != nil {
		return nil, err
	}
	if _, _, err := s.CallerFor(ctx, activityID); err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if first <= 0 || first > 100 {
		first = 20
	}
	query := s.Client.Participant.Query().Where(participant.HasRegistrationWith(registration.ActivityID(activityID)))
	// Folded on both sides: "dupre" finds « Dupré », "ELOISE" « Éloïse ».
	for _, w := range strings.Fields(fold.String(q)) {
		query = query.Where(participant.SearchNameContains(w))
	}
	return query.Order(ent.Asc(participant.FieldLastName), ent.Asc(participant.FieldFirstName)).Limit(first).All(sys(ctx))
}

// RosterEntry is what a device stores of a registration.
type RosterEntry struct {
	Registration *ent.Registration
	// CheckIns carry their ClientScanID only when the device asking for
	// the roster recorded them: a door whose answer was lost must know the
	// check-in is its own scan, not refuse the person as already in.
	CheckIns []*ent.Scan
}

// rosterOverlap re-sends recent changes in every delta: a transaction that
// committed late with an older timestamp is not missed (entries are
// idempotent on the device). Longer than any request may last.
const rosterOverlap = 60 * time.Second

// Roster returns a page of the activity's roster for a device: first every
// registration (by id), then, with the returned cursor, what changed since.
func (s *Service) Roster(ctx context.Context, activityID int, after string, first int) ([]RosterEntry, string, bool, error) {
	c, _, err := s.CallerFor(ctx, activityID)
	if err != nil {
		return nil, "", false, err
	}
	// A page holds 1 to MaxRosterPage entries; 0 (not given) is a full
	// page. A negative or huge size is a mistake, said so rather than
	// silently replaced.
	if first < 0 || first > MaxRosterPage {
		return nil, "", false, apperr.Invalid("first", "R-CHK-5", "between", 1, MaxRosterPage)
	}
	if first == 0 {
		first = MaxRosterPage
	}
	cur, err := parseCursor(after)
	if err != nil {
		return nil, "", false, apperr.Invalid("after", "R-CHK-5", "invalid_input")
	}
	now := s.Now()
	if cur.start.IsZero() {
		cur.start = now
	}
	q := s.Client.Registration.Query().Where(registration.ActivityID(activityID), registration.IDGT(cur.lastID))
	if !cur.since.IsZero() {
		// Changed registrations, and those with a scan recorded or undone
		// since (check-ins do not rewrite the registration row).
		x := cur.since.Add(-rosterOverlap)
		q = q.Where(registration.Or(registration.UpdatedAtGT(x),
			registration.HasScansWith(scan.Or(scan.ServerTimeGT(x), scan.UndoneAtGT(x)))))
	}
	regs, err := q.Order(ent.Asc(registration.FieldID)).Limit(first+1).
		Select(registration.FieldID, registration.FieldNumber, registration.FieldState, registration.FieldUpdatedAt).All(sys(ctx))
	if err != nil {
		return nil, "", false, fmt.Errorf("roster: %w", err)
	}
	more := len(regs) > first
	if more {
		regs = regs[:first]
	}
	out, err := s.rosterEdges(ctx, regs, c.DeviceID)
	if err != nil {
		return nil, "", false, fmt.Errorf("roster: %w", err)
	}
	next := cursor{since: cur.since, start: cur.start}
	if more {
		next.lastID = regs[len(regs)-1].ID
	} else {
		// Pass complete: the next call asks for what changed since it began.
		next = cursor{since: cur.start}
	}
	return out, next.String(), more, nil
}

type cursor struct {
	lastID int
	since  time.Time // deltas: changes after this instant
	start  time.Time // when the current pass began
}

func (c cursor) String() string {
	raw := fmt.Sprintf("%d:%d:%d", c.lastID, unixMilli(c.since), unixMilli(c.start))
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func parseCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, err
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 {
		return cursor{}, fmt.Errorf("roster cursor: %q", s)
	}
	var n [3]int64
	for i, p := range parts {
		if n[i], err = strconv.ParseInt(p, 10, 64); err != nil {
			return cursor{}, err
		}
	}
	c := cursor{lastID: int(n[0])}
	if n[1] != 0 {
		c.since = time.UnixMilli(n[1]).UTC()
	}
	if n[2] != 0 {
		c.start = time.UnixMilli(n[2]).UTC()
	}
	return c, nil
}

// Stats counts registered and present people (per activity and per slot).
type Stats struct {
	Registrations, Registered, Present int
	PerSlot                            []SlotStats
	// AdmittedTwice: scans that let in someone already checked in (the
	// duplicates). RefusedAtDoor: offline scans of someone already checked
	// in that their door refused — turned away, which the duplicate flag
	// counted too before devices said what they showed (issue 11 #13).
	AdmittedTwice, RefusedAtDoor int
}

// SlotStats are one slot's counts.
type SlotStats struct {
	Slot                *ent.Slot
	Registered, Present int
}

// ActivityStats computes an activity's counts.
func (s *Service) ActivityStats(ctx context.Context, a *ent.Activity) (Stats, error) {
	regs, err := s.Client.Registration.Query().Where(registration.ActivityID(a.ID), registration.StateEQ(registration.StateCONFIRMED)).
		WithParticipants(func(q *ent.ParticipantQuery) { q.Select(participant.FieldRegistrationID) }).
		WithSlots(func(q *ent.SlotQuery) { q.Select(slot.FieldID) }).
		WithScans(func(q *ent.ScanQuery) {
			q.Where(scan.Admitted(true)).Select(scan.FieldRegistrationID, scan.FieldSlotKey)
		}).
		All(sys(ctx))
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	slots, err := s.Client.Slot.Query().Where(slot.ActivityID(a.ID)).Order(ent.Asc(slot.FieldStartsAt)).All(sys(ctx))
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	st := Stats{Registrations: len(regs)}
	if st.AdmittedTwice, err = s.Client.Scan.Query().Where(scan.ActivityID(a.ID), scan.Duplicate(true)).Count(sys(ctx)); err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	st.RefusedAtDoor, err = s.Client.Scan.Query().Where(scan.ActivityID(a.ID), scan.Offline(true), scan.DoorAdmitted(false),
		scan.StatusEQ(scan.StatusALREADY_CHECKED_IN)).Count(sys(ctx))
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	per := map[int]*SlotStats{}
	for _, sl := range slots {
		ss := &SlotStats{Slot: sl}
		per[sl.ID] = ss
	}
	for _, r := range regs {
		n := len(r.Edges.Participants)
		st.Registered += n
		whole := false
		keys := map[int]bool{}
		for _, sc := range r.Edges.Scans {
			if sc.SlotKey == 0 {
				whole = true
			}
			keys[sc.SlotKey] = true
		}
		if whole || len(keys) > 0 {
			st.Present += n
		}
		for _, sl := range r.Edges.Slots {
			if ss := per[sl.ID]; ss != nil {
				ss.Registered += n
				if whole || keys[sl.ID] {
					ss.Present += n
				}
			}
		}
	}
	for _, sl := range slots {
		st.PerSlot = append(st.PerSlot, *per[sl.ID])
	}
	return st, nil
}

// Present lists the participants checked in (R-CHK-6), for the activity or
// one slot: « les présents », a mailing target.
func (s *Service) Present(ctx context.Context, a *ent.Activity, slotID *int) ([]*ent.Participant, error) {
	preds := registration.And(registration.ActivityID(a.ID), registration.StateEQ(registration.StateCONFIRMED))
	var has = registration.HasScansWith(scan.Admitted(true))
	if slotID != nil {
		has = registration.And(registration.HasSlotsWith(slot.ID(*slotID)),
			registration.HasScansWith(scan.Admitted(true), scan.SlotKeyIn(0, *slotID)))
	}
	return s.Client.Participant.Query().Where(participant.HasRegistrationWith(preds, has)).
		Order(ent.Asc(participant.FieldLastName), ent.Asc(participant.FieldFirstName)).All(ctx)
}

// CheckedInAt returns when a registration was checked in (for a slot, the
// slot's or the whole registration's check-in), or nil.
func (s *Service) CheckedInAt(ctx context.Context, r *ent.Registration, slotID *int) (*time.Time, error) {
	keys := []int{0}
	if slotID != nil {
		keys = append(keys, *slotID)
	}
	sc, err := s.Client.Scan.Query().Where(scan.RegistrationID(r.ID), scan.Admitted(true), scan.SlotKeyIn(keys...)).
		Order(ent.Asc(scan.FieldCheckedInAt)).First(sys(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &sc.CheckedInAt, nil
}

// Setup is what the devices page shows to join an organisation (R-CHK-3).
type Setup struct {
	URL, SiteCode string
	PNG           []byte // the setup QR code
}

// DeviceSetup returns the setup link and QR code of an organisation, for
// its managers.
func (s *Service) DeviceSetup(ctx context.Context, orgID int) (*Setup, error) {
	org, err := s.Client.Organization.Get(ctx, orgID) // privacy: the viewer's organisations
	if err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	if !v.Operator && !v.System && !v.Has(org.ID, viewer.Manager) {
		return nil, apperr.New(apperr.Forbidden, "forbidden")
	}
	link := s.SetupURL(org)
	png, err := qr.Encode(link)
	if err != nil {
		return nil, fmt.Errorf("setup QR code: %w", err)
	}
	return &Setup{URL: link, SiteCode: org.SiteCode, PNG: png}, nil
}

// SetupURL is the link a device opens from the setup QR code.
func (s *Service) SetupURL(org *ent.Organization) string {
	return s.BaseURL + "/scan/?server=" + url.QueryEscape(s.BaseURL) + "&site=" + url.QueryEscape(org.SiteCode)
}

// SpeakerLink creates (or replaces) a speaker's personal check-in link,
// limited to their slots (R-ACT-6). Only the organisation's managers may.
func (s *Service) SpeakerLink(ctx context.Context, id int) (string, error) {
	sp, err := s.Client.Speaker.Get(ctx, id) // privacy: the viewer's organisations
	if err != nil {
		return "", err
	}
	v := viewer.FromContext(ctx)
	if !v.Operator && !v.System && !v.Has(sp.OrganizationID, viewer.Manager) {
		return "", apperr.New(apperr.Forbidden, "forbidden")
	}
	tok, hash, err := auth.NewSpeakerToken()
	if err != nil {
		return "", err
	}
	if err := store.Client(ctx, s.Client).Speaker.UpdateOne(sp).SetLinkTokenHash(hash).Exec(ctx); err != nil {
		return "", err
	}
	return s.BaseURL + "/scan/?server=" + url.QueryEscape(s.BaseURL) + "&speaker=" + url.QueryEscape(tok), nil
}
