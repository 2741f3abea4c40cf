package graph_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestSpeakerLinkLimitedToTheirSlots_R_ACT_6: a speaker's personal link
// checks in the people registered to the speaker's slots, and nobody else;
// a new link replaces the old one; a plain member cannot make links.
func TestSpeakerLinkLimitedToTheirSlots_R_ACT_6(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		now := time.Now()
		act := c.activity(c.mgr, c.org, nil, [2]time.Time{now.Add(-time.Hour), now.Add(time.Hour)}, [2]time.Time{now.Add(2 * time.Hour), now.Add(3 * time.Hour)})
		var sp struct {
			CreateSpeaker struct{ Speaker struct{ ID string } }
		}
		c.q(c.mgr, `mutation($o:ID!,$s:ID!){createSpeaker(input:{organizationID:$o,lastName:"Renaud",firstName:"Anne",email:"anne@exemple.fr",slotIDs:[$s]}){speaker{id}}}`,
			map[string]any{"o": apptest.ID(c.org.ID), "s": act.Slots[0]}, &sp)
		mine := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}}, act.Slots[0])
		other := c.reg(c.mgr, act.ID, []ckPerson{{"Martin", "Claire"}}, act.Slots[1])

		if r := c.Do(apptest.Request{Token: c.member, Query: `mutation($id:ID!){speakerLink(input:{id:$id}){url speaker{id}}}`, Variables: map[string]any{"id": sp.CreateSpeaker.Speaker.ID}}); r.Code() != "FORBIDDEN" {
			t.Fatalf("a member made a speaker link: %+v", r)
		}
		link := func() string {
			var l struct {
				SpeakerLink struct {
					URL     string
					Speaker struct{ ID string }
				}
			}
			c.q(c.mgr, `mutation($id:ID!){speakerLink(input:{id:$id}){url speaker{id}}}`, map[string]any{"id": sp.CreateSpeaker.Speaker.ID}, &l)
			u, err := url.Parse(l.SpeakerLink.URL)
			if err != nil || !strings.Contains(u.Path, "/scan/") {
				t.Fatalf("speaker link %q", l.SpeakerLink.URL)
			}
			return u.Query().Get("speaker")
		}
		old := link()
		tok := link() // a new link replaces the old one
		if _, code := c.scanIn(old, map[string]any{"code": mine.Code, "activityId": act.ID}); code != "UNAUTHENTICATED" {
			t.Fatalf("the replaced link still works: %q", code)
		}
		if res := c.scan(tok, mine.Code, act.ID); res.Status != "ACCESS_OK" || res.Participants[0].LastName != "Dupont" {
			t.Fatalf("speaker's own slot: %+v", res)
		}
		if res := c.scan(tok, other.Code, act.ID); res.Status != "OUTSIDE_SLOT" {
			t.Fatalf("someone of another speaker's slot: %+v, want OUTSIDE_SLOT", res)
		}
		// Nothing else is open to a speaker's link.
		if r := c.Do(apptest.Request{Token: tok, Query: `{organizations{totalCount}}`}); r.Code() == "" {
			var d struct{ Organizations struct{ TotalCount int } }
			r.Decode(t, &d)
			if d.Organizations.TotalCount != 0 {
				t.Fatalf("a speaker's link lists organisations: %d", d.Organizations.TotalCount)
			}
		}
	})
}
