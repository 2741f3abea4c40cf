package graph

import (
	"context"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/organizationchangerequest"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/graph/model"
)

// The organisation record beyond its identity (R-ORG-3…R-ORG-9): facilities,
// quality labels, accreditations, change requests, documents.

func updateOrganizationProfile(ctx context.Context, r *Resolver, id int, in model.OrganizationProfileInput) (*ent.Organization, error) {
	return nil, errNotYet
}

func requestOrganizationChange(ctx context.Context, r *Resolver, orgID int, in schematype.OrgChange) (*ent.OrganizationChangeRequest, error) {
	return nil, errNotYet
}

func cancelOrganizationChange(ctx context.Context, r *Resolver, id int) (*ent.OrganizationChangeRequest, error) {
	return nil, errNotYet
}

func applyOrganizationChange(ctx context.Context, r *Resolver, id int, comment *string) (*ent.OrganizationChangeRequest, error) {
	return nil, errNotYet
}

func rejectOrganizationChange(ctx context.Context, r *Resolver, id int, comment string) (*ent.OrganizationChangeRequest, error) {
	return nil, errNotYet
}

func addOrganizationDocument(ctx context.Context, r *Resolver, orgID int, file graphql.Upload) (*ent.OrganizationDocument, error) {
	return nil, errNotYet
}

func removeOrganizationDocument(ctx context.Context, r *Resolver, id int) (int, error) {
	return 0, errNotYet
}

func organizationAccreditations(ctx context.Context, r *Resolver, org *ent.Organization) ([]*ent.Accreditation, error) {
	return nil, errNotYet
}

func organizationDocumentURL(ctx context.Context, r *Resolver, d *ent.OrganizationDocument) (string, error) {
	return "", errNotYet
}

func organizationChangeRequests(ctx context.Context, r *Resolver, state *organizationchangerequest.State, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (*ent.OrganizationChangeRequestConnection, error) {
	return nil, errNotYet
}
