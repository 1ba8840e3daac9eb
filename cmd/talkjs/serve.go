package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/api"
)

func serveCommand() *command {
	return &command{
		Name:    "serve",
		Summary: "Run the in-memory TalkJS-compatible server until interrupted",
		Example: `talkjs serve
talkjs serve --addr 127.0.0.1:8080 --app-id myapp --secret sk_test_local
talkjs serve --rate-limit 5:10 --faults 503=0.05,502=0.01,cut=0.01,seed=42
talkjs serve --state fixtures.json --state-every 5m
talkjs serve --webhook http://127.0.0.1:9000/ --webhook-events message.sent,message.read`,
		Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
			f := &serveFlags{}
			fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
			fs.StringVar(&f.appID, "app-id", api.DefaultAppID, "the app id the server answers for")
			fs.StringVar(&f.secret, "secret", "", "the secret key it accepts (default: a random one, printed at start)")
			fs.StringVar(&f.rate, "rate-limit", "", "limit requests to RPS per second with bursts of BURST (default BURST: RPS rounded up), answering 429 beyond it")
			fs.StringVar(&f.faults, "faults", "", "misbehave on purpose: share of requests answered 503 (before processing), 502 (after) or cut off (after); seed makes a run replayable")
			fs.BoolVar(&f.log, "log", false, "log every request to standard error")
			fs.Int64Var(&f.maxFile, "max-file-bytes", api.DefaultMaxFileBytes, "largest file an upload may carry")
			fs.StringVar(&f.state, "state", "", "load the data from `FILE` at start (if it exists) and save it there, atomically, on SIGINT/SIGTERM")
			fs.DurationVar(&f.stateEvery, "state-every", 0, "with --state, also save every `DURATION` (such as 5m; 0: only when stopping)")
			defineServeLimits(fs, &f.limits)
			defineWebhookFlags(fs, &f.webhooks) // webhooks.go
			return func(ctx context.Context, _ []string) error { return runServe(ctx, st, f) }
		},
	}
}

// serveFlags are the flags of talkjs serve.
type serveFlags struct {
	addr, appID, secret, rate, faults string
	log                               bool
	maxFile                           int64
	limits                            serveLimits
	state                             string
	stateEvery                        time.Duration
	webhooks                          webhookFlags
}

// serveLimits bound what one client, or many, can hold of the server.
type serveLimits struct {
	readHeaderTimeout, readTimeout, writeTimeout, idleTimeout time.Duration
	maxHeaderBytes                                            int
	maxConns                                                  int
	maxBodyBytes, maxStoredFileBytes                          int64
	uploadExpiry                                              time.Duration
}

// defineServeLimits defines the flags of serveLimits with their defaults.
func defineServeLimits(fs *pflag.FlagSet, l *serveLimits) {
	fs.DurationVar(&l.readHeaderTimeout, "read-header-timeout", 10*time.Second, "time a client has to send a request's headers")
	fs.DurationVar(&l.readTimeout, "read-timeout", time.Minute, "time a client has to send a whole request, body included (0: no limit)")
	fs.DurationVar(&l.writeTimeout, "write-timeout", time.Minute, "time the server has to send an answer (0: no limit)")
	fs.DurationVar(&l.idleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection stays open")
	fs.IntVar(&l.maxHeaderBytes, "max-header-bytes", 256<<10, "largest request line and headers, in bytes (431 beyond)")
	fs.IntVar(&l.maxConns, "max-conns", 512, "most connections open at once; more wait to be accepted (0: no limit)")
	fs.Int64Var(&l.maxBodyBytes, "max-body-bytes", api.DefaultMaxBodyBytes, "largest JSON request body (413 beyond)")
	fs.Int64Var(&l.maxStoredFileBytes, "max-stored-file-bytes", api.DefaultMaxStoredFileBytes, "bytes all stored files may hold together (413 beyond)")
	fs.DurationVar(&l.uploadExpiry, "upload-expiry", api.DefaultUploadExpiry, "how long an upload no message carries is kept")
}

// check says which limit makes no sense.
func (l *serveLimits) check() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read-header-timeout", l.readHeaderTimeout}, {"read-timeout", l.readTimeout}, {"write-timeout", l.writeTimeout}, {"idle-timeout", l.idleTimeout}} {
		if d.v < 0 {
			return fmt.Errorf("--%s must not be negative", d.name)
		}
	}
	switch {
	case l.readHeaderTimeout == 0:
		return errors.New("--read-header-timeout must be above 0")
	case l.idleTimeout == 0:
		return errors.New("--idle-timeout must be above 0")
	case l.maxHeaderBytes < 4096:
		return errors.New("--max-header-bytes must be at least 4096")
	case l.maxConns < 0:
		return errors.New("--max-conns must not be negative")
	case l.maxBodyBytes < 1, l.maxStoredFileBytes < 1:
		return errors.New("--max-body-bytes and --max-stored-file-bytes must be above 0")
	case l.uploadExpiry <= 0:
		return errors.New("--upload-expiry must be above 0")
	}
	return nil
}

