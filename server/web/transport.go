package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ofhub/ofhub/ent/apperr"
)

// Response media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// postJSON is the POST transport of GraphQL over HTTP, in place of
// gqlgen's, for what the spec (and graphql-http's audit) asks and gqlgen
// does differently:
//   - a request that fails before execution (parse, validation, variable
//     coercion, limits) answers 200 under application/json — a client
//     reads its errors as for any GraphQL answer — and 400 under
//     application/graphql-response+json, and in both cases has no "data"
//     entry (gqlgen answered 422 and "data": null);
//   - a body that is not JSON answers 400 with a message in the caller's
//     language that does not echo the body (gqlgen quoted it whole, which
//     puts passwords into logs and answers).
type postJSON struct{}

var _ graphql.Transport = postJSON{}

func (postJSON) Supports(r *http.Request) bool {
	if r.Method != http.MethodPost || r.Header.Get("Upgrade") != "" {
		return false
	}
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && media == mediaJSON
}

func (postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := responseMedia(r)
	w.Header().Set("Content-Type", media)
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeRequestErrors(w, exec, r, http.StatusRequestEntityTooLarge,
				&apperr.Error{Code: "PAYLOAD_TOO_LARGE", Key: "body_too_large", Args: []any{tooLarge.Limit}})
			return
		}
		writeRequestErrors(w, exec, r, http.StatusBadRequest, apperr.New(apperr.BadUserInput, "gql_bad_body"))
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		writeRequestErrors(w, exec, r, http.StatusBadRequest, jsonProblem(err))
		return
	}
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		writeRequestErrors(w, exec, r, http.StatusBadRequest, apperr.New(apperr.BadUserInput, "gql_no_query"))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, media, &params, false)
}

// getQuery is the GET transport (queries only, as the spec and gqlgen
// allow), answering like postJSON.
type getQuery struct{}

var _ graphql.Transport = getQuery{}

func (getQuery) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

func (getQuery) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := responseMedia(r)
	w.Header().Set("Content-Type", media)
	start := graphql.Now()
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeRequestErrors(w, exec, r, http.StatusBadRequest, apperr.New(apperr.BadUserInput, "gql_bad_url"))
		return
	}
	params := graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	for name, dst := range map[string]*map[string]any{"variables": &params.Variables, "extensions": &params.Extensions} {
		if v := q.Get(name); v != "" {
			dec := json.NewDecoder(strings.NewReader(v))
			dec.UseNumber()
			if err := dec.Decode(dst); err != nil {
				writeRequestErrors(w, exec, r, http.StatusBadRequest, apperr.Invalid(name, "", "gql_bad_json_type", name))
				return
			}
		}
	}
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		writeRequestErrors(w, exec, r, http.StatusBadRequest, apperr.New(apperr.BadUserInput, "gql_no_query"))
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, media, &params, true)
}

// execute runs a decoded request and writes its answer.
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string, params *graphql.RawParams, queryOnly bool) {
	ctx := r.Context()
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		writeJSON(w, status, requestErrors{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	if queryOnly && oc.Operation.Operation != ast.Query {
		// A GET must not change anything (links, prefetches, caches).
		w.Header().Set("Allow", http.MethodPost)
		writeRequestErrors(w, exec, r, http.StatusMethodNotAllowed, apperr.New(apperr.BadUserInput, "gql_get_query_only"))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if resp == nil { // the request's context ended before an answer
		resp = &graphql.Response{Errors: gqlerror.List{{Message: apperr.T(ctx, "timeout"), Extensions: map[string]any{"code": "TIMEOUT"}}}}
	}
	writeJSON(w, http.StatusOK, resp)
}

// requestErrors is the answer to a request that was not executed: errors
// only, no "data" entry.
type requestErrors struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func writeRequestErrors(w http.ResponseWriter, exec graphql.GraphExecutor, r *http.Request, status int, e *apperr.Error) {
	resp := exec.DispatchError(r.Context(), gqlerror.List{requestError(nil, e)})
	writeJSON(w, status, requestErrors{Errors: resp.Errors})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"` + apperr.Translate("fr", "internal") + `","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}
	w.WriteHeader(status)
	w.Write(b)
}

// responseMedia picks the answer's media type from Accept, as gqlgen
// does: application/json unless the client asks for the newer type only.
func responseMedia(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		media, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch media {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

// jsonProblem describes a JSON decoding error without quoting the body.
func jsonProblem(err error) *apperr.Error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return apperr.New(apperr.BadUserInput, "gql_bad_json_syntax", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return apperr.Invalid(typ.Field, "", "gql_bad_json_type", typ.Field)
	}
	return apperr.New(apperr.BadUserInput, "gql_bad_json")
}
