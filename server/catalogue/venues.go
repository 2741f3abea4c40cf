package catalogue

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/fold"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/validate"
	"github.com/ofhub/ofhub/ent/venue"
	"github.com/ofhub/ofhub/server/store"
)

// Venues (R-CAT-12, R-CAT-18): geolocated places of an organisation where
// sessions take place and people register. The seed warns « attention aux
// doublons ! » when one is created: near-duplicates are reported as
// warnings, the venue is created all the same.

// VenueInput is a venue as a person types it (graph/model.VenueInput has
// the same fields, so the API converts one into the other).
type VenueInput struct {
	Name      string  `json:"name"`
	Siret     *string `json:"siret,omitempty"`
	Street    string  `json:"street"`
	Locality  *string `json:"locality,omitempty"`
	PoBox     *string `json:"poBox,omitempty"`
	Postcode  string  `json:"postcode"`
	City      string  `json:"city"`
	InseeCode *string `json:"inseeCode,omitempty"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Phone     *string `json:"phone,omitempty"`
}

// nearVenueMetres: two venues closer than this are one place entered twice
// (geocoding of one address varies by a few metres).
const nearVenueMetres = 50

// CreateVenue creates a venue of organisation orgID in ctx's transaction
// (the GraphQL mutation's) and returns the near-duplicates among the
// organisation's venues as warnings. Bad input is an apperr.List naming
// every field at fault; only the organisation's managers and operators may
// create (the ent policy decides; its refusal is FORBIDDEN).
func (o *Offer) CreateVenue(ctx context.Context, orgID int, in VenueInput) (*ent.Venue, apperr.List, error) {
	// Whoever may not create there is told so before the venue is checked
	// (the ent policy decides again at the write).
	if r := roleOf(ctx, orgID); !r.full() && r.userID != 0 {
		return nil, nil, &apperr.Error{Code: apperr.Forbidden, Field: "organizationID", Rule: "R-CAT-12", Key: "cat_venue_forbidden"}
	}
	in = normVenue(in)
	if errs := validateVenue(in); len(errs) > 0 {
		return nil, nil, errs
	}
	db := store.Client(ctx, o.Client)
	// Any organisation may be a trainer, so its existence is no secret; an
	// unknown id would otherwise surface as a foreign-key conflict.
	exists, err := db.Organization.Query().Where(organization.ID(orgID)).Exist(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return nil, nil, fmt.Errorf("create venue: %w", err)
	}
	if !exists {
		return nil, nil, &apperr.Error{Code: apperr.NotFound, Field: "organizationID", Rule: "R-CAT-12", Key: "cat_venue_org_not_found", Args: []any{orgID}}
	}
	existing, err := db.Venue.Query().Where(venue.OrganizationID(orgID)).Order(venue.ByID()).All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("create venue: %w", err)
	}
	v, err := db.Venue.Create().SetOrganizationID(orgID).SetName(in.Name).SetNillableSiret(in.Siret).
		SetStreet(in.Street).SetNillableLocality(in.Locality).SetNillablePoBox(in.PoBox).
		SetPostcode(in.Postcode).SetCity(in.City).SetNillableInseeCode(in.InseeCode).
		SetLatitude(in.Latitude).SetLongitude(in.Longitude).SetNillablePhone(in.Phone).Save(ctx)
	if err != nil {
		if errors.Is(err, privacy.Deny) {
			return nil, nil, &apperr.Error{Code: apperr.Forbidden, Field: "organizationID", Rule: "R-CAT-12", Key: "cat_venue_forbidden", Err: err}
		}
		return nil, nil, fmt.Errorf("create venue: %w", err)
	}
	var warns apperr.List
	for _, e := range existing {
		if field, dup := nearDuplicate(in, e); dup {
			warns = append(warns, apperr.Warn(field, "R-CAT-12", "cat_venue_near_duplicate", e.Name, e.Street, e.Postcode, e.City))
		}
	}
	return v, warns, nil
}

// Venues lists an organisation's venues by name (public: the catalogue
// shows them).
func (o *Offer) Venues(ctx context.Context, orgID int) ([]*ent.Venue, error) {
	vs, err := o.VenuesQuery(ctx, orgID).Order(venue.ByName(), venue.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("venues of %d: %w", orgID, err)
	}
	return vs, nil
}

// VenuesQuery selects the venues of an organisation, for a page of them.
func (o *Offer) VenuesQuery(ctx context.Context, orgID int) *ent.VenueQuery {
	return store.Client(ctx, o.Client).Venue.Query().Where(venue.OrganizationID(orgID))
}

// normVenue trims the input, turns empty optional fields into nil and
// strips the separators people type in SIRETs and phones.
func normVenue(in VenueInput) VenueInput {
	opt := func(p *string, clean func(string) string) *string {
		if p == nil {
			return nil
		}
		s := strings.TrimSpace(*p)
		if clean != nil {
			s = clean(s)
		}
		if s == "" {
			return nil
		}
		return &s
	}
	noSpace := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Street = strings.Join(strings.Fields(in.Street), " ")
	in.City = strings.Join(strings.Fields(in.City), " ")
	in.Postcode = strings.TrimSpace(in.Postcode)
	in.Siret = opt(in.Siret, noSpace)
	in.Locality = opt(in.Locality, nil)
	in.PoBox = opt(in.PoBox, nil)
	in.InseeCode = opt(in.InseeCode, strings.ToUpper)
	in.Phone = opt(in.Phone, nil)
	return in
}

// validateVenue names every field at fault (R-CAT-12).
func validateVenue(in VenueInput) apperr.List {
	var errs apperr.List
	// The columns count bytes (an accented letter takes two): a longer
	// text would be refused by the database as an unnamed field.
	text := func(field, v string, max int, required bool) {
		switch {
		case v == "" && required:
			errs = append(errs, apperr.Invalid(field, "R-CAT-12", "required"))
		case len(v) > max:
			errs = append(errs, apperr.Invalid(field, "R-CAT-12", "cat_venue_too_long", utf8.RuneCountInString(v), max))
		}
	}
	text("name", in.Name, 255, true)
	text("street", in.Street, 255, true)
	text("city", in.City, 100, true)
	if in.Locality != nil {
		text("locality", *in.Locality, 255, false)
	}
	if in.PoBox != nil {
		text("poBox", *in.PoBox, 100, false)
	}
	if in.Postcode == "" {
		errs = append(errs, apperr.Invalid("postcode", "R-CAT-12", "required"))
	} else if err := validate.Postcode(in.Postcode); err != nil {
		errs = append(errs, apperr.Invalid("postcode", "R-CAT-12", "invalid_postcode", in.Postcode))
	}
	if in.Siret != nil && validate.SIRET(*in.Siret) != nil {
		errs = append(errs, apperr.Invalid("siret", "R-CAT-12", "invalid_siret", *in.Siret))
	}
	if in.InseeCode != nil && validate.INSEE(*in.InseeCode) != nil {
		errs = append(errs, apperr.Invalid("inseeCode", "R-CAT-12", "invalid_insee", *in.InseeCode))
	}
	if in.Phone != nil && validate.Phone(*in.Phone) != nil {
		errs = append(errs, apperr.Invalid("phone", "R-CAT-12", "invalid_phone", *in.Phone))
	} else if in.Phone != nil {
		text("phone", *in.Phone, 30, false)
	}
	// The form geolocates the address: 0, 0 (in the Gulf of Guinea) is a
	// missing geolocation, not a place.
	if math.IsNaN(in.Latitude) || in.Latitude < -90 || in.Latitude > 90 || (in.Latitude == 0 && in.Longitude == 0) {
		errs = append(errs, apperr.Invalid("latitude", "R-CAT-12", "invalid_latitude"))
	}
	if math.IsNaN(in.Longitude) || in.Longitude < -180 || in.Longitude > 180 {
		errs = append(errs, apperr.Invalid("longitude", "R-CAT-12", "invalid_longitude"))
	}
	return errs
}

// nearDuplicate reports whether e looks like the venue being created: same
// postcode and a similar street or name, or within nearVenueMetres. field
// says what matched.
func nearDuplicate(in VenueInput, e *ent.Venue) (string, bool) {
	if metres(in.Latitude, in.Longitude, e.Latitude, e.Longitude) <= nearVenueMetres {
		return "street", true
	}
	if in.Postcode != e.Postcode {
		return "", false
	}
	if similar(streetKey(in.Street), streetKey(e.Street)) {
		return "street", true
	}
	if similar(nameKey(in.Name), nameKey(e.Name)) {
		return "name", true
	}
	return "", false
}

// Street abbreviations of French addresses, folded.
var streetWords = map[string]string{
	"av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "boul": "boulevard",
	"r": "rue", "pl": "place", "rte": "route", "che": "chemin", "ch": "chemin", "imp": "impasse",
	"all": "allee", "sq": "square", "fg": "faubourg", "qu": "quai", "st": "saint", "ste": "sainte",
}

// streetKey folds a street: case, accents, punctuation, abbreviations.
func streetKey(s string) string {
	words := strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, fold.String(s)))
	for i, w := range words {
		if full, ok := streetWords[w]; ok {
			words[i] = full
		}
	}
	return strings.Join(words, " ")
}

// nameKey folds a name: case, accents, punctuation.
func nameKey(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, fold.String(s))), " ")
}

// similar: equal, or a typo apart (one edit per eight characters).
func similar(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	n := max(utf8.RuneCountInString(a), utf8.RuneCountInString(b))
	return levenshtein(a, b) <= n/8
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// metres is the great-circle distance between two points.
func metres(lat1, lng1, lat2, lng2 float64) float64 {
	const earth = 6371000.0
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earth * math.Asin(math.Min(1, math.Sqrt(h)))
}