// httpServer is an http.Server for h with the limits.
func (l *serveLimits) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.readHeaderTimeout,
		ReadTimeout:       l.readTimeout,
		WriteTimeout:      l.writeTimeout,
		IdleTimeout:       l.idleTimeout,
		MaxHeaderBytes:    l.maxHeaderBytes,
	}
}

// limitListener accepts at most n connections open at once: Accept waits
// for one to close. (golang.org/x/net/netutil.LimitListener does the same;
// these few lines spare the dependency.)
type limitListener struct {
	net.Listener
	slots chan struct{}
	done  chan struct{}
	once  sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// serveShutdownTimeout bounds how long requests in flight may take to finish
// once the server is told to stop.
const serveShutdownTimeout = 5 * time.Second

func runServe(ctx context.Context, st *stdio, sf *serveFlags) error {
	if sf.appID == "" || strings.ContainsAny(sf.appID, "/?#% ") {
		return fmt.Errorf("%w: --app-id must be non-empty without / ? # %% or spaces", errUsage)
	}
	if err := sf.limits.check(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	opts := []api.Option{api.WithAppID(sf.appID), api.WithMaxFileBytes(sf.maxFile),
		api.WithMaxBodyBytes(sf.limits.maxBodyBytes), api.WithMaxStoredFileBytes(sf.limits.maxStoredFileBytes),
		api.WithUploadExpiry(sf.limits.uploadExpiry)}
	if sf.secret != "" {
		opts = append(opts, api.WithSecret(sf.secret))
	}
	var notes []string
	if sf.rate != "" {
		rps, burst, err := parseRateLimit(sf.rate)
		if err != nil {
			return fmt.Errorf("%w: --rate-limit: %v", errUsage, err)
		}
		opts = append(opts, api.WithRateLimit(rps, burst))
		notes = append(notes, fmt.Sprintf("rate limit: %g requests/s, bursts of %d", rps, burst))
	}
	if sf.faults != "" {
		f, err := parseFaults(sf.faults)
		if err != nil {
			return fmt.Errorf("%w: --faults: %v", errUsage, err)
		}
		opts = append(opts, api.WithFaults(f))
		notes = append(notes, fmt.Sprintf("faults: 503=%g,502=%g,cut=%g,seed=%d", f.Unavailable, f.BadGateway, f.Cut, f.Seed))
	}
	if sf.log {
		opts = append(opts, api.WithLogger(slog.New(slog.NewTextHandler(st.Err, nil))))
	}
	hookOpts, hookNotes, err := sf.webhooks.options()
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	opts, notes = append(opts, hookOpts...), append(notes, hookNotes...)
	srv := api.NewServer(opts...)
	defer stopWebhooks(st, srv, &sf.webhooks)
	if sf.stateEvery < 0 || (sf.stateEvery > 0 && sf.state == "") {
		return fmt.Errorf("%w: --state-every needs --state and a duration of at least 0", errUsage)
	}
	stateNote := "Data lives in memory only."
	if sf.state != "" {
		switch err := srv.LoadStateFile(sf.state); {
		case errors.Is(err, os.ErrNotExist):
			stateNote = fmt.Sprintf("No state in %s yet: starting empty; the data is saved there on stop.", sf.state)
		case err != nil:
			return fmt.Errorf("--state: %w", err)
		default:
			c := srv.Counts()
			stateNote = fmt.Sprintf("Loaded %d users, %d conversations, %d messages and %d files from %s; saved there on stop.",
				c.Users, c.Conversations, c.Messages, c.Files, sf.state)
		}
	}

	ln, err := net.Listen("tcp", sf.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", sf.addr, err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(st.Out, "TalkJS server listening on %s (the API is under %s/v1/%s/)\n", base, base, srv.AppID())
	fmt.Fprintf(st.Out, "  app id:  %s\n  secret:  %s\n", srv.AppID(), srv.Secret())
	for _, n := range notes {
		fmt.Fprintf(st.Out, "  %s\n", n)
	}
	fmt.Fprintf(st.Out, "Point a client at it:\n  export TALKJS_BASE_URL=%s TALKJS_APP_ID=%s TALKJS_SECRET_KEY=%s\n", base, srv.AppID(), srv.Secret())
	fmt.Fprintln(st.Out, stateNote+" Stop with Ctrl+C.")

	hs := sf.limits.httpServer(srv)
	if sf.limits.maxConns > 0 {
		ln = newLimitListener(ln, sf.limits.maxConns)
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	var tick <-chan time.Time
	if sf.stateEvery > 0 {
		t := time.NewTicker(sf.stateEvery)
		defer t.Stop()
		tick = t.C
	}
wait:
	for {
		select {
		case err := <-served:
			return fmt.Errorf("serve: %w", err)
		case <-tick:
			if err := srv.SaveStateFile(sf.state); err != nil {
				fmt.Fprintf(st.Err, "talkjs serve: saving the state to %s: %v\n", sf.state, err)
			}
		case <-ctx.Done():
			break wait
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), serveShutdownTimeout)
	defer cancel()
	err = hs.Shutdown(sctx)
	<-served
	if sf.state != "" {
		if serr := srv.SaveStateFile(sf.state); serr != nil {
			return fmt.Errorf("saving the state to %s: %w", sf.state, serr)
		}
		fmt.Fprintf(st.Out, "State saved to %s.\n", sf.state)
	}
	if err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	fmt.Fprintln(st.Out, "Server stopped.")
	return nil
}

// parseRateLimit reads RPS[:BURST].
func parseRateLimit(s string) (float64, int, error) {
	rs, bs, hasBurst := strings.Cut(s, ":")
	rps, err := strconv.ParseFloat(rs, 64)
	if err != nil || rps <= 0 || math.IsInf(rps, 0) {
		return 0, 0, fmt.Errorf("%q: the rate must be a number of requests per second above 0", rs)
	}
	burst := int(math.Ceil(rps))
	if hasBurst {
		burst, err = strconv.Atoi(bs)
		if err != nil || burst < 1 {
			return 0, 0, fmt.Errorf("%q: the burst must be a whole number of at least 1", bs)
		}
	}
	return rps, burst, nil
}

// parseFaults reads a comma-separated list of 503=P, 502=P, cut=P and
// seed=N. Without a seed one is drawn at random (and printed at start, so
// the run can be replayed).
func parseFaults(s string) (api.Faults, error) {
	var f api.Faults
	hasSeed := false
	for _, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return f, fmt.Errorf("%q: want KEY=VALUE", item)
		}
		if k == "seed" {
			seed, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return f, fmt.Errorf("seed %q: want a whole number", v)
			}
			f.Seed, hasSeed = seed, true
			continue
		}
		p, err := strconv.ParseFloat(v, 64)
		if err != nil || p < 0 || p > 1 {
			return f, fmt.Errorf("%s=%s: the share must be a number from 0 to 1", k, v)
		}
		switch k {
		case "503":
			f.Unavailable = p
		case "502":
			f.BadGateway = p
		case "cut":
			f.Cut = p
		default:
			return f, fmt.Errorf("%q: the kinds are 503, 502, cut and seed", k)
		}
	}
	if f.Unavailable+f.BadGateway+f.Cut > 1 {
		return f, errors.New("the shares add up to more than 1")
	}
	if !hasSeed {
		var b [8]byte
		_, _ = rand.Read(b[:])
		f.Seed = binary.BigEndian.Uint64(b[:]) >> 1
	}
	return f, nil
}
