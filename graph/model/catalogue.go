package model

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/graph/scalar"
	"github.com/ofhub/ofhub/server/catalogue"
)

// Inputs of the catalogue's mutations that carry a document the services
// take as it is (a training, an organisation change, a venue) beside the
// parent or the target: the document's fields sit at the top of the input
// (input.title, input.sessions[0].startsOn), as the services' error paths
// name them.

// CreateTrainingInput is createTraining's input: the responsible
// organisation and the training.
type CreateTrainingInput struct {
	OrganizationID int
	schematype.TrainingDoc
}

// UpdateTrainingInput is updateTraining's input: the training and its
// whole new document.
type UpdateTrainingInput struct {
	ID int
	schematype.TrainingDoc
}

// RequestOrganizationChangeInput is requestOrganizationChange's input: the
// organisation and what to change.
type RequestOrganizationChangeInput struct {
	OrganizationID int
	schematype.OrgChange
}

// CreateVenueInput is createVenue's input: the organisation and the venue.
type CreateVenueInput struct {
	OrganizationID int
	catalogue.VenueInput
}

// TrainingPayload is the payload of every workflow step of a training
// (createTraining … duplicateSession: one shape, R-CAT-21, R-CAT-22).
type TrainingPayload struct {
	Training *ent.Training
	Warnings []*Warning
}

// MarshalLocalTime writes an hour of a day, HH:MM; none is null.
func MarshalLocalTime(s string) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		if s == "" {
			_, err := io.WriteString(w, "null")
			return err
		}
		_, err := io.WriteString(w, strconv.Quote(s))
		return err
	})
}

// UnmarshalLocalTime reads HH:MM (H:MM too), 00:00 to 23:59; anything else
// is refused naming the field.
func UnmarshalLocalTime(ctx context.Context, v any) (string, error) {
	s, ok := scalar.ParseLocalTime(v)
	if !ok {
		return "", invalid(ctx, "invalid_local_time", v)
	}
	return s, nil
}

// A funding's recruitment state is stored as LHEO codes it (1 open, 2
// closed) and read by the exports so; the API names it.
var recruitmentStates = map[string]string{"OPEN": "1", "CLOSED": "2"}

// MarshalRecruitmentState writes the stored LHEO code as its enum value.
func MarshalRecruitmentState(s string) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		for name, code := range recruitmentStates {
			if code == s {
				_, err := io.WriteString(w, strconv.Quote(name))
				return err
			}
		}
		return fmt.Errorf("recruitment state %q is no LHEO code", s)
	})
}

// UnmarshalRecruitmentState reads OPEN or CLOSED as the LHEO code.
func UnmarshalRecruitmentState(ctx context.Context, v any) (string, error) {
	if s, ok := v.(string); ok {
		if code, ok := recruitmentStates[s]; ok {
			return code, nil
		}
	}
	return "", apperr.Invalid(ArgPath(ctx), "R-CAT-13", "cat_recruitment_state", echo(v))
}
