package bench

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// CountStatements returns a driver wrapper (for app.WrapDriver) adding one
// to n per SQL statement sent, inside transactions or not; BEGIN, COMMIT
// and ROLLBACK are not counted. Unlike dialect.Debug it formats nothing,
// so it can stay in place under load.
func CountStatements(n *atomic.Int64) func(dialect.Driver) dialect.Driver {
	return func(d dialect.Driver) dialect.Driver { return &countDriver{Driver: d, n: n} }
}

type countDriver struct {
	dialect.Driver
	n *atomic.Int64
}

func (d *countDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.n.Add(1)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *countDriver) Query(ctx context.Context, query string, args, v any) error {
	d.n.Add(1)
	return d.Driver.Query(ctx, query, args, v)
}

// ExecContext and QueryContext serve ent's generated ExecContext and
// QueryContext helpers (raw SQL through the client).
func (d *countDriver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	drv, ok := d.Driver.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("driver.ExecContext is not supported")
	}
	d.n.Add(1)
	return drv.ExecContext(ctx, query, args...)
}

func (d *countDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	drv, ok := d.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("driver.QueryContext is not supported")
	}
	d.n.Add(1)
	return drv.QueryContext(ctx, query, args...)
}

func (d *countDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countTx{Tx: tx, n: d.n}, nil
}

func (d *countDriver) BeginTx(ctx context.Context, opts *stdsql.TxOptions) (dialect.Tx, error) {
	drv, ok := d.Driver.(interface {
		BeginTx(context.Context, *stdsql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return nil, fmt.Errorf("driver.BeginTx is not supported")
	}
	tx, err := drv.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countTx{Tx: tx, n: d.n}, nil
}

type countTx struct {
	dialect.Tx
	n *atomic.Int64
}

func (t *countTx) Exec(ctx context.Context, query string, args, v any) error {
	t.n.Add(1)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countTx) Query(ctx context.Context, query string, args, v any) error {
	t.n.Add(1)
	return t.Tx.Query(ctx, query, args, v)
}

func (t *countTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	tx, ok := t.Tx.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("tx.ExecContext is not supported")
	}
	t.n.Add(1)
	return tx.ExecContext(ctx, query, args...)
}

func (t *countTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	tx, ok := t.Tx.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("tx.QueryContext is not supported")
	}
	t.n.Add(1)
	return tx.QueryContext(ctx, query, args...)
}
