// Command loadtest measures the cabinet's HTTP API, all on loopback in one
// process, and prints a report:
//
//	go run ./examples/loadtest [-db sqlite|postgres://…|both]… [-mode signin|booking|all] [-duration 10s]
//		[-concurrency 32] [-signins 2000] [-history 30000] [-bookings 3000] [-synchronous full|normal]
//		[-pg-conns n] [-json] [-cpuprofile file | -cpuprofile-booking file]
//
// It starts a cabinet on the backend -db names (dev outbox for SMS and
// e-mail, sign-in rate limits relaxed) behind a real http.Server, and a bare
// handler returning a tiny JSON body on another.
//
// # Backends
//
// -db sqlite (the default) is a temporary SQLite file at the -synchronous
// level. -db postgres://user@host/db?sslmode=disable is a PostgreSQL server
// whose role may create databases: the command creates a fresh database on
// it (kabinet_loadtest_<pid>_<random>), opens store/postgres there with a
// pool of -pg-conns connections (default the store's, 16), and drops it
// after the run. PostgreSQL's durability is the server's (fsync,
// synchronous_commit); a setting in the URL's query that pgx does not know
// is a session parameter, so ...?sslmode=disable&synchronous_commit=off
// measures commits that do not wait for the WAL flush (PostgreSQL's
// counterpart of SQLite's synchronous=NORMAL). The report shows the
// settings the connections saw. -db both is sqlite, then the server in
// $KABINET_TEST_POSTGRES (scripts/pg-test.sh sets it;
// KABINET_PG_DURABLE=1 keeps fsync on). -db may be repeated: the backends
// are measured one after the other, in that order, each on a database of
// its own; the text report ends with their figures side by side, the JSON
// report is then {"command", "runs": [one report each]}.
//
// # Modes
//
// -mode signin (the default) measures, one after the other: the bare handler
// for -duration; sign-ins (request a code, read it from the dev outbox,
// verify it) for distinct identifiers until -signins are done or -duration
// passes; and GET /api/v1/me with the tokens so obtained for -duration.
//
// -mode booking seeds a clinic through the store (one branch in Moscow, 20
// specialists working every day 08:00–22:00 for 60 days, a 30-minute service
// with a 10-minute buffer) and -history past appointments over the two years
// before today, signs in clients over HTTP, and measures: the raw floor of a
// booking on the same database, schema and durability (-bookings of them
// from one goroutine, then from -concurrency goroutines); and -bookings POST
// /api/v1/me/appointments from -concurrency clients for slots of a shared
// pool of twice as many, so that requests often race for the same slot. It
// counts 201s and 409s, and checks afterwards, with SQL of its own, that no
// two active appointments of a specialist, a resource or a client overlap
// ("overlaps: 0"; any other count, a failed request, or a number of 201s
// other than the number of distinct slots asked for makes the command
// fail). The target is bookings/s (201s) at least half the better raw rate;
// like the sign-in mode's target, missing it is reported, not a failure.
//
// The raw floor is one booking as the backend's store checks it, with
// nothing else: on SQLite BEGIN IMMEDIATE, the store's bounded overlap
// SELECT of the specialist, the INSERT, COMMIT, through one connection (the
// store's single writer); on PostgreSQL BEGIN, the INSERT, COMMIT, through
// a pool as large as the store's. PostgreSQL's floor has no SELECT because
// the store has none: its overlap check is the exclusion constraints the
// INSERT meets (specialist and client; a violation is a taken slot), so
// the INSERT is the check. It leaves out, on both, what the store adds —
// the client's and the rooms' checks, the history line, the event, and on
// PostgreSQL the advisory locks and the event log's lock — which is what
// the ratio to bookings/s shows, with HTTP, sessions and reading the
// schedule.
//
// -mode all runs both on one database. Everything stops by itself and the
// temporary files and databases are removed.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/notify"
)

// meTarget is the share of the bare handler's throughput GET /api/v1/me
// should reach.
const meTarget = 0.40

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	dbs         []string // the backends to measure, in order: "sqlite" or a postgres:// URL
	pgConns     int      // PostgreSQL: the store's pool (0: its default)
	mode        string
	duration    time.Duration
	concurrency int
	signins     int
	history     int
	bookings    int
	synchronous string
	json        bool
	cpuProfile  string
	bookProfile string
}

