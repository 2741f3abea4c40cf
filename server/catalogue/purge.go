package catalogue

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/predicate"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/store"
)

// The purge of abandoned work (R-CAT-21): trainings still in creation
// without any action for PurgeCreationAfter are deleted (never published);
// drafts of published trainings left for PurgeDraftAfter (14 days, seed 003
// « le mode brouillon a une durée de vie limitée ») are dropped — the
// published version stays. Submitted requests are never purged: they wait
// for the operator.

// purgeLock is the advisory lock key of the purge ("ofhubpur").
const purgeLock int64 = 0x6f66687562707572

// PurgeResult says what one purge did.
type PurgeResult struct {
	// Ran is false when another instance was purging (PostgreSQL).
	Ran bool
	// Creations deleted, drafts dropped.
	Creations, Drafts int
}

// Purge runs the purge once, as the system, in one transaction. Several
// instances may call it at the same time: on PostgreSQL only the one that
// takes the transaction-scoped advisory lock works (the others return
// Ran=false); on SQLite writers are serialised, so the later one finds
// nothing left.
func (o *Offer) Purge(ctx context.Context) (PurgeResult, error) {
	ctx = viewer.SystemContext(ctx)
	var res PurgeResult
	err := store.InTx(ctx, o.Client, func(ctx context.Context, tx *ent.Client) error {
		if tx.Dialect() == "postgres" {
			rows, err := tx.QueryContext(ctx, "SELECT pg_try_advisory_xact_lock($1)", purgeLock)
			if err != nil {
				return fmt.Errorf("purge: lock: %w", err)
			}
			var got bool
			if rows.Next() {
				err = rows.Scan(&got)
			}
			if cerr := rows.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("purge: lock: %w", err)
			}
			if !got {
				return nil
			}
		}
		res.Ran = true
		now := o.Now()
		// The trainings are locked as the workflow locks them (FOR UPDATE,
		// PostgreSQL): one submitted or saved while the purge runs is read
		// again once its transaction ends, and left alone when no longer
		// abandoned — never deleted on a stale reading.
		creations := []predicate.Training{training.StateEQ(training.StateIN_CREATION),
			training.LastActionAtLT(now.Add(-o.PurgeCreationAfter))}
		q := tx.Training.Query().Where(creations...)
		if tx.Dialect() == "postgres" {
			q = q.ForUpdate()
		}
		old, err := q.IDs(ctx)
		if err != nil {
			return err
		}
		dctx := withAction(ctx, actPurgeCreation, "")
		for _, id := range old {
			if err := deleteTraining(dctx, tx, id); err != nil {
				return err
			}
		}
		res.Creations = len(old)
		abandoned := []predicate.Training{training.ChangeStateEQ(training.ChangeStateDRAFT),
			training.LastActionAtLT(now.Add(-o.PurgeDraftAfter))}
		q = tx.Training.Query().Where(abandoned...)
		if tx.Dialect() == "postgres" {
			q = q.ForUpdate()
		}
		drafts, err := q.IDs(ctx)
		if err != nil {
			return err
		}
		if len(drafts) > 0 {
			pctx := withAction(ctx, actPurgeDraft, "")
			if err := tx.Training.Update().Where(append(abandoned, training.IDIn(drafts...))...).ClearDraft().
				SetChangeState(training.ChangeStateNONE).Exec(pctx); err != nil {
				return err
			}
			for _, id := range drafts {
				if err := announce(pctx, tx, id); err != nil {
					return err
				}
			}
		}
		res.Drafts = len(drafts)
		return nil
	})
	if err != nil {
		return PurgeResult{}, err
	}
	return res, nil
}

// RunPurge purges now and then every interval until ctx ends (started by
// `ofhub serve`, see app.StartJobs).
func (o *Offer) RunPurge(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		res, err := o.Purge(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			slog.ErrorContext(ctx, "catalogue: purge failed", "err", err.Error())
		case res.Creations+res.Drafts > 0:
			slog.InfoContext(ctx, "catalogue: purge", "creations", res.Creations, "drafts", res.Drafts)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
