package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/trainingtransition"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/catalogue"
	"github.com/ofhub/ofhub/server/config"
	"github.com/ofhub/ofhub/server/stream"
)

// Issue 11 #2, R-CAT-21: trainingStateChanged resumes from a cursor like
// checkInRecorded. Every change carries its place in the stream; a client
// that reconnects with after: that cursor receives exactly the changes
// made since — read from the database, on any instance — then the live
// ones. Who is told does not change: the author and the MANAGERs of the
// responsible organisation.

const tsQuery = `subscription($after:String){trainingStateChanged(after:$after){state changeState comment cursor training{id}}}`

type tsEvent struct{ Training, State, ChangeState, Comment, Cursor string }

// label is what the client sees of a change, for comparisons.
func (e tsEvent) label() string {
	l := e.Training + ":" + e.State + "/" + e.ChangeState
	if e.Comment != "" {
		l += " « " + e.Comment + " »"
	}
	return l
}

func labels(evs []tsEvent) string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.label()
	}
	return strings.Join(out, ", ")
}

// tsCollect reads n changes from s (each within d); it fails on an error
// or an early end.
func tsCollect(t *testing.T, s *ckSub, n int, d time.Duration) []tsEvent {
	t.Helper()
	var out []tsEvent
	for len(out) < n {
		m, ok := s.next(d)
		if !ok || m.done || m.err != "" {
			t.Fatalf("after %d of %d changes (%s): %+v (ok=%v)", len(out), n, labels(out), m, ok)
		}
		var ev struct {
			TrainingStateChanged struct {
				State, ChangeState, Cursor string
				Comment                    *string
				Training                   struct{ ID string }
			}
		}
		if err := json.Unmarshal(m.data, &ev); err != nil {
			t.Fatalf("decode %s: %v", m.data, err)
		}
		sc := ev.TrainingStateChanged
		e := tsEvent{Training: sc.Training.ID, State: sc.State, ChangeState: sc.ChangeState, Cursor: sc.Cursor}
		if sc.Comment != nil {
			e.Comment = *sc.Comment
		}
		out = append(out, e)
	}
	return out
}

func (c *cwEnv) reject(id, comment string) {
	c.t.Helper()
	var t cwTraining
	c.must(c.op, `mutation($id:ID!,$c:String!){rejectTraining(input:{id:$id,comment:$c}){training{id}}}`, map[string]any{"id": id, "c": comment}, "rejectTraining.training", &t)
}

func (c *cwEnv) cancel(id string) {
	c.t.Helper()
	var t cwTraining
	c.must(c.mgrA, `mutation($id:ID!){cancelTrainingSubmission(input:{id:$id}){training{id}}}`, map[string]any{"id": id}, "cancelTrainingSubmission.training", &t)
}

// The author loses its connection after two changes, more are made, and it
// resumes from the cursor of the first: it receives exactly the changes
// after it, in order, with the operator's comment of the rejection, then
// the live ones. Another organisation's manager, or a member of A without
// MANAGER who wrote nothing, resuming from the same cursor receives
// nothing of A's.
func TestTrainingStateChanged_ResumesFromCursor_Issue11_RCAT21(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		s := ckSubscribe(t, c.e, c.mgrA, tsQuery, nil)
		p := c.create("Agent d'exploitation portuaire").Training
		c.submit(c.mgrA, p.ID)
		first := tsCollect(t, s, 2, 5*time.Second)
		if got, want := labels(first), p.ID+":IN_CREATION/NONE, "+p.ID+":AWAITING_VALIDATION/NONE"; got != want {
			t.Fatalf("live: %s, want %s", got, want)
		}
		s.c.Close() // the author's screen loses its connection…
		c.reject(p.ID, "Objectif trop vague")
		c.submit(c.mgrA, p.ID)
		q := c.create("Conducteur de travaux").Training

		// …and comes back with the cursor of the first change it saw.
		after := map[string]any{"after": first[0].Cursor}
		again := ckSubscribe(t, c.e, c.mgrA, tsQuery, after)
		want := []string{p.ID + ":AWAITING_VALIDATION/NONE", p.ID + ":IN_CREATION/NONE « Objectif trop vague »",
			p.ID + ":AWAITING_VALIDATION/NONE", q.ID + ":IN_CREATION/NONE"}
		resumed := tsCollect(t, again, len(want), 5*time.Second)
		if got := labels(resumed); got != strings.Join(want, ", ") {
			t.Errorf("resumed after the creation: %s, want %s", got, strings.Join(want, ", "))
		}
		if resumed[0].Cursor != first[1].Cursor {
			t.Errorf("the same change has another cursor once resumed: %s, then %s", first[1].Cursor, resumed[0].Cursor)
		}
		quiet(t, again, 300*time.Millisecond, "after the catch-up")
		c.validate(p.ID)
		if live := tsCollect(t, again, 1, 5*time.Second); live[0].label() != p.ID+":PUBLISHED/NONE" {
			t.Errorf("live after the catch-up: %s, want the validation", live[0].label())
		}

		// Privacy is the same whether resuming or live (R-CAT-21).
		for who, token := range map[string]string{"B's manager": c.mgrB, "A's member without MANAGER": c.memberA, "the trainer's manager": c.trainerM} {
			other := ckSubscribe(t, c.e, token, tsQuery, after)
			quiet(t, other, 300*time.Millisecond, who+" resuming with A's cursor")
		}

		// A cursor the server never gave is refused on after.
		bad := ckSubscribe(t, c.e, c.mgrA, tsQuery, map[string]any{"after": "pas-un-curseur"})
		if m, ok := bad.next(5 * time.Second); !ok || m.err != "BAD_USER_INPUT" {
			t.Errorf("malformed cursor: %+v, want BAD_USER_INPUT", m)
		}
	})
}

