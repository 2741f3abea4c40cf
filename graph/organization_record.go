package graph

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/accreditation"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/check"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/historyentry"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/organizationchangerequest"
	"github.com/ofhub/ofhub/ent/organizationdocument"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/referencecode"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/validate"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/graph/model"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/server/store"
)

// The organisation record beyond its identity (R-ORG-3…R-ORG-9): facilities,
// quality labels, accreditations, change requests, documents.
//
// Authorisation stays with the ent privacy policies (every write below goes
// through them); the checks at the top of each mutation only make sure the
// caller hears FORBIDDEN before any remark on the input, and that nothing
// is read or validated for somebody who may not act.

// requireOrgManager lets through operators, the system and the MANAGERs of
// org (a head office's managers act on its branches).
// requireOrgManagerOf is requireOrgManager for the organisation a
// mutation names in its input (field): a refusal names it.
func requireOrgManagerOf(ctx context.Context, org int, field string) error {
	err := requireOrgManager(ctx, org)
	var e *apperr.Error
	if errors.As(err, &e) && e.Code == apperr.Forbidden {
		return e.WithField(field)
	}
	return err
}

func requireOrgManager(ctx context.Context, org int) error {
	v := viewer.FromContext(ctx)
	switch {
	case !v.Authenticated():
		return unauthenticated()
	case v.Operator || v.System:
		return nil
	case v.DeviceID != 0 || !v.Has(org, viewer.Manager):
		return apperr.New(apperr.Forbidden, "forbidden")
	}
	return nil
}

// requireOperator lets through operators and the system: they decide on
// change requests (R-ORG-6, R-ORG-7).
func requireOperator(ctx context.Context) error {
	v := viewer.FromContext(ctx)
	switch {
	case !v.Authenticated():
		return unauthenticated()
	case v.Operator || v.System:
		return nil
	}
	return &apperr.Error{Code: apperr.Forbidden, Rule: "R-ORG-7", Key: "org_change_operator"}
}

// ---------------------------------------------------------------------------
// Facilities, quality labels, contact requests (R-ORG-3, R-ORG-4)

// maxContactRequests is the schema's limit of Organization.contact_requests.
const maxContactRequests = 3000

// updateOrganizationProfile edits what the organisation itself keeps up to
// date: reception facilities, Qualiopi categories, other labels and the
// free-text contact requests. Fields left out (null) are unchanged; an
// empty list clears. Every error of the input is reported at once.
func updateOrganizationProfile(ctx context.Context, r *Resolver, in model.UpdateOrganizationProfileInput) (*ent.Organization, error) {
	id := in.ID
	if err := requireOrgManagerOf(ctx, id, "id"); err != nil {
		return nil, err
	}
	c := store.Client(ctx, r.Client)
	org, err := c.Organization.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	u := c.Organization.UpdateOneID(id)
	var errs apperr.List
	if in.Facilities != nil {
		codes, bad, err := listCodes(ctx, c, "facility", in.Facilities, org.Facilities, "facilities", "R-ORG-3", "org_unknown_facility")
		if err != nil {
			return nil, err
		}
		errs = append(errs, bad...)
		u.SetFacilities(codes)
	}
	if in.Qualiopi != nil {
		u.SetQualiopi(in.Qualiopi)
	}
	if in.OtherLabels != nil {
		codes, bad, err := listCodes(ctx, c, "quality_label", in.OtherLabels, org.OtherLabels, "otherLabels", "R-ORG-4", "org_unknown_label")
		if err != nil {
			return nil, err
		}
		errs = append(errs, bad...)
		u.SetOtherLabels(codes)
	}
	if in.ContactRequests != nil {
		s := strings.TrimSpace(*in.ContactRequests)
		if len(s) > maxContactRequests {
			errs = append(errs, apperr.Invalid("contactRequests", "R-X-2", "too_long", maxContactRequests))
		}
		u.SetContactRequests(s)
	}
	if err := errs.Err(); err != nil {
		return nil, reportAll(ctx, err)
	}
	return u.Save(ctx)
}

