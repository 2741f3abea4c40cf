package device

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ofhub/ofhub/scanner/store"
)

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// closeForbidden is what the server closes with when the token is refused
// (revoked device, replaced token).
const closeForbidden = 4403

// subscribeLoop keeps a live subscription to checkInRecorded for every
// activity the device scans, reconnecting with backoff. A closed stream or
// a refused connection makes it ask the server whether the device was
// revoked.
func (d *Device) subscribeLoop(ctx context.Context) {
	backoff := d.opts.MinBackoff
	for ctx.Err() == nil && !d.revoked.Load() {
		start := time.Now()
		err := d.subscribe(ctx)
		d.live.Store(false)
		if ctx.Err() != nil || d.revoked.Load() {
			return
		}
		d.opts.Logf("live: %v", err)
		// Closed by the server, or refused: revoked? Ping wipes if so.
		if perr := d.Ping(ctx); errors.Is(perr, ErrRevoked) {
			return
		}
		if time.Since(start) > time.Minute {
			backoff = d.opts.MinBackoff
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, d.opts.MaxBackoff)
	}
}

// wsURL turns the server's http(s) address into its websocket endpoint.
func wsURL(server string) (string, error) {
	u, err := url.Parse(strings.TrimRight(server, "/") + "/graphql")
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	return u.String(), nil
}

// subscribe runs one connection until it fails or ctx ends.
func (d *Device) subscribe(ctx context.Context) error {
	cfg := d.st.Config()
	if cfg.Token == "" {
		return ErrNotRegistered
	}
	acts := d.st.Activities()
	if len(acts) == 0 {
		return errors.New("no activity to follow")
	}
	addr, err := wsURL(cfg.Server)
	if err != nil {
		return err
	}
	dialer := websocket.Dialer{HandshakeTimeout: 5 * time.Second, Subprotocols: []string{"graphql-transport-ws"},
		Proxy: http.ProxyFromEnvironment}
	conn, resp, err := dialer.DialContext(ctx, addr, nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("websocket: HTTP %d: %w", resp.StatusCode, err)
		}
		return &NetError{err}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	init, _ := json.Marshal(map[string]string{"authToken": cfg.Token})
	if err := conn.WriteJSON(wsMessage{Type: "connection_init", Payload: init}); err != nil {
		return &NetError{err}
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var ack wsMessage
	if err := conn.ReadJSON(&ack); err != nil {
		return closeError(err)
	}
	if ack.Type != "connection_ack" {
		return fmt.Errorf("websocket: expected connection_ack, got %s", ack.Type)
	}
	for _, a := range acts {
		p, _ := json.Marshal(map[string]any{"query": subscription, "variables": map[string]any{"a": idString(a.ID)}})
		if err := conn.WriteJSON(wsMessage{ID: idString(a.ID), Type: "subscribe", Payload: p}); err != nil {
			return &NetError{err}
		}
	}
	d.live.Store(true)
	d.opts.Logf("live: following %d activities", len(acts))
	open := len(acts)
	for {
		// The server pings every 15 s; silence for longer means a dead link.
		conn.SetReadDeadline(time.Now().Add(45 * time.Second))
		var m wsMessage
		if err := conn.ReadJSON(&m); err != nil {
			return closeError(err)
		}
		switch m.Type {
		case "ping":
			if err := conn.WriteJSON(wsMessage{Type: "pong"}); err != nil {
				return &NetError{err}
			}
		case "next":
			d.applyEvent(m.Payload)
		case "error":
			return fmt.Errorf("subscription %s refused: %s", m.ID, m.Payload)
		case "complete":
			// The server ends a device's streams when it revokes it.
			if open--; open <= 0 {
				return errors.New("subscription completed by the server")
			}
			return fmt.Errorf("subscription %s completed by the server", m.ID)
		}
	}
}

func closeError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Code == closeForbidden {
			return fmt.Errorf("websocket closed: %d %s", ce.Code, ce.Text)
		}
		return &NetError{err}
	}
	return &NetError{err}
}

// applyEvent records another device's (or a desk's) check-in, or forgets
// an undone one, so the device refuses people who came in elsewhere.
func (d *Device) applyEvent(payload json.RawMessage) {
	var p struct {
		Data struct {
			CheckInRecorded struct {
				Status         string
				RegistrationID *string
				CheckedInAt    time.Time
				CheckIn        struct {
					ID           string
					ClientScanID *string
					DeviceID     *string
					Slot         *struct{ ID string }
					Admitted     bool
					UndoneAt     *time.Time
				}
			}
		}
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		d.opts.Logf("live: %v", err)
		return
	}
	ev := p.Data.CheckInRecorded
	if ev.RegistrationID == nil {
		return
	}
	reg := atoi(*ev.RegistrationID)
	slot := int64(0)
	if ev.CheckIn.Slot != nil {
		slot = atoi(ev.CheckIn.Slot.ID)
	}
	var err error
	switch {
	case ev.CheckIn.UndoneAt != nil:
		err = d.st.RemoveCheckIn(reg, slot, ev.CheckedInAt)
	case ev.CheckIn.Admitted:
		now := d.opts.Now().UTC()
		ci := store.CheckIn{SlotID: slot, At: ev.CheckedInAt, Live: &now}
		if ev.CheckIn.ClientScanID != nil && ev.CheckIn.DeviceID != nil && *ev.CheckIn.DeviceID == d.st.Config().DeviceID {
			ci.ClientID = *ev.CheckIn.ClientScanID // our own scan, answered or not
		}
		err = d.st.AddCheckIn(reg, ci)
	}
	if err != nil {
		d.opts.Logf("live: journal: %v", err)
	}
}
