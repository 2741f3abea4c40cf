package device_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	_ "github.com/ofhub/ofhub/ent/runtime"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/scanner/device"
	"github.com/ofhub/ofhub/scanner/store"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
)

// world is a running server with an organisation, a manager, one activity
// and tickets.
type world struct {
	*apptest.Env
	t        testing.TB
	org      *ent.Organization
	site     string
	mgr      string // manager token
	activity string
	codes    []string // ticket codes, one per registration
	regs     []string // registration ids
	// shift moves the server's clock (the check-in engine's) forward:
	// a test holding a request "10 s in transit" moves it instead of
	// waiting.
	shift atomic.Int64
}

var siteSeq atomic.Int64

func newWorld(t testing.TB, d apptest.Dialect, registrations int) *world {
	t.Helper()
	e := apptest.New(t, d)
	w := &world{Env: e, t: t}
	e.App.Checkin.Now = func() time.Time {
		return time.Now().UTC().Add(time.Duration(w.shift.Load())).Truncate(time.Microsecond)
	}
	w.org = e.Org("Les Amis du Musée", nil)
	w.site = fmt.Sprintf("%d", 5400+siteSeq.Add(1))
	if err := e.Client().Organization.UpdateOne(w.org).SetSiteCode(w.site).Exec(e.Sys()); err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("manager%d@ofhub.test", siteSeq.Add(1))
	e.User(email, w.org, viewer.AllPermissions...)
	w.mgr = e.Login(email, apptest.Password)
	w.activity = w.createActivity("Visite guidée")
	for i := range registrations {
		w.register(w.activity, fmt.Sprintf("Dupont%d", i), "Jean")
	}
	return w
}

func (w *world) createActivity(title string) string {
	r := w.Q(w.mgr, `mutation($in: CreateActivityInput!) { createActivity(input: $in) { activity { id } } }`,
		map[string]any{"in": map[string]any{"title": title, "organizationID": w.org.ID, "qrCheckin": true, "maxParticipants": 5}})
	var out struct {
		CreateActivity struct{ Activity struct{ ID string } }
	}
	r.Decode(w.t, &out)
	return out.CreateActivity.Activity.ID
}

func (w *world) register(activity, last, first string) (id, code string) {
	// Through the service with the system's rights: staff createRegistration
	// is refused by the Participant privacy rule today (reported).
	reg, err := w.App.Checkin.Register(w.Sys(), checkin.RegisterSpec{ActivityID: int(mustInt(activity)),
		BuyerLastName: last, BuyerFirstName: first, BuyerEmail: "buyer@ofhub.test",
		Participants: []checkin.PersonSpec{{LastName: last, FirstName: first}}}, false)
	if err != nil {
		w.t.Fatalf("register: %v", err)
	}
	code, err = w.App.Checkin.TicketCode(w.Sys(), reg)
	if err != nil {
		w.t.Fatal(err)
	}
	id = fmt.Sprint(reg.ID)
	if activity == w.activity {
		w.codes = append(w.codes, code)
		w.regs = append(w.regs, id)
	}
	return id, code
}

// device declares a device and returns its identification code.
func (w *world) device(name string) (id, idCode string) {
	idCode = fmt.Sprintf("ID-%s-%d", name, siteSeq.Add(1))
	r := w.Q(w.mgr, `mutation($in: CreateDeviceInput!) { createDevice(input: $in) { device { id } } }`,
		map[string]any{"in": map[string]any{"name": name, "identificationCode": idCode, "organizationID": w.org.ID}})
	var out struct {
		CreateDevice struct{ Device struct{ ID string } }
	}
	r.Decode(w.t, &out)
	return out.CreateDevice.Device.ID, idCode
}

func (w *world) revoke(deviceID string) {
	w.Q(w.mgr, `mutation($id: ID!) { revokeDevice(input: {id: $id}) { device { id } } }`, map[string]any{"id": deviceID})
}

func (w *world) cancel(regID string) {
	w.Q(w.mgr, `mutation($id: ID!) { cancelRegistration(input: {id: $id}) { registration { id } } }`, map[string]any{"id": regID})
}

// scans returns the activity's scans on the server.
func (w *world) scans() []*ent.Scan {
	var id int
	fmt.Sscan(w.activity, &id)
	ss, err := w.Client().Scan.Query().Where(scan.ActivityID(id)).All(w.Sys())
	if err != nil {
		w.t.Fatal(err)
	}
	return ss
}

// admittedPerRegistration counts admitted check-ins per registration.
func (w *world) admittedPerRegistration() map[int]int {
	out := map[int]int{}
	for _, s := range w.scans() {
		if s.Admitted && s.RegistrationID != nil {
			out[*s.RegistrationID]++
		}
	}
	return out
}

// clientIDs counts server scans per client scan id.
func (w *world) clientIDs() map[string]int {
	out := map[string]int{}
	for _, s := range w.scans() {
		if s.ClientScanID != nil {
			out[*s.ClientScanID]++
		}
	}
	return out
}

