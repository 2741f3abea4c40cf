package graph_test

import (
	"testing"

	"github.com/ofhub/ofhub/server/apptest"
)

// Operator comments may reveal what a draft holds, and contact requests
// carry people's names, e-mails and phones (R-X-5): on a published training
// only the responsible organisation and operators read them; the public,
// other organisations and trainer organisations get null (R-CAT-21, R-CAT-22).
func TestCatalogueInternalFields_RX5_RCAT22(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		in := c.input("Agent d'exploitation portuaire")
		in["contactRequests"] = "Ajouter Mme MARTIN Lucie, lucie.martin@cfa.fr, 06 12 34 56 78"
		in["sessions"].([]map[string]any)[0]["contactRequests"] = "Contact session : M. DURAND, 02 31 00 00 00"
		var p cwPayload
		c.must(c.mgrA, `mutation($in:CreateTrainingInput!){createTraining(input:$in){training{id reference}}}`,
			inputWith(in, "organizationID", apptest.ID(c.orgA.ID)), "createTraining", &p)
		c.submit(c.mgrA, p.Training.ID)
		var v struct{ ID string }
		c.must(c.op, `mutation($id:ID!){validateTraining(input:{id:$id, comment:"Publié après correction du titre"}){training{id}}}`,
			map[string]any{"id": p.Training.ID}, "validateTraining.training", &v)

		const q = `query($r:String!){trainingByReference(reference:$r){title contactRequests operatorComment archiveReason archiveComment
			sessions{edges{node{contactRequests}}}}}`
		type seen struct {
			Title                                           string
			ContactRequests, OperatorComment, ArchiveReason *string
			Sessions                                        struct {
				Edges []struct {
					Node struct{ ContactRequests *string }
				}
			}
		}
		for _, tc := range []struct {
			who, token string
			inside     bool
		}{
			{"anonymous", "", false},
			{"other organisation's manager", c.mgrB, false},
			{"trainer organisation's manager", c.trainerM, false},
			{"responsible organisation's member", c.memberA, true},
			{"operator", c.op, true},
		} {
			var got *seen
			c.must(tc.token, q, map[string]any{"r": p.Training.Reference}, "trainingByReference", &got)
			if got == nil || got.Title == "" || len(got.Sessions.Edges) != 1 {
				t.Fatalf("%s does not read the published training: %+v", tc.who, got)
			}
			visible := got.ContactRequests != nil && got.OperatorComment != nil && got.Sessions.Edges[0].Node.ContactRequests != nil
			hidden := got.ContactRequests == nil && got.OperatorComment == nil && got.Sessions.Edges[0].Node.ContactRequests == nil
			if tc.inside && (!visible || *got.OperatorComment != "Publié après correction du titre") {
				t.Errorf("%s should read the internal fields: %+v", tc.who, got)
			}
			if !tc.inside && !hidden {
				t.Errorf("%s reads internal fields: contact %v, comment %v", tc.who, got.ContactRequests, got.OperatorComment)
			}
		}
	})
}
