package notify

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DefaultDevOutboxCapacity is the capacity of a DevOutbox made with a
// capacity of zero or less.
const DefaultDevOutboxCapacity = 1000

// OutboxMessage is one message kept by a DevOutbox.
type OutboxMessage struct {
	ID      string  `json:"id"`
	Channel Channel `json:"channel"`
	To      string  `json:"to"`
	Subject string  `json:"subject"`
	Body    string  `json:"body"`
	// Attachments are the names of an e-mail's attachments.
	Attachments []string  `json:"attachments,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// DevOutbox is a sender for development and tests: nothing is sent, each
// message is kept in memory, newest last, and the oldest are dropped past
// the capacity. It implements SMSSender, MailSender and PushSender, never fails except
// for a done context, and is safe for concurrent use.
//
// It holds sign-in codes in clear text and its handlers show them to
// anyone who can reach them: mount them only in development builds.
type DevOutbox struct {
	now      func() time.Time
	capacity int

	mu   sync.Mutex
	msgs []OutboxMessage
	seq  int64
}

var (
	_ SMSSender  = (*DevOutbox)(nil)
	_ MailSender = (*DevOutbox)(nil)
	_ PushSender = (*DevOutbox)(nil)
)

// NewDevOutbox returns an empty outbox keeping at most capacity messages
// (DefaultDevOutboxCapacity when capacity <= 0), stamped with now (time.Now
// when nil).
func NewDevOutbox(capacity int, now func() time.Time) *DevOutbox {
	if capacity <= 0 {
		capacity = DefaultDevOutboxCapacity
	}
	if now == nil {
		now = time.Now
	}
	return &DevOutbox{now: now, capacity: capacity}
}

// SendSMS keeps m and returns its ID in the outbox.
func (o *DevOutbox) SendSMS(ctx context.Context, m SMS) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", temporary(err)
	}
	return o.add(OutboxMessage{Channel: ChannelSMS, To: m.To, Body: m.Text}), nil
}

// SendMail keeps m; Body is its text part and Attachments the names of its
// attachments (their bytes and the HTML part are not kept).
func (o *DevOutbox) SendMail(ctx context.Context, m Mail) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", temporary(err)
	}
	var names []string
	for _, a := range m.Attachments {
		names = append(names, a.Name)
	}
	return o.add(OutboxMessage{Channel: ChannelEmail, To: m.To, Subject: m.Subject, Body: m.Text, Attachments: names}), nil
}

// SendPush keeps p; To is the subscription's ID, Subject the title and Body
// the body.
func (o *DevOutbox) SendPush(ctx context.Context, p Push) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", temporary(err)
	}
	return o.add(OutboxMessage{Channel: ChannelPush, To: p.Subscription.ID, Subject: p.Title, Body: p.Body}), nil
}

func (o *DevOutbox) add(m OutboxMessage) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	m.ID = "dev-" + strconv.FormatInt(o.seq, 10)
	m.CreatedAt = o.now()
	if len(o.msgs) >= o.capacity {
		// Shift down in place instead of re-slicing, so the backing
		// array does not grow without bound.
		n := copy(o.msgs, o.msgs[len(o.msgs)-o.capacity+1:])
		clear(o.msgs[n:])
		o.msgs = o.msgs[:n]
	}
	o.msgs = append(o.msgs, m)
	return m.ID
}

// Messages returns a copy of the kept messages, newest last.
func (o *DevOutbox) Messages() []OutboxMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]OutboxMessage, len(o.msgs))
	copy(out, o.msgs)
	return out
}

// Last returns the newest message sent to the address to, compared
// exactly.
func (o *DevOutbox) Last(to string) (OutboxMessage, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.msgs) - 1; i >= 0; i-- {
		if o.msgs[i].To == to {
			return o.msgs[i], true
		}
	}
	return OutboxMessage{}, false
}

// devOutboxJSON is the document JSONHandler writes.
type devOutboxJSON struct {
	Messages []OutboxMessage `json:"messages"`
}

// JSONHandler serves GET (and HEAD) with {"messages":[…]}, newest last,
// and Cache-Control: no-store. Other methods get 405.
func (o *DevOutbox) JSONHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowGet(w, r) {
			return
		}
		body, err := json.Marshal(devOutboxJSON{Messages: o.Messages()})
		if err != nil {
			http.Error(w, "encoding failed", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(append(body, '\n'))
	})
}

// devOutboxPage is the HTML page: html/template escapes every field.
var devOutboxPage = template.Must(template.New("outbox").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev outbox</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}
pre{margin:0;white-space:pre-wrap;font-family:ui-monospace,monospace}
</style>
</head>
<body>
<h1>Dev outbox</h1>
<p>Nothing here was sent. {{len .}} message(s), newest last.</p>
{{- if .}}
<table>
<thead><tr><th>Time (UTC)</th><th>Channel</th><th>To</th><th>Subject</th><th>Body</th></tr></thead>
<tbody>
{{- range .}}
<tr><td>{{.CreatedAt.UTC.Format "2006-01-02 15:04:05"}}</td><td>{{.Channel}}</td><td>{{.To}}</td><td>{{.Subject}}</td><td><pre>{{.Body}}</pre></td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
</body>
</html>
`))

// HTMLHandler serves GET (and HEAD) with a small page listing the messages,
// newest last. Every field is escaped; the page has no script and loads
// nothing, and its Content-Security-Policy says so.
func (o *DevOutbox) HTMLHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowGet(w, r) {
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy",
			"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		// An error here is a write to a gone client; the status is sent.
		_ = devOutboxPage.Execute(w, o.Messages())
	})
}

func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}
