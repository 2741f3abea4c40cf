// Package secrets keeps the keys every instance of one deployment must
// share. Each is created once, by the first instance that asks for it, and
// read by all the others from the database: nothing to configure, and a
// second instance started behind the same load balancer agrees at once.
package secrets

import (
	"context"
	"crypto/rand"
	stdsql "database/sql"
	"errors"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/serversecret"
)

// CursorKey names the key that signs page cursors.
const CursorKey = "cursor-hmac"

// Get returns the secret called name, creating it with size random bytes
// when it does not exist yet. Two instances starting together both insert;
// the unique name keeps the first and both read it back.
func Get(ctx context.Context, c *ent.Client, name string, size int) ([]byte, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	v := make([]byte, size)
	if _, err := rand.Read(v); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	err := c.ServerSecret.Create().SetName(name).SetValue(v).
		OnConflict(sql.ConflictColumns(serversecret.FieldName)).DoNothing().Exec(ctx)
	// DoNothing on an existing name reports ErrNoRows (no row inserted).
	if err != nil && !errors.Is(err, stdsql.ErrNoRows) {
		return nil, fmt.Errorf("secret %s: create: %w", name, err)
	}
	s, err := c.ServerSecret.Query().Where(serversecret.Name(name)).Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("secret %s: read: %w", name, err)
	}
	return s.Value, nil
}
