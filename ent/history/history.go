// Package history records who changed what and when (R-X-1): one ent hook,
// added to every audited schema, writes a HistoryEntry in the same
// transaction as the change and announces it to subscribers.
package history

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	entgo "entgo.io/ent"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/events"
	"github.com/ofhub/ofhub/ent/historyentry"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/viewer"
)

// Topic is the events topic of recorded history entries.
const Topic = "history"

// Scope tells which organisation and which user a record belongs to, so
// that its history is shown to the right people.
type Scope func(ctx context.Context, c *ent.Client, id int) (org, subjectUser *int, err error)

// mutation is what every generated ent mutation offers.
type mutation interface {
	entgo.Mutation
	ID() (int, bool)
	IDs(context.Context) ([]int, error)
	Client() *ent.Client
}

// comment lets a caller attach an explanation (e.g. an operator's note)
// to the entries of the mutations it runs.
type commentKey struct{}

// WithComment returns ctx whose history entries carry comment.
func WithComment(ctx context.Context, comment string) context.Context {
	return context.WithValue(ctx, commentKey{}, comment)
}

type skipKey struct{}

// Quiet returns ctx whose mutations record no history: bookkeeping such as
// a login's timestamp, which is not a change anyone made to the record.
func Quiet(ctx context.Context) context.Context { return context.WithValue(ctx, skipKey{}, true) }

// skipped fields say nothing a person needs (timestamps) or must never be
// copied (secrets are reported as changed, without values).
var skipped = []string{"updated_at", "created_at"}

// Hook returns the history hook for an entity whose records scope says
// where they belong.
func Hook(scope Scope) entgo.Hook {
	return func(next entgo.Mutator) entgo.Mutator {
		return entgo.MutateFunc(func(ctx context.Context, gm entgo.Mutation) (entgo.Value, error) {
			if q, _ := ctx.Value(skipKey{}).(bool); q {
				return next.Mutate(ctx, gm)
			}
			m, ok := gm.(mutation)
			if !ok {
				return nil, fmt.Errorf("history: unexpected mutation %T", gm)
			}
			sys := privacy.DecisionContext(ctx, privacy.Allow)
			var (
				ids     []int
				changes []schematype.FieldChange
				scopes  = map[int][2]*int{}
				err     error
			)
			op := m.Op()
			switch {
			case op.Is(entgo.OpUpdateOne):
				id, _ := m.ID()
				ids = []int{id}
				changes = diff(ctx, m, true)
			case op.Is(entgo.OpUpdate | entgo.OpDelete | entgo.OpDeleteOne):
				if ids, err = m.IDs(sys); err != nil {
					return nil, fmt.Errorf("history: ids of %s: %w", m.Type(), err)
				}
				if op.Is(entgo.OpUpdate) {
					changes = diff(ctx, m, false)
				}
			}
			if op.Is(entgo.OpDelete | entgo.OpDeleteOne) {
				// Read the scope before the row disappears.
				for _, id := range ids {
					o, u, err := scope(sys, m.Client(), id)
					if err != nil {
						return nil, err
					}
					scopes[id] = [2]*int{o, u}
				}
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			action := historyentry.ActionUPDATE
			switch {
			case op.Is(entgo.OpCreate):
				id, _ := m.ID()
				ids = []int{id}
				action = historyentry.ActionCREATE
				changes = diff(ctx, m, false)
			case op.Is(entgo.OpDelete | entgo.OpDeleteOne):
				action = historyentry.ActionDELETE
			}
			if action == historyentry.ActionUPDATE && len(changes) == 0 {
				return v, nil // nothing a person would call a change
			}
			return v, record(sys, m, action, ids, changes, scope, scopes)
		})
	}
}

func record(ctx context.Context, m mutation, action historyentry.Action, ids []int, changes []schematype.FieldChange, scope Scope, scopes map[int][2]*int) error {
	c := m.Client()
	vw := viewer.FromContext(ctx)
	comment, _ := ctx.Value(commentKey{}).(string)
	now := time.Now().UTC()
	for _, id := range ids {
		org, subject := scopes[id][0], scopes[id][1]
		if _, seen := scopes[id]; !seen {
			var err error
			if org, subject, err = scope(ctx, c, id); err != nil {
				return err
			}
		}
		b := c.HistoryEntry.Create().
			SetEntityType(m.Type()).SetEntityID(id).SetAction(action).
			SetNillableOrganizationID(org).SetNillableSubjectUserID(subject).
			SetChanges(changes).SetCreatedAt(now)
		if comment != "" {
			b.SetComment(comment)
		}
		switch {
		case vw != nil && vw.UserID != 0:
			b.SetActorID(vw.UserID).SetActorName(vw.Name)
		default:
			b.SetActorName("système")
		}
		e, err := b.Save(ctx)
		if err != nil {
			return fmt.Errorf("history: record %s %d: %w", m.Type(), id, err)
		}
		if err := events.Emit(ctx, c, events.Event{Topic: Topic, ID: e.ID}); err != nil {
			return err
		}
	}
	return nil
}

// diff lists the fields a mutation sets or clears, with old values when the
// mutation targets one row.
func diff(ctx context.Context, m mutation, withOld bool) []schematype.FieldChange {
	var out []schematype.FieldChange
	sensitive := sensitiveFields[m.Type()]
	for _, f := range m.Fields() {
		if slices.Contains(skipped, f) {
			continue
		}
		ch := schematype.FieldChange{Field: f}
		if slices.Contains(sensitive, f) {
			out = append(out, ch)
			continue
		}
		nv, _ := m.Field(f)
		ch.New = show(nv)
		if withOld {
			if ov, err := m.OldField(ctx, f); err == nil {
				ch.Old = show(ov)
			}
			if ch.Old == ch.New {
				continue
			}
		}
		out = append(out, ch)
	}
	for _, f := range m.ClearedFields() {
		ch := schematype.FieldChange{Field: f}
		if withOld && !slices.Contains(sensitive, f) {
			if ov, err := m.OldField(ctx, f); err == nil {
				ch.Old = show(ov)
			}
		}
		out = append(out, ch)
	}
	return out
}

// sensitiveFields are recorded as changed without their values.
var sensitiveFields = map[string][]string{
	ent.TypeUser: {"password_hash"},
	// Token digests: activating or releasing a device shows as a change of
	// its token, never the digest a token is looked up by.
	ent.TypeDevice:  {"token_hash"},
	ent.TypeSpeaker: {"link_token_hash"},
	// The file itself (up to OFHUB_MAX_DOCUMENT_BYTES) is no history.
	ent.TypeOrganizationDocument: {"data"},
}

func show(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	case fmt.Stringer:
		return x.String()
	case string:
		return x
	case bool, int, int64, float64:
		return fmt.Sprint(x)
	default:
		if b, err := json.Marshal(x); err == nil {
			return string(b)
		}
		return strings.TrimPrefix(fmt.Sprint(x), "&")
	}
}
