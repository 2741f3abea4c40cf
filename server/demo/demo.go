// Package demo loads an invented but realistic data set so that a new
// installation can be tried at once. Every name, number and address here is
// made up; nothing comes from the seeds' real people.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"entgo.io/ent/dialect"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/activity"
	"github.com/ofhub/ofhub/ent/device"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/auth"
	"github.com/ofhub/ofhub/server/store"
)

// Password is the password of every demo account (it satisfies R-USR-5).
const Password = "Demo-ofhub-2026!"

// Login is a demo account to show to whoever starts the server.
type Login struct {
	Email, Role string
}

// Logins are the demo accounts, in the order they are printed.
var Logins = []Login{
	{"operateur@demo.ofhub.fr", "gestionnaire Carif-Oref (opérateur, voit tout)"},
	{"direction@atelier-formation.demo.ofhub.fr", "gestionnaire de l'organisme (siège et antennes)"},
	{"rh@atelier-formation.demo.ofhub.fr", "gestion des utilisateurs du siège"},
	{"accueil.caen@atelier-formation.demo.ofhub.fr", "accès simple à l'antenne de Caen"},
	{"contact@boisetmetiers.demo.ofhub.fr", "gestionnaire d'un autre organisme"},
}

// Empty reports whether the database has no user yet.
func Empty(ctx context.Context, c *ent.Client) (bool, error) {
	n, err := c.User.Query().Count(viewer.SystemContext(ctx))
	return n == 0, err
}

// ErrNotEmpty is Load's answer when the database already has users: another
// instance loaded the demo meanwhile (or real data is there).
var ErrNotEmpty = errors.New("demo: the database is not empty")

// demoLock is the PostgreSQL advisory lock key of the demo load ("ofhdemo").
const demoLock int64 = 0x6f6668646d6f

// Load inserts the demo data set in one transaction, then makes the demo
// open day's first check-ins through the check-in engine. It answers
// ErrNotEmpty, loading nothing, when the database has users: two instances
// started together with --demo both saw an empty database (Empty), and the
// second failed on the first's site code (issue 11 #5). So the transaction
// looks again under a lock — PostgreSQL: an advisory lock held to its
// commit; SQLite: its write lock, taken at BEGIN (IMMEDIATE) — and the
// second instance finds the first's data and goes on with it.
func Load(ctx context.Context, c *ent.Client, a *auth.Service) error {
	ctx = viewer.SystemContext(ctx)
	hash, err := a.Hash(Password)
	if err != nil {
		return err
	}
	var arrivals []arrival
	err = store.InTx(ctx, c, func(ctx context.Context, tx *ent.Client) error {
		if tx.Dialect() == dialect.Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", demoLock); err != nil {
				return fmt.Errorf("demo: lock: %w", err)
			}
		}
		if n, err := tx.User.Query().Count(ctx); err != nil || n > 0 {
			if err == nil {
				err = ErrNotEmpty
			}
			return err
		}
		org := func(name, siret, nda, street, postcode, city, insee string, lat, lon float64, parent *ent.Organization, cps ...schematype.ContactPoint) (*ent.Organization, error) {
			b := tx.Organization.Create().SetName(name).SetSiret(siret).SetStreet(street).SetPostcode(postcode).
				SetCity(city).SetInseeCode(insee).SetLatitude(lat).SetLongitude(lon).
				SetKinds([]string{"TRAINING_ORGANIZATION"}).SetContactPoints(cps).SetApeCode("8559A")
			if nda != "" {
				b.SetNda(nda)
			}
			if parent != nil {
				b.SetParentID(parent.ID)
			}
			o, err := b.Save(ctx)
			if err != nil {
				return nil, fmt.Errorf("demo organisation %s: %w", name, err)
			}
			return o, nil
		}
		// SIRETs below are invented and Luhn-valid; the SIRENs are not any
		// real company's.
		head, err := org("L'Atelier Formation Normandie", "55210000900018", "28140000014", "12 rue des Tanneurs", "14000", "Caen", "14118", 49.1829, -0.3707, nil,
			schematype.ContactPoint{Kind: schematype.ContactPhone, Label: "Standard", Value: "02 31 00 00 01", Published: true, Principal: true},
			schematype.ContactPoint{Kind: schematype.ContactEmail, Label: "Accueil", Value: "accueil@atelier-formation.demo.ofhub.fr", Published: true, Principal: true},
			schematype.ContactPoint{Kind: schematype.ContactWebsite, Label: "Site", Value: "https://atelier-formation.demo.ofhub.fr", Published: true, Principal: true})
		if err != nil {
			return err
		}
		caen, err := org("L'Atelier Formation — antenne de Caen Presqu'île", "55210000900026", "", "3 quai de la Gare", "14000", "Caen", "14118", 49.1780, -0.3520, head,
			schematype.ContactPoint{Kind: schematype.ContactPhone, Label: "Accueil", Value: "02 31 00 00 02", Published: true, Principal: true})
		if err != nil {
			return err
		}
		rouen, err := org("L'Atelier Formation — antenne de Rouen", "55210000900034", "", "45 rue Jeanne d'Arc", "76000", "Rouen", "76540", 49.4431, 1.0993, head)
		if err != nil {
			return err
		}
		other, err := org("Bois et Métiers Formation", "40483216500017", "23500000150", "8 chemin des Scieries", "50000", "Saint-Lô", "50502", 49.1157, -1.0906, nil)
		if err != nil {
			return err
		}
		_ = rouen
		// The Caen branch's site code is fixed so that PrintBanner can tell
		// how to join with a phone (R-CHK-3).
		if caen, err = tx.Organization.UpdateOne(caen).SetSiteCode(SiteCode).Save(ctx); err != nil {
			return fmt.Errorf("demo site code: %w", err)
		}
		users := map[string]*ent.User{}
		user := func(email, last, first, function string, op bool, ms ...*ent.MembershipCreate) error {
			u, err := tx.User.Create().SetEmail(email).SetLastName(last).SetFirstName(first).SetFunction(function).
				SetPasswordHash(hash).SetOperator(op).Save(ctx)
			if err != nil {
				return fmt.Errorf("demo user %s: %w", email, err)
			}
			for _, m := range ms {
				if err := m.SetUserID(u.ID).Exec(ctx); err != nil {
					return fmt.Errorf("demo membership of %s: %w", email, err)
				}
			}
			users[email] = u
			return nil
		}
		m := func(o *ent.Organization, perms ...viewer.Permission) *ent.MembershipCreate {
			return tx.Membership.Create().SetOrganizationID(o.ID).SetPermissions(perms)
		}
		steps := []error{
			user(Logins[0].Email, "MARCHAND", "Hélène", "Chargée de l'offre de formation", true),
			user(Logins[1].Email, "LEROUX", "Damien", "Directeur", false, m(head, viewer.Manager)),
			user(Logins[2].Email, "BESNARD", "Claire", "Responsable RH", false, m(head, viewer.UserManagement, viewer.Reporting)),
			user(Logins[3].Email, "HAMON", "Julien", "Chargé d'accueil", false, m(caen, viewer.FundingCases)),
			user(Logins[4].Email, "GUÉRIN", "Sophie", "Gérante", false, m(other, viewer.Manager)),
		}
		for _, err := range steps {
			if err != nil {
				return err
			}
		}
		arrivals, err = openDay(ctx, tx, caen, users[Logins[3].Email])
		return err
	})
	if err != nil {
		return err
	}
	return checkInArrivals(ctx, c, arrivals)
}