// Far more changes than the broker's buffer (256) and than a page (500),
// with a storm of announcements, are delivered whole and in order: the
// announcements only wake the stream up, the changes are read from the
// database — the stream never ends with EVENTS_LOST any more. The changes
// are written here as the workflow stores them, without announcements
// (as when the PostgreSQL listener was reconnecting); a resynchronisation
// delivers them.
func TestTrainingStateChanged_BurstBeyondBuffer_Issue11(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		p := c.create("Agent d'exploitation portuaire").Training
		s := ckSubscribe(t, c.e, c.mgrA, tsQuery, nil)
		const n = 3 * eventbus.Buffer
		rows := make([]*ent.TrainingTransitionCreate, n)
		for i := range rows {
			rows[i] = c.e.Client().TrainingTransition.Create().SetTrainingID(atoi(t, p.ID)).SetOrganizationID(c.orgA.ID).
				SetState(trainingtransition.StateIN_CREATION).SetChangeState(trainingtransition.ChangeStateNONE).SetComment(fmt.Sprintf("b-%d", i))
		}
		c.e.Client().TrainingTransition.CreateBulk(rows...).ExecX(c.e.Sys())
		quiet(t, s, 300*time.Millisecond, "changes nobody announced")
		start := time.Now()
		c.e.App.Events.Resync()
		ev := eventbus.Event{Topic: catalogue.TopicTrainingState, ID: atoi(t, p.ID)}
		for i := 0; i < 20*eventbus.Buffer; i++ {
			c.e.App.Events.Publish(ev)
		}
		got := tsCollect(t, s, n, 10*time.Second)
		for i, e := range got {
			if e.Comment != fmt.Sprintf("b-%d", i) {
				t.Fatalf("change %d is %q: out of order or missing", i, e.Comment)
			}
		}
		quiet(t, s, 300*time.Millisecond, "after the burst")
		t.Logf("%s: %d changes delivered in %v", d, n, time.Since(start).Round(time.Millisecond))
	})
}

// Two instances on one PostgreSQL database: two people move two trainings
// through the workflow at once on instance A (their transactions commit
// out of id order); the author's screen follows on B, loses its connection
// half-way and resumes on A from its last cursor. It must receive every
// stored change exactly once, in commit order: 0 missed, 0 duplicated.
func TestTrainingStateChanged_ResumeOnOtherInstance_Issue11(t *testing.T) {
	if apptest.PostgresURL() == "" {
		t.Skip("two instances need PostgreSQL: set OFHUB_TEST_POSTGRES_URL")
	}
	url := apptest.DatabaseURL(t, apptest.Postgres)
	same := apptest.Option(func(c *config.Config) { c.DatabaseURL = url })
	a := newCWOn(t, apptest.New(t, apptest.Postgres, same))
	b := apptest.New(t, apptest.Postgres, same)
	const writers, rounds = 2, 8
	total := writers * (1 + 2*rounds) // a creation, then submit and cancel, rounds times

	onB := ckSubscribe(t, b, a.mgrA, tsQuery, nil)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := a.create(fmt.Sprintf("Formation %d", i)).Training
			for k := 0; k < rounds; k++ {
				a.submit(a.mgrA, p.ID)
				a.cancel(p.ID)
			}
		}()
	}
	got := tsCollect(t, onB, total/3, 10*time.Second)
	onB.c.Close()
	time.Sleep(200 * time.Millisecond) // changes keep coming while it is away
	onA := ckSubscribe(t, a.e, a.mgrA, tsQuery, map[string]any{"after": got[len(got)-1].Cursor})
	rest := tsCollect(t, onA, total-len(got), 15*time.Second)
	wg.Wait()
	elapsed := time.Since(start)
	quiet(t, onA, 500*time.Millisecond, "after every change")
	got = append(got, rest...)

	stored, err := a.e.Client().TrainingTransition.Query().Where(trainingtransition.OrganizationID(a.orgA.ID)).
		Order(ent.Asc(trainingtransition.FieldTxid), ent.Asc(trainingtransition.FieldID)).All(a.e.Sys())
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != total {
		t.Fatalf("%d changes stored, want %d", len(stored), total)
	}
	seen := map[string]int{}
	var missed, doubled, misplaced int
	for i, e := range got {
		seen[e.Cursor]++
		if x := stored[i]; e.Cursor != stream.Of(x.Txid, x.ID).Cursor() || e.State != string(x.State) {
			misplaced++
		}
	}
	for _, x := range stored {
		switch seen[stream.Of(x.Txid, x.ID).Cursor()] {
		case 0:
			missed++
		case 1:
		default:
			doubled++
		}
	}
	if missed != 0 || doubled != 0 || misplaced != 0 {
		t.Errorf("%d changes: %d missed, %d duplicated, %d out of commit order", total, missed, doubled, misplaced)
	}
	t.Logf("%d changes in %v; %d received on B, %d on A after resuming", total, elapsed.Round(time.Millisecond), total-len(rest), len(rest))
}
