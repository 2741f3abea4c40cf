package device

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrRevoked: the server says this device may no longer scan
// (extensions.code DEVICE_REVOKED). The device wipes its store.
var ErrRevoked = errors.New("device revoked")

// ErrNotRegistered: the store holds no device token.
var ErrNotRegistered = errors.New("device not registered")

// NetError wraps a failure to reach the server (refused, reset, timeout,
// gateway errors): the device works offline.
type NetError struct{ Err error }

func (e *NetError) Error() string { return "server unreachable: " + e.Err.Error() }
func (e *NetError) Unwrap() error { return e.Err }

// APIError is a GraphQL error the server answered with.
type APIError struct {
	Code    string
	Message string
	Status  int
}

func (e *APIError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s (%s)", e.Message, e.Code)
	}
	return e.Message
}

// IsNetwork reports a failure to reach the server.
func IsNetwork(err error) bool {
	var ne *NetError
	return errors.As(err, &ne)
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// client posts GraphQL requests.
type client struct {
	http  *http.Client
	url   string // base URL of the server
	token string
	lang  string
}

func (c *client) do(ctx context.Context, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.url, "/")+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.send(req, out)
}

// get reads one of the server's JSON endpoints that answer in GraphQL's
// shape ({"data": …} or {"errors": […]}), e.g. GET /devices/roster.
func (c *client) get(ctx context.Context, path string, query url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.url, "/")+path+"?"+query.Encode(), nil)
	if err != nil {
		return err
	}
	return c.send(req, out)
}

// send sends req with the device's token and language and decodes the
// answer's data into out.
func (c *client) send(req *http.Request, out any) error {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return &NetError{err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return &NetError{err}
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		if resp.StatusCode >= 500 || resp.StatusCode == 0 {
			// A proxy or gateway in the way: as good as unreachable.
			return &NetError{fmt.Errorf("HTTP %d", resp.StatusCode)}
		}
		return &APIError{Status: resp.StatusCode, Message: fmt.Sprintf("HTTP %d: %.200s", resp.StatusCode, raw)}
	}
	if len(r.Errors) > 0 {
		e := r.Errors[0]
		code, _ := e.Extensions["code"].(string)
		if code == "DEVICE_REVOKED" {
			return ErrRevoked
		}
		return &APIError{Code: code, Message: e.Message, Status: resp.StatusCode}
	}
	if resp.StatusCode >= 500 {
		return &NetError{fmt.Errorf("HTTP %d", resp.StatusCode)}
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return fmt.Errorf("decode %s: %w", r.Data, err)
		}
	}
	return nil
}

// health asks GET /healthz: any 2xx answer means the server is reachable.
// It returns the server's clock from its answer (zero from a server that
// does not send it) and the device clock when the request was sent and
// when the answer arrived, read with now.
func (c *client) health(ctx context.Context, now func() time.Time) (t0, server, t3 time.Time, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.url, "/")+"/healthz", nil)
	if err != nil {
		return t0, server, t3, err
	}
	t0 = now()
	resp, err := c.http.Do(req)
	if err != nil {
		return t0, server, t3, &NetError{err}
	}
	t3 = now()
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return t0, server, t3, &NetError{fmt.Errorf("healthz: HTTP %d", resp.StatusCode)}
	}
	server, _ = time.Parse(time.RFC3339Nano, resp.Header.Get(ServerTimeHeader))
	return t0, server, t3, nil
}

const activityFields = `id title startsAt endsAt perSlotCheckin slotToleranceMinutes slots { id label startsAt endsAt }`

const registerMutation = `mutation($in: RegisterDeviceInput!) { registerDevice(input: $in) {
  token device { id name } activities { id title startsAt endsAt perSlotCheckin slotToleranceMinutes } publicKeys { keyID publicKey } serverTime } }`

const activitiesQuery = `{ deviceActivities { ` + activityFields + ` } }`

// activitiesAndKeysQuery refreshes activities and verification keys (a
// key rotation on the server reaches the device at its next sync).
const activitiesAndKeysQuery = `{ deviceActivities { ` + activityFields + ` } devicePublicKeys { keyID publicKey } }`

const checkInMutation = `mutation($in: CheckInInput!) { checkIn(input: $in) {
  status message participants { lastName firstName } firstCheckedInAt duplicate registrationID
  checkIn { id slot { id } checkedInAt } } }`

const syncMutation = `mutation($in: SyncCheckInsInput!) { syncCheckIns(input: $in) {
  results { clientScanID status duplicate firstCheckedInAt } serverTime clockSkewMs } }`

// rosterPath serves roster pages as deviceRoster does, without gqlgen's
// per-field machinery (much faster for 5,000-entry pages); rosterQuery is
// the fallback for a server without it.
const rosterPath = "/devices/roster"

const rosterQuery = `query($a: ID!, $after: String, $first: Int) { deviceRoster(activityID: $a, after: $after, first: $first) {
  entries { registrationID number state participants { lastName firstName } slotIDs checkIns { slotID at } }
  cursor hasMore } }`

const subscription = `subscription($a: ID!) { checkInRecorded(activityID: $a) {
  status registrationID checkedInAt checkIn { id clientScanID deviceID slot { id } admitted undoneAt } } }`
