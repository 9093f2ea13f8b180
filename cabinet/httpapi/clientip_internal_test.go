package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClientIP(t *testing.T) {
	proxy := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct {
		name    string
		proxies []netip.Prefix
		remote  string
		xff     string
		want    string
	}{
		{"direct peer", nil, "203.0.113.7:5555", "", "203.0.113.7"},
		{"spoofed header from an untrusted peer", nil, "203.0.113.7:5555", "198.51.100.1", "203.0.113.7"},
		{"trusted proxy", proxy, "10.0.0.2:5555", "198.51.100.1", "198.51.100.1"},
		{"rightmost untrusted hop", proxy, "10.0.0.2:5555", "1.1.1.1, 198.51.100.1, 10.0.0.9", "198.51.100.1"},
		{"hop with a port", proxy, "10.0.0.2:5555", "198.51.100.7:4711", "198.51.100.7"},
		{"IPv6 hop with a port", proxy, "10.0.0.2:5555", "[2001:db8::7]:443", "2001:db8::7"},
		{"garbage hop stops the walk", proxy, "10.0.0.2:5555", "198.51.100.1, nonsense", "10.0.0.2"},
		{"IPv4-mapped peer", nil, "[::ffff:203.0.113.7]:5555", "", "203.0.113.7"},
		{"unix socket peer is a local proxy", nil, "@", "198.51.100.1", "198.51.100.1"},
		{"unix socket peer, no header", nil, "@", "", "unknown"},
		{"no peer at all", nil, "", "", "unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &server{proxies: tc.proxies}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			assert.Equal(t, tc.want, s.clientIP(r))
		})
	}
}