func (o options) signIn() bool  { return o.mode == "signin" || o.mode == "all" }
func (o options) booking() bool { return o.mode == "booking" || o.mode == "all" }

// dbFlag collects the -db values in order.
type dbFlag struct{ dbs *[]string }

func (f dbFlag) String() string {
	if f.dbs == nil {
		return ""
	}
	list := make([]string, len(*f.dbs))
	for i, db := range *f.dbs {
		list[i] = db
		if isPostgres(db) {
			list[i] = redactDSN(db)
		}
	}
	return strings.Join(list, ",")
}

func (f dbFlag) Set(v string) error {
	switch {
	case v == "sqlite" || isPostgres(v):
		*f.dbs = append(*f.dbs, v)
	case v == "both":
		dsn := os.Getenv(envPostgres)
		if !isPostgres(dsn) {
			return fmt.Errorf("both: %s must be a postgres:// URL (scripts/pg-test.sh sets it)", envPostgres)
		}
		*f.dbs = append(*f.dbs, "sqlite", dsn)
	default:
		return errors.New("want sqlite, both, or a postgres:// URL")
	}
	return nil
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(dbFlag{&o.dbs}, "db", "the backend: sqlite (a temporary file), a postgres:// URL of a server on which a fresh database\n"+
		"is created and dropped after, or both (sqlite, then $"+envPostgres+"); repeat it to measure several in one run (default sqlite)")
	fs.IntVar(&o.pgConns, "pg-conns", 0, "PostgreSQL: the store's pool of connections, and the concurrent raw loop's (default: the store's, 16)")
	fs.StringVar(&o.mode, "mode", "signin", "what to measure: signin, booking or all")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to load the bare handler and GET /api/v1/me (also caps the sign-ins)")
	fs.IntVar(&o.concurrency, "concurrency", 32, "concurrent keep-alive clients")
	fs.IntVar(&o.signins, "signins", 2000, "sign-ins to perform (code + verify), each for a new identifier")
	fs.IntVar(&o.history, "history", 30000, "booking: past appointments to seed before measuring")
	fs.IntVar(&o.bookings, "bookings", 3000, "booking: POST /api/v1/me/appointments to send (and raw inserts per raw run)")
	fs.StringVar(&o.synchronous, "synchronous", "full", "SQLite synchronous level: full or normal (PostgreSQL's is the server's, or synchronous_commit=off in the URL's query)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.StringVar(&o.bookProfile, "cpuprofile-booking", "", "booking: write a CPU profile of the bookings over HTTP only (not the seeding or the raw loop) to this file")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if len(o.dbs) == 0 {
		o.dbs = []string{"sqlite"}
	}
	switch {
	case fs.NArg() > 0:
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.mode != "signin" && o.mode != "booking" && o.mode != "all":
		return options{}, fmt.Errorf("-mode %q: want signin, booking or all", o.mode)
	case o.duration <= 0 || o.duration > time.Hour:
		return options{}, fmt.Errorf("-duration %s: want more than 0 and at most 1h", o.duration)
	case o.concurrency < 1 || o.concurrency > 4096:
		return options{}, fmt.Errorf("-concurrency %d: want 1 to 4096", o.concurrency)
	case o.signins < 1 || o.signins > 1_000_000:
		return options{}, fmt.Errorf("-signins %d: want 1 to 1000000", o.signins)
	case o.history < 0 || o.history > 1_000_000:
		return options{}, fmt.Errorf("-history %d: want 0 to 1000000", o.history)
	case o.bookings < 1 || o.bookings > maxBookings():
		return options{}, fmt.Errorf("-bookings %d: want 1 to %d", o.bookings, maxBookings())
	case o.synchronous != "full" && o.synchronous != "normal":
		return options{}, fmt.Errorf("-synchronous %q: want full or normal", o.synchronous)
	case o.bookProfile != "" && (o.cpuProfile != "" || !o.booking() || len(o.dbs) > 1):
		return options{}, errors.New("-cpuprofile-booking: needs -mode booking or all, one -db, and no -cpuprofile")
	case o.pgConns < 0 || o.pgConns > 1000:
		return options{}, fmt.Errorf("-pg-conns %d: want 1 to 1000, or 0 for the store's default", o.pgConns)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dir, err := os.MkdirTemp("", "kabinet-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	progress := func(s string) {
		if !o.json {
			fmt.Fprintln(stderr, s)
		}
	}

	var reports []report
	for i, db := range o.dbs {
		rep, err := runOne(ctx, o, args, db, dir, progress)
		if err != nil {
			if len(o.dbs) > 1 {
				return fmt.Errorf("%s: %w", label(db), err)
			}
			return err
		}
		reports = append(reports, rep)
		if !o.json {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			if err := rep.writeText(stdout); err != nil {
				return err
			}
		}
	}

	switch {
	case o.json && len(reports) == 1:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(reports[0])
	case o.json:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(multiReport{Command: reports[0].Command, Runs: reports})
	case len(reports) > 1:
		fmt.Fprintln(stdout)
		err = writeSideBySide(stdout, reports)
	}
	if err != nil {
		return err
	}
	var failed []string
	for _, r := range reports {
		if err := r.failure(); err != nil {
			if len(reports) > 1 {
				err = fmt.Errorf("%s: %w", r.Backend, err)
			}
			failed = append(failed, err.Error())
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}

// label names a -db value in messages, without a password.
func label(db string) string {
	if isPostgres(db) {
		return redactDSN(db)
	}
	return db
}

// runOne measures one backend: it opens the database (a file of its own in
// dir, or a fresh PostgreSQL database), serves a cabinet on it, runs the
// modes, and removes the database.
func runOne(ctx context.Context, o options, args []string, db, dir string, progress func(string)) (report, error) {
	runDir, err := os.MkdirTemp(dir, "run-")
	if err != nil {
		return report{}, err
	}
	d, err := openDatabase(ctx, o, db, runDir)
	if err != nil {
		return report{}, err
	}
	defer d.close()
	tb, err := startTestbed(ctx, d)
	if err != nil {
		return report{}, err
	}
	defer tb.close()

	client := newClient(o.concurrency)
	defer client.CloseIdleConnections()

	rep := newReport(o, args, d.info)
	rep.LoadAverage.Start = loadAverage()
	progress("loadtest: " + d.info.describe())
	if o.signIn() {
		progress(fmt.Sprintf("loadtest: bare handler, %d clients, %s…", o.concurrency, o.duration))
		bare := loadBare(ctx, client, tb.bareURL, o.concurrency, o.duration, 0)
		progress(fmt.Sprintf("loadtest: %d sign-ins, %d clients…", o.signins, o.concurrency))
		signIns, tokens := loadSignIns(ctx, client, tb, o.concurrency, o.duration, o.signins)
		if len(tokens) == 0 {
			return report{}, fmt.Errorf("no sign-in succeeded: %s", signIns.FirstError)
		}
		progress(fmt.Sprintf("loadtest: GET /api/v1/me, %d clients, %s…", o.concurrency, o.duration))
		me := loadMe(ctx, client, tb.apiURL, tokens, o.concurrency, o.duration, 0)
		if err := ctx.Err(); err != nil {
			return report{}, err
		}
		rep.SignInReport = newSignInReport(bare, signIns, me)
	}
	if o.booking() {
		if rep.Booking, err = runBooking(ctx, o, tb, client, progress); err != nil {
			return report{}, err
		}
	}
	rep.LoadAverage.End = loadAverage()
	return rep, nil
}

// failure is the error a run ends with: failed operations, or a booking
// run that does not add up.
func (r report) failure() error {
	if s := r.SignInReport; s != nil {
		if n := s.Bare.Errors + s.SignIn.Errors + s.Me.Errors; n > 0 {
			return fmt.Errorf("%d operations failed (see the report)", n)
		}
	}
	if b := r.Booking; b != nil {
		if p := b.problems(); len(p) > 0 {
			return fmt.Errorf("booking: %s (see the report)", strings.Join(p, "; "))
		}
	}
	return nil
}

// loadAverage is the machine's load average over 1, 5 and 15 minutes
// (/proc/loadavg), or "" where there is none: the load generator and the
// server share the CPUs with whatever else runs.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// testbed is the two servers under test.
type testbed struct {
	apiURL  string // the cabinet, "http://127.0.0.1:port"
	bareURL string // the bare handler's full URL
	outbox  *notify.DevOutbox
	db      *database // the backend; the caller closes it after the testbed
	close   func()
}

// startTestbed wires a cabinet on d's store with the dev outbox and relaxed
// limits, and serves it and the bare handler on loopback. close stops them;
// the store stays open.
func startTestbed(ctx context.Context, d *database) (*testbed, error) {
	st := d.store
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	outbox := notify.NewDevOutbox(0, nil)
	cab, err := cabinet.New(cabinet.Config{
		Store: st, Secret: secret, SMS: outbox, Mail: outbox, ClinicName: "Load test clinic",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		// Every client comes from 127.0.0.1: per-IP and per-identifier caps
		// would stop the test, not measure it. FailuresPerDay stays at its
		// default: a negative value refuses every code (see the report).
		Auth: auth.Config{
			CodesPerHour: -1, CodesPerDay: -1, SendsPerIPPerHour: -1, VerifiesPerIPPerHour: -1, SMSPerHour: -1,
		},
	})
	if err != nil {
		return nil, err
	}

	api, err := serve(cab.Handler())
	if err != nil {
		return nil, err
	}
	bare, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	}))
	if err != nil {
		api.close()
		return nil, err
	}
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	runDone := make(chan struct{})
	go func() { defer close(runDone); _ = cab.Run(runCtx) }()

	return &testbed{
		apiURL:  api.url,
		bareURL: bare.url + "/",
		outbox:  outbox,
		db:      d,
		close: func() {
			bare.close()
			api.close()
			stopRun()
			<-runDone
		},
	}, nil
}