// newDevice registers a device through server (a URL) into a fresh store
// in dir and downloads its roster.
func (w *world) newDevice(t testing.TB, name, server, dir string, opts device.Options) (*device.Device, string) {
	t.Helper()
	devID, idCode := w.device(name)
	st, err := store.OpenPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if _, err := device.Register(ctx, st, server, w.site, idCode, "test", opts); err != nil {
		t.Fatalf("register: %v", err)
	}
	d := device.New(st, opts)
	if _, err := d.Sync(ctx); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	return d, devID
}

// proxy is a TCP proxy the test controls: up, down (refuses and cuts
// connections), or flaky (randomly closes and delays).
type proxy struct {
	ln      net.Listener
	target  string
	mode    atomic.Int32 // 0 up, 1 down, 2 flaky
	mu      sync.Mutex
	conns   map[net.Conn]bool
	dropped atomic.Int64
	rnd     *rand.Rand
}

const (
	proxyUp = iota
	proxyDown
	proxyFlaky
	proxyBlackhole // accepts connections and never answers
)

func newProxy(t testing.TB, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}, rnd: rand.New(rand.NewPCG(1, 2))}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *proxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *proxy) set(mode int32) {
	p.mode.Store(mode)
	switch mode {
	case proxyDown, proxyBlackhole:
		p.cut()
	case proxyFlaky:
		// Kept-alive connections die at random moments too.
		go func() {
			for p.mode.Load() == proxyFlaky {
				time.Sleep(time.Duration(100+p.intn(300)) * time.Millisecond)
				if p.mode.Load() == proxyFlaky {
					p.cut()
					p.dropped.Add(1)
				}
			}
		}()
	}
}

func (p *proxy) intn(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rnd.IntN(n)
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *proxy) chance(n int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rnd.IntN(100) < n
}

func (p *proxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *proxy) handle(c net.Conn) {
	defer c.Close()
	switch p.mode.Load() {
	case proxyDown:
		p.dropped.Add(1)
		return
	case proxyBlackhole:
		p.track(c, true)
		defer p.track(c, false)
		io.Copy(io.Discard, c) // until the client gives up or cut()
		return
	case proxyFlaky:
		if p.chance(30) {
			p.dropped.Add(1)
			return
		}
		if p.chance(30) {
			time.Sleep(time.Duration(200+p.intn(2000)) * time.Millisecond)
			if m := p.mode.Load(); m == proxyDown || m == proxyBlackhole {
				// The network went down while this one waited: it must not
				// get through (cut() could not see it yet).
				p.dropped.Add(1)
				return
			}
		}
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	p.track(c, true)
	p.track(up, true)
	defer p.track(c, false)
	defer p.track(up, false)
	flaky := p.mode.Load() == proxyFlaky
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn, cutMidway bool) {
		if cutMidway && p.chance(25) {
			// Let the request through, then lose the answer.
			io.CopyN(dst, src, int64(50+p.intn(400)))
			dst.Close()
			src.Close()
			p.dropped.Add(1)
		} else {
			io.Copy(dst, src)
		}
		done <- struct{}{}
	}
	go pipe(up, c, false)
	go pipe(c, up, flaky)
	<-done
}

// fakeNet is a device's network as a test controls it, at the HTTP level:
// down (every request fails at once), late check-ins (a checkIn request
// reaches the server only after lateCheckIn, whatever the device does
// meanwhile: it gave up, decided offline and showed it), and a hook run
// before a syncCheckIns is forwarded (a sync held in transit).
type fakeNet struct {
	base        http.RoundTripper
	down        atomic.Bool
	lateCheckIn atomic.Int64 // nanoseconds
	late        sync.WaitGroup
	onSync      atomic.Pointer[func()]
	// answerHeld: a checkIn reaches the server at once, then the hook
	// runs and the answer is lost (held until the device gives up).
	answerHeld atomic.Pointer[func()]
}

func newFakeNet() (*fakeNet, *http.Client) {
	n := &fakeNet{base: http.DefaultTransport.(*http.Transport).Clone()}
	return n, &http.Client{Transport: n, Timeout: time.Minute}
}

var errNetDown = errors.New("fakeNet: network down")

func (n *fakeNet) RoundTrip(req *http.Request) (*http.Response, error) {
	if n.down.Load() {
		return nil, errNetDown
	}
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	switch {
	case bytes.Contains(body, []byte("checkIn(input")) && n.lateCheckIn.Load() > 0:
		// Delivered late, on its own: the device's giving up does not stop
		// a request already in the network.
		out := req.Clone(context.Background())
		out.Body = io.NopCloser(bytes.NewReader(body))
		delay := time.Duration(n.lateCheckIn.Load())
		n.late.Add(1)
		go func() {
			defer n.late.Done()
			time.Sleep(delay)
			if resp, err := n.base.RoundTrip(out); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
		<-req.Context().Done()
		return nil, req.Context().Err()
	case bytes.Contains(body, []byte("checkIn(input")) && n.answerHeld.Load() != nil:
		resp, err := n.base.RoundTrip(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		(*n.answerHeld.Load())()
		<-req.Context().Done()
		return nil, req.Context().Err()
	case bytes.Contains(body, []byte("syncCheckIns(input")):
		if f := n.onSync.Load(); f != nil {
			(*f)()
		}
	}
	return n.base.RoundTrip(req)
}
