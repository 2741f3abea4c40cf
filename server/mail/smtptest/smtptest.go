// Package smtptest runs a real SMTP server in the test process, so that
// mail tests exercise the actual protocol (EHLO, STARTTLS, AUTH, DATA…)
// rather than a mock of the sender.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Option configures a Server.
type Option func(*Server)

// WithAuth makes the server require AUTH PLAIN with these credentials
// before accepting mail.
func WithAuth(username, password string) Option {
	return func(s *Server) { s.username, s.password = username, password }
}

// RejectRecipient makes the server answer 550 to RCPT TO for these addresses,
// like a relay refusing an unknown mailbox.
func RejectRecipient(addrs ...string) Option {
	return func(s *Server) {
		for _, a := range addrs {
			s.rejected[strings.ToLower(a)] = true
		}
	}
}

// WithSTARTTLS makes the server offer STARTTLS with a self-signed
// certificate for 127.0.0.1; ClientTLSConfig trusts it.
func WithSTARTTLS() Option { return func(s *Server) { s.startTLS = true } }

// WithImplicitTLS makes the server speak TLS from the first byte (SMTPS).
func WithImplicitTLS() Option { return func(s *Server) { s.implicitTLS = true } }

// Received is one message accepted by the server.
type Received struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO), Bcc included
	Raw  []byte   // the message exactly as transmitted in DATA
	// AuthUser is the user the client authenticated as, "" without AUTH.
	AuthUser string
	// TLS reports whether the message was transmitted over TLS.
	TLS bool

	// Parsed from Raw. ParseErr is set (and these may be partial) when Raw
	// is not a well-formed MIME message: tests should check it.
	Header      map[string][]string // decoded (RFC 2047) header values, canonical keys
	Subject     string
	Text        string // first text/plain part, transfer-decoded
	HTML        string // first text/html part, transfer-decoded
	Attachments []Attachment
	ParseErr    error
}

// Attachment is a decoded attachment of a Received message.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Server is an SMTP server on 127.0.0.1 with a random port.
type Server struct {
	username, password    string
	rejected              map[string]bool
	startTLS, implicitTLS bool

	srv       *smtp.Server
	addr      *net.TCPAddr
	clientTLS *tls.Config

	mu       sync.Mutex
	messages []Received
	changed  chan struct{} // closed and replaced whenever messages grows
	tb       testing.TB
}

// Start starts a server that is shut down when the test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{rejected: map[string]bool{}, changed: make(chan struct{}), tb: tb}
	for _, o := range opts {
		o(s)
	}

	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "smtptest.localhost"
	srv.AllowInsecureAuth = true // the client is on loopback; TLS is tested separately
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	// Connection errors are expected in failure tests; logging them through
	// t.Log after the test ended would panic, so they are dropped.
	srv.ErrorLog = log.New(io.Discard, "", 0)

	var serverTLS *tls.Config
	if s.startTLS || s.implicitTLS {
		serverTLS, s.clientTLS = selfSignedTLS(tb)
	}
	if s.startTLS {
		srv.TLSConfig = serverTLS
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = l.Addr().(*net.TCPAddr)
	if s.implicitTLS {
		l = tls.NewListener(l, serverTLS)
	}
	s.srv = srv

	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			log.Printf("smtptest: serve: %v", err)
		}
	}()
	tb.Cleanup(func() {
		_ = srv.Close()
		// Serve registers the listener only once its goroutine runs; if the
		// test was quicker than that, srv.Close did not see it.
		_ = l.Close()
		<-done
	})
	return s
}

// Host is the address to connect to ("127.0.0.1").
func (s *Server) Host() string { return s.addr.IP.String() }

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.addr.Port }

// Addr is "127.0.0.1:port".
func (s *Server) Addr() string { return net.JoinHostPort(s.Host(), strconv.Itoa(s.Port())) }

// ClientTLSConfig trusts the server's certificate (nil without a TLS option).
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// WaitFor waits until at least n messages were accepted and returns them all;
// the test fails if that does not happen within timeout.
func (s *Server) WaitFor(n int, timeout time.Duration) []Received {
	s.tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		msgs, changed := append([]Received(nil), s.messages...), s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-changed:
		case <-deadline.C:
			s.tb.Fatalf("smtptest: got %d message(s) after %s, want %d", len(msgs), timeout, n)
			return msgs
		}
	}
}

func (s *Server) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{server: s, conn: c}, nil
}

// session implements smtp.AuthSession; it advertises no mechanism (hence no
// AUTH at all) when the server has no credentials.
type session struct {
	server   *Server
	conn     *smtp.Conn
	authUser string
	from     string
	to       []string
}

func (s *session) AuthMechanisms() []string {
	if s.server.username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	if s.server.username == "" || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.server.username || password != s.server.password {
			return smtp.ErrAuthFailed
		}
		s.authUser = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.server.username != "" && s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.server.rejected[strings.ToLower(to)] {
		return &smtp.SMTPError{
			Code:         550,
			EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message:      "mailbox unavailable: " + to,
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	rec := Received{
		From:     s.from,
		To:       append([]string(nil), s.to...),
		Raw:      raw,
		AuthUser: s.authUser,
		TLS:      isTLS,
	}
	parseInto(&rec)
	s.server.add(rec)
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }

// selfSignedTLS makes a throw-away certificate for 127.0.0.1 and a client
// configuration that trusts it (and nothing else).
func selfSignedTLS(tb testing.TB) (server, client *tls.Config) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatalf("smtptest: key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatalf("smtptest: certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("smtptest: certificate: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	return server, client
}
