package web

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
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
