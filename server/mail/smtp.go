package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes accepted in Config.TLS.
const (
	// TLSOpportunistic (the default, also spelled "") upgrades with STARTTLS
	// when the server offers it and otherwise continues in clear. Credentials
	// are still never sent in clear to a remote host (see Config.Username).
	TLSOpportunistic = "opportunistic"
	// TLSStartTLS requires STARTTLS: sending fails if the server does not offer it.
	TLSStartTLS = "starttls"
	// TLSImplicit connects with TLS from the first byte ("SMTPS", port 465).
	TLSImplicit = "tls"
	// TLSNone never uses TLS; for local relays only.
	TLSNone = "none"
)

// DefaultTimeout bounds one whole send (connect, greeting, AUTH, DATA) when
// Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config describes the SMTP relay. The zero value (no Host) selects the outbox in New.
type Config struct {
	Host string
	// Port defaults to 465 for TLS "tls", 25 for "none" and 587 otherwise.
	Port int
	// Username and Password enable SMTP AUTH. The mechanism is negotiated
	// (SCRAM, PLAIN, LOGIN, CRAM-MD5); PLAIN and LOGIN are refused over an
	// unencrypted connection unless the server is on localhost.
	Username string
	Password string
	// From is the From header of every message, e.g. "ofhub <no-reply@ofhub.fr>".
	From string
	// TLS is one of "" / "opportunistic", "starttls", "tls", "none".
	TLS string
	// Timeout bounds one whole send; DefaultTimeout when zero.
	Timeout time.Duration
	// TLSConfig is optional, for a private CA or a test server. ServerName
	// defaults to Host.
	TLSConfig *tls.Config
}

// SMTPSender sends messages through an SMTP relay, one connection per message.
//
// A connection per message keeps the sender stateless and safe for
// concurrent use; ofhub sends few transactional mails, so reusing
// connections is not worth the reconnection logic it needs.
type SMTPSender struct {
	cfg  Config
	from *mail.Address
	addr string // host:port, for error messages
}

// NewSMTP validates cfg and returns a sender. It does not connect: an
// unreachable server is reported by Send.
func NewSMTP(cfg Config) (*SMTPSender, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" {
		return nil, fmt.Errorf("%w: SMTP host is empty", ErrInvalidConfig)
	}
	if h, p, err := net.SplitHostPort(cfg.Host); err == nil {
		return nil, fmt.Errorf("%w: SMTP host %q contains a port: use Host %q and Port %s",
			ErrInvalidConfig, cfg.Host, h, p)
	}
	switch strings.ToLower(strings.TrimSpace(cfg.TLS)) {
	case "", TLSOpportunistic:
		cfg.TLS = TLSOpportunistic
	case TLSStartTLS:
		cfg.TLS = TLSStartTLS
	case TLSImplicit:
		cfg.TLS = TLSImplicit
	case TLSNone:
		cfg.TLS = TLSNone
	default:
		return nil, fmt.Errorf("%w: TLS mode %q (want %q, %q, %q or %q)",
			ErrInvalidConfig, cfg.TLS, TLSStartTLS, TLSImplicit, TLSNone, TLSOpportunistic)
	}
	if cfg.Port == 0 {
		switch cfg.TLS {
		case TLSImplicit:
			cfg.Port = gomail.DefaultPortSSL
		case TLSNone:
			cfg.Port = gomail.DefaultPort
		default:
			cfg.Port = gomail.DefaultPortTLS
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("%w: SMTP port %d", ErrInvalidConfig, cfg.Port)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("%w: negative timeout %s", ErrInvalidConfig, cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Password != "" && cfg.Username == "" {
		return nil, fmt.Errorf("%w: SMTP password set without a username", ErrInvalidConfig)
	}
	if cfg.From == "" {
		return nil, fmt.Errorf("%w: sender address (From) is empty", ErrInvalidConfig)
	}
	from, err := parseFrom(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return &SMTPSender{
		cfg:  cfg,
		from: from,
		addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)),
	}, nil
}

// Send delivers m to the relay. It returns once the server has accepted or
// refused the message, or when ctx or Config.Timeout expires, whichever is first.
func (s *SMTPSender) Send(ctx context.Context, m Message) (Result, error) {
	// Validate and render before dialing: an invalid address must not cost a
	// connection, nor leave a half-sent message.
	msg, err := buildMsg(m, s.from, time.Now())
	if err != nil {
		return Result{}, err
	}

	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()

	// go-mail honours the context while dialing only; afterwards it relies on
	// per-command deadlines. Closing the connection when ctx ends makes a
	// cancelled request (or the overall timeout) interrupt a stuck SMTP
	// conversation too.
	var stops []func() bool
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	dial := func(dialCtx context.Context, network, address string) (net.Conn, error) {
		d := &net.Dialer{}
		var conn net.Conn
		var err error
		if s.cfg.TLS == TLSImplicit {
			conn, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConfig()}).DialContext(dialCtx, network, address)
		} else {
			conn, err = d.DialContext(dialCtx, network, address)
		}
		if err != nil {
			return nil, err
		}
		stops = append(stops, context.AfterFunc(ctx, func() { _ = conn.Close() }))
		return conn, nil
	}

	client, err := gomail.NewClient(s.cfg.Host, s.clientOptions(dial)...)
	if err != nil {
		return Result{}, fmt.Errorf("mail: SMTP client for %s: %w", s.addr, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return Result{}, s.sendError(ctx, err)
	}
	return Result{
		Outcome:        Delivered,
		MessageID:      msg.GetMessageID(),
		ServerResponse: msg.ServerResponse(),
	}, nil
}

func (s *SMTPSender) clientOptions(dial gomail.DialContextFunc) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(s.tlsConfig()),
	}
	switch s.cfg.TLS {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		// Implicit TLS is done by our dialer; "none" must not try STARTTLS.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.Username != "" {
		// Strongest first. PLAIN and LOGIN (without -NOENC) are refused by
		// go-mail over a clear-text connection to anything but localhost,
		// which is what we want: a password never crosses the network in clear.
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(
				gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthPlain, gomail.SMTPAuthLogin, gomail.SMTPAuthCramMD5),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password),
		)
	}
	return opts
}

func (s *SMTPSender) tlsConfig() *tls.Config {
	var c *tls.Config
	if s.cfg.TLSConfig != nil {
		c = s.cfg.TLSConfig.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.ServerName == "" {
		c.ServerName = s.cfg.Host
	}
	return c
}

// sendError explains a failed send in terms an operator can act on, keeping
// the cause reachable with errors.Is / errors.As.
func (s *SMTPSender) sendError(ctx context.Context, err error) error {
	var netErr net.Error
	if ctxErr := ctx.Err(); ctxErr != nil || (errors.As(err, &netErr) && netErr.Timeout()) {
		if errors.Is(ctxErr, context.Canceled) {
			return fmt.Errorf("mail: send via %s cancelled: %w: %w", s.addr, ctxErr, err)
		}
		// Both the overall context and go-mail's per-command deadline end up
		// here; report them the same way so callers can rely on errors.Is.
		return fmt.Errorf("mail: SMTP server %s did not answer within %s: %w: %w",
			s.addr, s.cfg.Timeout, context.DeadlineExceeded, err)
	}
	return fmt.Errorf("mail: send via %s: %w", s.addr, err)
}
