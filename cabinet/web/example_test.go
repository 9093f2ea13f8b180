package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/kabinet-dev/kabinet/cabinet/web"
)

// The web cabinet mounted under /cabinet/ of a host application's mux, with
// the clinic's name and accent colour. In a real host, cabinet.Config.Web
// does this and puts the JSON API beside it.
func ExampleHandler() {
	pages, err := web.Handler(web.Config{ClinicName: "Клиника Анны", Accent: "#7a1f5c", DefaultLang: "ru"})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/cabinet/", http.StripPrefix("/cabinet", pages))

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/cabinet/book", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(w.Header().Get("X-Frame-Options"))

	_, err = web.Handler(web.Config{Accent: "#ffd700"})
	fmt.Println(err)
	// Output:
	// 200 text/html; charset=utf-8
	// DENY
	// web: Config.Accent #ffd700: white text on it has a contrast of 1.40:1, below the 4.5:1 of WCAG AA; choose a darker colour
}
