package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/server/apptest"
)

// Date and LocalTime (issue 12): a date is a day, the same for every
// client whatever its time zone (no instant travels, so nothing shifts at
// UTC-10 or UTC+14); an hour of a day is HH:MM. What they cannot read is
// BAD_USER_INPUT naming the field, in the caller's language.
func TestDateAndLocalTimeScalars_Issue12(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		const createCert = `mutation($in:CreateCertificationInput!){createCertification(input:$in){certification{code decisionDate registrationEndDate lastExamSession}}}`
		const readCert = `query($c:String!){certification(code:$c){decisionDate registrationEndDate lastExamSession}}`
		type dates struct{ DecisionDate, RegistrationEndDate, LastExamSession string }

		t.Run("a day stays that day at UTC-10 and UTC+14", func(t *testing.T) {
			// Clients at both ends of the clock send their local midnight of
			// 1 March 2027 (a full time is cut to its own day), or the day.
			in := map[string]any{"code": "RS9901", "title": "Certification du 1er mars", "rsCode": "RS9901",
				"decisionDate": "2027-03-01T00:00:00-10:00", "registrationEndDate": "2027-03-01T00:00:00+14:00", "lastExamSession": "2027-03-01"}
			var created struct{ CreateCertification struct{ Certification dates } }
			c.e.Q(c.op, createCert, map[string]any{"in": in}).Decode(t, &created)
			var read struct{ Certification dates }
			c.e.Q("", readCert, map[string]any{"c": "RS9901"}).Decode(t, &read)
			for _, got := range []dates{created.CreateCertification.Certification, read.Certification} {
				if got != (dates{"2027-03-01", "2027-03-01", "2027-03-01"}) {
					t.Errorf("answered %+v, want 2027-03-01 everywhere", got)
				}
			}
			// What the client reads back is a day: in its own zone it is 1 March.
			for _, offset := range []int{-10, +14} {
				day, err := time.ParseInLocation("2006-01-02", read.Certification.DecisionDate, time.FixedZone("client", offset*3600))
				if err != nil || day.Day() != 1 || day.Month() != time.March {
					t.Errorf("a client at UTC%+d reads %v (%v)", offset, day, err)
				}
			}
			// Stored as the day's midnight UTC, as the importer stores them.
			ct := c.e.Client().Certification.Query().Where(certification.Code("RS9901")).OnlyX(c.e.Sys())
			for _, p := range []*time.Time{ct.DecisionDate, ct.RegistrationEndDate, ct.LastExamSession} {
				if p == nil || !p.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("stored %v", p)
				}
			}
			// A filter on a Date reads it the same way.
			var found struct {
				Certifications struct{ TotalCount int }
			}
			c.e.Q("", `{certifications(where:{decisionDate:"2027-03-01"}){totalCount}}`, nil).Decode(t, &found)
			if found.Certifications.TotalCount != 1 {
				t.Errorf("certifications(where: decisionDate) = %d", found.Certifications.TotalCount)
			}
		})

		badDate := func(v string) (string, string) {
			return "« " + v + " » n'est pas une date valide", `"` + v + `" is not a valid date`
		}
		badHour := func(v string) (string, string) {
			return "« " + v + " » n'est pas une heure valide", `"` + v + `" is not a valid time of day`
		}
		slot := func(start any) map[string]any {
			s := c.session("2026-09-01", "2027-06-30")
			s["recruitmentSlots"] = []map[string]any{{"kind": "RDVI", "open": true, "seats": 10, "startsOn": "2026-12-01", "endsOn": "2026-12-01",
				"startTime": start, "endTime": "11:00", "remote": true, "webLink": "https://visio.example.fr/rdv"}}
			return inputWith(c.input("Agent portuaire", s), "organizationID", apptest.ID(c.orgA.ID))
		}
		const createTraining = `mutation($in:CreateTrainingInput!){createTraining(input:$in){training{id}}}`
		for _, tc := range []struct {
			name, token, query string
			vars               map[string]any
			field              string
			msg                func(string) (string, string)
			value              string
		}{
			{"30 February as a decision date", c.op, createCert, map[string]any{"in": map[string]any{"code": "RS9902", "title": "x", "decisionDate": "2027-02-30"}},
				"input.decisionDate", badDate, "2027-02-30"},
			{"a French date as an end of registration", c.op, createCert, map[string]any{"in": map[string]any{"code": "RS9903", "title": "x", "registrationEndDate": "01/03/2027"}},
				"input.registrationEndDate", badDate, "01/03/2027"},
			{"a bad date in a filter", "", `{certifications(where:{registrationEndDateGT:"2027-13-01"}){totalCount}}`, nil,
				"where.registrationEndDateGT", badDate, "2027-13-01"},
			{"25 o'clock", c.mgrA, createTraining, slot("25:00"), "input.sessions[0].recruitmentSlots[0].startTime", badHour, "25:00"},
			{"9h30 in French", c.mgrA, createTraining, slot("9h30"), "input.sessions[0].recruitmentSlots[0].startTime", badHour, "9h30"},
			{"an hour with seconds", c.mgrA, createTraining, slot("09:30:00"), "input.sessions[0].recruitmentSlots[0].startTime", badHour, "09:30:00"},
			{"an empty hour", c.mgrA, createTraining, slot(""), "input.sessions[0].recruitmentSlots[0].startTime", badHour, ""},
			{"an hour as a number", c.mgrA, createTraining, slot(930), "input.sessions[0].recruitmentSlots[0].startTime", badHour, "930"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fr, en := tc.msg(tc.value)
				for lang, want := range map[string]string{"fr": fr, "en": en} {
					r := c.e.Do(apptest.Request{Token: tc.token, Query: tc.query, Variables: tc.vars, Lang: lang})
					if len(r.Errors) != 1 {
						t.Fatalf("%s: want one error, got %+v", lang, r.Errors)
					}
					e := r.Errors[0]
					if e.Extensions["code"] != "BAD_USER_INPUT" || e.Extensions["field"] != tc.field || !strings.Contains(e.Message, want) {
						t.Errorf("%s: got %s %v %q, want BAD_USER_INPUT %s %q", lang, e.Extensions["code"], e.Extensions["field"], e.Message, tc.field, want)
					}
				}
			})
		}

		t.Run("an hour is answered HH:MM", func(t *testing.T) {
			var p struct {
				CreateTraining struct {
					Training struct {
						Sessions struct {
							Edges []struct {
								Node struct {
									RecruitmentSlots []struct {
										Kind               string
										StartTime, EndTime *string
									}
								}
							}
						}
					}
				}
			}
			r := c.e.Do(apptest.Request{Token: c.mgrA, Variables: slot("9:30"),
				Query: `mutation($in:CreateTrainingInput!){createTraining(input:$in){training{sessions{edges{node{recruitmentSlots{kind startTime endTime}}}}}}}`})
			if len(r.Errors) > 0 {
				t.Fatalf("create: %+v", r.Errors)
			}
			r.Decode(t, &p)
			sl := p.CreateTraining.Training.Sessions.Edges[0].Node.RecruitmentSlots[0]
			if sl.Kind != "RDVI" || sl.StartTime == nil || *sl.StartTime != "09:30" || sl.EndTime == nil || *sl.EndTime != "11:00" {
				t.Errorf("slot %+v", sl)
			}
		})
	})
}
