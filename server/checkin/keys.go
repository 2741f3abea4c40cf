package checkin

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"sync"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/ticketkey"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/scanner/ticket"
	"github.com/ofhub/ofhub/server/store"
)

// signingKey is an organisation's key as the engine uses it.
type signingKey struct {
	OrgID int
	ID    uint32
	Pub   ed25519.PublicKey
	Priv  ed25519.PrivateKey
}

// keyring caches ticket keys: they never change once created (rotation
// adds a key and deactivates the old one for signing only).
type keyring struct {
	mu     sync.RWMutex
	byID   map[uint32]signingKey
	active map[int]signingKey
	// activeAt: another instance's rotation is picked up within a minute.
	activeAt map[int]time.Time
}

func newKeyring() *keyring {
	return &keyring{byID: map[uint32]signingKey{}, active: map[int]signingKey{}, activeAt: map[int]time.Time{}}
}

// lookup returns the key of id, loading it once.
func (k *keyring) lookup(ctx context.Context, c *ent.Client, id uint32) (signingKey, bool, error) {
	k.mu.RLock()
	sk, ok := k.byID[id]
	k.mu.RUnlock()
	if ok {
		return sk, true, nil
	}
	row, err := c.TicketKey.Query().Where(ticketkey.KeyID(int64(id))).Only(sys(ctx))
	if ent.IsNotFound(err) {
		return signingKey{}, false, nil
	}
	if err != nil {
		return signingKey{}, false, fmt.Errorf("load ticket key: %w", err)
	}
	sk = signingKey{OrgID: row.OrganizationID, ID: uint32(row.KeyID), Pub: row.PublicKey, Priv: row.PrivateKey}
	k.mu.Lock()
	k.byID[id] = sk
	k.mu.Unlock()
	return sk, true, nil
}

// forOrg returns the organisation's active signing key, creating the first
// one on demand.
func (k *keyring) forOrg(ctx context.Context, c *ent.Client, org int) (signingKey, error) {
	k.mu.RLock()
	sk, ok := k.active[org]
	fresh := time.Since(k.activeAt[org]) < time.Minute
	k.mu.RUnlock()
	if ok && fresh {
		return sk, nil
	}
	// Inside a caller's transaction, read and write through it (SQLite has
	// one writer); a key created there is cached only once read back after
	// commit, so a rollback cannot leave a phantom key in the cache.
	c = store.Client(ctx, c)
	row, err := c.TicketKey.Query().Where(ticketkey.OrganizationID(org), ticketkey.Active(true)).
		Order(ent.Desc(ticketkey.FieldCreatedAt)).First(sys(ctx))
	created := false
	if ent.IsNotFound(err) {
		id, pub, priv := ticket.GenerateKey()
		row, err = c.TicketKey.Create().SetOrganizationID(org).SetKeyID(int64(id)).SetPublicKey(pub).
			SetPrivateKey(priv).Save(sys(ctx))
		created = err == nil
	}
	if err != nil {
		return signingKey{}, fmt.Errorf("ticket key of organisation %d: %w", org, err)
	}
	sk = signingKey{OrgID: org, ID: uint32(row.KeyID), Pub: row.PublicKey, Priv: row.PrivateKey}
	if !created || ent.TxFromContext(ctx) == nil {
		k.mu.Lock()
		k.active[org] = sk
		k.activeAt[org] = time.Now()
		k.byID[sk.ID] = sk
		k.mu.Unlock()
	}
	return sk, nil
}

// PublicKeys lists an organisation's verification keys (devices hold these
// only: a stolen phone cannot mint tickets).
func (e *Engine) PublicKeys(ctx context.Context, org int) (ticket.KeySet, error) {
	if _, err := e.keys.forOrg(ctx, e.Client, org); err != nil {
		return nil, err
	}
	rows, err := e.Client.TicketKey.Query().Where(ticketkey.OrganizationID(org)).All(sys(ctx))
	if err != nil {
		return nil, fmt.Errorf("public keys: %w", err)
	}
	ks := ticket.KeySet{}
	for _, r := range rows {
		ks[uint32(r.KeyID)] = r.PublicKey
	}
	return ks, nil
}

// RotateKey creates a new signing key for org; tickets signed with older
// keys keep verifying.
func (e *Engine) RotateKey(ctx context.Context, org int) (uint32, error) {
	if v := viewer.FromContext(ctx); v == nil || !(v.Operator || v.System || v.Has(org, viewer.Manager)) {
		if v != nil && v.Authenticated() && !v.Member(org) {
			// Another organisation's is absent, not forbidden (docs/API.md).
			return 0, &apperr.Error{Code: apperr.NotFound, Field: "organizationID", Key: "not_found"}
		}
		return 0, apperr.New(apperr.Forbidden, "forbidden")
	}
	id, pub, priv := ticket.GenerateKey()
	c := store.Client(ctx, e.Client) // the mutation's transaction (SQLite has one writer)
	err := c.TicketKey.Update().Where(ticketkey.OrganizationID(org)).SetActive(false).Exec(sys(ctx))
	if err == nil {
		err = c.TicketKey.Create().SetOrganizationID(org).SetKeyID(int64(id)).SetPublicKey(pub).SetPrivateKey(priv).Exec(sys(ctx))
	}
	if err != nil {
		return 0, fmt.Errorf("rotate ticket key: %w", err)
	}
	store.AfterCommit(ctx, func(context.Context) {
		e.keys.mu.Lock()
		delete(e.keys.active, org)
		e.keys.mu.Unlock()
	})
	return id, nil
}

// TicketCode returns the registration's QR ticket text. It is stable: the
// same registration gives the same code while its key is active.
func (e *Engine) TicketCode(ctx context.Context, r *ent.Registration) (string, error) {
	sk, err := e.keys.forOrg(ctx, e.Client, r.OrganizationID)
	if err != nil {
		return "", err
	}
	return ticket.Issue(ticket.Ticket{KeyID: sk.ID, RegistrationID: int64(r.ID), ActivityID: int64(r.ActivityID),
		IssuedAt: r.CreatedAt}, sk.Priv)
}
