package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkRawCommit is the floor every write stands on: one tiny INSERT in
// its own BEGIN IMMEDIATE transaction on the writer, at the default
// synchronous=FULL (one fsync a commit). docs/performance.md puts the sign-in
// figures beside it.
func BenchmarkRawCommit(b *testing.B) {
	st, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	_, err = st.writer.ExecContext(b.Context(), `CREATE TABLE bench (n INTEGER)`)
	require.NoError(b, err)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tx, err := st.beginWrite(b.Context())
		require.NoError(b, err)
		_, err = tx.ExecContext(b.Context(), `INSERT INTO bench (n) VALUES (?)`, i)
		require.NoError(b, err)
		require.NoError(b, commit(tx))
	}
}

// BenchmarkRawRead is one indexed single-row SELECT through the read pool,
// the floor under Authenticate.
func BenchmarkRawRead(b *testing.B) {
	st, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	_, err = st.writer.ExecContext(b.Context(), `CREATE TABLE bench (k BLOB PRIMARY KEY, v TEXT)`)
	require.NoError(b, err)
	_, err = st.writer.ExecContext(b.Context(), `INSERT INTO bench VALUES (x'01', 'v')`)
	require.NoError(b, err)
	stmt, err := st.reader.PrepareContext(b.Context(), `SELECT v FROM bench WHERE k = ?`)
	require.NoError(b, err)
	b.Cleanup(func() { _ = stmt.Close() })
	b.ReportAllocs()
	for b.Loop() {
		var v string
		require.NoError(b, stmt.QueryRowContext(b.Context(), []byte{1}).Scan(&v))
	}
}