// organizationInputCodes applies the code-list checks of
// updateOrganizationProfile to the generated createOrganization /
// updateOrganization inputs, which carry the same fields (id is nil on
// creation). A caller who may not edit the organisation gets the privacy
// policy's answer instead.
func organizationInputCodes(ctx context.Context, r *Resolver, id *int, facilities, labels []string) error {
	if facilities == nil && labels == nil {
		return nil
	}
	current := &ent.Organization{}
	c := store.Client(ctx, r.Client)
	if id == nil {
		if requireOperator(ctx) != nil {
			return nil
		}
	} else {
		if requireOrgManager(ctx, *id) != nil {
			return nil
		}
		o, err := c.Organization.Get(ctx, *id)
		if err != nil {
			return nil // the update answers NOT_FOUND
		}
		current = o
	}
	var errs apperr.List
	for _, l := range []struct {
		list, field, rule, key string
		codes, current         []string
	}{
		{"facility", "facilities", "R-ORG-3", "org_unknown_facility", facilities, current.Facilities},
		{"quality_label", "otherLabels", "R-ORG-4", "org_unknown_label", labels, current.OtherLabels},
	} {
		if l.codes == nil {
			continue
		}
		_, bad, err := listCodes(ctx, c, l.list, l.codes, l.current, l.field, l.rule, l.key)
		if err != nil {
			return err
		}
		errs = append(errs, bad...)
	}
	if err := errs.Err(); err != nil {
		return reportAll(ctx, err)
	}
	return nil
}

