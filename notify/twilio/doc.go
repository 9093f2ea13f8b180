// Package twilio sends SMS through Twilio Programmable Messaging as a
// notify.SMSSender.
//
// It owns one call of the REST API, "Create a Message":
//
//	POST {BaseURL}/2010-04-01/Accounts/{AccountSid}/Messages.json
//	Authorization: Basic base64(AccountSid:AuthToken)   (or ApiKeySid:ApiKeySecret)
//	Content-Type: application/x-www-form-urlencoded
//	To=+79123456789&Body=…&From=+15005550006            (or MessagingServiceSid=MG…)
//
// Twilio answers 201 Created with the Message resource as JSON, and SendSMS
// returns its "sid". A failure is an HTTP 4xx or 5xx with
//
//	{"code":21211,"message":"The 'To' number … is not a valid phone number.",
//	 "more_info":"https://www.twilio.com/docs/errors/21211","status":400}
//
// # Promises
//
//   - Every error matches exactly one of notify.ErrPermanent and
//     notify.ErrTemporary, and unwraps to an *APIError (HTTP status and
//     Twilio's code) or a network or context error.
//   - Errors never contain the message text, the auth token, the
//     recipient's number or Twilio's "message" (which repeats the number):
//     only the status, the code and a fixed description of it. The token
//     goes only in the Authorization header, never in the URL, and the
//     request URL (which names the account) is dropped from network errors.
//   - Any 2xx is success, even if its body cannot be read (the SID is then
//     empty): Twilio has the message, and sending it again would send it
//     twice.
//   - A To that is not E.164 and an empty Text fail permanently before any
//     request. The sender holds no goroutines and no global state.
//
// # Error mapping
//
// Codes are from Twilio's Error and Warning Dictionary
// (https://www.twilio.com/docs/api/errors/{code}).
//
//	code   meaning                                              outcome
//	20003  authentication failed (HTTP 401)                     permanent (account)
//	20429  too many requests (HTTP 429); "always safe to retry" temporary
//	21211  invalid To number                                    permanent (number)
//	21408  destination region disabled in Geo Permissions       permanent (account)
//	21604  To number required                                   permanent (request)
//	21606  From not a message-capable number for destination    permanent (sender)
//	21608  To not verified (trial account)                      permanent (account)
//	21610  recipient replied STOP (unsubscribed)                permanent (number)
//	21611  From has over 10 hours of queued messages            temporary (queue)
//	21612  To not reachable via SMS                             permanent (number)
//	21614  To is not a mobile number (landline)                 permanent (number)
//	21659  From not a Twilio number / short code country        permanent (sender)
//	21660  From belongs to another account                      permanent (sender)
//	21661  From not SMS-capable                                 permanent (sender)
//	30001  queue overflow, if ever returned on create           temporary (queue)
//	other  by HTTP status, below
//
// By HTTP status: 408, 429 and 5xx are temporary whatever the code; another
// 4xx (and an unfollowed 3xx) is permanent, since Twilio validates the
// request before queueing it and the same request gets the same answer.
// Network errors, timeouts and a done context are temporary.
//
// 21610 is permanent on purpose: the recipient opted out, and only their
// texting START undoes it. 21408 and 21608 need the operator to change the
// account, so retrying the message cannot help. 21611 and 30001 mean the
// sender's queue is full; the message is fine and can go later. Most
// delivery failures (30003 unreachable handset, 30006 landline or
// unreachable carrier) happen after the message was accepted and reach
// Twilio's status callback, not this call.
package twilio
