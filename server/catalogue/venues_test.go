package catalogue_test

import (
	"slices"
	"testing"

	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/venue"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/catalogue"
)

// Venues (R-CAT-12, R-CAT-18) through the API, as the session form creates
// them (« Créer (attention aux doublons !) »).

const createVenueQ = `mutation($in: CreateVenueInput!) {
  createVenue(input: $in) {
    venue { id name street postcode city siret latitude longitude organizationID }
    warnings { code field rule message }
  }
}`

type venuePayload struct {
	CreateVenue struct {
		Venue struct {
			ID, Name, Street, Postcode, City, OrganizationID string
			Siret                                            *string
		}
		Warnings []struct {
			Code, Field, Rule, Message string
		}
	}
}

func mairie() map[string]any {
	return map[string]any{"name": "  Mairie d'Épron ", "street": "Place Francis Bernard", "postcode": "14610", "city": "Epron",
		"latitude": 49.222832, "longitude": -0.370141, "siret": "", "phone": "02 31 00 00 00"}
}

func TestVenues_RCAT12(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.TrainingOrg("Bâtiment CFA Normandie")
		e.User("manager@cfa.test", org, viewer.Manager)
		manager := e.Login("manager@cfa.test", apptest.Password)
		count := func() int {
			return e.Client().Venue.Query().Where(venue.OrganizationID(org.ID)).CountX(e.Sys())
		}

		t.Run("created by a manager", func(t *testing.T) {
			var p venuePayload
			e.Q(manager, createVenueQ, inputWith(mairie(), "organizationID", apptest.ID(org.ID))).Decode(t, &p)
			v := p.CreateVenue.Venue
			if v.Name != "Mairie d'Épron" || v.Postcode != "14610" || v.OrganizationID != apptest.ID(org.ID) || (v.Siret != nil && *v.Siret != "") {
				t.Errorf("venue %+v", v)
			}
			if len(p.CreateVenue.Warnings) != 0 {
				t.Errorf("warnings %+v", p.CreateVenue.Warnings)
			}
		})

		t.Run("near-duplicate: warned, created", func(t *testing.T) {
			in := mairie()
			in["name"], in["street"] = "Salle des fêtes", "pl. Francis-Bernard"
			in["latitude"], in["longitude"] = 49.2300, -0.3800 // about 1 km away
			var p venuePayload
			e.Q(manager, createVenueQ, inputWith(in, "organizationID", apptest.ID(org.ID))).Decode(t, &p)
			w := p.CreateVenue.Warnings
			if len(w) != 1 || w[0].Code != "VENUE_NEAR_DUPLICATE" || w[0].Field != "input.street" || w[0].Rule != "R-CAT-12" || w[0].Message == "" {
				t.Fatalf("warnings %+v", w)
			}
			// Within 50 m, whatever the name and street.
			in = mairie()
			in["name"], in["street"], in["postcode"] = "Médiathèque", "1 rue de la Mairie", "14000"
			in["latitude"] = 49.222832 + 0.0003 // ~33 m north
			e.Q(manager, createVenueQ, inputWith(in, "organizationID", apptest.ID(org.ID))).Decode(t, &p)
			if len(p.CreateVenue.Warnings) == 0 {
				t.Errorf("no warning for a venue 33 m away")
			}
			// Another town: no warning.
			in = mairie()
			in["name"], in["street"], in["postcode"], in["city"] = "Mairie", "Place de la République", "76000", "Rouen"
			in["latitude"], in["longitude"] = 49.44, 1.09
			e.Q(manager, createVenueQ, inputWith(in, "organizationID", apptest.ID(org.ID))).Decode(t, &p)
			if len(p.CreateVenue.Warnings) != 0 {
				t.Errorf("warnings %+v", p.CreateVenue.Warnings)
			}
		})

		t.Run("bad input names every field", func(t *testing.T) {
			before := count()
			in := mairie()
			in["name"], in["postcode"], in["latitude"], in["siret"] = " ", "1461", 95.0, "12345678901234"
			r := e.Do(apptest.Request{Query: createVenueQ, Variables: inputWith(in, "organizationID", apptest.ID(org.ID)), Token: manager})
			var fields []string
			for _, ge := range r.Errors {
				if ge.Extensions["code"] != apperr.BadUserInput || ge.Extensions["rule"] != "R-CAT-12" {
					t.Errorf("error %+v", ge)
				}
				f, _ := ge.Extensions["field"].(string)
				fields = append(fields, f)
			}
			for _, want := range []string{"input.name", "input.postcode", "input.latitude", "input.siret"} {
				if !slices.Contains(fields, want) {
					t.Errorf("no error on %s; got %v", want, fields)
				}
			}
			if count() != before {
				t.Errorf("a venue was created")
			}
		})

		t.Run("another organisation's manager refused", func(t *testing.T) {
			before := count()
			other := e.TrainingOrg("Atelier du port")
			e.User("manager@atelier.test", other, viewer.Manager)
			tok := e.Login("manager@atelier.test", apptest.Password)
			r := e.Do(apptest.Request{Query: createVenueQ, Variables: inputWith(mairie(), "organizationID", apptest.ID(org.ID)), Token: tok})
			if r.Code() != apperr.Forbidden {
				t.Fatalf("want FORBIDDEN, got %+v", r.Errors)
			}
			if count() != before {
				t.Errorf("a venue was created")
			}
			// A member without MANAGER is refused too.
			e.User("staff@cfa.test", org, viewer.FundingCases)
			staff := e.Login("staff@cfa.test", apptest.Password)
			if r := e.Do(apptest.Request{Query: createVenueQ, Variables: inputWith(mairie(), "organizationID", apptest.ID(org.ID)), Token: staff}); r.Code() != apperr.Forbidden {
				t.Errorf("member without MANAGER: %+v", r.Errors)
			}
			if r := e.Do(apptest.Request{Query: createVenueQ, Variables: inputWith(mairie(), "organizationID", apptest.ID(org.ID))}); r.Code() != apperr.Unauthenticated && r.Code() != apperr.Forbidden {
				t.Errorf("anonymous: %+v", r.Errors)
			}
			if count() != before {
				t.Errorf("a venue was created")
			}
		})

		t.Run("operator", func(t *testing.T) {
			e.Operator("operator@carif.test")
			op := e.Login("operator@carif.test", apptest.Password)
			in := mairie()
			in["name"], in["postcode"], in["latitude"], in["longitude"] = "Lycée", "76800", 49.38, 1.1
			e.Q(op, createVenueQ, inputWith(in, "organizationID", apptest.ID(org.ID)))
			r := e.Do(apptest.Request{Query: createVenueQ, Variables: inputWith(mairie(), "organizationID", "999999"), Token: op})
			if r.Code() != apperr.NotFound {
				t.Errorf("unknown organisation: %+v", r.Errors)
			}
		})

		t.Run("listed by name", func(t *testing.T) {
			var got struct {
				Venues struct {
					TotalCount int
					Edges      []struct{ Node struct{ Name string } }
				}
			}
			e.Q(manager, `query($org: ID!) { venues(organizationID: $org) { totalCount edges { node { name } } } }`, map[string]any{"org": apptest.ID(org.ID)}).Decode(t, &got)
			var names []string
			for _, v := range got.Venues.Edges {
				names = append(names, v.Node.Name)
			}
			if len(names) != count() || got.Venues.TotalCount != count() || !slices.IsSorted(names) {
				t.Errorf("venues %v", names)
			}
			vs, err := e.App.Offer.Venues(e.Sys(), org.ID)
			if err != nil || len(vs) != len(names) {
				t.Errorf("Offer.Venues: %d, %v", len(vs), err)
			}
		})
	})
}

