package graph_test

import (
	"testing"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// TestPersonalDataNeedsSensitiveData_R_X_5: a member of the organisation
// without SENSITIVE_DATA (or MANAGER) sees the activity and its counts but
// not the people: registrations, participants and the check-in log are
// absent, and checking people in is refused.
func TestPersonalDataNeedsSensitiveData_R_X_5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		reg := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		plain := c.User("compta@ofhub.test", c.org, viewer.Payments)
		tok := c.Login(plain.Email, apptest.Password)

		var got struct {
			Node *struct {
				Title string
				Stats struct{ Registered int }
			}
		}
		c.q(tok, `query($id:ID!){node(id:$id){...on Activity{title stats{registered}}}}`, map[string]any{"id": act.ID}, &got)
		if got.Node == nil || got.Node.Stats.Registered != 1 {
			t.Fatalf("the activity and its counts stay visible: %+v", got)
		}
		if r := c.Do(apptest.Request{Token: tok, Query: `query($id:ID!){node(id:$id){id}}`, Variables: map[string]any{"id": reg.ID}}); r.Code() != "NOT_FOUND" {
			t.Errorf("registration visible without SENSITIVE_DATA: %s %+v", r.Data, r.Errors)
		}
		var log struct {
			Node struct{ CheckInLog struct{ TotalCount int } }
		}
		c.q(c.mgr, `mutation($r:ID!){markPresent(input:{registrationID:$r}){status}}`, map[string]any{"r": reg.ID}, nil)
		c.q(tok, `query($id:ID!){node(id:$id){...on Activity{checkInLog{totalCount}}}}`, map[string]any{"id": act.ID}, &log)
		if log.Node.CheckInLog.TotalCount != 0 {
			t.Errorf("check-in log visible without SENSITIVE_DATA: %d", log.Node.CheckInLog.TotalCount)
		}
		r := c.Do(apptest.Request{Token: tok, Query: `query($a:ID!){searchParticipants(activityID:$a,query:"dup"){lastName}}`, Variables: map[string]any{"a": act.ID}})
		if r.Code() != "FORBIDDEN" {
			t.Errorf("name search without SENSITIVE_DATA: %+v", r.Errors)
		}
		// the desk (SENSITIVE_DATA) may
		c.q(c.member, `query($a:ID!){searchParticipants(activityID:$a,query:"dup"){lastName}}`, map[string]any{"a": act.ID}, nil)
	})
}

// TestActivityAndRegistrationHistory_R_X_1: changes to activities and
// registrations are recorded with who and what, and shown on the records;
// a registration's history (personal data) only with SENSITIVE_DATA.
func TestActivityAndRegistrationHistory_R_X_1(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		reg := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		c.q(c.mgr, `mutation($id:ID!){updateActivity(input:{id:$id,title:"Nouveau titre"}){activity{id}}}`, map[string]any{"id": act.ID}, nil)
		c.q(c.mgr, `mutation($id:ID!){cancelRegistration(input:{id:$id}){registration{state}}}`, map[string]any{"id": reg.ID}, nil)
		type hist struct {
			Node struct {
				History struct {
					Edges []struct {
						Node struct {
							Action    string
							ActorName string
							Changes   []struct{ Field, Old, New string }
						}
					}
				}
			}
		}
		var a hist
		c.q(c.mgr, `query($id:ID!){node(id:$id){...on Activity{history{edges{node{action actorName changes{field old new}}}}}}}`, map[string]any{"id": act.ID}, &a)
		if e := a.Node.History.Edges; len(e) == 0 || e[0].Node.Action != "UPDATE" || e[0].Node.Changes[0].New != "Nouveau titre" {
			t.Fatalf("activity history: %+v", a)
		}
		var r hist
		c.q(c.mgr, `query($id:ID!){node(id:$id){...on Registration{history{edges{node{action changes{field old new}}}}}}}`, map[string]any{"id": reg.ID}, &r)
		found := false
		for _, e := range r.Node.History.Edges {
			for _, ch := range e.Node.Changes {
				if ch.Field == "state" && ch.Old == "CONFIRMED" && ch.New == "CANCELLED" {
					found = true
				}
			}
		}
		if !found {
			t.Fatalf("registration history lacks the cancellation: %+v", r)
		}
	})
}
