// Package auth is ofhub's identity service: passwords (argon2id, R-USR-5),
// revocable session tokens, login limits, password reset by e-mailed
// single-use link, and the viewer a token stands for.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/authtoken"
	"github.com/ofhub/ofhub/ent/device"
	"github.com/ofhub/ofhub/ent/events"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/loginattempt"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/passwordreset"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/rule"
	"github.com/ofhub/ofhub/ent/speaker"
	"github.com/ofhub/ofhub/ent/user"
	"github.com/ofhub/ofhub/ent/validate"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/limit"
	"github.com/ofhub/ofhub/server/store"
)

// Mailer e-mails a link (password reset, invitation) to one person.
type Mailer interface {
	SendLink(ctx context.Context, to, template, lang, firstName, link string, validFor time.Duration) error
}

// Limits bound password guessing (server/limit). Wrong passwords are
// counted per client address and per account, each with exponential
// back-off. Once an address has logged in to an account, that address
// counts against its own (account, address) pair instead of the account:
// a guesser elsewhere can slow the account down for new addresses, never
// lock its owner out of the places they log in from.
type Limits struct {
	Account  limit.Policy // wrong passwords per account (or account and known address)
	Address  limit.Policy // wrong passwords per client address, whatever the account
	Password limit.Policy // wrong current passwords in changePassword, per user
	// Reset e-mails per account in ResetWindow.
	ResetWindow     time.Duration
	ResetsPerWindow int
}

// DefaultLimits: 5 free wrong passwords per account and 30 per address,
// then waits of 1, 2, 4, 8 then 15 minutes; forgotten after a quiet hour.
var DefaultLimits = Limits{
	Account:     limit.Backoff(5, time.Minute, 15*time.Minute, time.Hour),
	Address:     limit.Backoff(30, time.Minute, 15*time.Minute, time.Hour),
	Password:    limit.Backoff(5, time.Minute, 15*time.Minute, time.Hour),
	ResetWindow: 15 * time.Minute, ResetsPerWindow: 3,
}

// Service authenticates users.
type Service struct {
	Client   *ent.Client
	Mailer   Mailer
	BaseURL  string // public address of the server, for links in e-mails
	TokenTTL time.Duration
	ResetTTL time.Duration
	// InviteTTL is how long a new user's "set your password" link lives.
	InviteTTL time.Duration
	Argon2    Argon2Params
	Limits    Limits
	Limiter   *limit.Limiter
	Now       func() time.Time
	// hashes bounds concurrent argon2 computations (memory-hungry by
	// design) so a login flood cannot exhaust the server's memory.
	hashes chan struct{}
	cache  *sessionCache
}

// New returns a service with sensible defaults.
func New(c *ent.Client, m Mailer, baseURL string) *Service {
	return &Service{Client: c, Mailer: m, BaseURL: strings.TrimRight(baseURL, "/"),
		TokenTTL: 30 * 24 * time.Hour, ResetTTL: 30 * time.Minute, InviteTTL: 7 * 24 * time.Hour,
		Argon2: DefaultArgon2, Limits: DefaultLimits, Limiter: limit.New(c), Now: func() time.Time { return time.Now().UTC() },
		hashes: make(chan struct{}, 4), cache: newSessionCache()}
}

func sys(ctx context.Context) context.Context { return privacy.DecisionContext(ctx, privacy.Allow) }

// TokenPrefix marks ofhub user tokens (device tokens use another prefix).
const TokenPrefix = "ofu_"

func newSecret(prefix string) (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("draw token: %w", err)
	}
	tok := prefix + base64.RawURLEncoding.EncodeToString(b)
	return tok, HashToken(tok), nil
}

// HashToken is how tokens are stored and looked up.
func HashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// Hash hashes a password with the service's parameters, bounded in
// concurrency.
func (s *Service) Hash(password string) (string, error) {
	s.hashes <- struct{}{}
	defer func() { <-s.hashes }()
	return HashPassword(password, s.Argon2)
}

func (s *Service) check(password, hash string) bool {
	s.hashes <- struct{}{}
	defer func() { <-s.hashes }()
	ok, _ := CheckPassword(password, hash)
	return ok
}

