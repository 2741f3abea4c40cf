package apptest

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/validate"
	"github.com/ofhub/ofhub/ent/viewer"
)

var logOnce sync.Once

// Password is the password of fixture users.
const Password = "Fixture-pass-1!"

var seq atomic.Int64

// SIRET returns a fresh Luhn-valid SIRET of siren (9 digits), or of a new
// SIREN when siren is "".
func SIRET(siren string) string {
	n := seq.Add(1)
	if siren == "" {
		siren = luhnComplete(fmt.Sprintf("7%07d", n%10_000_000))
	}
	return luhnComplete(fmt.Sprintf("%s%04d", siren, n%10000))
}

func luhnComplete(prefix string) string {
	for d := 0; d < 10; d++ {
		s := fmt.Sprintf("%s%d", prefix, d)
		if validate.Luhn(s) {
			return s
		}
	}
	panic("unreachable")
}

// Org creates an organisation (a branch of parent when parent is not nil).
func (e *Env) Org(name string, parent *ent.Organization) *ent.Organization {
	e.T.Helper()
	b := e.Client().Organization.Create().SetName(name).SetPostcode("14000").SetCity("Caen")
	if parent != nil {
		b.SetParentID(parent.ID).SetSiret(SIRET(parent.Siren))
	} else {
		b.SetSiret(SIRET(""))
	}
	o, err := b.Save(e.Sys())
	if err != nil {
		e.T.Fatalf("fixture organisation %s: %v", name, err)
	}
	return o
}

// User creates an active user with Password, attached to org with perms
// (no membership when org is nil).
func (e *Env) User(email string, org *ent.Organization, perms ...viewer.Permission) *ent.User {
	e.T.Helper()
	hash, err := e.App.Auth.Hash(Password)
	if err != nil {
		e.T.Fatal(err)
	}
	u, err := e.Client().User.Create().SetEmail(email).SetFirstName("Prénom").SetLastName("NOM").
		SetPasswordHash(hash).Save(e.Sys())
	if err != nil {
		e.T.Fatalf("fixture user %s: %v", email, err)
	}
	if org != nil {
		if perms == nil {
			perms = []viewer.Permission{}
		}
		if err := e.Client().Membership.Create().SetUserID(u.ID).SetOrganizationID(org.ID).
			SetPermissions(perms).Exec(e.Sys()); err != nil {
			e.T.Fatalf("fixture membership %s: %v", email, err)
		}
	}
	return u
}

// Operator creates a platform operator.
func (e *Env) Operator(email string) *ent.User {
	e.T.Helper()
	u := e.User(email, nil)
	if err := e.Client().User.UpdateOne(u).SetOperator(true).Exec(e.Sys()); err != nil {
		e.T.Fatal(err)
	}
	return u
}

// ID renders an id as GraphQL sends it.
func ID(id int) string { return fmt.Sprint(id) }
