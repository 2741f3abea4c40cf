package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"

	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/auth"
)

// gorillaWS adapts gorilla/websocket to gqlgen's websocket transport
// (gqlgen ≥ v0.17.92 defaults to coder/websocket; the devices' Go clients
// use gorilla, and one library on both sides is what the design asks).
type gorillaWS struct {
	upgrader websocket.Upgrader
}

func newGorillaWS(checkOrigin func(*http.Request) bool) gorillaWS {
	return gorillaWS{upgrader: websocket.Upgrader{
		ReadBufferSize: 4096, WriteBufferSize: 4096,
		HandshakeTimeout: 10 * time.Second,
		CheckOrigin:      checkOrigin,
	}}
}

func (g gorillaWS) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	u := g.upgrader
	u.Subprotocols = append(append([]string{}, u.Subprotocols...), o.Subprotocols...)
	c, err := u.Upgrade(w, r, o.ResponseHeader)
	if err != nil {
		return nil, err
	}
	return &gorillaConn{c: c}, nil
}

type gorillaConn struct{ c *websocket.Conn }

var (
	_ transport.WebsocketReadLimiter   = (*gorillaConn)(nil)
	_ transport.WebsocketReadDeadliner = (*gorillaConn)(nil)
)

func (g *gorillaConn) Close() error { return g.c.Close() }

func (g *gorillaConn) NextReader() (int, io.Reader, error) {
	t, r, err := g.c.NextReader()
	if err != nil {
		var ce *websocket.CloseError
		if errors.As(err, &ce) && (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseNoStatusReceived || ce.Code == websocket.CloseGoingAway) {
			return t, nil, transport.ErrWebsocketClosed
		}
		return t, nil, err
	}
	return t, r, nil
}

// WriteJSON may be called from several goroutines by the transport; gorilla
// allows one writer at a time, which gqlgen's connection already serialises.
func (g *gorillaConn) WriteJSON(v any) error { return g.c.WriteJSON(v) }

func (g *gorillaConn) WriteClose(code int, msg string) error {
	return g.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, msg), time.Now().Add(time.Second))
}

func (g *gorillaConn) Subprotocol() string               { return g.c.Subprotocol() }
func (g *gorillaConn) SetReadLimit(n int64)              { g.c.SetReadLimit(n) }
func (g *gorillaConn) SetReadDeadline(t time.Time) error { return g.c.SetReadDeadline(t) }

// wsInit authenticates a websocket connection from its init payload
// ({"authToken": …} or {"Authorization": "Bearer …"}) or the upgrade
// request's header.
//
// The connection_ack carries nothing: echoing the init payload would send
// the token back, where logs and proxies keep it (issue 10 #14).
//
// A user's connection lives as long as its session: logging out, being
// deactivated or changing one's password elsewhere closes it, and every
// subscription on it, on whichever instance it is open (auth events travel
// through the event bus). Devices' subscriptions end when they are revoked
// (checkInRecorded watches the device topic).
func wsInit(a *auth.Service) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		tok := p.GetString("authToken")
		if tok == "" {
			if h := p.Authorization(); h != "" {
				tok = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(h, "Bearer "), "bearer "))
			}
		}
		if tok == "" || a == nil {
			return ctx, nil, nil
		}
		v, err := a.Authenticate(ctx, tok)
		if err != nil {
			// 4403 tells graphql-ws clients not to reconnect in a loop.
			ctx = transport.WithWebsocketCloseCode(ctx, 4403)
			ctx = transport.AppendCloseReason(ctx, "Forbidden")
			return ctx, nil, errors.New(apperr.T(ctx, "unauthenticated"))
		}
		ctx = viewer.NewContext(ctx, v)
		if v.UserID != 0 {
			// gqlgen closes the connection when its context ends.
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			ended := a.SessionEnds(ctx, tok)
			go func() {
				defer cancel()
				select {
				case <-ended:
				case <-ctx.Done():
				}
			}()
		}
		return ctx, nil, nil
	}
}