// dummyHash is checked when the e-mail is unknown, so that response time
// does not tell which addresses have accounts.
// (Computed on first use: hashing allocates argon2's 19 MiB, which an idle
// server should not keep resident.)
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("ofhub-dummy-password", DefaultArgon2)
	return h
})

// Session is an opened session.
type Session struct {
	Token     string
	ExpiresAt time.Time
	User      *ent.User
}

// NormalizeEmail is an e-mail address as accounts store it: trimmed and
// lower-case (one account per address whatever its case).
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Login checks the credentials and opens a session. The attempt is
// reserved on the limiter before the password is hashed, so parallel
// guesses cannot all pass the limit (see Limits).
func (s *Service) Login(ctx context.Context, email, password, ip, userAgent string) (*Session, error) {
	email = NormalizeEmail(email)
	now := s.Now()
	c := s.Client
	keys, err := s.loginKeys(ctx, email, ip)
	if err != nil {
		return nil, err
	}
	if err := s.Limiter.Reserve(ctx, keys...); err != nil {
		return nil, limit.Error(err, "", "R-USR-5", "limit_login")
	}
	u, err := c.User.Query().Where(user.Email(email)).Only(sys(ctx))
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("login: %w", err)
	}
	ok := false
	if u == nil || u.PasswordHash == "" {
		s.check(password, dummyHash())
	} else {
		ok = s.check(password, u.PasswordHash)
	}
	if err := c.LoginAttempt.Create().SetEmail(email).SetIP(ip).SetSuccess(ok).SetAt(now).Exec(sys(ctx)); err != nil {
		return nil, fmt.Errorf("login: record attempt: %w", err)
	}
	if ok {
		// The owner is back: the account's (or pair's) failures are
		// forgiven; the address only gets this attempt back, so that
		// logging in to one's own account does not reset a spray.
		if err := s.Limiter.Clear(ctx, keys[1:]...); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		if err := s.Limiter.Refund(ctx, keys[0]); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
	}
	if !ok {
		return nil, &apperr.Error{Code: apperr.Unauthenticated, Key: "bad_credentials"}
	}
	if !u.Active {
		return nil, &apperr.Error{Code: apperr.Forbidden, Rule: "R-USR-7", Key: "account_inactive"}
	}
	tok, hash, err := newSecret(TokenPrefix)
	if err != nil {
		return nil, err
	}
	exp := now.Add(s.TokenTTL)
	if len(userAgent) > 255 {
		userAgent = userAgent[:255]
	}
	err = store.InTx(ctx, c, func(ctx context.Context, tx *ent.Client) error {
		if err := tx.AuthToken.Create().SetTokenHash(hash).SetUserID(u.ID).SetExpiresAt(exp).
			SetIP(ip).SetUserAgent(userAgent).Exec(sys(ctx)); err != nil {
			return err
		}
		u, err = tx.User.UpdateOne(u).SetLastLoginAt(now).Save(history.Quiet(sys(ctx)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("login: open session: %w", err)
	}
	// The answer's fields are resolved before the new token is in use: load
	// what a client asks right after logging in.
	if full, err := c.User.Query().Where(user.ID(u.ID)).
		WithMemberships(func(q *ent.MembershipQuery) { q.WithOrganization() }).Only(sys(ctx)); err == nil {
		u = full
	}
	return &Session{Token: tok, ExpiresAt: exp, User: u}, nil
}

// loginKeys are the limiter keys of a login from ip: the address first,
// then the account — or the (account, address) pair when the account has
// already logged in from this address (its owner's usual place).
func (s *Service) loginKeys(ctx context.Context, email, ip string) ([]limit.Key, error) {
	addr := limit.Address(ip)
	keys := []limit.Key{{Name: "login-address:" + addr, Policy: s.Limits.Address}}
	known, err := s.Client.LoginAttempt.Query().Where(loginattempt.Email(email), loginattempt.IP(ip),
		loginattempt.Success(true)).Exist(sys(ctx))
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if known {
		return append(keys, limit.Key{Name: "login-pair:" + email + " " + addr, Policy: s.Limits.Account}), nil
	}
	return append(keys, limit.Key{Name: "login-account:" + email, Policy: s.Limits.Account}), nil
}

// Authenticate returns the viewer behind a session token; a revoked,
// expired or unknown token, or a deactivated user, gives UNAUTHENTICATED.
func (s *Service) Authenticate(ctx context.Context, tok string) (*viewer.Viewer, error) {
	v, _, err := s.AuthenticateUser(ctx, tok)
	return v, err
}

// AuthenticateUser is Authenticate that also returns the user's row (nil
// for devices), served from the session cache when possible.
func (s *Service) AuthenticateUser(ctx context.Context, tok string) (*viewer.Viewer, *ent.User, error) {
	unauth := &apperr.Error{Code: apperr.Unauthenticated, Key: "unauthenticated"}
	now := s.Now()
	key := string(HashToken(tok))
	if e, _, ok := s.cache.get(key, now); ok {
		return e.v, e.u, nil
	}
	_, gen, _ := s.cache.get(key, now)
	if strings.HasPrefix(tok, DeviceTokenPrefix) || strings.HasPrefix(tok, SpeakerTokenPrefix) {
		authn := s.authenticateDevice
		if strings.HasPrefix(tok, SpeakerTokenPrefix) {
			authn = s.authenticateSpeaker
		}
		v, err := authn(ctx, tok)
		if err != nil {
			return nil, nil, err
		}
		s.cache.put(key, gen, cached{v: v, exp: now.Add(s.cache.ttl)})
		return v, nil, nil
	}
	if !strings.HasPrefix(tok, TokenPrefix) {
		return nil, nil, unauth
	}
	t, err := s.Client.AuthToken.Query().Where(authtoken.TokenHash(HashToken(tok))).WithUser().Only(sys(ctx))
	if err != nil {
		if ent.IsNotFound(err) {
			return nil, nil, unauth
		}
		return nil, nil, fmt.Errorf("authenticate: %w", err)
	}
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) || t.Edges.User == nil || !t.Edges.User.Active {
		return nil, nil, unauth
	}
	v, err := s.ViewerOf(ctx, t.Edges.User, t.ID)
	if err != nil {
		return nil, nil, err
	}
	exp := now.Add(s.cache.ttl)
	if t.ExpiresAt.Before(exp) {
		exp = t.ExpiresAt
	}
	s.cache.put(key, gen, cached{v: v, u: t.Edges.User, exp: exp})
	return v, t.Edges.User, nil
}

// ViewerOf builds the viewer of user u: its memberships, extended from a
// head office to its branches.
func (s *Service) ViewerOf(ctx context.Context, u *ent.User, tokenID int) (*viewer.Viewer, error) {
	v := &viewer.Viewer{UserID: u.ID, Operator: u.Operator, TokenID: tokenID, Lang: string(u.Language),
		Name: u.FirstName + " " + u.LastName, Orgs: map[int][]viewer.Permission{}}
	ms, err := s.Client.Membership.Query().Where(membership.UserID(u.ID)).
		Select(membership.FieldOrganizationID, membership.FieldPermissions).All(sys(ctx))
	if err != nil {
		return nil, fmt.Errorf("load memberships: %w", err)
	}
	if len(ms) == 0 {
		return v, nil
	}
	direct := make(map[int][]viewer.Permission, len(ms))
	for _, m := range ms {
		direct[m.OrganizationID] = m.Permissions
	}
	// The privacy rules extend a target user's memberships the same way
	// (who may act on whom, R-USR-3).
	if v.Orgs, v.Heads, err = rule.ExtendToBranches(ctx, s.Client, direct); err != nil {
		return nil, err
	}
	return v, nil
}

// Logout revokes the viewer's current token, or with everywhere every
// open token of the viewer; it returns how many sessions it ended.
func (s *Service) Logout(ctx context.Context, everywhere bool) (int, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.TokenID == 0 {
		return 0, &apperr.Error{Code: apperr.Unauthenticated, Key: "unauthenticated"}
	}
	q := s.Client.AuthToken.Update().Where(authtoken.ID(v.TokenID))
	if everywhere {
		q = s.Client.AuthToken.Update().Where(authtoken.UserID(v.UserID), authtoken.RevokedAtIsNil(),
			authtoken.ExpiresAtGT(s.Now()))
	}
	n, err := q.SetRevokedAt(s.Now()).Save(sys(ctx))
	if err != nil {
		return 0, err
	}
	if !everywhere {
		n = 1 // this session, whatever it was
	}
	return n, s.invalidate(ctx, s.Client, v.UserID)
}

// RevokeAll closes every session of user id (deactivation, new password).
func (s *Service) RevokeAll(ctx context.Context, c *ent.Client, id int) error {
	if err := c.AuthToken.Update().Where(authtoken.UserID(id), authtoken.RevokedAtIsNil()).
		SetRevokedAt(s.Now()).Exec(sys(ctx)); err != nil {
		return err
	}
	return s.invalidate(ctx, c, id)
}

// RequestPasswordReset e-mails a single-use link to the account's address.
// It reports nothing about whether the address has an account.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	email = NormalizeEmail(email)
	u, err := s.Client.User.Query().Where(user.Email(email), user.Active(true)).Only(sys(ctx))
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("password reset: %w", err)
	}
	// Reserved before the e-mail (parallel requests must not all pass).
	key := limit.Key{Name: fmt.Sprintf("password-reset:%d", u.ID), Policy: limit.Fixed(s.Limits.ResetsPerWindow, s.Limits.ResetWindow)}
	if err := s.Limiter.Reserve(ctx, key); err != nil {
		if r := (*limit.Refused)(nil); errors.As(err, &r) {
			return nil // silently: the earlier e-mails are on their way
		}
		return fmt.Errorf("password reset: %w", err)
	}
	return s.sendLink(ctx, s.Client, u, "password_reset", s.ResetTTL)
}

