package notify_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// instant is a provider that accepts everything at once.
type instant struct{}

func (instant) SendSMS(context.Context, notify.SMS) (string, error)   { return "ok", nil }
func (instant) SendMail(context.Context, notify.Mail) (string, error) { return "ok", nil }

// BenchmarkDispatch measures the outbox's own cost per message: claim under
// a lease, hand to an instant provider, record the outcome — on the SQLite
// store at synchronous=FULL, with the default 8 workers and batches of 100.
// One op is one message delivered; msgs/s is reported beside ns/op.
//
//	go test -run '^$' -bench Dispatch -benchmem -count 5 ./notify/
func BenchmarkDispatch(b *testing.B) {
	st, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	n, err := notify.New(notify.Config{Store: st, Contacts: contacts, SMS: instant{}, Mail: instant{},
		Now: func() time.Time { return now }})
	require.NoError(b, err)

	// Queue b.N messages first, in chunks, outside the timer.
	const chunk = 1000
	for i := 0; i < b.N; i += chunk {
		msgs := make([]notify.Message, 0, chunk)
		for j := i; j < min(i+chunk, b.N); j++ {
			msgs = append(msgs, notify.Message{
				ID: fmt.Sprint("m-", j), Key: fmt.Sprint("k-", j), UserID: "anna", Category: notify.CategoryReminders,
				Kind: notify.KindReminder, Channel: notify.ChannelSMS, Locale: "ru", To: "+79123456789",
				Text: "Напоминаем: завтра в 12:00 пилинг. Клиника", Status: notify.StatusPending,
				DueAt: now, CreatedAt: now, UpdatedAt: now,
			})
		}
		_, err := st.EnqueueMessages(b.Context(), msgs)
		require.NoError(b, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	sent := 0
	for sent < b.N {
		done, err := n.DispatchOnce(b.Context())
		if err != nil || done == 0 {
			b.Fatalf("dispatch stalled at %d of %d: %v", sent, b.N, err)
		}
		sent += done
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
