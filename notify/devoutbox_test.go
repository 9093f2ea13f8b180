package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

// stepClock returns a clock that advances one second per call.
func stepClock(start time.Time) func() time.Time {
	var mu sync.Mutex
	now := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func TestDevOutboxKeepsNewestLast(t *testing.T) {
	o := notify.NewDevOutbox(10, stepClock(t0))
	ctx := t.Context()
	require.NoError(t, errOf(o.SendSMS(ctx, notify.SMS{To: "+79123456789", Text: "111111"})))
	require.NoError(t, errOf(o.SendMail(ctx, notify.Mail{To: "a@example.org", Subject: "Code", Text: "222222", HTML: "<b>222222</b>"})))
	require.NoError(t, errOf(o.SendSMS(ctx, notify.SMS{To: "+79123456789", Text: "333333"})))

	got := o.Messages()
	want := []notify.OutboxMessage{
		{ID: "dev-1", Channel: notify.ChannelSMS, To: "+79123456789", Body: "111111", CreatedAt: t0.Add(1 * time.Second)},
		{ID: "dev-2", Channel: notify.ChannelEmail, To: "a@example.org", Subject: "Code", Body: "222222", CreatedAt: t0.Add(2 * time.Second)},
		{ID: "dev-3", Channel: notify.ChannelSMS, To: "+79123456789", Body: "333333", CreatedAt: t0.Add(3 * time.Second)},
	}
	assert.Equal(t, want, got)

	got[0].Body = "changed"
	assert.Equal(t, "111111", o.Messages()[0].Body, "Messages returns a copy")
}

func TestDevOutboxLast(t *testing.T) {
	o := notify.NewDevOutbox(0, stepClock(t0))
	ctx := t.Context()
	require.NoError(t, errOf(o.SendSMS(ctx, notify.SMS{To: "+79123456789", Text: "old"})))
	require.NoError(t, errOf(o.SendMail(ctx, notify.Mail{To: "a@example.org", Text: "mail"})))
	require.NoError(t, errOf(o.SendSMS(ctx, notify.SMS{To: "+79123456789", Text: "new"})))
	require.NoError(t, errOf(o.SendSMS(ctx, notify.SMS{To: "+79000000000", Text: "other"})))

	tests := []struct {
		to       string
		wantOK   bool
		wantBody string
	}{
		{to: "+79123456789", wantOK: true, wantBody: "new"},
		{to: "a@example.org", wantOK: true, wantBody: "mail"},
		{to: "+79000000000", wantOK: true, wantBody: "other"},
		{to: "nobody@example.org", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			m, ok := o.Last(tt.to)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.wantBody, m.Body)
		})
	}
}

func TestDevOutboxCapacity(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		send     int
		wantLen  int
	}{
		{name: "under", capacity: 5, send: 3, wantLen: 3},
		{name: "exactly", capacity: 5, send: 5, wantLen: 5},
		{name: "over", capacity: 5, send: 12, wantLen: 5},
		{name: "one", capacity: 1, send: 3, wantLen: 1},
		{name: "zero means default", capacity: 0, send: notify.DefaultDevOutboxCapacity + 7, wantLen: notify.DefaultDevOutboxCapacity},
		{name: "negative means default", capacity: -1, send: 10, wantLen: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := notify.NewDevOutbox(tt.capacity, nil)
			for i := range tt.send {
				require.NoError(t, errOf(o.SendSMS(t.Context(), notify.SMS{To: "+79123456789", Text: fmt.Sprint(i)})))
			}
			got := o.Messages()
			require.Len(t, got, tt.wantLen)
			for i, m := range got {
				assert.Equal(t, fmt.Sprint(tt.send-tt.wantLen+i), m.Body, "the oldest are dropped, order kept")
			}
			assert.False(t, got[0].CreatedAt.IsZero(), "nil clock means time.Now")
		})
	}
}