// sendLink stores a single-use token and e-mails its link.
func (s *Service) sendLink(ctx context.Context, c *ent.Client, u *ent.User, template string, ttl time.Duration) error {
	tok, hash, err := newSecret("ofr_")
	if err != nil {
		return err
	}
	if err := c.PasswordReset.Create().SetTokenHash(hash).SetUserID(u.ID).
		SetExpiresAt(s.Now().Add(ttl)).Exec(sys(ctx)); err != nil {
		return fmt.Errorf("store reset link: %w", err)
	}
	if s.Mailer == nil {
		return nil
	}
	link := s.BaseURL + "/reset-password?token=" + tok
	// Sent after commit: no e-mail for a change that did not happen, and no
	// slow SMTP exchange while holding the database's write lock.
	store.AfterCommit(ctx, func(ctx context.Context) {
		if err := s.Mailer.SendLink(ctx, u.Email, template, string(u.Language), u.FirstName, link, ttl); err != nil {
			slog.ErrorContext(ctx, "auth: e-mail not sent", "template", template, "to", u.Email, "err", err)
		}
	})
	return nil
}

// ResetPassword sets a new password with a reset link's token: the link
// works once and before it expires; every open session is closed. It
// returns the account's e-mail address (its login).
func (s *Service) ResetPassword(ctx context.Context, tok, password string) (string, error) {
	if err := validate.Password(password); err != nil {
		return "", err.(*apperr.Error).WithField("password")
	}
	// The rules about the person (names, e-mail, the same password again)
	// need the link's user: only for a link that still works (a used or
	// expired one must not test guesses of the current password); the link
	// is checked again, for good, below.
	if r, err := s.Client.PasswordReset.Query().Where(passwordreset.TokenHash(HashToken(tok))).
		WithUser().Only(sys(ctx)); err == nil && r.UsedAt == nil && s.Now().Before(r.ExpiresAt) &&
		r.Edges.User != nil && r.Edges.User.Active {
		if err := s.checkResetPassword(r.Edges.User, password); err != nil {
			return "", err
		}
	}
	hash, err := s.Hash(password)
	if err != nil {
		return "", err
	}
	var email string
	err = store.InTx(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		r, err := c.PasswordReset.Query().Where(passwordreset.TokenHash(HashToken(tok))).
			WithUser().Only(sys(ctx))
		if ent.IsNotFound(err) || (err == nil && (r.UsedAt != nil || !s.Now().Before(r.ExpiresAt) || !r.Edges.User.Active)) {
			return apperr.Invalid("token", "R-USR-5", "reset_token_invalid")
		}
		if err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		n, err := c.PasswordReset.Update().Where(passwordreset.ID(r.ID), passwordreset.UsedAtIsNil()).
			SetUsedAt(s.Now()).Save(sys(ctx))
		if err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		if n == 0 { // used by a concurrent request
			return apperr.Invalid("token", "R-USR-5", "reset_token_invalid")
		}
		if err := c.User.UpdateOneID(r.UserID).SetPasswordHash(hash).Exec(sys(ctx)); err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		email = r.Edges.User.Email
		return s.RevokeAll(ctx, c, r.UserID)
	})
	if err != nil {
		return "", err
	}
	return email, nil
}

