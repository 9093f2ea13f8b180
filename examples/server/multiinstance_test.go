package main

// Several example-server processes on one PostgreSQL database: the
// guarantees that must hold across processes (one booking per slot, each
// message sent once, nothing lost when a process dies) checked with real
// processes, a real database and a recorded SMS provider on loopback.
//
// The tests need a PostgreSQL server: KABINET_TEST_POSTGRES holds a DSN of a
// role that may create databases (scripts/pg-test.sh starts a throw-away
// cluster and sets it; .ci/run does the same). Without it they are skipped,
// except in CI, where they fail.

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for the test's own checks
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/postgres"
)

// postgresDSN is the server the tests may create databases on.
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("KABINET_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("KABINET_TEST_POSTGRES is not set in CI: .ci/run starts a PostgreSQL cluster for these tests")
		}
		t.Skip("no PostgreSQL: set KABINET_TEST_POSTGRES, or run scripts/pg-test.sh go test ./examples/server -run Postgres")
	}
	return dsn
}

// freshDatabase creates an empty database for one test and returns its
// DSN; it is dropped at the end.
func freshDatabase(t *testing.T) string {
	t.Helper()
	admin := postgresDSN(t)
	db, err := sql.Open("pgx", admin)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	name := "kabinet_multi_" + randomHex(t, 6)
	_, err = db.ExecContext(t.Context(), "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	require.NoError(t, err, "KABINET_TEST_POSTGRES must be a postgres:// URL")
	u.Path = "/" + name
	return u.String()
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// serverBinary builds the example server once for the package's tests.
var serverBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "kabinet-server-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "kabinet-server")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// smsRecorder is an SMS provider on loopback: the webhook bridge's
// format, every delivery recorded.
type smsRecorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	sent []notify.SMS
}

func newSMSRecorder(t *testing.T) *smsRecorder {
	t.Helper()
	r := &smsRecorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var m notify.SMS
		if err := json.NewDecoder(req.Body).Decode(&m); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.sent = append(r.sent, m)
		n := len(r.sent)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"sms-%d"}`, n)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// to returns the texts delivered to a phone, oldest first.
func (r *smsRecorder) to(phone string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.sent {
		if m.To == phone {
			out = append(out, m.Text)
		}
	}
	return out
}

func (r *smsRecorder) all() []notify.SMS {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notify.SMS(nil), r.sent...)
}

// process is an example server running as a process of its own.
type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	log  *syncBuffer
	done chan struct{}
}

var listeningRE = regexp.MustCompile(`listening on (http://[0-9.]+:[0-9]+)`)

// startProcess runs the built example server with args and env and waits
// until it listens. It is stopped (SIGTERM) at the end of the test.
func startProcess(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	bin, err := serverBinary()
	require.NoError(t, err)
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &process{t: t, cmd: cmd, log: &syncBuffer{}, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p.log, line)
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { _ = cmd.Wait(); close(p.done) }()
	select {
	case p.base = <-found:
	case <-p.done:
		t.Fatalf("the server exited before it listened:\n%s", p.log.String())
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the server did not listen in time:\n%s", p.log.String())
	}
	t.Cleanup(func() { p.stop() })
	return p
}

// stop ends the process with SIGTERM (a graceful drain), or kills it.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// kill ends the process at once, as a power cut would (SIGKILL).
func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// cluster is two instances of the example server on one PostgreSQL
// database, sharing the secret and the SMS provider.
type cluster struct {
	dsn  string
	sms  *smsRecorder
	env  []string
	args []string
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{dsn: freshDatabase(t), sms: newSMSRecorder(t)}
	c.env = []string{
		"KABINET_SECRET=" + randomHex(t, 32),
		"KABINET_SMS_WEBHOOK_URL=" + c.sms.srv.URL,
		"KABINET_LOG_LEVEL=warn",
	}
	return c
}

// start runs one more instance; the first one loads the demo clinic.
func (c *cluster) start(t *testing.T) *process {
	t.Helper()
	return startProcess(t, c.env, "-db", c.dsn, "-data", t.TempDir(), "-log-level", "info")
}

// signInAll signs in a client per phone through the instances in turn,
// reading each code from the SMS provider, and returns their tokens.
func (c *cluster) signInAll(t *testing.T, phones []string, via ...*process) []string {
	t.Helper()
	tokens := make([]string, len(phones))
	for i, phone := range phones {
		base := via[i%len(via)].base
		before := len(c.sms.to(phone))
		var ticket struct {
			ChallengeID string `json:"challenge_id"`
		}
		require.Equal(t, http.StatusAccepted, call(t, http.MethodPost, base+"/api/v1/auth/code", "", map[string]string{"identifier": phone}, &ticket))
		var code string
		require.Eventually(t, func() bool {
			texts := c.sms.to(phone)
			if len(texts) > before {
				code = regexp.MustCompile(`\b\d{6}\b`).FindString(texts[len(texts)-1])
			}
			return code != ""
		}, 20*time.Second, 20*time.Millisecond, "no code for %s", phone)
		// The other instance checks it: codes live in the database.
		other := via[(i+1)%len(via)].base
		var verified struct {
			Token string `json:"token"`
		}
		require.Equal(t, http.StatusOK, call(t, http.MethodPost, other+"/api/v1/auth/verify", "",
			map[string]string{"challenge_id": ticket.ChallengeID, "code": code}, &verified))
		tokens[i] = verified.Token
	}
	return tokens
}

// firstSlot is a free slot of a demo service two days or more ahead.
func firstSlots(t *testing.T, base, serviceID string, n int) []map[string]any {
	t.Helper()
	from := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	to := time.Now().AddDate(0, 0, 30).Format(time.DateOnly)
	var doc struct {
		Slots []map[string]any `json:"slots"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet,
		base+"/api/v1/slots?service_id="+serviceID+"&branch_id=branch-tverskaya&from="+from+"&to="+to, "", nil, &doc))
	require.GreaterOrEqual(t, len(doc.Slots), n)
	return doc.Slots[:n]
}

func phoneOf(i int) string { return fmt.Sprintf("+7912%07d", 1000000+i) }

// 64 clients ask for one slot at once, through two processes: exactly one
// gets it, the others a 409 with alternatives; a sign-in code asked for on
// one instance is checked on the other, and its attempts are counted once
// for both.
func TestPostgresTwoInstancesOneSlot(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a := c.start(t)
	b := c.start(t)

	phones := make([]string, 64)
	for i := range phones {
		phones[i] = phoneOf(i)
	}
	tokens := c.signInAll(t, phones, a, b)
	slot := firstSlots(t, a.base, "svc-peel-almond", 1)[0]
	body := map[string]any{"service_id": "svc-peel-almond", "branch_id": "branch-tverskaya",
		"specialist_id": slot["specialist_id"], "start": slot["start"]}

	var created, taken atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, token := range tokens {
		base := []*process{a, b}[i%2].base
		wg.Go(func() {
			<-start
			var out map[string]any
			switch status := call(t, http.MethodPost, base+"/api/v1/me/appointments", token, body, &out); status {
			case http.StatusCreated:
				created.Add(1)
			case http.StatusConflict:
				taken.Add(1)
			default:
				t.Errorf("status %d: %v", status, out)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), created.Load(), "exactly one booking of the slot")
	assert.Equal(t, int32(63), taken.Load())

	// Wrong codes for one challenge, spread over both instances: five
	// attempts in all, not five per instance.
	var ticket struct {
		ChallengeID string `json:"challenge_id"`
	}
	require.Equal(t, http.StatusAccepted, call(t, http.MethodPost, a.base+"/api/v1/auth/code", "",
		map[string]string{"identifier": phoneOf(500)}, &ticket))
	statuses := map[int]int{}
	for i := range 10 {
		base := []*process{a, b}[i%2].base
		statuses[call(t, http.MethodPost, base+"/api/v1/auth/verify", "",
			map[string]string{"challenge_id": ticket.ChallengeID, "code": "000000"}, nil)]++
	}
	assert.Equal(t, 5, statuses[http.StatusUnauthorized], "five wrong attempts answered as such (%v)", statuses)
	assert.Equal(t, 5, statuses[http.StatusGone], "then the challenge is over on both instances (%v)", statuses)
}

// 1,000 messages queued, two processes dispatching them: each is
// delivered exactly once.
func TestPostgresTwoInstancesSendEachMessageOnce(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	// Queue the messages before the instances start, so both find them
	// due and race for them.
	st, err := postgres.Open(t.Context(), c.dsn)
	require.NoError(t, err)
	defer st.Close()
	const users, perUser = 50, 20
	now := time.Now().UTC()
	var msgs []notify.Message
	for u := range users {
		phone := phoneOf(2000 + u)
		id := fmt.Sprintf("user-%d", u)
		require.NoError(t, st.CreateUser(t.Context(), newClientUser(id, phone, now)))
		for m := range perUser {
			key := fmt.Sprintf("load:%d:%d", u, m)
			msgs = append(msgs, notify.Message{ID: key, Key: key, UserID: id, Category: notify.CategoryAppointments,
				Kind: "test", Channel: notify.ChannelSMS, Locale: "ru", To: phone, Text: "Сообщение " + key,
				CreatedAt: now, DueAt: now})
		}
	}
	n, err := st.EnqueueMessages(t.Context(), msgs)
	require.NoError(t, err)
	require.Equal(t, users*perUser, n)

	c.start(t)
	c.start(t)
	require.Eventually(t, func() bool { return len(c.sms.all()) >= users*perUser }, 120*time.Second, 100*time.Millisecond,
		"delivered %d of %d", len(c.sms.all()), users*perUser)
	time.Sleep(2 * time.Second) // time for a second delivery, were there one
	counts := map[string]int{}
	for _, m := range c.sms.all() {
		if strings.HasPrefix(m.Text, "Сообщение load:") {
			counts[m.Text]++
		}
	}
	assert.Len(t, counts, users*perUser, "every message delivered")
	for text, n := range counts {
		if n != 1 {
			t.Errorf("%q delivered %d times", text, n)
		}
	}
}

// A booking load through two processes; one is killed (SIGKILL) in the
// middle and started again. Every booking answered 201 is in the database,
// none overlaps another, and every booking's confirmation is delivered
// exactly once, the killed process's included.
func TestPostgresInstanceKilledMidLoad(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a := c.start(t)
	b := c.start(t)
	const clients = 24
	phones := make([]string, clients)
	for i := range phones {
		phones[i] = phoneOf(3000 + i)
	}
	tokens := c.signInAll(t, phones, a, b)
	slots := firstSlots(t, a.base, "svc-consultation", 200)

	var (
		mu     sync.Mutex
		booked = map[string]string{} // appointment ID → the phone of its client
	)
	var wg sync.WaitGroup
	var sent atomic.Int32
	for i, token := range tokens {
		wg.Go(func() {
			for j := i; j < len(slots); j += clients {
				base := []*process{a, b}[j%2].base
				body := map[string]any{"service_id": "svc-consultation", "branch_id": "branch-tverskaya",
					"specialist_id": slots[j]["specialist_id"], "start": slots[j]["start"]}
				var out map[string]any
				status, err := tryCall(http.MethodPost, base+"/api/v1/me/appointments", token, body, &out)
				sent.Add(1)
				if err == nil && status == http.StatusCreated {
					mu.Lock()
					booked[out["id"].(string)] = phones[i]
					mu.Unlock()
				}
			}
		})
	}
	// Kill b halfway through.
	require.Eventually(t, func() bool { return sent.Load() >= int32(len(slots)/2) }, 60*time.Second, time.Millisecond)
	b.kill()
	wg.Wait()
	b = c.start(t) // the same database, a fresh process

	// Every 201 is in the database, confirmed, and no two overlap.
	db, err := sql.Open("pgx", c.dsn)
	require.NoError(t, err)
	defer db.Close()
	require.NotEmpty(t, booked)
	for id := range booked {
		var status string
		require.NoError(t, db.QueryRowContext(t.Context(), `SELECT status FROM appointments WHERE id = $1`, id).Scan(&status), id)
		assert.Equal(t, "confirmed", status, id)
	}
	var overlaps int
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT count(*) FROM appointments x JOIN appointments y
		ON x.specialist_id = y.specialist_id AND x.id < y.id AND x.status IN ('pending', 'confirmed')
		AND y.status IN ('pending', 'confirmed') AND x.block_start < y.block_end AND y.block_start < x.block_end`).Scan(&overlaps))
	assert.Zero(t, overlaps)

	// Every appointment in the database — those answered 201 and any whose
	// answer was lost with the process — gets its confirmation exactly once.
	var total int
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT count(*) FROM appointments`).Scan(&total))
	require.GreaterOrEqual(t, total, len(booked))
	t.Logf("%d requests, %d answered 201, %d appointments stored (the rest lost their answer with the process or failed to reach it)",
		sent.Load(), len(booked), total)
	confirmations := func() map[string]int {
		counts := map[string]int{}
		for _, m := range c.sms.all() {
			if slicesContains(phones, m.To) && !regexp.MustCompile(`\b\d{6}\b`).MatchString(m.Text) {
				counts[m.To+"\x00"+m.Text]++
			}
		}
		return counts
	}
	require.Eventually(t, func() bool { return len(confirmations()) >= total }, 120*time.Second, 100*time.Millisecond,
		"confirmations for %d appointments", total)
	time.Sleep(2 * time.Second)
	got := confirmations()
	assert.Len(t, got, total, "one confirmation per appointment")
	for k, n := range got {
		if n != 1 {
			t.Errorf("%q delivered %d times", strings.ReplaceAll(k, "\x00", ": "), n)
		}
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tryCall is call that reports a network error (a killed process) instead
// of failing the test.
func tryCall(method, url, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode, nil
}

// newClientUser is a client account with a phone, made at at.
func newClientUser(id, phone string, at time.Time) auth.User {
	return auth.User{ID: id, Phone: phone, Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: at}
}