// A venue created by the service is usable by the rules at once (same
// transaction in the API; here, the next check).
func TestVenues_UsableBySessions_RCAT18(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newFixture(t, d)
		v, warns, err := f.e.App.Offer.CreateVenue(f.e.Sys(), f.other.ID, catalogue.VenueInput{
			Name: "Atelier du port - quai", Street: "Quai de la Marine", Postcode: "76600", City: "Le Havre", Latitude: 49.49, Longitude: 0.1,
		})
		if err != nil || len(warns) != 0 {
			t.Fatalf("CreateVenue: %v %v", warns, err)
		}
		doc := f.doc()
		doc.Sessions[0].TrainerIDs = []int{f.other.ID}
		doc.Sessions[0].VenueIDs = []int{v.ID}
		doc.Sessions[0].RegistrationVenueID = &v.ID
		rep, err := f.e.App.Offer.Check(f.e.Sys(), f.org.ID, doc, catalogue.CheckOptions{})
		if err != nil || len(rep.Errors) > 0 {
			t.Errorf("check: %v %v", rep.Errors, err)
		}
		_, _, err = f.e.App.Offer.CreateVenue(f.e.Sys(), f.other.ID, catalogue.VenueInput{Name: "x", Street: "y", Postcode: "76600", City: "Le Havre", Latitude: 0, Longitude: 0})
		var l apperr.List
		if !asList(err, &l) || len(l) != 1 || l[0].Field != "latitude" {
			t.Errorf("0, 0 geolocation: %v", err)
		}
	})
}

func asList(err error, l *apperr.List) bool {
	got, ok := err.(apperr.List)
	*l = got
	return ok
}

// inputWith is in with key set to v, as the variables of a mutation
// taking it: {"in": in + key} (issue 12: the parent is in the input).
func inputWith(in map[string]any, key string, v any) map[string]any {
	m := map[string]any{key: v}
	for k, x := range in {
		m[k] = x
	}
	return map[string]any{"in": m}
}
