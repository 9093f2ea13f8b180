package main

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// The numbers are only checked to be there: timing belongs to the command's
// real runs, not to tests.

func TestLoadFunctions(t *testing.T) {
	t.Parallel()
	tb, err := startTestbed(t.Context(), filepath.Join(t.TempDir(), "load.db"), sqlite.SynchronousFull)
	require.NoError(t, err)
	t.Cleanup(tb.close)
	client := newClient(4)
	t.Cleanup(client.CloseIdleConnections)
	const limit = time.Minute // a safety net; the counts end each run

	bare := loadBare(t.Context(), client, tb.bareURL, 4, limit, 200)
	assert.Equal(t, 200, bare.Requests)
	assert.Zero(t, bare.Errors, bare.FirstError)
	assert.Positive(t, bare.PerSecond)
	assert.Positive(t, bare.P99ms)

	signIns, tokens := loadSignIns(t.Context(), client, tb, 4, limit, 20)
	require.Zero(t, signIns.Errors, signIns.FirstError)
	assert.Equal(t, 20, signIns.Requests)
	assert.Len(t, tokens, 20)
	assert.Positive(t, signIns.PerSecond)
	assert.GreaterOrEqual(t, signIns.P99ms, signIns.P50ms)

	me := loadMe(t.Context(), client, tb.apiURL, tokens, 4, limit, 200)
	assert.Equal(t, 200, me.Requests)
	assert.Zero(t, me.Errors, me.FirstError)
	assert.Positive(t, me.PerSecond)

	t.Run("a bad token counts as an error", func(t *testing.T) {
		bad := loadMe(t.Context(), client, tb.apiURL, []string{"not-a-token"}, 2, limit, 10)
		assert.Zero(t, bad.Requests)
		assert.Equal(t, 10, bad.Errors)
		assert.Contains(t, bad.FirstError, "401")
	})
}

func TestCommand(t *testing.T) {
	t.Parallel()
	args := []string{"-duration", "200ms", "-concurrency", "4", "-signins", "20"}

	var out bytes.Buffer
	require.NoError(t, run(t.Context(), append(args, "-json"), &out, io.Discard))
	var rep report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	assert.Equal(t, "go run ./examples/loadtest -duration 200ms -concurrency 4 -signins 20 -json", rep.Command)
	for _, r := range []result{rep.Bare, rep.SignIn, rep.Me} {
		assert.Positive(t, r.Requests, r.Name)
		assert.Zero(t, r.Errors, "%s: %s", r.Name, r.FirstError)
		assert.Positive(t, r.PerSecond, r.Name)
	}
	assert.LessOrEqual(t, rep.SignIn.Requests, 20)
	assert.Positive(t, rep.MeVsBare)
	assert.Positive(t, rep.SignInVsBare)

	out.Reset()
	require.NoError(t, run(t.Context(), args, &out, io.Discard))
	for _, want := range []string{"$ go run ./examples/loadtest -duration 200ms", "bare net/http handler", "sign-in (code + verify)", "GET /api/v1/me", "target:"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	o, err := parseOptions(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{duration: 10 * time.Second, concurrency: 32, signins: 2000, synchronous: "full"}, o)
	for _, args := range [][]string{
		{"-duration", "0s"}, {"-concurrency", "0"}, {"-signins", "-1"}, {"-synchronous", "off"}, {"extra"},
	} {
		_, err := parseOptions(args, io.Discard)
		assert.Error(t, err, args)
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	assert.Equal(t, 50*time.Millisecond, percentile(d, 0.50))
	assert.Equal(t, 99*time.Millisecond, percentile(d, 0.99))
	assert.Equal(t, time.Millisecond, percentile(d[:1], 0.99))
	assert.Zero(t, percentile(nil, 0.5))
}
