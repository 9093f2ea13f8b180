// Package smsru sends SMS through SMS.ru (https://sms.ru), a Russian SMS
// gateway, as a notify.SMSSender.
//
// It owns one call of the HTTP API: POST {BaseURL}/sms/send, form-encoded,
// with api_id, to (the E.164 number without "+"), msg, json=1, and from and
// test=1 when configured. The JSON answer is
//
//	{"status":"OK","status_code":100,
//	 "sms":{"79123456789":{"status":"OK","status_code":100,"sms_id":"000000-10000000"}},
//	 "balance":4122.56}
//
// and SendSMS returns that sms_id. A request-level failure (a wrong api_id,
// say) comes back as {"status":"ERROR","status_code":200,...} with no "sms";
// a failure for the recipient comes back inside "sms" under the number.
// Both use the same status codes, with HTTP 200.
//
// # Promises
//
//   - Every error matches exactly one of notify.ErrPermanent and
//     notify.ErrTemporary, and unwraps to a *StatusError (SMS.ru's code),
//     a *HTTPStatusError, ErrMalformedAnswer, or a network or context
//     error.
//   - Errors never contain the message text, the API key, the recipient's
//     number or SMS.ru's status_text: only the code and a fixed English
//     description of it. The API key travels in the POST body, not the URL.
//   - A To that is not E.164 and an empty Text fail permanently before any
//     request. The sender holds no goroutines and no global state.
//
// # Error mapping
//
// Status codes are from SMS.ru's documentation of sms/send ("Отправить СМС
// сообщение HTTP запросом", sms.ru/api/send, and its list of codes), as
// collected in the specification of the matrizaev/smsru Rust client and the
// code tables of several PHP and JavaScript clients.
//
//	code  meaning                                         outcome
//	100   accepted                                        success, sms_id
//	200   wrong api_id                                    permanent (account)
//	201   insufficient funds                              temporary (see below)
//	202   wrong recipient number or no route              permanent (number)
//	203   no message text                                 permanent (message)
//	204   sender name not approved                        permanent (account)
//	205   message longer than 8 SMS                       permanent (message)
//	206   the account's daily sending limit reached       temporary (limit)
//	207   sending to this number not allowed / no route   permanent (number)
//	208   wrong time parameter                            permanent (request)
//	209   number in the account's stop list               permanent (number)
//	210   GET used instead of POST                        permanent (request)
//	211   method not found                                permanent (request)
//	212   text not in UTF-8                               permanent (request)
//	213   too many recipients                             permanent (request)
//	214   number abroad, account limited to Russia        permanent (number)
//	215   number in SMS.ru's stop list (spam complaint)   permanent (number)
//	216   forbidden word in the text                      permanent (message)
//	217   credit advertisement without required phrase    permanent (message)
//	220   service temporarily unavailable                 temporary
//	221   a letter sender name is required                permanent (account)
//	230   daily message limit to this number              temporary (limit)
//	231   identical messages per minute to this number    temporary (limit)
//	232   identical messages per day to this number       temporary (limit)
//	233   repeated code messages to this number           temporary (limit)
//	300   wrong token                                     permanent (account)
//	301   wrong api_id or login and password              permanent (account)
//	302   account not confirmed                           permanent (account)
//	500   server error, repeat the request                temporary
//	550   destination country blocked                     permanent (number)
//	other unknown code                                    permanent
//
// Account and configuration problems (200, 204, 221, 300–302) are permanent:
// a retry sends the same key and sender and gets the same answer, and the
// operator must fix the configuration. Bad numbers (202, 207, 209, 214, 215,
// 550) and rejected messages are permanent for the same reason.
//
// Insufficient funds (201) is temporary. The balance belongs to the clinic,
// not to the message: once someone tops the account up, the very same
// request succeeds, so the message should wait in the outbox and be retried
// with backoff rather than be dropped. The outbox bounds the retries, so a
// balance left empty still ends in "failed", and the dispatcher's log of
// temporary failures (with this code) is what tells the operator to pay.
// The account's own daily limit (206) is temporary for the same reason.
//
// Beyond the body, HTTP 408, 429 and 5xx, network errors, timeouts and a
// done context are temporary; another non-2xx status (a redirect, a 404
// from a wrong BaseURL) is permanent. An answer that is not the JSON above,
// or has no result for the recipient, is temporary (ErrMalformedAnswer):
// nothing in it says the message left, and SMS.ru does not answer like that
// on purpose.
package smsru