// ChangePassword changes the viewer's password after checking the current
// one; other sessions are closed, the current one stays.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == 0 {
		return &apperr.Error{Code: apperr.Unauthenticated, Key: "unauthenticated"}
	}
	if err := s.checkNewPassword(ctx, v.UserID, current, next); err != nil {
		return err
	}
	u, err := s.Client.User.Get(sys(ctx), v.UserID)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	// A stolen session must not become a way to guess the password: the
	// check is reserved like a login's, per user.
	pw := limit.Key{Name: fmt.Sprintf("current-password:%d", u.ID), Policy: s.Limits.Password}
	if err := s.Limiter.Reserve(ctx, pw); err != nil {
		return limit.Error(err, "currentPassword", "R-USR-5", "limit_current_password")
	}
	if u.PasswordHash == "" || !s.check(current, u.PasswordHash) {
		return apperr.Invalid("currentPassword", "R-USR-5", "wrong_current_password")
	}
	if err := s.Limiter.Clear(ctx, pw); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	hash, err := s.Hash(next)
	if err != nil {
		return err
	}
	return store.InTx(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		if err := c.User.UpdateOneID(u.ID).SetPasswordHash(hash).Exec(ctx); err != nil {
			return err
		}
		if err := c.AuthToken.Update().Where(authtoken.UserID(u.ID), authtoken.RevokedAtIsNil(), authtoken.IDNEQ(v.TokenID)).
			SetRevokedAt(s.Now()).Exec(sys(ctx)); err != nil {
			return err
		}
		return s.invalidate(ctx, c, u.ID)
	})
}