// listCodes checks codes against the active entries of a code list (codes
// the record already holds stay accepted if the list retired them), and
// returns them without duplicates, in code order; unknown ones are named by
// their index in the input.
func listCodes(ctx context.Context, c *ent.Client, list string, codes, current []string, field, rule, key string) ([]string, apperr.List, error) {
	known, err := c.ReferenceCode.Query().Where(referencecode.List(list), referencecode.Active(true)).
		Select(referencecode.FieldCode).Strings(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("code list %s: %w", list, err)
	}
	var (
		out  = []string{}
		errs apperr.List
	)
	for i, code := range codes {
		code = strings.TrimSpace(code)
		if !slices.Contains(known, code) && !slices.Contains(current, code) {
			errs = append(errs, apperr.Invalid(fmt.Sprintf("%s[%d]", field, i), rule, key, code))
			continue
		}
		if !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out, errs, nil
}

// ---------------------------------------------------------------------------
// Change requests (R-ORG-6, R-ORG-7)
//
// A MANAGER proposes new contact details, name or address, and / or new
// registry values (SIRET, NDA, APE) with a message; the values are checked
// as the organisation's own fields are, and only the ones that differ from
// the record are kept. An organisation has at most one PENDING request: a
// second one is refused (CONFLICT) until the first is cancelled or decided.
// An operator applies it (every field, registry ones included: the
// operator is the one allowed to change them) or rejects it with a
// comment. Each step is a history entry of the request, shown in the
// organisation's history (R-ORG-8).

// maxComment is the schema's limit of the message and operator comment.
const maxComment = 3000

func requestOrganizationChange(ctx context.Context, r *Resolver, orgID int, in schematype.OrgChange) (*ent.OrganizationChangeRequest, error) {
	if err := requireOrgManagerOf(ctx, orgID, "organizationID"); err != nil {
		return nil, err
	}
	c := store.Client(ctx, r.Client)
	// Lock the organisation so that two requests sent together cannot both
	// find no pending one (SQLite transactions are serialised anyway).
	q := c.Organization.Query().Where(organization.ID(orgID))
	if c.Dialect() == dialect.Postgres {
		q = q.ForUpdate(entsql.WithLockTables(organization.Table))
	}
	org, err := q.Only(ctx)
	if err != nil {
		return nil, err
	}
	pending, err := c.OrganizationChangeRequest.Query().
		Where(organizationchangerequest.OrganizationID(orgID), organizationchangerequest.StateEQ(organizationchangerequest.StatePENDING)).
		First(privacy.DecisionContext(ctx, privacy.Allow))
	switch {
	case err == nil:
		return nil, &apperr.Error{Code: apperr.Conflict, Rule: "R-ORG-7", Key: "org_change_pending",
			Args: []any{pending.CreatedAt.In(result.Paris).Format("02/01/2006 à 15:04")}}
	case !ent.IsNotFound(err):
		return nil, fmt.Errorf("pending change request: %w", err)
	}
	change, errs, err := proposedChange(ctx, c, org, in)
	if err != nil {
		return nil, err
	}
	if err := errs.Err(); err != nil {
		return nil, reportAll(ctx, err)
	}
	b := c.OrganizationChangeRequest.Create().SetOrganizationID(orgID).SetChange(change)
	if v := viewer.FromContext(ctx); v.UserID != 0 {
		b.SetAuthorID(v.UserID)
	}
	return b.Save(ctx)
}

// proposedChange validates in against the organisation's field rules and
// keeps what differs from org. Errors name the input field.
func proposedChange(ctx context.Context, c *ent.Client, org *ent.Organization, in schematype.OrgChange) (*schematype.OrgChange, apperr.List, error) {
	var errs apperr.List
	// text trims *p and checks it; nil when absent, invalid or unchanged.
	text := func(field string, p *string, current string, max int, required bool, normalize func(string) string, check func(string) error) *string {
		if p == nil {
			return nil
		}
		s := strings.TrimSpace(*p)
		if normalize != nil {
			s = normalize(s)
		}
		switch {
		case s == "" && required:
			errs = append(errs, apperr.Invalid(field, "R-ORG-1", "required"))
			return nil
		case len(s) > max:
			errs = append(errs, apperr.Invalid(field, "R-ORG-1", "too_long", max))
			return nil
		case s != "" && check != nil:
			if err := check(s); err != nil {
				errs = append(errs, inField(err, field))
				return nil
			}
		}
		if s == current {
			return nil
		}
		return &s
	}
	noSpaces := func(s string) string { return strings.Join(strings.Fields(s), "") }
	out := &schematype.OrgChange{
		Name:     text("name", in.Name, org.Name, 255, true, nil, nil),
		Street:   text("street", in.Street, org.Street, 255, false, nil, nil),
		Street2:  text("street2", in.Street2, org.Street2, 255, false, nil, nil),
		Postcode: text("postcode", in.Postcode, org.Postcode, 255, false, nil, validate.Postcode),
		City:     text("city", in.City, org.City, 100, false, nil, nil),
		Siret:    text("siret", in.Siret, org.Siret, 255, true, noSpaces, validate.SIRET),
		Nda:      text("nda", in.Nda, org.Nda, 255, false, noSpaces, validate.NDA),
		ApeCode:  text("apeCode", in.ApeCode, org.ApeCode, 255, false, func(s string) string { return strings.ToUpper(noSpaces(s)) }, validate.APE),
		Message:  strings.TrimSpace(in.Message),
	}
	if len(out.Message) > maxComment {
		errs = append(errs, apperr.Invalid("message", "R-ORG-7", "too_long", maxComment))
	}
	if in.ContactPoints != nil {
		cps := slices.Clone(in.ContactPoints)
		if err := check.ContactPoints(cps); err != nil {
			errs = append(errs, inField(err, ""))
		} else if !slices.Equal(cps, org.ContactPoints) {
			out.ContactPoints = cps
		}
	}
	if out.Siret != nil {
		taken, err := c.Organization.Query().Where(organization.Siret(*out.Siret), organization.IDNEQ(org.ID)).
			Exist(privacy.DecisionContext(ctx, privacy.Allow))
		if err != nil {
			return nil, nil, fmt.Errorf("check SIRET: %w", err)
		}
		if taken {
			errs = append(errs, &apperr.Error{Code: apperr.Conflict, Field: "siret", Rule: "R-ORG-1", Key: "siret_taken", Args: []any{*out.Siret}})
		}
	}
	if len(errs) == 0 && emptyChange(out) {
		errs = append(errs, apperr.Invalid("input", "R-ORG-7", "org_change_empty"))
	}
	return out, errs, nil
}

// inField names field as the place of a validation error (domain errors
// of package validate carry no field).
func inField(err error, field string) *apperr.Error {
	e, ok := apperr.As(err)
	if !ok {
		return apperr.Invalid(field, "R-ORG-1", "invalid_input")
	}
	if e.Field == "" {
		return e.WithField(field)
	}
	return e
}

func emptyChange(ch *schematype.OrgChange) bool {
	return ch.Name == nil && ch.Street == nil && ch.Street2 == nil && ch.Postcode == nil && ch.City == nil &&
		ch.ContactPoints == nil && ch.Siret == nil && ch.Nda == nil && ch.ApeCode == nil && ch.Message == ""
}

// lockedChangeRequest reads change request id as the viewer may see it
// (NOT_FOUND otherwise), locked on PostgreSQL against a concurrent decision.
func lockedChangeRequest(ctx context.Context, c *ent.Client, id int) (*ent.OrganizationChangeRequest, error) {
	q := c.OrganizationChangeRequest.Query().Where(organizationchangerequest.ID(id))
	if c.Dialect() == dialect.Postgres {
		q = q.ForUpdate(entsql.WithLockTables(organizationchangerequest.Table))
	}
	return q.Only(ctx)
}

// pendingOnly refuses to act on a decided or cancelled request.
func pendingOnly(req *ent.OrganizationChangeRequest) error {
	if req.State == organizationchangerequest.StatePENDING {
		return nil
	}
	return &apperr.Error{Code: apperr.Conflict, Rule: "R-ORG-7", Key: "org_change_not_pending",
		Args: []any{apperr.Key("org_change_state_" + strings.ToLower(string(req.State)))}}
}

// operatorComment trims a decision's comment and checks its length.
func operatorComment(comment *string, required bool) (string, error) {
	s := ""
	if comment != nil {
		s = strings.TrimSpace(*comment)
	}
	switch {
	case s == "" && required:
		return "", apperr.Invalid("comment", "R-ORG-7", "org_comment_required")
	case len(s) > maxComment:
		return "", apperr.Invalid("comment", "R-ORG-7", "too_long", maxComment)
	}
	return s, nil
}

// cancelOrganizationChange takes a pending request back (MANAGER of its
// organisation).
func cancelOrganizationChange(ctx context.Context, r *Resolver, id int) (*ent.OrganizationChangeRequest, error) {
	if !viewer.FromContext(ctx).Authenticated() {
		return nil, unauthenticated()
	}
	c := store.Client(ctx, r.Client)
	req, err := lockedChangeRequest(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if err := requireOrgManager(ctx, req.OrganizationID); err != nil {
		return nil, err
	}
	if err := pendingOnly(req); err != nil {
		return nil, err
	}
	return c.OrganizationChangeRequest.UpdateOne(req).
		SetState(organizationchangerequest.StateCANCELLED).SetDecidedAt(time.Now().UTC()).Save(ctx)
}

// applyOrganizationChange writes a pending request into the record
// (operators), with the optional comment in both history entries (the
// organisation's and the request's).
func applyOrganizationChange(ctx context.Context, r *Resolver, id int, comment *string) (*ent.OrganizationChangeRequest, error) {
	if err := requireOperator(ctx); err != nil {
		return nil, err
	}
	cmt, err := operatorComment(comment, false)
	if err != nil {
		return nil, err
	}
	c := store.Client(ctx, r.Client)
	req, err := lockedChangeRequest(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if err := pendingOnly(req); err != nil {
		return nil, err
	}
	if cmt != "" {
		ctx = history.WithComment(ctx, cmt)
	}
	org, err := c.Organization.Get(ctx, req.OrganizationID)
	if err != nil {
		return nil, err
	}
	if ch := req.Change; ch != nil {
		u := c.Organization.UpdateOneID(org.ID)
		set := func(p *string, f func(string) *ent.OrganizationUpdateOne) {
			if p != nil {
				f(*p)
			}
		}
		set(ch.Name, u.SetName)
		set(ch.Street, u.SetStreet)
		set(ch.Street2, u.SetStreet2)
		set(ch.Postcode, u.SetPostcode)
		set(ch.City, u.SetCity)
		set(ch.Siret, u.SetSiret)
		set(ch.Nda, u.SetNda)
		set(ch.ApeCode, u.SetApeCode)
		if ch.ContactPoints != nil {
			u.SetContactPoints(ch.ContactPoints)
		}
		if len(u.Mutation().Fields()) > 0 {
			// The values were valid when proposed; the record may have moved
			// since (a SIRET taken meanwhile): errors name change.<field>.
			if _, err := u.Save(ctx); err != nil {
				return nil, underChange(err)
			}
		}
		if ch.Siret != nil && *ch.Siret != org.Siret {
			if err := relinkAccreditations(ctx, c, org.ID, org.Siret, *ch.Siret); err != nil {
				return nil, err
			}
		}
	}
	upd := c.OrganizationChangeRequest.UpdateOne(req).
		SetState(organizationchangerequest.StateAPPLIED).SetDecidedAt(time.Now().UTC())
	if cmt != "" {
		upd.SetOperatorComment(cmt)
	}
	return upd.Save(ctx)
}

// underChange names the target request (input.id) in an error of the
// change it carries: the request cannot be applied as it is.
func underChange(err error) error {
	e := Classify(err)
	if e.Field != "" && (e.Code == apperr.BadUserInput || e.Code == apperr.Conflict) {
		c := *e
		c.Field = "id"
		return &c
	}
	return err
}

// rejectOrganizationChange refuses a pending request (operators), with the
// reason as comment.
func rejectOrganizationChange(ctx context.Context, r *Resolver, id int, comment string) (*ent.OrganizationChangeRequest, error) {
	if err := requireOperator(ctx); err != nil {
		return nil, err
	}
	cmt, err := operatorComment(&comment, true)
	if err != nil {
		return nil, err
	}
	c := store.Client(ctx, r.Client)
	req, err := lockedChangeRequest(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if err := pendingOnly(req); err != nil {
		return nil, err
	}
	return c.OrganizationChangeRequest.UpdateOne(req).
		SetState(organizationchangerequest.StateREJECTED).SetDecidedAt(time.Now().UTC()).
		SetOperatorComment(cmt).Save(history.WithComment(ctx, cmt))
}

// organizationChangeRequests lists change requests in state (all states
// when null), oldest first: operators see every organisation's, members
// their organisations' (privacy).
func organizationChangeRequests(ctx context.Context, r *Resolver, state *organizationchangerequest.State, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (*ent.OrganizationChangeRequestConnection, error) {
	q := store.Client(ctx, r.Client).OrganizationChangeRequest.Query()
	if state != nil {
		q = q.Where(organizationchangerequest.StateEQ(*state))
	}
	return q.Paginate(ctx, after, first, before, last)
}

// ---------------------------------------------------------------------------
// History of the record (R-ORG-8)

// organizationHistory is the history of an organisation record, newest
// first: changes to the organisation itself and to its change requests and
// documents ("Demande de modification", cancelled, applied or rejected
// with the operator's comment, documents added or removed).
func organizationHistory(ctx context.Context, c *ent.Client, id int, p historyPage) (*ent.HistoryEntryConnection, error) {
	return p.of(ctx, c.HistoryEntry.Query().Where(historyentry.Or(
		historyentry.And(historyentry.EntityType(ent.TypeOrganization), historyentry.EntityID(id)),
		historyentry.And(historyentry.EntityTypeIn(ent.TypeOrganizationChangeRequest, ent.TypeOrganizationDocument),
			historyentry.OrganizationID(id)),
	)))
}

// ---------------------------------------------------------------------------
// Accreditations (R-ORG-5)

// organizationAccreditations lists the accreditations of an organisation
// with their certification, in certification-code order: those the France
// compétences import linked to it and those carrying its SIRET ("le lien se
// fait avec votre SIRET"), so that an organisation created or given its
// SIRET after the import sees them too. Members of the organisation and
// operators read them; the rows are read with the system's rights because
// the Accreditation policy only knows the organization_id link.
func organizationAccreditations(ctx context.Context, r *Resolver, org *ent.Organization) ([]*ent.Accreditation, error) {
	v := viewer.FromContext(ctx)
	if v == nil || !(v.Operator || v.System || (v.DeviceID == 0 && v.Member(org.ID))) {
		return []*ent.Accreditation{}, nil
	}
	c := store.Client(ctx, r.Client)
	// org holds only the fields the query selected: read the SIRET.
	siret, err := c.Organization.Query().Where(organization.ID(org.ID)).Select(organization.FieldSiret).String(ctx)
	if err != nil {
		return nil, err
	}
	match := accreditation.OrganizationID(org.ID)
	if siret != "" {
		match = accreditation.Or(match, accreditation.Siret(siret))
	}
	list, err := c.Accreditation.Query().Where(match).WithCertification().
		All(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b *ent.Accreditation) int {
		if a.Edges.Certification != nil && b.Edges.Certification != nil {
			if c := strings.Compare(a.Edges.Certification.Code, b.Edges.Certification.Code); c != 0 {
				return c
			}
		}
		return a.ID - b.ID
	})
	return list, nil
}

// relinkAccreditations follows a SIRET change: rows of the old SIRET no
// longer point at the organisation, rows of the new one do.
func relinkAccreditations(ctx context.Context, c *ent.Client, orgID int, oldSiret, newSiret string) error {
	if oldSiret != "" {
		if err := c.Accreditation.Update().Where(accreditation.OrganizationID(orgID), accreditation.Siret(oldSiret)).
			ClearOrganizationID().Exec(ctx); err != nil {
			return fmt.Errorf("unlink accreditations: %w", err)
		}
	}
	if err := c.Accreditation.Update().Where(accreditation.Siret(newSiret)).SetOrganizationID(orgID).Exec(ctx); err != nil {
		return fmt.Errorf("link accreditations: %w", err)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Documents (R-ORG-9)

// DefaultMaxDocumentBytes is the size limit of an organisation document
// when the configuration sets none (OFHUB_MAX_DOCUMENT_BYTES).
const DefaultMaxDocumentBytes int64 = 5 << 20

type maxDocumentKey struct{}

// WithMaxDocumentBytes sets the document size limit of the requests in ctx
// (server/web does, from the configuration).
func WithMaxDocumentBytes(ctx context.Context, n int64) context.Context {
	return context.WithValue(ctx, maxDocumentKey{}, n)
}

func maxDocumentBytes(ctx context.Context) int64 {
	if n, ok := ctx.Value(maxDocumentKey{}).(int64); ok && n > 0 {
		return n
	}
	return DefaultMaxDocumentBytes
}

// megabytes renders n bytes in Mo (MiB) with at most two decimals, rounded
// up so that a file just over the limit never reads as the limit: French
// (5,01) and English (5.01).
func megabytes(n int64) (fr, en string) {
	hundredths := (n*100 + (1<<20 - 1)) >> 20
	en = strconv.FormatInt(hundredths/100, 10)
	if rest := hundredths % 100; rest != 0 {
		en += strings.TrimRight(fmt.Sprintf(".%02d", rest), "0")
	}
	return strings.Replace(en, ".", ",", 1), en
}

// addOrganizationDocument stores an uploaded file in the organisation's
// record (MANAGER or operator): at most the configured size, of a type
// sniffed from its content (PDF, PNG, JPEG, plain text, OOXML / OpenDocument
// office files); what the client claims is ignored.
func addOrganizationDocument(ctx context.Context, r *Resolver, orgID int, file graphql.Upload) (*ent.OrganizationDocument, error) {
	if err := requireOrgManagerOf(ctx, orgID, "organizationID"); err != nil {
		return nil, err
	}
	name := documentName(file.Filename)
	limit := maxDocumentBytes(ctx)
	tooLarge := func(size int64) error {
		frSize, enSize := megabytes(size)
		frMax, enMax := megabytes(limit)
		return apperr.Invalid("file", "R-ORG-9", "org_document_too_large", name, frSize, frMax, enSize, enMax)
	}
	if file.Size > limit {
		return nil, tooLarge(file.Size)
	}
	data, err := io.ReadAll(io.LimitReader(file.File, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(max(file.Size, int64(len(data))))
	}
	if len(data) == 0 {
		return nil, apperr.Invalid("file", "R-ORG-9", "org_document_empty", name)
	}
	ctype, ok := documentType(data)
	if !ok {
		return nil, apperr.Invalid("file", "R-ORG-9", "org_document_type", name, ctype)
	}
	c := store.Client(ctx, r.Client)
	if _, err := c.Organization.Query().Where(organization.ID(orgID)).OnlyID(ctx); err != nil {
		return nil, err
	}
	b := c.OrganizationDocument.Create().SetOrganizationID(orgID).SetName(name).
		SetContentType(ctype).SetSize(len(data)).SetData(data)
	if v := viewer.FromContext(ctx); v.UserID != 0 {
		b.SetUploadedByID(v.UserID)
	}
	return b.Save(ctx)
}

// documentName keeps the base name of an uploaded file (browsers may send
// C:\fakepath\…), without control characters, at most 255 bytes.
func documentName(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = path.Base(strings.ReplaceAll(s, `\`, "/"))
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
	if s == "" || s == "." || s == "/" {
		s = "document"
	}
	for len(s) > 255 {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// Office formats accepted inside a zip container.
const (
	docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	pptxType = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

// documentType sniffs data's type (http.DetectContentType) and says
// whether it is accepted; the type returned is what is stored and served.
func documentType(data []byte) (string, bool) {
	sniffed := http.DetectContentType(data)
	mt, _, err := mime.ParseMediaType(sniffed)
	if err != nil {
		return sniffed, false
	}
	switch mt {
	case "application/pdf", "image/png", "image/jpeg":
		return mt, true
	case "text/plain":
		return sniffed, true
	case "application/zip":
		return officeType(data)
	}
	return mt, false
}

// officeType recognises OOXML (Word, Excel, PowerPoint) and OpenDocument
// files among zip archives; any other archive is refused.
func officeType(data []byte) (string, bool) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "application/zip", false
	}
	var ooxml bool
	var dirs []string
	for _, f := range zr.File {
		switch {
		case f.Name == "mimetype":
			rc, err := f.Open()
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(io.LimitReader(rc, 100))
			rc.Close()
			if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "application/vnd.oasis.opendocument.") {
				return t, true
			}
		case f.Name == "[Content_Types].xml":
			ooxml = true
		default:
			if dir, _, ok := strings.Cut(f.Name, "/"); ok {
				dirs = append(dirs, dir)
			}
		}
	}
	if ooxml {
		switch {
		case slices.Contains(dirs, "word"):
			return docxType, true
		case slices.Contains(dirs, "xl"):
			return xlsxType, true
		case slices.Contains(dirs, "ppt"):
			return pptxType, true
		}
	}
	return "application/zip", false
}

// removeOrganizationDocument deletes a document (MANAGER or operator).
func removeOrganizationDocument(ctx context.Context, r *Resolver, id int) (*model.RemoveOrganizationDocumentPayload, error) {
	if !viewer.FromContext(ctx).Authenticated() {
		return nil, unauthenticated()
	}
	c := store.Client(ctx, r.Client)
	orgID, err := c.OrganizationDocument.Query().Where(organizationdocument.ID(id)).
		Select(organizationdocument.FieldOrganizationID).Int(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireOrgManager(ctx, orgID); err != nil {
		return nil, err
	}
	if err := c.OrganizationDocument.DeleteOneID(id).Exec(ctx); err != nil {
		return nil, err
	}
	org, err := c.Organization.Get(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return &model.RemoveOrganizationDocumentPayload{DeletedOrganizationDocumentID: id, Organization: org}, nil
}

// organizationDocumentURL is where the file is downloaded (server/web,
// GET /documents/{id}), with the same token as the API.
func organizationDocumentURL(ctx context.Context, r *Resolver, d *ent.OrganizationDocument) (string, error) {
	base := ""
	if r.Auth != nil {
		base = r.Auth.BaseURL
	}
	return base + "/documents/" + strconv.Itoa(d.ID), nil
}
