package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/notify"
)

// runLeases checks cabinet.Leases and the fenced EnqueueAndAdvance.
func runLeases(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("Leases", func(t *testing.T) { testLeases(t, open) })
	t.Run("LeasesConcurrency", func(t *testing.T) { testLeasesConcurrency(t, open) })
	t.Run("EnqueueAndAdvanceFenced", func(t *testing.T) { testEnqueueFenced(t, open) })
}

func testLeases(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	take := func(name, owner string, at time.Time) bool {
		t.Helper()
		held, err := st.TakeLease(ctx, name, owner, at, time.Minute)
		require.NoError(t, err)
		return held
	}
	assert.True(t, take("plan", "a", t0), "free: taken")
	assert.False(t, take("plan", "b", t0.Add(30*time.Second)), "held by a")
	assert.True(t, take("campaign", "b", t0), "another lease is another matter")
	assert.True(t, take("plan", "a", t0.Add(50*time.Second)), "a renews its own")
	assert.False(t, take("plan", "b", t0.Add(90*time.Second)), "renewed until t0+110s")
	assert.True(t, take("plan", "b", t0.Add(110*time.Second)), "expired: taken over")
	assert.False(t, take("plan", "a", t0.Add(111*time.Second)), "a lost it")

	require.NoError(t, st.ReleaseLease(ctx, "plan", "a"), "not a's: nothing happens")
	assert.False(t, take("plan", "c", t0.Add(112*time.Second)), "still b's")
	require.NoError(t, st.ReleaseLease(ctx, "plan", "b"))
	assert.True(t, take("plan", "c", t0.Add(113*time.Second)), "released: free at once")
	require.NoError(t, st.ReleaseLease(ctx, "nothing", "c"), "releasing a lease nobody holds is fine")

	_, err := st.TakeLease(ctx, "", "a", t0, time.Minute)
	assert.Error(t, err)
	_, err = st.TakeLease(ctx, "x", "", t0, time.Minute)
	assert.Error(t, err)
	_, err = st.TakeLease(ctx, "x", "a", t0, 0)
	assert.Error(t, err)
}

// Of many owners taking one lease at once, exactly one gets it.
func testLeasesConcurrency(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	const n = 32
	held := make([]bool, n)
	errs := parallel(n, func(i int) error {
		var err error
		held[i], err = st.TakeLease(ctx, "plan", fmt.Sprint("owner-", i), t0, time.Minute)
		return err
	})
	winners := 0
	for i, err := range errs {
		require.NoError(t, err, "call %d", i)
		if held[i] {
			winners++
		}
	}
	assert.Equal(t, 1, winners)
}

// With an owner, EnqueueAndAdvance writes only under the consumer's lease.
func testEnqueueFenced(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	cursor := func() int64 {
		t.Helper()
		seq, err := st.Cursor(ctx, "planner")
		require.NoError(t, err)
		return seq
	}
	_, err := st.EnqueueAndAdvance(ctx, []notify.Message{message("f-1", t0)}, "planner", "a", 3, t0)
	require.ErrorIs(t, err, notify.ErrLeaseLost, "no lease at all")
	assert.Zero(t, cursor())
	_, err = st.MessageByKey(ctx, message("f-1", t0).Key)
	assert.ErrorIs(t, err, notify.ErrNotFound, "nothing queued")

	held, err := st.TakeLease(ctx, "planner", "a", t0, time.Minute)
	require.NoError(t, err)
	require.True(t, held)
	n, err := st.EnqueueAndAdvance(ctx, []notify.Message{message("f-1", t0)}, "planner", "a", 3, t0.Add(time.Second))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, int64(3), cursor())

	_, err = st.EnqueueAndAdvance(ctx, []notify.Message{message("f-2", t0)}, "planner", "b", 4, t0.Add(2*time.Second))
	require.ErrorIs(t, err, notify.ErrLeaseLost, "b does not hold it")
	// a paused past its lease and b took over: a's late write is refused.
	held, err = st.TakeLease(ctx, "planner", "b", t0.Add(2*time.Minute), time.Minute)
	require.NoError(t, err)
	require.True(t, held)
	_, err = st.EnqueueAndAdvance(ctx, []notify.Message{message("f-3", t0)}, "planner", "a", 9, t0.Add(2*time.Minute))
	require.ErrorIs(t, err, notify.ErrLeaseLost)
	assert.Equal(t, int64(3), cursor(), "the cursor stays where the holder left it")
	_, err = st.MessageByKey(ctx, message("f-3", t0).Key)
	assert.ErrorIs(t, err, notify.ErrNotFound)

	// Withdrawals too: only the holder's.
	ref := message("f-1", t0).Ref
	require.NotEmpty(t, ref)
	_, err = st.WithdrawUnderLease(ctx, ref, nil, "moved", "planner", "a", t0.Add(2*time.Minute))
	require.ErrorIs(t, err, notify.ErrLeaseLost)
	m, err := st.MessageByKey(ctx, message("f-1", t0).Key)
	require.NoError(t, err)
	assert.Equal(t, notify.StatusPending, m.Status, "not withdrawn by the process that lost its turn")
	n, err = st.WithdrawUnderLease(ctx, ref, nil, "moved", "planner", "b", t0.Add(2*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	m, err = st.MessageByKey(ctx, message("f-1", t0).Key)
	require.NoError(t, err)
	assert.Equal(t, notify.StatusWithdrawn, m.Status)
	_, err = st.WithdrawUnderLease(ctx, ref, nil, "moved", "", "b", t0)
	assert.Error(t, err, "a consumer is required")
}
