package rule

import (
	"context"

	"entgo.io/ent/entql"

	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/viewer"
)

// FilterCatalogue keeps what the public catalogue shows (published or
// not-published trainings and their sessions: R-USR-3) and, for members,
// everything of their organisations but archived records, which are the
// operator's only (R-CAT-21). through is "" for trainings and "training"
// for sessions.
func FilterCatalogue(through string) privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		orgs := tenantOrgs(v) // none for a scanning device: it sees what the public sees
		live := entql.FieldIn("state", "PUBLISHED", "NOT_PUBLISHED")
		own := entql.And(in("organization_id", orgs), entql.FieldNEQ("state", "ARCHIVED"))
		p := entql.Or(live, own)
		if through != "" {
			// Archived sessions of a live training are the operator's too.
			p = entql.And(entql.HasEdgeWith(through, p), entql.FieldNil("archived_at"))
		}
		f.Where(p)
		return privacy.Skip
	})
}
