package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A client signs in with the code from the dev outbox and lands on home;
// a wrong code says so.
func TestWebSignIn(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)

	p.open("")
	p.waitReady("signin")
	assert.Contains(t, p.text("h1"), "Вход")
	p.noSidewaysScroll()
	p.shots("sign-in")

	// A wrong code first: the page says so, and the right one still works.
	before := p.askCode("+7 912 345-67-89", "+79123456789")
	assert.Contains(t, p.text("form.signin"), "+7 912 345-67-89")
	p.expect("POST /api/v1/auth/verify", http.StatusUnauthorized)
	p.fill(`input[name=code]`, "000000")
	p.waitVisible(`.field-error:not([hidden])`)
	assert.Contains(t, p.text(".field-error:not([hidden])"), "Неверный")
	p.shots("sign-in-code")

	p.enterCode("+79123456789", before)
	p.waitReady("home")
	p.noSidewaysScroll()
}
