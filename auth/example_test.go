package auth_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// printSender stands in for the SMS and mail providers: it prints where a code
// goes, never the code, and keeps the code for the example to type in.
type printSender struct{ last string }

func (s *printSender) SendCode(_ context.Context, m auth.CodeMessage) error {
	fmt.Println("code sent by", m.Identifier.Channel, "to", m.Identifier.Masked())
	s.last = m.Code
	return nil
}

func ExampleService() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "kabinet-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := sqlite.Open(ctx, filepath.Join(dir, "kabinet.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	sender := &printSender{}
	svc, err := auth.New(auth.Config{
		Store:  store,
		Sender: sender,
		Secret: []byte("a secret of at least 32 bytes, from the environment"),
	})
	if err != nil {
		log.Fatal(err)
	}

	ticket, err := svc.RequestCode(ctx, auth.CodeRequest{Identifier: "8 (912) 345-67-89", IP: "203.0.113.7"})
	if err != nil {
		log.Fatal(err)
	}
	signIn, err := svc.Verify(ctx, auth.VerifyRequest{ChallengeID: ticket.ChallengeID, Code: sender.last, IP: "203.0.113.7"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("new user:", signIn.NewUser, "roles:", signIn.User.Roles)

	who, err := svc.Authenticate(ctx, signIn.Token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as", who.User.Phone)
	// Output:
	// code sent by sms to +7912*****89
	// new user: true roles: [client]
	// signed in as +79123456789
}