// server is an http.Server on 127.0.0.1:0.
type server struct {
	url   string
	close func()
}

func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	return &server{url: "http://" + ln.Addr().String(), close: func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		<-done
	}}, nil
}

// newClient returns a client that keeps a connection per worker alive.
func newClient(concurrency int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // loopback only, whatever HTTP_PROXY says
	tr.MaxIdleConns = concurrency * 2
	tr.MaxIdleConnsPerHost = concurrency * 2
	tr.DisableCompression = true
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// result is what one measurement found.
type result struct {
	Name       string  `json:"name"`
	Requests   int     `json:"requests"` // operations completed without error
	Errors     int     `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"per_second"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
}

// load runs op from concurrency workers until count operations have started
// (when count > 0) or d has passed, whichever comes first, or ctx ends. An
// operation under way when d passes is allowed to finish (it is not
// cancelled, so the server never sees a half-done request). op gets the
// operation's index and the worker's number.
func load(ctx context.Context, name string, concurrency int, d time.Duration, count int, op func(ctx context.Context, i, worker int) error) result {
	var (
		next     atomic.Int64
		errCount atomic.Int64
		firstErr atomic.Pointer[string]
		wg       sync.WaitGroup
	)
	lat := make([][]time.Duration, concurrency)
	begin := time.Now()
	deadline := begin.Add(d)
	for w := range concurrency {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1) - 1)
				if count > 0 && i >= count {
					return
				}
				t0 := time.Now()
				err := op(ctx, i, w)
				took := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						return // interrupted: neither a result nor an error
					}
					errCount.Add(1)
					msg := err.Error()
					firstErr.CompareAndSwap(nil, &msg)
					continue
				}
				lat[w] = append(lat[w], took)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)

	all := slices.Concat(lat...)
	slices.Sort(all)
	r := result{Name: name, Requests: len(all), Errors: int(errCount.Load()), Seconds: elapsed.Seconds()}
	if p := firstErr.Load(); p != nil {
		r.FirstError = *p
	}
	if elapsed > 0 {
		r.PerSecond = float64(len(all)) / elapsed.Seconds()
	}
	r.P50ms, r.P99ms = ms(percentile(all, 0.50)), ms(percentile(all, 0.99))
	return r
}

// percentile returns the p-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadBare loads the bare handler.
func loadBare(ctx context.Context, c *http.Client, url string, concurrency int, d time.Duration, count int) result {
	return load(ctx, "bare net/http handler", concurrency, d, count, func(ctx context.Context, _, _ int) error {
		return do(ctx, c, http.MethodGet, url, "", nil, http.StatusOK, nil)
	})
}

// loadMe loads GET /api/v1/me, each worker with its own token.
func loadMe(ctx context.Context, c *http.Client, apiURL string, tokens []string, concurrency int, d time.Duration, count int) result {
	return load(ctx, "GET /api/v1/me", concurrency, d, count, func(ctx context.Context, _, w int) error {
		return do(ctx, c, http.MethodGet, apiURL+"/api/v1/me", tokens[w%len(tokens)], nil, http.StatusOK, nil)
	})
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// loadSignIns signs in count distinct identifiers (e-mail addresses and
// Russian mobile numbers in turn) and returns the tokens it got.
func loadSignIns(ctx context.Context, c *http.Client, tb *testbed, concurrency int, d time.Duration, count int) (result, []string) {
	return signIns(ctx, c, tb, "sign-in (code + verify)", "load", 0, concurrency, d, count)
}

// signIns is loadSignIns for the identifiers prefix+i@example.com and
// +7 912 (base+i), so that several runs on one file sign in different people.
func signIns(ctx context.Context, c *http.Client, tb *testbed, name, prefix string, base, concurrency int, d time.Duration, count int) (result, []string) {
	var (
		mu     sync.Mutex
		tokens []string
	)
	res := load(ctx, name, concurrency, d, count, func(ctx context.Context, i, _ int) error {
		identifier, to := fmt.Sprintf("%s+%d@example.com", prefix, i), fmt.Sprintf("%s+%d@example.com", prefix, i)
		if i%2 == 1 {
			n := fmt.Sprintf("%07d", base+i)
			identifier, to = "+7 912 "+n[:3]+"-"+n[3:5]+"-"+n[5:], "+7912"+n
		}
		var ticket struct {
			ChallengeID string `json:"challenge_id"`
		}
		if err := do(ctx, c, http.MethodPost, tb.apiURL+"/api/v1/auth/code", "",
			map[string]string{"identifier": identifier}, http.StatusAccepted, &ticket); err != nil {
			return fmt.Errorf("code: %w", err)
		}
		m, ok := tb.outbox.Last(to)
		if !ok {
			return fmt.Errorf("code: nothing in the dev outbox for %s", to)
		}
		code := sixDigits.FindString(m.Body)
		if code == "" {
			return errors.New("code: no 6-digit code in the message")
		}
		var signIn struct {
			Token string `json:"token"`
		}
		if err := do(ctx, c, http.MethodPost, tb.apiURL+"/api/v1/auth/verify", "",
			map[string]string{"challenge_id": ticket.ChallengeID, "code": code}, http.StatusOK, &signIn); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		mu.Lock()
		tokens = append(tokens, signIn.Token)
		mu.Unlock()
		return nil
	})
	return res, tokens
}

// do sends one request, reads the whole answer (so the connection is
// reused), checks the status and decodes JSON into out when not nil.
func do(ctx context.Context, c *http.Client, method, url, token string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.200s", method, req.URL.Path, resp.StatusCode, want, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// report is the command's output for one backend.
type report struct {
	Command     string `json:"command"`
	Mode        string `json:"mode"`
	GoVersion   string `json:"go_version"`
	CPUs        int    `json:"cpus"`
	Concurrency int    `json:"concurrency"`
	Duration    string `json:"duration"`
	backendInfo
	// LoadAverage is the machine's 1-, 5- and 15-minute load average when
	// the backend's run started and ended.
	LoadAverage struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"load_average"`
	*SignInReport
	Booking *bookingReport `json:"booking,omitempty"`
}

// multiReport is the JSON output when several backends were measured: one
// report each, in the order of the -db flags.
type multiReport struct {
	Command string   `json:"command"`
	Runs    []report `json:"runs"`
}

// SignInReport is the sign-in mode's part of the report.
type SignInReport struct {
	Bare         result  `json:"bare"`
	SignIn       result  `json:"sign_in"`
	Me           result  `json:"me"`
	MeVsBare     float64 `json:"me_vs_bare"`
	SignInVsBare float64 `json:"sign_in_vs_bare"`
	MeTarget     float64 `json:"me_target"`
	MeTargetMet  bool    `json:"me_target_met"`
}

func newReport(o options, args []string, info backendInfo) report {
	words := []string{"go run ./examples/loadtest"}
	for _, a := range args {
		if isPostgres(a) {
			a = redactDSN(a)
		} else if v, ok := strings.CutPrefix(a, "-db="); ok && isPostgres(v) {
			a = "-db=" + redactDSN(v)
		}
		words = append(words, a)
	}
	return report{
		Command:     strings.Join(words, " "),
		Mode:        o.mode,
		GoVersion:   runtime.Version(),
		CPUs:        runtime.NumCPU(),
		Concurrency: o.concurrency,
		Duration:    o.duration.String(),
		backendInfo: info,
	}
}

func newSignInReport(bare, signIn, me result) *SignInReport {
	r := &SignInReport{Bare: bare, SignIn: signIn, Me: me, MeTarget: meTarget}
	if bare.PerSecond > 0 {
		r.MeVsBare = me.PerSecond / bare.PerSecond
		r.SignInVsBare = signIn.PerSecond / bare.PerSecond
	}
	r.MeTargetMet = r.MeVsBare >= meTarget
	return r
}

func (r report) writeText(w io.Writer) error {
	fmt.Fprintf(w, "$ %s\n", r.Command)
	fmt.Fprintf(w, "%s, %d CPUs, %d concurrent keep-alive clients on loopback, %s\n",
		r.GoVersion, r.CPUs, r.Concurrency, r.describe())
	if r.LoadAverage.Start != "" {
		fmt.Fprintf(w, "load average: %s at the start, %s at the end\n", r.LoadAverage.Start, r.LoadAverage.End)
	}
	if r.SignInReport != nil {
		fmt.Fprintln(w)
		if err := r.SignInReport.writeText(w); err != nil {
			return err
		}
	}
	if r.Booking != nil {
		fmt.Fprintln(w)
		if err := r.Booking.writeText(w); err != nil {
			return err
		}
	}
	return nil
}

func (r *SignInReport) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measurement\tdone\terrors\tseconds\tper second\tp50 ms\tp99 ms\tvs bare\t")
	for _, x := range []struct {
		res   result
		ratio string
	}{
		{r.Bare, "1.00"},
		{r.SignIn, fmt.Sprintf("%.3f", r.SignInVsBare)},
		{r.Me, fmt.Sprintf("%.2f", r.MeVsBare)},
	} {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.0f\t%.2f\t%.2f\t%s\t\n",
			x.res.Name, x.res.Requests, x.res.Errors, x.res.Seconds, x.res.PerSecond, x.res.P50ms, x.res.P99ms, x.ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "met"
	if !r.MeTargetMet {
		verdict = "NOT met"
	}
	fmt.Fprintf(w, "\ntarget: GET /api/v1/me >= %.0f%% of the bare handler's requests/s: %s (%.0f%%)\n",
		r.MeTarget*100, verdict, r.MeVsBare*100)
	for _, x := range []result{r.Bare, r.SignIn, r.Me} {
		if x.FirstError != "" {
			fmt.Fprintf(w, "first error in %s: %s\n", x.Name, x.FirstError)
		}
	}
	return nil
}

func (b *bookingReport) writeText(w io.Writer) error {
	fmt.Fprintf(w, "booking: 1 branch (Europe/Moscow), %d specialists, %d past appointments seeded in %.1fs, %d clients signed in;\n",
		b.Specialists, b.History, b.HistorySeconds, b.Clients)
	fmt.Fprintf(w, "%d requests for %d distinct slots of a pool of %d (each request picks among the %d around its turn)\n\n",
		b.Requests.Requests+b.Requests.Errors, b.DistinctSlots, b.Pool, b.Window)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measurement\tdone\t201\t409\terrors\tseconds\tper second\tp50 ms\tp99 ms\tvs raw\t")
	row := func(x result, created, conflicts, ratio string) {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%.2f\t%.0f\t%.2f\t%.2f\t%s\t\n",
			x.Name, x.Requests, created, conflicts, x.Errors, x.Seconds, x.PerSecond, x.P50ms, x.P99ms, ratio)
	}
	row(b.RawSingle, "-", "-", fmt.Sprintf("%.2f", b.RawSingle.PerSecond/max(b.RawSingle.PerSecond, b.RawConcurrent.PerSecond)))
	row(b.RawConcurrent, "-", "-", fmt.Sprintf("%.2f", b.RawConcurrent.PerSecond/max(b.RawSingle.PerSecond, b.RawConcurrent.PerSecond)))
	row(b.Requests, fmt.Sprint(b.Created.Requests), fmt.Sprint(b.Conflicts.Requests), "")
	row(b.Created, "", "", fmt.Sprintf("%.2f", b.VsRaw))
	row(b.Conflicts, "", "", "")
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "met"
	if !b.TargetMet {
		verdict = "NOT met"
	}
	fmt.Fprintf(w, "\nbookings/s: %.0f (201s per second); requests/s: %.0f; raw inserts/s: %.0f (1 goroutine), %.0f (%s)\n",
		b.Created.PerSecond, b.Requests.PerSecond, b.RawSingle.PerSecond, b.RawConcurrent.PerSecond,
		strings.TrimPrefix(b.RawConcurrent.Name, "raw insert, "))
	fmt.Fprintf(w, "target: bookings/s >= %.0f%% of the better raw inserts/s: %s (%.0f%%; %.0f%% of 1 goroutine, %.0f%% of concurrent)\n",
		b.Target*100, verdict, b.VsRaw*100, b.VsRawSingle*100, b.VsRawConcurrent*100)
	fmt.Fprintf(w, "overlaps: %d (specialists %d, resources %d, clients %d)\n",
		b.Overlaps.Total, b.Overlaps.Specialists, b.Overlaps.Resources, b.Overlaps.Clients)
	fmt.Fprintf(w, "bookings created: %d, distinct slots asked for: %d, active booked rows: %d\n",
		b.Created.Requests, b.DistinctSlots, b.BookedRows)
	for _, x := range []result{b.ClientSignIns, b.RawSingle, b.RawConcurrent, b.Requests} {
		if x.FirstError != "" {
			fmt.Fprintf(w, "first error in %s: %s\n", x.Name, x.FirstError)
		}
	}
	for _, p := range b.problems() {
		fmt.Fprintf(w, "FAILED: %s\n", p)
	}
	return nil
}

