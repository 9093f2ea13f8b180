package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "kabinet-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	// Open creates the file and applies the migrations; the store is then
	// passed to cabinet.New as Config.Store.
	st, err := sqlite.Open(ctx, filepath.Join(dir, "clinic.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	err = st.CreateUser(ctx, auth.User{
		ID: "u1", Phone: "+79123456789", Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: now,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = st.CreateUser(ctx, auth.User{ID: "u2", Phone: "+79123456789", CreatedAt: now})
	fmt.Println(err)

	u, err := st.UserByIdentifier(ctx, auth.Identifier{Channel: auth.ChannelSMS, Value: "+79123456789"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.ID, u.Roles, u.CreatedAt)
	// Output:
	// auth: identifier already in use
	// u1 [client] 2026-11-25 10:00:00 +0000 UTC
}

func ExampleStore_Backup() {
	dir, err := os.MkdirTemp("", "kabinet-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	st, err := sqlite.Open(ctx, filepath.Join(dir, "clinic.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	if err := st.CreateUser(ctx, auth.User{ID: "u1", CreatedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}); err != nil {
		fmt.Println(err)
		return
	}

	// A consistent copy while the store stays in use; restoring is opening it.
	backup := filepath.Join(dir, "clinic-backup.db")
	if err := st.Backup(ctx, backup); err != nil {
		fmt.Println(err)
		return
	}
	restored, err := sqlite.Open(ctx, backup)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer restored.Close()
	u, err := restored.UserByID(ctx, "u1")
	fmt.Println(u.ID, err)
	// Output: u1 <nil>
}
