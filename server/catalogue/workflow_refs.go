package catalogue

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/session"
	"github.com/ofhub/ofhub/ent/training"
)

// References (R-CAT-30): trainings "<yy><5-digit sequence>F" (2600001F,
// the year of creation, Paris), sessions "<6-digit sequence>S" (000042S),
// unique (a unique index is the last guard). The next number is the
// highest one + 1, read inside the writing transaction after taking a
// transaction-scoped advisory lock on PostgreSQL, so that two instances
// creating at once queue instead of drawing the same number; SQLite
// transactions are IMMEDIATE, so writers are serialised anyway.

// refLock is the advisory lock key of reference allocation ("ofhubref").
const refLock int64 = 0x6f66687562726566

// refSeq allocates references within one transaction.
type refSeq struct {
	o           *Offer
	tx          *ent.Client
	nextT, next int // 0: not read yet
}

// refs takes the allocation lock (PostgreSQL) and returns an allocator.
func (o *Offer) refs(ctx context.Context, tx *ent.Client) (*refSeq, error) {
	if tx.Dialect() == "postgres" {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", refLock); err != nil {
			return nil, fmt.Errorf("catalogue: lock references: %w", err)
		}
	}
	return &refSeq{o: o, tx: tx}, nil
}

// byNumber orders references as numbers: longer first, then descending.
func byNumber(column string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		s.OrderExpr(sql.Expr("LENGTH(" + s.C(column) + ") DESC"))
		s.OrderBy(sql.Desc(s.C(column)))
	}
}

func (r *refSeq) training(ctx context.Context) (string, error) {
	prefix := fmt.Sprintf("%02d", r.o.Now().In(paris).Year()%100)
	if r.nextT == 0 {
		refs, err := r.tx.Training.Query().
			Where(training.ReferenceHasPrefix(prefix), training.ReferenceHasSuffix("F")).
			Order(byNumber(training.FieldReference)).Limit(1).
			Select(training.FieldReference).Strings(privacy.DecisionContext(ctx, privacy.Allow))
		if err != nil {
			return "", err
		}
		r.nextT = 1
		if len(refs) == 1 {
			if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(refs[0], prefix), "F")); err == nil {
				r.nextT = n + 1
			}
		}
	}
	ref := fmt.Sprintf("%s%05dF", prefix, r.nextT)
	r.nextT++
	return ref, nil
}

func (r *refSeq) session(ctx context.Context) (string, error) {
	if r.next == 0 {
		refs, err := r.tx.Session.Query().Where(session.ReferenceHasSuffix("S")).
			Order(byNumber(session.FieldReference)).Limit(1).
			Select(session.FieldReference).Strings(privacy.DecisionContext(ctx, privacy.Allow))
		if err != nil {
			return "", err
		}
		r.next = 1
		if len(refs) == 1 {
			if n, err := strconv.Atoi(strings.TrimSuffix(refs[0], "S")); err == nil {
				r.next = n + 1
			}
		}
	}
	ref := fmt.Sprintf("%06dS", r.next)
	r.next++
	return ref, nil
}
