package checkin

import (
	"context"

	"github.com/ofhub/ofhub/ent/history"
)

// noHistory: bumping updated_at for device deltas is bookkeeping, not a
// change anyone made (the scan itself is the record).
func noHistory(ctx context.Context) context.Context { return history.Quiet(ctx) }