func TestDevOutboxConcurrent(t *testing.T) {
	const goroutines, each, capacity = 16, 200, 1000
	o := notify.NewDevOutbox(capacity, nil)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				to := fmt.Sprintf("+7900000%04d", g)
				if i%2 == 0 {
					assert.NoError(t, errOf(o.SendSMS(t.Context(), notify.SMS{To: to, Text: fmt.Sprint(i)})))
				} else {
					assert.NoError(t, errOf(o.SendMail(t.Context(), notify.Mail{To: to, Text: fmt.Sprint(i)})))
				}
				// Readers run alongside the writers.
				_, _ = o.Last(to)
				if i%50 == 0 {
					_ = o.Messages()
				}
			}
		})
	}
	wg.Wait()

	got := o.Messages()
	assert.Len(t, got, capacity)
	for g := range goroutines {
		m, ok := o.Last(fmt.Sprintf("+7900000%04d", g))
		if ok {
			assert.Equal(t, fmt.Sprint(each-1), m.Body, "each sender's last message is its newest")
		}
	}
}

func TestDevOutboxCancelledContext(t *testing.T) {
	o := notify.NewDevOutbox(0, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	assert.ErrorIs(t, errOf(o.SendSMS(ctx, notify.SMS{To: "+79123456789", Text: "x"})), notify.ErrTemporary)
	assert.ErrorIs(t, errOf(o.SendMail(ctx, notify.Mail{To: "a@example.org", Text: "x"})), context.Canceled)
	assert.Empty(t, o.Messages())
}

func TestDevOutboxJSONHandler(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		o := notify.NewDevOutbox(0, stepClock(t0))
		rec := httptest.NewRecorder()
		o.JSONHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))

		assert.Equal(t, http.StatusOK, rec.Code)
		assert.JSONEq(t, `{"messages":[]}`, rec.Body.String())
	})
	t.Run("messages", func(t *testing.T) {
		o := notify.NewDevOutbox(0, stepClock(t0))
		require.NoError(t, errOf(o.SendSMS(t.Context(), notify.SMS{To: "+79123456789", Text: "111111"})))
		require.NoError(t, errOf(o.SendMail(t.Context(), notify.Mail{To: "a@example.org", Subject: "S", Text: "222222"})))
		rec := httptest.NewRecorder()
		o.JSONHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))

		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
		assert.JSONEq(t, `{"messages":[
			{"id":"dev-1","channel":"sms","to":"+79123456789","subject":"","body":"111111","created_at":"2025-03-01T09:00:01Z"},
			{"id":"dev-2","channel":"email","to":"a@example.org","subject":"S","body":"222222","created_at":"2025-03-01T09:00:02Z"}
		]}`, rec.Body.String())

		// Exactly that shape: one key at the top, six in each message.
		var doc map[string][]map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
		assert.Len(t, doc, 1)
		for _, m := range doc["messages"] {
			assert.Len(t, m, 6)
		}
	})
}

func TestDevOutboxHTMLHandler(t *testing.T) {
	o := notify.NewDevOutbox(0, stepClock(t0))
	require.NoError(t, errOf(o.SendMail(t.Context(), notify.Mail{
		To:      `"><script>alert(1)</script>@example.org`,
		Subject: `<script>alert("subject")</script>`,
		Text:    "first <script>alert('body')</script> & more",
	})))
	require.NoError(t, errOf(o.SendSMS(t.Context(), notify.SMS{To: "+79123456789", Text: "second"})))
	rec := httptest.NewRecorder()
	o.HTMLHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))

	body := rec.Body.String()
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'none'")
	assert.NotContains(t, body, "<script", "no script of ours and none of theirs")
	assert.Contains(t, body, "&lt;script&gt;alert(&#34;subject&#34;)&lt;/script&gt;")
	assert.Contains(t, body, "first &lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt; &amp; more")
	assert.NotContains(t, body, "src=", "no external assets")
	assert.NotContains(t, body, "href=", "no external assets")
	assert.Less(t, strings.Index(body, "first"), strings.Index(body, "second"), "newest last")
}

func TestDevOutboxHandlersRefuseOtherMethods(t *testing.T) {
	o := notify.NewDevOutbox(0, nil)
	for name, h := range map[string]http.Handler{"json": o.JSONHandler(), "html": o.HTMLHandler()} {
		for _, method := range []string{http.MethodPost, http.MethodDelete} {
			t.Run(name+" "+method, func(t *testing.T) {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(method, "/", strings.NewReader("{}")))
				assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
				assert.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
			})
		}
		t.Run(name+" HEAD", func(t *testing.T) {
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			resp, err := http.Head(srv.URL)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Empty(t, b)
		})
	}
}

// errOf drops a sender's provider ID, for checks of the error alone.
func errOf(_ string, err error) error { return err }
