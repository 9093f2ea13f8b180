package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func testAudit(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("RetentionDeletesOnlyOlder", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		for i, at := range []time.Time{t0, t0.Add(time.Hour), t0.Add(2 * time.Hour)} {
			require.NoError(t, st.AppendAudit(ctx, auth.AuditEntry{ID: fmt.Sprintf("r%d", i), At: at, Action: auth.ActionSignIn}))
		}
		n, err := st.DeleteAuditBefore(ctx, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		left, err := st.ListAudit(ctx, auth.AuditFilter{})
		require.NoError(t, err)
		require.Len(t, left, 2)
		assert.Equal(t, "r1", left[1].ID, "an entry exactly at t stays")
	})

	t.Run("ListFiltersNewestFirst", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		// Appended out of time order, to show the order comes from At.
		entries := []auth.AuditEntry{
			{ID: "e2", At: t0.Add(2 * time.Minute), ActorID: "u1", Action: auth.ActionLogout, Subject: "s1", IP: "192.0.2.1"},
			{ID: "e1", At: t0.Add(time.Minute), ActorID: "u1", Action: auth.ActionSignIn, Subject: "u1", IP: "192.0.2.1",
				Detail: "sms +7912*****89"},
			{ID: "e3", At: t0.Add(3 * time.Minute), Action: auth.ActionRateLimited, Subject: "ch1", IP: "192.0.2.9",
				Detail: "limit=resend"},
			{ID: "e4", At: t0.Add(4 * time.Minute), ActorID: "admin", Action: auth.ActionRolesChanged, Subject: "u1",
				IP: "192.0.2.2", Detail: "roles=client,specialist"},
			{ID: "e0", At: t0, ActorID: "u1", Action: auth.ActionSignIn, Subject: "u1", IP: "192.0.2.1"},
		}
		for _, e := range entries {
			require.NoError(t, st.AppendAudit(ctx, e))
		}
		byID := map[string]auth.AuditEntry{}
		for _, e := range entries {
			byID[e.ID] = e
		}

		tests := []struct {
			name   string
			filter auth.AuditFilter
			want   []string
		}{
			{name: "all", want: []string{"e4", "e3", "e2", "e1", "e0"}},
			{name: "actor", filter: auth.AuditFilter{ActorID: "u1"}, want: []string{"e2", "e1", "e0"}},
			{name: "subject", filter: auth.AuditFilter{Subject: "u1"}, want: []string{"e4", "e1", "e0"}},
			{name: "action", filter: auth.AuditFilter{Action: auth.ActionSignIn}, want: []string{"e1", "e0"}},
			{name: "since is inclusive", filter: auth.AuditFilter{Since: t0.Add(2 * time.Minute)}, want: []string{"e4", "e3", "e2"}},
			{name: "limit", filter: auth.AuditFilter{Limit: 2}, want: []string{"e4", "e3"}},
			{name: "combined", filter: auth.AuditFilter{ActorID: "u1", Action: auth.ActionSignIn, Since: t0.Add(time.Second)},
				want: []string{"e1"}},
			{name: "no match", filter: auth.AuditFilter{ActorID: "nobody"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.ListAudit(ctx, tt.filter)
				require.NoError(t, err)
				var want []auth.AuditEntry
				for _, id := range tt.want {
					want = append(want, byID[id])
				}
				if len(want) == 0 {
					assert.Empty(t, got)
					return
				}
				assert.Equal(t, want, got)
			})
		}
	})

	t.Run("DefaultLimit", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		for i := range 105 {
			require.NoError(t, st.AppendAudit(ctx, auth.AuditEntry{
				ID: fmt.Sprint("e", i), At: t0.Add(time.Duration(i) * time.Second), Action: auth.ActionSignIn,
			}))
		}
		got, err := st.ListAudit(ctx, auth.AuditFilter{})
		require.NoError(t, err)
		require.Len(t, got, 100)
		assert.Equal(t, "e104", got[0].ID)
		assert.Equal(t, "e5", got[99].ID)

		got, err = st.ListAudit(ctx, auth.AuditFilter{Limit: 1000})
		require.NoError(t, err)
		assert.Len(t, got, 105)
	})
}
