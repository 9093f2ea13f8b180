package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func testRate(t *testing.T, open func(t *testing.T) cabinet.Store) {
	hour := auth.RateLimit{Name: "identifier_hour", Key: "code:id:+79123456789", Window: time.Hour, Max: 3}

	t.Run("TakeUpToMax", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		for i := range 3 {
			require.NoError(t, st.TakeRate(ctx, t0.Add(time.Duration(i)*time.Minute), hour), "event %d", i)
		}
		err := st.TakeRate(ctx, t0.Add(3*time.Minute), hour)
		require.ErrorIs(t, err, auth.ErrRateLimited)
		var rl *auth.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Equal(t, "identifier_hour", rl.Limit)
		// The oldest event (10:00) leaves the window at 11:00: 57 minutes on.
		assert.Equal(t, 57*time.Minute, rl.RetryAfter)

		other := hour
		other.Key = "code:id:+79123456780"
		require.NoError(t, st.TakeRate(ctx, t0.Add(3*time.Minute), other), "keys are independent")
	})

	t.Run("RetryAfter", func(t *testing.T) {
		t.Parallel()
		// Events at 10:00:00, 10:00:10 and 10:00:20 under one key.
		tests := []struct {
			name  string
			max   int
			now   time.Time
			want  time.Duration
			allow bool
		}{
			{name: "whole seconds", max: 3, now: t0.Add(30 * time.Second), want: 30 * time.Second},
			{name: "rounded up", max: 3, now: t0.Add(30*time.Second + 200*time.Millisecond), want: 30 * time.Second},
			{name: "rounded up past a second", max: 3, now: t0.Add(29*time.Second + 200*time.Millisecond), want: 31 * time.Second},
			{name: "at least a second", max: 3, now: t0.Add(59*time.Second + 500*time.Millisecond), want: time.Second},
			{name: "the event whose leaving frees a slot", max: 2, now: t0.Add(30 * time.Second), want: 40 * time.Second},
			{name: "more events than max", max: 1, now: t0.Add(30 * time.Second), want: 50 * time.Second},
			{name: "oldest has left at window end", max: 3, now: t0.Add(time.Minute), allow: true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				st, ctx := open(t), t.Context()
				for i := range 3 {
					require.NoError(t, st.RecordRate(ctx, t0.Add(time.Duration(i)*10*time.Second), "k"))
				}
				limit := auth.RateLimit{Name: "l", Key: "k", Window: time.Minute, Max: tt.max}
				for _, f := range []func() error{
					func() error { return st.CheckRate(ctx, tt.now, limit) },
					func() error { return st.TakeRate(ctx, tt.now, limit) },
				} {
					err := f()
					if tt.allow {
						require.NoError(t, err)
						continue
					}
					var rl *auth.RateLimitError
					require.ErrorAs(t, err, &rl)
					assert.Equal(t, tt.want, rl.RetryAfter)
				}
			})
		}
	})

	t.Run("WindowSlides", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		l := auth.RateLimit{Name: "resend", Key: "resend:+79123456789", Window: time.Minute, Max: 2}
		require.NoError(t, st.TakeRate(ctx, t0, l))
		require.NoError(t, st.TakeRate(ctx, t0.Add(30*time.Second), l))
		require.ErrorIs(t, st.TakeRate(ctx, t0.Add(59*time.Second), l), auth.ErrRateLimited)
		// The window is (now−Window, now]: the 10:00:00 event has left at 10:01:00.
		require.NoError(t, st.TakeRate(ctx, t0.Add(time.Minute), l))
		require.ErrorIs(t, st.TakeRate(ctx, t0.Add(89*time.Second), l), auth.ErrRateLimited)
		require.NoError(t, st.TakeRate(ctx, t0.Add(90*time.Second), l))
	})

	t.Run("AllOrNothing", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		loose := auth.RateLimit{Name: "ip_hour", Key: "code:ip:192.0.2.1", Window: time.Hour, Max: 10}
		tight := auth.RateLimit{Name: "resend", Key: "code:resend:+79123456789", Window: time.Minute, Max: 1}
		require.NoError(t, st.TakeRate(ctx, t0, loose, tight))

		for i := range 3 {
			err := st.TakeRate(ctx, t0.Add(time.Duration(i+1)*time.Second), loose, tight)
			var rl *auth.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Equal(t, "resend", rl.Limit)
		}
		// The refused calls recorded nothing under the loose key: one event.
		probe := loose
		probe.Max = 2
		require.NoError(t, st.CheckRate(ctx, t0.Add(10*time.Second), probe))
		probe.Max = 1
		require.ErrorIs(t, st.CheckRate(ctx, t0.Add(10*time.Second), probe), auth.ErrRateLimited)
	})

	t.Run("FirstExhaustedIsNamed", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		a := auth.RateLimit{Name: "a", Key: "ka", Window: time.Hour, Max: 1}
		b := auth.RateLimit{Name: "b", Key: "kb", Window: time.Hour, Max: 1}
		c := auth.RateLimit{Name: "c", Key: "kc", Window: time.Hour, Max: 5}
		require.NoError(t, st.TakeRate(ctx, t0, a, b))
		for _, tt := range []struct {
			limits []auth.RateLimit
			want   string
		}{
			{[]auth.RateLimit{a, b, c}, "a"},
			{[]auth.RateLimit{c, b, a}, "b"},
		} {
			err := st.TakeRate(ctx, t0.Add(time.Minute), tt.limits...)
			var rl *auth.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Equal(t, tt.want, rl.Limit)
		}
	})

	t.Run("SharedKeyCountsOnce", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		// An hourly and a daily cap on one key: one request is one event.
		h := auth.RateLimit{Name: "hour", Key: "k", Window: time.Hour, Max: 5}
		d := auth.RateLimit{Name: "day", Key: "k", Window: 24 * time.Hour, Max: 10}
		require.NoError(t, st.TakeRate(ctx, t0, h, d))
		require.NoError(t, st.RecordRate(ctx, t0, "k2", "k2"))
		for _, key := range []string{"k", "k2"} {
			probe := auth.RateLimit{Name: "probe", Key: key, Window: time.Hour, Max: 2}
			require.NoError(t, st.CheckRate(ctx, t0, probe), key)
		}
	})

	t.Run("ParallelTakeNeverExceedsMax", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		l := auth.RateLimit{Name: "sms_budget", Key: "sms:global", Window: time.Hour, Max: 10}
		errs := parallel(100, func(int) error { return st.TakeRate(ctx, t0, l) })
		ok := 0
		for i, err := range errs {
			var rl *auth.RateLimitError
			switch {
			case err == nil:
				ok++
			case !errors.As(err, &rl):
				t.Errorf("take %d: unexpected error %v", i, err)
			}
		}
		assert.Equal(t, 10, ok)
	})

	t.Run("CheckDoesNotRecord", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		l := auth.RateLimit{Name: "l", Key: "k", Window: time.Hour, Max: 1}
		for range 5 {
			require.NoError(t, st.CheckRate(ctx, t0, l))
		}
		require.NoError(t, st.TakeRate(ctx, t0, l))
		require.ErrorIs(t, st.CheckRate(ctx, t0, l), auth.ErrRateLimited)
	})

	t.Run("RecordDoesNotCheck", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		l := auth.RateLimit{Name: "verify_failed", Key: "k1", Window: time.Hour, Max: 3}
		for i := range 5 {
			require.NoError(t, st.RecordRate(ctx, t0.Add(time.Duration(i)*time.Second), "k1", "k2"))
		}
		require.ErrorIs(t, st.CheckRate(ctx, t0.Add(time.Minute), l), auth.ErrRateLimited)
		l.Key, l.Max = "k2", 5
		require.ErrorIs(t, st.CheckRate(ctx, t0.Add(time.Minute), l), auth.ErrRateLimited, "every key is recorded")
		l.Max = 6
		require.NoError(t, st.CheckRate(ctx, t0.Add(time.Minute), l))
	})

	t.Run("DeleteRateEventsBefore", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		for i := range 3 {
			require.NoError(t, st.RecordRate(ctx, t0.Add(time.Duration(i)*time.Minute), "k"))
		}
		n, err := st.DeleteRateEventsBefore(ctx, t0.Add(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, 1, n, "only the event strictly before 10:01")

		l := auth.RateLimit{Name: "l", Key: "k", Window: time.Hour, Max: 3}
		require.NoError(t, st.CheckRate(ctx, t0.Add(3*time.Minute), l), "two events left")
		l.Max = 2
		require.ErrorIs(t, st.CheckRate(ctx, t0.Add(3*time.Minute), l), auth.ErrRateLimited)
	})
}
