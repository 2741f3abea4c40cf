package graph

import (
	"context"
	"strings"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/accreditation"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/predicate"
	"github.com/ofhub/ofhub/ent/referencecode"
	"github.com/ofhub/ofhub/server/store"
)

// createCertification creates a certification in the mutation's
// transaction (privacy: operators only).
func createCertification(ctx context.Context, c *ent.Client, input ent.CreateCertificationInput) (*ent.Certification, error) {
	return store.Client(ctx, c).Certification.Create().SetInput(input).Save(ctx)
}

// certificationsQuery matches every word of search in the code or the
// title (case-insensitive).
func certificationsQuery(c *ent.Client, search *string) *ent.CertificationQuery {
	q := c.Certification.Query()
	if search == nil {
		return q
	}
	for _, w := range strings.Fields(*search) {
		q = q.Where(certification.Or(certification.CodeEqualFold(w), certification.CodeContainsFold(w), certification.TitleContainsFold(w)))
	}
	return q
}

// certificationByCode finds a certification by its code, nil when unknown.
func certificationByCode(ctx context.Context, c *ent.Client, code string) (*ent.Certification, error) {
	ct, err := c.Certification.Query().Where(certification.Code(strings.ToUpper(strings.TrimSpace(code)))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return ct, err
}

// referenceCodes lists a code list in display order, optionally the
// entries depending on parent.
func referenceCodes(ctx context.Context, c *ent.Client, list string, parent *string, inactive bool) ([]*ent.ReferenceCode, error) {
	ps := []predicate.ReferenceCode{referencecode.List(list)}
	if parent != nil {
		ps = append(ps, referencecode.ParentCode(*parent))
	}
	if !inactive {
		ps = append(ps, referencecode.Active(true))
	}
	return c.ReferenceCode.Query().Where(ps...).
		Order(referencecode.ByParentCode(), referencecode.ByPosition(), referencecode.ByCode()).All(ctx)
}

// bySiret is the default order of a certification's accreditations.
var bySiret = []*ent.AccreditationOrder{{Direction: entgql.OrderDirectionAsc, Field: ent.AccreditationOrderFieldSiret}}

// certificationAccreditations pages the accreditations of a certification
// (R-ORG-5), 50 by default (graph.DefaultPage); the Accreditation policy shows them to
// operators and to the matched organisations only.
func certificationAccreditations(ctx context.Context, r *Resolver, c *ent.Certification, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.AccreditationOrder, where *ent.AccreditationWhereInput) (*ent.AccreditationConnection, error) {
	if len(orderBy) == 0 {
		orderBy = bySiret
	}
	return paginateAccreditations(ctx, store.Client(ctx, r.Client).Accreditation.Query().Where(accreditation.CertificationID(c.ID)),
		after, first, before, last, orderBy, where)
}