// writeSideBySide prints the main figures of several runs in columns, one
// per backend, in the order they ran.
func writeSideBySide(w io.Writer, reports []report) error {
	fmt.Fprintln(w, "side by side:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, cell func(r report) string) {
		fmt.Fprint(tw, name, "\t")
		for _, r := range reports {
			fmt.Fprint(tw, cell(r), "\t")
		}
		fmt.Fprintln(tw)
	}
	row("", func(r report) string { return r.label() })
	row("load average at the start, at the end", func(r report) string {
		return r.LoadAverage.Start + ", " + r.LoadAverage.End
	})
	if reports[0].SignInReport != nil {
		row("bare net/http handler, requests/s", func(r report) string { return fmt.Sprintf("%.0f", r.Bare.PerSecond) })
		row("sign-ins/s (code + verify)", func(r report) string {
			return fmt.Sprintf("%.0f (p99 %.1f ms)", r.SignIn.PerSecond, r.SignIn.P99ms)
		})
		row("GET /api/v1/me, requests/s", func(r report) string {
			return fmt.Sprintf("%.0f (p99 %.1f ms)", r.Me.PerSecond, r.Me.P99ms)
		})
		row("/me ÷ bare", func(r report) string { return fmt.Sprintf("%.2f", r.MeVsBare) })
	}
	if reports[0].Booking != nil {
		row("bookings/s (201)", func(r report) string { return fmt.Sprintf("%.0f", r.Booking.Created.PerSecond) })
		row("requests/s (201 + 409)", func(r report) string { return fmt.Sprintf("%.0f", r.Booking.Requests.PerSecond) })
		row("p50 / p99 ms, all requests", func(r report) string {
			return fmt.Sprintf("%.1f / %.1f", r.Booking.Requests.P50ms, r.Booking.Requests.P99ms)
		})
		row("raw inserts/s, 1 goroutine", func(r report) string { return fmt.Sprintf("%.0f", r.Booking.RawSingle.PerSecond) })
		row(fmt.Sprintf("raw inserts/s, %d goroutines", reports[0].Concurrency), func(r report) string {
			return fmt.Sprintf("%.0f (%s)", r.Booking.RawConcurrent.PerSecond,
				r.Booking.RawConcurrent.Name[strings.LastIndex(r.Booking.RawConcurrent.Name, ", ")+2:])
		})
		row("bookings ÷ the better raw rate", func(r report) string { return fmt.Sprintf("%.2f", r.Booking.VsRaw) })
		row("overlaps", func(r report) string { return fmt.Sprint(r.Booking.Overlaps.Total) })
	}
	return tw.Flush()
}