// PrintBanner writes how to log in to the demo data and how to try a phone
// as a check-in device on the demo open day, with the open day's real id
// in the export address. fresh is the start that loaded the data: it lists
// every account; later starts recall the first one and the device codes,
// which the devices page would otherwise be the only place to find. It
// writes nothing and reports false when the demo data is not there.
func PrintBanner(ctx context.Context, w io.Writer, c *ent.Client, baseURL string, fresh bool) (bool, error) {
	ctx = viewer.SystemContext(ctx)
	dev, err := c.Device.Query().Where(device.IdentificationCode(DeviceCode),
		device.HasOrganizationWith(organization.SiteCode(SiteCode))).First(ctx)
	if ent.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("demo device: %w", err)
	}
	day, err := c.Activity.Query().Where(activity.OrganizationID(dev.OrganizationID), activity.Title(OpenDayTitle)).
		Order(ent.Desc(activity.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("demo open day: %w", err)
	}
	baseURL = strings.TrimRight(baseURL, "/")
	if fresh {
		fmt.Fprintf(w, "\nDonnées de démonstration chargées. Mot de passe de tous les comptes : %s\n", Password)
		for _, l := range Logins {
			fmt.Fprintf(w, "  %-48s %s\n", l.Email, l.Role)
		}
		fmt.Fprintf(w, "\nGraphiQL : %s/graphiql\nConnexion (curl) :\n  curl -s %s/graphql -H 'Content-Type: application/json' \\\n    -d '{\"query\":\"mutation{login(input:{email:\\\"%s\\\",password:\\\"%s\\\"}){token}}\"}'\n",
			baseURL, baseURL, Logins[0].Email, Password)
	} else {
		fmt.Fprintf(w, "\nDonnées de démonstration déjà présentes. Comptes (s'ils n'ont pas été modifiés) : %s / %s (et les autres comptes …demo.ofhub.fr) — GraphiQL : %s/graphiql\n",
			Logins[0].Email, Password, baseURL)
	}
	when := "date non fixée"
	if day.StartsAt != nil {
		when = "le " + day.StartsAt.In(paris).Format("02/01/2006")
	}
	fmt.Fprintf(w, "\nPointage par QR code (« %s », %s) :\n", OpenDayTitle, when)
	for _, l := range [][2]string{{"Appareil déclaré", DeviceName}, {"Code identifiant du site", SiteCode},
		{"Code d'identification", DeviceCode}, {"Application de pointage", ScanURL(baseURL)}} {
		fmt.Fprintf(w, "  %s%s : %s\n", l[0], strings.Repeat(" ", max(0, 24-len([]rune(l[0])))), l[1])
	}
	fmt.Fprintf(w, "  (ouvrez l'adresse sur un téléphone du même réseau, puis saisissez les deux codes)\n")
	fmt.Fprintf(w, "Export des participants (CSV / XLSX, avec un jeton de %s) :\n  %s/exports/activities/%d/participants.csv\n\n",
		Logins[1].Email, baseURL, day.ID)
	return true, nil
}

// ScanURL is the scanning application's address for the demo site, the
// one the devices page shows as a QR code.
func ScanURL(baseURL string) string {
	baseURL = strings.TrimRight(baseURL, "/")
	return baseURL + "/scan/?server=" + url.QueryEscape(baseURL) + "&site=" + url.QueryEscape(SiteCode)
}