// DeviceTokenPrefix marks scanning devices' tokens.
const DeviceTokenPrefix = "ofd_"

// NewDeviceToken draws a device token and its stored hash.
func NewDeviceToken() (string, []byte, error) { return newSecret(DeviceTokenPrefix) }

// authenticateDevice: a revoked device is told so (DEVICE_REVOKED), so that
// it wipes its local data; an unknown token is UNAUTHENTICATED.
func (s *Service) authenticateDevice(ctx context.Context, tok string) (*viewer.Viewer, error) {
	d, err := s.Client.Device.Query().Where(device.TokenHash(HashToken(tok))).Only(sys(ctx))
	if ent.IsNotFound(err) {
		return nil, &apperr.Error{Code: apperr.Unauthenticated, Key: "unauthenticated"}
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate device: %w", err)
	}
	if d.RevokedAt != nil {
		return nil, &apperr.Error{Code: "DEVICE_REVOKED", Rule: "R-CHK-3", Key: "device_revoked"}
	}
	return &viewer.Viewer{DeviceID: d.ID, DeviceOrg: d.OrganizationID, Name: d.Name}, nil
}

// SpeakerTokenPrefix marks speakers' personal check-in links (R-ACT-6).
const SpeakerTokenPrefix = "ofs_"

// NewSpeakerToken draws a speaker link token and its stored hash.
func NewSpeakerToken() (string, []byte, error) { return newSecret(SpeakerTokenPrefix) }

func (s *Service) authenticateSpeaker(ctx context.Context, tok string) (*viewer.Viewer, error) {
	sp, err := s.Client.Speaker.Query().Where(speaker.LinkTokenHash(HashToken(tok))).Only(sys(ctx))
	if ent.IsNotFound(err) {
		return nil, &apperr.Error{Code: apperr.Unauthenticated, Key: "unauthenticated"}
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate speaker: %w", err)
	}
	return &viewer.Viewer{SpeakerID: sp.ID, SpeakerOrg: sp.OrganizationID, Name: sp.FirstName + " " + sp.LastName}, nil
}

// invalidate drops cached sessions once the change is committed: at once
// here, and on the other instances when the announcement reaches them.
func (s *Service) invalidate(ctx context.Context, c *ent.Client, userID int) error {
	store.AfterCommit(ctx, func(context.Context) { s.cache.clear() })
	return events.Emit(ctx, c, events.Event{Topic: TopicAuth, ID: userID})
}
