// Package store gives domain services the ent client of the current
// request — the GraphQL transaction when there is one — and runs work in a
// transaction so that a failing operation changes nothing.
package store

import (
	"context"
	"fmt"

	"github.com/ofhub/ofhub/ent"
)

// Client returns the transactional client in ctx, or c.
func Client(ctx context.Context, c *ent.Client) *ent.Client {
	if tc := ent.FromContext(ctx); tc != nil {
		return tc
	}
	return c
}

// InTx runs fn in a transaction: the one already in ctx (a GraphQL
// mutation), or a new one committed when fn succeeds and rolled back
// otherwise.
func InTx(ctx context.Context, c *ent.Client, fn func(ctx context.Context, tx *ent.Client) error) error {
	if tx := ent.TxFromContext(ctx); tx != nil {
		return fn(ctx, tx.Client())
	}
	tx, err := c.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	txCtx := ent.NewTxContext(ent.NewContext(ctx, tx.Client()), tx)
	if err := fn(txCtx, tx.Client()); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return fmt.Errorf("%w (rollback: %v)", err, rerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// AfterCommit runs fn once the transaction in ctx has committed (nothing
// happens if it rolls back), or at once when ctx has no transaction. Used
// for side effects that must not happen for a change that did not: e-mails.
func AfterCommit(ctx context.Context, fn func(context.Context)) {
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		fn(ctx)
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(cctx context.Context, tx *ent.Tx) error {
			err := next.Commit(cctx, tx)
			if err == nil {
				fn(context.WithoutCancel(ctx))
			}
			return err
		})
	})
}
