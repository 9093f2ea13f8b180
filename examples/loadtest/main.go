// Command loadtest measures the cabinet's HTTP API, all on loopback in one
// process, and prints a report:
//
//	go run ./examples/loadtest [-mode signin|booking|all] [-duration 10s] [-concurrency 32]
//		[-signins 2000] [-history 30000] [-bookings 3000] [-synchronous full|normal] [-json]
//		[-cpuprofile file | -cpuprofile-booking file]
//
// It starts a cabinet on a temporary SQLite file (dev outbox for SMS and
// e-mail, sign-in rate limits relaxed) behind a real http.Server, and a bare
// handler returning a tiny JSON body on another.
//
// -mode signin (the default) measures, one after the other: the bare handler
// for -duration; sign-ins (request a code, read it from the dev outbox,
// verify it) for distinct identifiers until -signins are done or -duration
// passes; and GET /api/v1/me with the tokens so obtained for -duration.
//
// -mode booking seeds a clinic (one branch in Moscow, 20 specialists working
// every day 08:00–22:00 for 60 days, a 30-minute service with a 10-minute
// buffer) and -history past appointments over the two years before today,
// signs in clients over HTTP, and measures: the raw floor of a booking on the
// same file, schema and synchronous level (BEGIN IMMEDIATE, the bounded
// overlap SELECT, INSERT, COMMIT; -bookings of them from one goroutine, then
// from -concurrency goroutines through one connection); and -bookings POST
// /api/v1/me/appointments from -concurrency clients for slots of a shared
// pool of twice as many, so that requests often race for the same slot. It
// counts 201s and 409s, and checks afterwards that no two active
// appointments of a specialist, a resource or a client overlap ("overlaps:
// 0"; any other count, a failed request, or a number of 201s other than the
// number of distinct slots asked for makes the command fail). The target is
// bookings/s (201s) at least half the better raw rate; like the sign-in
// mode's target, missing it is reported, not a failure.
//
// -mode all runs both on one file. Everything stops by itself and the
// temporary files are removed.
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
	"path/filepath"
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
	"github.com/kabinet-dev/kabinet/store/sqlite"
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

func parseOptions(args []string, stderr io.Writer) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.mode, "mode", "signin", "what to measure: signin, booking or all")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to load the bare handler and GET /api/v1/me (also caps the sign-ins)")
	fs.IntVar(&o.concurrency, "concurrency", 32, "concurrent keep-alive clients")
	fs.IntVar(&o.signins, "signins", 2000, "sign-ins to perform (code + verify), each for a new identifier")
	fs.IntVar(&o.history, "history", 30000, "booking: past appointments to seed before measuring")
	fs.IntVar(&o.bookings, "bookings", 3000, "booking: POST /api/v1/me/appointments to send (and raw inserts per raw run)")
	fs.StringVar(&o.synchronous, "synchronous", "full", "SQLite synchronous level: full or normal")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.StringVar(&o.bookProfile, "cpuprofile-booking", "", "booking: write a CPU profile of the bookings over HTTP only (not the seeding or the raw loop) to this file")
	if err := fs.Parse(args); err != nil {
		return options{}, err
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
	case o.bookProfile != "" && (o.cpuProfile != "" || !o.booking()):
		return options{}, errors.New("-cpuprofile-booking: needs -mode booking or all, and no -cpuprofile")
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

	level := sqlite.SynchronousFull
	if o.synchronous == "normal" {
		level = sqlite.SynchronousNormal
	}
	tb, err := startTestbed(ctx, filepath.Join(dir, "load.db"), level)
	if err != nil {
		return err
	}
	defer tb.close()

	client := newClient(o.concurrency)
	defer client.CloseIdleConnections()
	progress := func(s string) {
		if !o.json {
			fmt.Fprintln(stderr, s)
		}
	}

	rep := newReport(o, args)
	if o.signIn() {
		progress(fmt.Sprintf("loadtest: bare handler, %d clients, %s…", o.concurrency, o.duration))
		bare := loadBare(ctx, client, tb.bareURL, o.concurrency, o.duration, 0)
		progress(fmt.Sprintf("loadtest: %d sign-ins, %d clients…", o.signins, o.concurrency))
		signIns, tokens := loadSignIns(ctx, client, tb, o.concurrency, o.duration, o.signins)
		if len(tokens) == 0 {
			return fmt.Errorf("no sign-in succeeded: %s", signIns.FirstError)
		}
		progress(fmt.Sprintf("loadtest: GET /api/v1/me, %d clients, %s…", o.concurrency, o.duration))
		me := loadMe(ctx, client, tb.apiURL, tokens, o.concurrency, o.duration, 0)
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.SignInReport = newSignInReport(bare, signIns, me)
	}
	if o.booking() {
		if rep.Booking, err = runBooking(ctx, o, tb, client, progress); err != nil {
			return err
		}
	}

	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.writeText(stdout)
	}
	if err != nil {
		return err
	}
	if r := rep.SignInReport; r != nil {
		if n := r.Bare.Errors + r.SignIn.Errors + r.Me.Errors; n > 0 {
			return fmt.Errorf("%d operations failed (see the report)", n)
		}
	}
	if r := rep.Booking; r != nil {
		if p := r.problems(); len(p) > 0 {
			return fmt.Errorf("booking: %s (see the report)", strings.Join(p, "; "))
		}
	}
	return nil
}

// testbed is the two servers under test.
type testbed struct {
	apiURL  string // the cabinet, "http://127.0.0.1:port"
	bareURL string // the bare handler's full URL
	outbox  *notify.DevOutbox
	store   *sqlite.Store
	path    string // the database file
	close   func()
}

// startTestbed opens the store at path, wires a cabinet with the dev outbox
// and relaxed limits, and serves it and the bare handler on loopback.
func startTestbed(ctx context.Context, path string, level sqlite.Synchronous) (*testbed, error) {
	st, err := sqlite.Open(ctx, path, sqlite.WithSynchronous(level))
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		st.Close()
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
		st.Close()
		return nil, err
	}

	api, err := serve(cab.Handler())
	if err != nil {
		st.Close()
		return nil, err
	}
	bare, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	}))
	if err != nil {
		api.close()
		st.Close()
		return nil, err
	}
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	runDone := make(chan struct{})
	go func() { defer close(runDone); _ = cab.Run(runCtx) }()

	return &testbed{
		apiURL:  api.url,
		bareURL: bare.url + "/",
		outbox:  outbox,
		store:   st,
		path:    path,
		close: func() {
			bare.close()
			api.close()
			stopRun()
			<-runDone
			st.Close()
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

// report is the command's output.
type report struct {
	Command     string `json:"command"`
	Mode        string `json:"mode"`
	GoVersion   string `json:"go_version"`
	CPUs        int    `json:"cpus"`
	Concurrency int    `json:"concurrency"`
	Duration    string `json:"duration"`
	Synchronous string `json:"sqlite_synchronous"`
	*SignInReport
	Booking *bookingReport `json:"booking,omitempty"`
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

func newReport(o options, args []string) report {
	return report{
		Command:     strings.Join(append([]string{"go run ./examples/loadtest"}, args...), " "),
		Mode:        o.mode,
		GoVersion:   runtime.Version(),
		CPUs:        runtime.NumCPU(),
		Concurrency: o.concurrency,
		Duration:    o.duration.String(),
		Synchronous: o.synchronous,
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
	fmt.Fprintf(w, "%s, %d CPUs, %d concurrent keep-alive clients on loopback, SQLite synchronous=%s\n",
		r.GoVersion, r.CPUs, r.Concurrency, r.Synchronous)
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
