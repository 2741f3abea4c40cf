package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/server/checkin"
)

// The demo open day and its check-in device (R-ACT-1…3, R-CHK-3). Every
// name below is invented.
const (
	OpenDayTitle = "Journée portes ouvertes — antenne de Caen Presqu'île"
	// SiteCode is the Caen branch's site code, typed on a device to join.
	SiteCode = "4217"
	// DeviceName and DeviceCode are the declared device and its
	// identification code.
	DeviceName = "Tablette de l'accueil (démo)"
	DeviceCode = "ACCUEIL-CAEN-01"
)

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return l
}()

type demoRegistration struct {
	buyer     checkin.PersonSpec
	others    []checkin.PersonSpec
	slots     []int // indexes in the day's slots
	daysAgo   int   // when the registration was made
	online    bool  // made on the public form, else by the staff
	arrivedAt int   // minutes before loading the demo when checked in; 0 = not yet
	cancelled bool
}

func age(n int) *int { return &n }

// openDay creates today's open day at the Caen branch (two slots), its
// registrations (made over the past weeks) and a declared device, and
// returns the people who already arrived, to be checked in at the desk by
// the branch's receptionist. Rows are written with the loader's system
// rights so that they carry their past dates.
func openDay(ctx context.Context, tx *ent.Client, org *ent.Organization, desk *ent.User) ([]arrival, error) {
	now := time.Now().UTC()
	y, m, d := now.In(paris).Date()
	at := func(h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris).UTC() }
	a, err := tx.Activity.Create().SetTitle(OpenDayTitle).SetOrganizationID(org.ID).
		SetStartsAt(at(9, 30)).SetEndsAt(at(17, 0)).SetLocation("3 quai de la Gare, 14000 Caen").
		SetMaxParticipants(6).SetCreatedAt(now.AddDate(0, 0, -45)).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo open day: %w", err)
	}
	var slots []*ent.Slot
	for _, sl := range []struct {
		label      string
		start, end time.Time
	}{
		{"Matin : découverte des ateliers", at(9, 30), at(12, 30)},
		{"Après-midi : essais des métiers", at(14, 0), at(17, 0)},
	} {
		s, err := tx.Slot.Create().SetActivityID(a.ID).SetLabel(sl.label).SetStartsAt(sl.start).SetEndsAt(sl.end).
			SetCapacity(40).Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("demo open day slot: %w", err)
		}
		slots = append(slots, s)
	}
	if _, err := tx.Device.Create().SetOrganizationID(org.ID).SetName(DeviceName).SetIdentificationCode(DeviceCode).Save(ctx); err != nil {
		return nil, fmt.Errorf("demo device: %w", err)
	}
	regs := []demoRegistration{
		{buyer: checkin.PersonSpec{LastName: "VASSEUR", FirstName: "Anaïs", Email: "anais.vasseur@exemple.demo.ofhub.fr", Phone: "06 00 00 01 01", Age: age(38), Address: "14 rue du Moulin, 14200 Hérouville-Saint-Clair"},
			others: []checkin.PersonSpec{{LastName: "VASSEUR", FirstName: "Lilou", Age: age(16)}, {LastName: "VASSEUR", FirstName: "Nathan", Age: age(18)}},
			slots:  []int{0, 1}, daysAgo: 21, online: true, arrivedAt: 52},
		{buyer: checkin.PersonSpec{LastName: "KERBRAT", FirstName: "Yann", Email: "yann.kerbrat@exemple.demo.ofhub.fr", Phone: "06 00 00 01 02", Age: age(24)},
			slots: []int{0}, daysAgo: 12, online: true, arrivedAt: 47},
		{buyer: checkin.PersonSpec{LastName: "DIALLO", FirstName: "Mariama", Email: "mariama.diallo@exemple.demo.ofhub.fr", Phone: "07 00 00 01 03", Age: age(45), Address: "2 allée des Cormorans, 14000 Caen"},
			others: []checkin.PersonSpec{{LastName: "DIALLO", FirstName: "Ousmane", Age: age(17)}},
			slots:  []int{0, 1}, daysAgo: 9, arrivedAt: 31},
		{buyer: checkin.PersonSpec{LastName: "LEBRETON", FirstName: "Gaëlle", Email: "gaelle.lebreton@exemple.demo.ofhub.fr", Phone: "06 00 00 01 04", Age: age(29)},
			slots: []int{1}, daysAgo: 6, online: true},
		{buyer: checkin.PersonSpec{LastName: "FONTAINE", FirstName: "Marius", Email: "marius.fontaine@exemple.demo.ofhub.fr", Age: age(52)},
			others: []checkin.PersonSpec{{LastName: "FONTAINE", FirstName: "Clémence", Age: age(50)}, {LastName: "FONTAINE", FirstName: "Jules", Age: age(15)}},
			slots:  []int{0}, daysAgo: 3},
		{buyer: checkin.PersonSpec{LastName: "TESSIER", FirstName: "Romain", Email: "romain.tessier@exemple.demo.ofhub.fr", Phone: "06 00 00 01 06", Age: age(33)},
			slots: []int{1}, daysAgo: 15, online: true, cancelled: true},
	}
	var out []arrival
	for i, dr := range regs {
		b := dr.buyer
		// Registrations came in during the day, at various hours.
		made := now.AddDate(0, 0, -dr.daysAgo).Add(-time.Duration(3*i+2) * time.Hour).Truncate(time.Minute)
		rc := tx.Registration.Create().SetActivityID(a.ID).SetOrganizationID(org.ID).
			SetBuyerLastName(b.LastName).SetBuyerFirstName(b.FirstName).SetBuyerEmail(b.Email).SetBuyerPhone(b.Phone).
			SetCreatedAt(made).SetUpdatedAt(made).SetSource(registration.SourceSTAFF)
		if dr.online {
			rc.SetSource(registration.SourcePUBLIC)
		}
		for _, i := range dr.slots {
			rc.AddSlotIDs(slots[i].ID)
		}
		if dr.cancelled {
			rc.SetState(registration.StateCANCELLED).SetCancelledAt(made.AddDate(0, 0, 4))
		}
		r, err := rc.Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("demo registration of %s: %w", b.LastName, err)
		}
		for pos, p := range append([]checkin.PersonSpec{b}, dr.others...) {
			err := tx.Participant.Create().SetRegistrationID(r.ID).SetPosition(pos).SetLastName(p.LastName).
				SetFirstName(p.FirstName).SetEmail(p.Email).SetPhone(p.Phone).SetAddress(p.Address).SetNillableAge(p.Age).Exec(ctx)
			if err != nil {
				return nil, fmt.Errorf("demo participant %s %s: %w", p.FirstName, p.LastName, err)
			}
		}
		if dr.arrivedAt != 0 {
			out = append(out, arrival{caller: checkin.Caller{OrgID: org.ID, UserID: desk.ID}, reg: r,
				at: now.Add(-time.Duration(dr.arrivedAt) * time.Minute)})
		}
	}
	return out, nil
}

// arrival is a check-in to make once the demo data is committed.
type arrival struct {
	caller checkin.Caller
	reg    *ent.Registration
	at     time.Time
}

// checkInArrivals checks the arrivals in through the check-in engine, at
// their times, as the "Présent" button does (R-CHK-1). The engine reads
// committed data: this runs after the loader's transaction.
func checkInArrivals(ctx context.Context, c *ent.Client, arrivals []arrival) error {
	eng := checkin.New(c)
	for _, a := range arrivals {
		eng.Now = func() time.Time { return a.at }
		res, err := eng.CheckIn(ctx, a.caller, checkin.Input{RegistrationID: a.reg.ID, ActivityID: a.reg.ActivityID,
			Channel: scan.ChannelLIST}, "fr")
		if err != nil {
			return fmt.Errorf("demo check-in: %w", err)
		}
		if res.Status != "ACCESS_OK" && res.Status != "ALREADY_CHECKED_IN" {
			return fmt.Errorf("demo check-in of %s: %s", a.reg.BuyerLastName, res.Message)
		}
	}
	return nil
}
