package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
)

// Errors of the HTTP layer itself (malformed requests, routing).
var (
	errMalformedJSON  = errors.New("httpapi: malformed JSON")
	errWrongType      = errors.New("httpapi: wrong JSON type")
	errMalformedParam = errors.New("httpapi: malformed parameter")
	errUnknownField   = errors.New("httpapi: unknown field")
	errBodyTooLarge   = errors.New("httpapi: body too large")
	errMediaType      = errors.New("httpapi: unsupported media type")
	errCSRF           = errors.New("httpapi: CSRF token missing or wrong")
	errRouteNotFound  = errors.New("httpapi: no such endpoint")
	errMethodNotAllow = errors.New("httpapi: method not allowed")
	// errWrongConfirmCode marks a wrong code sent to confirm something by a
	// signed-in user (a new phone, erasure): 422, not the sign-in's 401,
	// which would tell a page that the session itself had ended.
	errWrongConfirmCode = errors.New("httpapi: wrong confirmation code")
)

// errorKind is how one class of error looks on the wire.
type errorKind struct {
	status int
	code   string
	ru, en string // default messages
}

// errorTable maps sentinel errors to statuses and codes. The first match wins,
// so more specific sentinels come first.
var errorTable = []struct {
	err  error
	kind errorKind
}{
	{errWrongConfirmCode, errorKind{422, "invalid_code", "Неверный код.", "The code is wrong."}},
	{auth.ErrInvalidIdentifier, errorKind{422, "invalid_identifier", "Не удалось распознать номер телефона или e-mail.", "The phone number or e-mail address is not valid."}},
	{auth.ErrInvalidInput, errorKind{422, "invalid_input", "Проверьте введённые данные.", "Check the value you entered."}},
	{auth.ErrInvalidCode, errorKind{401, "invalid_code", "Неверный код.", "The code is wrong."}},
	{auth.ErrCodeExpired, errorKind{410, "code_expired", "Код больше не действует. Запросите новый.", "The code is no longer valid. Request a new one."}},
	{auth.ErrRateLimited, errorKind{429, "rate_limited", "Слишком много попыток. Повторите позже.", "Too many attempts. Try again later."}},
	{auth.ErrUnauthenticated, errorKind{401, "unauthenticated", "Войдите в кабинет.", "Please sign in."}},
	{auth.ErrAccountDisabled, errorKind{403, "account_disabled", "Учётная запись отключена. Обратитесь в клинику.", "The account is disabled. Please contact the clinic."}},
	{auth.ErrForbidden, errorKind{403, "forbidden", "Недостаточно прав.", "You are not allowed to do this."}},
	{auth.ErrNotFound, errorKind{404, "not_found", "Не найдено.", "Not found."}},
	{auth.ErrIdentifierTaken, errorKind{409, "identifier_taken", "Этот телефон или e-mail уже привязан к другому аккаунту.", "This phone or e-mail already belongs to another account."}},
	{auth.ErrDeliveryFailed, errorKind{503, "delivery_failed", "Не удалось отправить код. Попробуйте позже.", "The code could not be sent. Try again later."}},
	{errWrongType, errorKind{400, "wrong_type", "Поле имеет неверный тип.", "A field has the wrong type."}},
	{booking.ErrNotFound, errorKind{404, "not_found", "Не найдено.", "Not found."}},
	{booking.ErrSlotTaken, errorKind{409, "slot_taken", "Это время уже занято. Выберите другое.", "This time is already taken. Please choose another."}},
	{booking.ErrOutsideWorkingHours, errorKind{422, "outside_working_hours", "В это время специалист не работает.", "The specialist does not work at that time."}},
	{booking.ErrInPast, errorKind{422, "in_the_past", "Это время уже прошло или слишком близко.", "That time has passed or is too soon."}},
	{booking.ErrTooLateToChange, errorKind{422, "too_late_to_change", "Запись уже нельзя изменить или отменить онлайн. Позвоните в клинику.", "It is too late to change or cancel online. Please call the clinic."}},
	{booking.ErrNotEligible, errorKind{422, "not_eligible", "Эту процедуру нельзя записать онлайн.", "This procedure cannot be booked online."}},
	{booking.ErrInvalidTransition, errorKind{409, "invalid_transition", "Запись в таком статусе нельзя изменить.", "The appointment cannot be changed in its current status."}},
	{booking.ErrInvalidRange, errorKind{422, "invalid_range", "Слишком большой период.", "The date range is too long."}},
	{booking.ErrInvalidInput, errorKind{422, "invalid_input", "Проверьте введённые данные.", "Check the value you entered."}},
	{booking.ErrForbidden, errorKind{403, "forbidden", "Недостаточно прав.", "You are not allowed to do this."}},
	{notify.ErrNotFound, errorKind{404, "not_found", "Не найдено.", "Not found."}},
	{card.ErrNotFound, errorKind{404, "not_found", "Не найдено.", "Not found."}},
	{card.ErrForbidden, errorKind{403, "forbidden", "Недостаточно прав.", "You are not allowed to do this."}},
	{card.ErrConsentRequired, errorKind{403, "consent_required", "Сначала дайте согласие на обработку этих данных.", "Please give your consent to processing this data first."}},
	{card.ErrTooLarge, errorKind{413, "too_large", "Файл слишком большой.", "The file is too large."}},
	{card.ErrUnsupportedMedia, errorKind{415, "unsupported_media_type", "Поддерживаются фотографии JPEG, PNG и WebP.", "Photos must be JPEG, PNG or WebP."}},
	{card.ErrPhotoQuota, errorKind{413, "photo_quota", "В карте уже максимум фотографий. Удалите ненужные, чтобы добавить новые.", "Your card holds the most photos it can. Delete some to add new ones."}},
	{card.ErrImageTooLarge, errorKind{422, "image_too_large", "Слишком большое изображение (по числу пикселей).", "The image has too many pixels."}},
	{card.ErrInvalidImage, errorKind{422, "invalid_image", "Файл повреждён или не является изображением.", "The file is damaged or not an image."}},
	{card.ErrInvalidTransition, errorKind{409, "invalid_transition", "Заказ в таком статусе нельзя изменить так.", "The order cannot change that way in its current status."}},
	{card.ErrOutOfStock, errorKind{409, "out_of_stock", "Этого товара нет в наличии в выбранном филиале.", "The product is out of stock at that branch."}},
	{card.ErrVersionConflict, errorKind{409, "conflict", "Анкету только что изменили. Обновите страницу и повторите.", "The questionnaire was just changed. Reload and try again."}},
	{card.ErrInvalidInput, errorKind{422, "invalid_input", "Проверьте введённые данные.", "Check the value you entered."}},
	{card.ErrFavoritesFull, errorKind{409, "favorites_full", "В избранном уже 200 позиций: сначала уберите что-нибудь.", "You already keep 200 favourites: remove one first."}},
	{card.ErrReviewExists, errorKind{409, "already_reviewed", "Отзыв об этом визите уже есть: его можно изменить.", "This visit already has a review: you can change it instead."}},
	{card.ErrReviewLocked, errorKind{409, "review_locked", "Отзыв можно изменить только в течение 14 дней после того, как он написан.", "A review can be changed only within 14 days after it was written."}},
	{card.ErrReviewChanged, errorKind{409, "review_changed", "Отзыв только что изменили. Обновите страницу и повторите.", "The review was just changed. Reload and try again."}},
	{anyError[*notify.ValidationError]{}, errorKind{422, "invalid_input", "Проверьте введённые данные.", "Check the value you entered."}},
	{errMalformedParam, errorKind{400, "malformed_parameter", "Параметр запроса в неверном формате (даты — ГГГГ-ММ-ДД).", "A query parameter is malformed (dates are YYYY-MM-DD)."}},
	{errMalformedJSON, errorKind{400, "malformed_json", "Тело запроса — некорректный JSON.", "The request body is not valid JSON."}},
	{errUnknownField, errorKind{400, "unknown_field", "Запрос содержит неизвестное поле.", "The request has an unknown field."}},
	{errBodyTooLarge, errorKind{413, "too_large", "Запрос слишком большой.", "The request is too large."}},
	{errMediaType, errorKind{415, "unsupported_media_type", "Ожидается Content-Type: application/json.", "Content-Type must be application/json."}},
	{errCSRF, errorKind{403, "csrf_failed", "Запрос отклонён защитой от подделки (CSRF). Обновите страницу.", "The request failed the CSRF check. Reload the page."}},
	{errRouteNotFound, errorKind{404, "not_found", "Не найдено.", "Not found."}},
	{errMethodNotAllow, errorKind{405, "method_not_allowed", "Метод не поддерживается.", "Method not allowed."}},
}

var internalError = errorKind{500, "internal", "Внутренняя ошибка. Мы уже разбираемся.", "Internal error. We are looking into it."}

// ruMessages translates the English messages of domain validation errors.
// A message missing here falls back to the kind's Russian default.
var ruMessages = map[string]string{
	"enter a phone number or an e-mail address": "Введите номер телефона или e-mail.",
	"too long": "Слишком длинное значение.",
	"contains characters that are not allowed":                                    "Содержит недопустимые символы.",
	"not a valid e-mail address":                                                  "Некорректный адрес e-mail.",
	"a phone number may contain only digits, spaces, +, -, ( and )":               "Номер телефона может содержать только цифры, пробелы, +, -, ( и ).",
	"not a valid phone number":                                                    "Некорректный номер телефона.",
	"not a mobile number: a code is sent by SMS":                                  "Это не мобильный номер: код приходит по SMS.",
	"codes are not sent by SMS to numbers of this country; use an e-mail address": "На номера этой страны SMS с кодом не отправляются; войдите по e-mail.",
	"the code is six digits":                                                      "Код состоит из шести цифр.",
	"at least one staff role is required":                                         "Нужна хотя бы одна роль сотрудника.",
	"at least one role is required":                                               "Нужна хотя бы одна роль.",
	"you cannot remove your own admin role or disable yourself":                   "Нельзя снять с себя роль администратора или отключить свою учётную запись.",
	`must be "ru" or "en"`:                                                        `Допустимо "ru" или "en".`,
	"must be a number from 1 to 1000":                                             "Должно быть числом от 1 до 1000.",
	"must be an RFC 3339 time":                                                    "Ожидается время в формате RFC 3339.",
	"is required":                                                                 "Обязательное поле.",
	"is not a category":                                                           "Такой категории уведомлений нет.",
	"sign-in codes always go to the identifier they were asked for":               "Коды для входа всегда приходят на телефон или e-mail, с которым вы входите; их канал не выбирается.",
	"must be times within a day":                                                  "Укажите время в пределах суток.",
	"must be a time HH:MM":                                                        "Укажите время в формате ЧЧ:ММ.",
	"is not an IANA time zone":                                                    "Неизвестный часовой пояс (ожидается имя вроде Europe/Moscow).",
	"must be an https URL of at most 2048 characters":                             "Нужен адрес https длиной не более 2048 символов.",
	"must be a number from 1 to 100":                                              "Должно быть числом от 1 до 100.",

	// Booking (package booking and its handlers).
	"from and to are required dates":                              "Укажите даты начала и конца периода (ГГГГ-ММ-ДД).",
	"the end date is before the start date":                       "Дата конца периода раньше даты начала.",
	"the service is not booked online in this branch":             "Эту услугу нельзя записать онлайн в выбранном филиале.",
	"the specialist does not perform this service in this branch": "Этот специалист не выполняет эту услугу в выбранном филиале.",
	"an override needs a note saying why":                         "Чтобы записать в обход ограничения, укажите в примечании причину.",
	"was used for another booking":                                "Этот ключ идемпотентности уже использован для другой записи.",
	"a visit is completed once it has started":                    "Визит можно отметить проведённым только после его начала.",
	"a no-show is marked once the visit has started":              "Неявку можно отметить только после начала визита.",
	"must be from 1 to 31":                                        "Должно быть числом от 1 до 31.",
	"a specialist or a branch is required":                        "Укажите специалиста или филиал.",
	"the specialist does not work in this branch":                 "Этот специалист не работает в выбранном филиале.",
	"an extra shift needs a branch and its hours":                 "Для дополнительной смены укажите филиал и часы работы.",
	"must be day_off, vacation, sick_leave or extra_shift":        "Допустимо: day_off, vacation, sick_leave или extra_shift.",
	"from and to are required and to may not be before from":      "Укажите даты начала и конца; конец не может быть раньше начала.",
	"each interval starts before it ends, within the day":         "Каждый интервал должен начинаться раньше, чем заканчивается, в пределах суток.",
	"intervals must be ordered and not overlap":                   "Интервалы должны идти по порядку и не пересекаться.",
	"must be from 1 to 50":                                        "Должно быть числом от 1 до 50.",
	"must be from 1 to 365 days":                                  "Должно быть от 1 до 365 дней.",
	"no such treatment plan for this client":                      "У этого клиента нет такого плана лечения.",
	"the plan is not active or is for another service or branch":  "План не активен или составлен на другую услугу или филиал.",
	"every session of the plan is booked or done":                 "Все процедуры курса уже записаны или проведены.",
	"has characters that are not allowed":                         "Содержит недопустимые символы.",
	"not found":                                                   "Не найдено.",
	"does not perform this service":                               "Этот специалист не выполняет эту услугу.",
	"is earlier than the minimum notice allows":                   "Слишком скоро: на это время уже нельзя записаться онлайн.",
	"is beyond the booking horizon":                               "На это время запись ещё не открыта.",
	"is outside the requested dates":                              "Время вне выбранных дат.",
	"is outside working hours":                                    "В это время специалист не работает.",
	`must be "upcoming" or "past"`:                                `Допустимо "upcoming" или "past".`,
	"times are HH:MM":                                             "Укажите время в формате ЧЧ:ММ.",
	"days are sun, mon, tue, wed, thu, fri, sat":                  "Дни недели: sun, mon, tue, wed, thu, fri, sat.",
}

// ruPatterns translate the domain messages that carry a number, in order.
var ruPatterns = []struct {
	re *regexp.Regexp
	ru string // with $1 for the number
}{
	{regexp.MustCompile(`^the range is longer than (\d+) days$`), "Период длиннее $1 дней: выберите период короче."},
	{regexp.MustCompile(`^changes are possible online until (\d+) h before the visit; please call the clinic$`), "Перенести или отменить запись онлайн можно не позже чем за $1 ч до визита. Позвоните в клинику."},
	{regexp.MustCompile(`^changes are possible online until (\d+) min before the visit; please call the clinic$`), "Перенести или отменить запись онлайн можно не позже чем за $1 мин до визита. Позвоните в клинику."},
	{regexp.MustCompile(`^is longer than (\d+) characters$`), "Слишком длинный текст: не больше $1 символов."},
	{regexp.MustCompile(`^is not on the (\d+)-minute grid$`), "Время записи должно быть кратно $1 минутам."},
}

// ruMessage is the Russian for a domain message, or "" when there is none.
func ruMessage(msg string) string {
	if ru, ok := ruMessages[msg]; ok {
		return ru
	}
	for _, p := range ruPatterns {
		if p.re.MatchString(msg) {
			return p.re.ReplaceAllString(msg, p.ru)
		}
	}
	return ""
}

// notifyMessage is the message of a notification settings error in lang:
// the domain's English fragment as a sentence (with the field when the
// fragment starts with a verb), or its Russian translation.
func notifyMessage(e *notify.ValidationError, lang string) string {
	msg := e.Message
	if lang == "en" {
		if strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "must ") {
			// "time_zone is not an IANA time zone.": the field name as sent,
			// not capitalised.
			return strings.TrimSuffix(e.Field+" "+msg, ".") + "."
		}
		return sentence(msg)
	}
	if ru, ok := ruMessages[msg]; ok {
		return ru
	}
	// The messages that quote the value: `"fax" is not a channel`.
	if v, ok := strings.CutSuffix(msg, " is not a channel"); ok {
		return "Неизвестный канал " + v + ": допустимы sms, email и push."
	}
	if v, ok := strings.CutSuffix(msg, " is given twice"); ok {
		return "Канал " + v + " указан дважды."
	}
	return "Проверьте введённые данные."
}

// apiError is the JSON error body.
type apiError struct {
	Code         string     `json:"code"`
	Message      string     `json:"message"`
	Field        string     `json:"field,omitempty"`
	AttemptsLeft *int       `json:"attempts_left,omitempty"`
	RetryAfter   int        `json:"retry_after,omitempty"`
	Alternatives []slotJSON `json:"alternatives,omitempty"`
	Reason       string     `json:"reason,omitempty"`
}

// anyError stands in errorTable for every error of type T, for typed
// errors that wrap no sentinel (*notify.ValidationError).
type anyError[T error] struct{}

func (anyError[T]) Error() string { return fmt.Sprintf("httpapi: any %T", *new(T)) }

func (anyError[T]) matches(err error) bool {
	_, ok := errors.AsType[T](err)
	return ok
}

// classify finds the wire form of err.
func classify(err error) errorKind {
	for _, e := range errorTable {
		if m, ok := e.err.(interface{ matches(error) bool }); ok && m.matches(err) || errors.Is(err, e.err) {
			return e.kind
		}
	}
	return internalError
}

// writeError writes err as the stable error body. Only 5xx are logged: the
// user's mistakes are not the operator's problem.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := classify(err)
	lang := preferredLang(r)
	body := apiError{Code: kind.code, Message: kind.ru}
	if lang == "en" {
		body.Message = kind.en
	}
	var ve *auth.ValidationError
	if errors.As(err, &ve) {
		body.Field = ve.Field
		if lang == "en" {
			body.Message = sentence(ve.Message)
		} else if ru, ok := ruMessages[ve.Message]; ok {
			body.Message = ru
		}
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		body.Field = fe.field
	}
	var bve *booking.ValidationError
	if errors.As(err, &bve) {
		body.Field = bve.Field
		if lang == "en" {
			msg := bve.Message
			if strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "must ") || strings.HasPrefix(msg, "does ") || msg == "not found" {
				// "start is outside working hours.": the field as sent, not
				// capitalised.
				body.Message = strings.TrimSuffix(bve.Field+" "+msg, ".") + "."
			} else {
				body.Message = sentence(msg)
			}
		} else if ru := ruMessage(bve.Message); ru != "" {
			body.Message = ru
		}
	}
	if cve, ok := errors.AsType[*card.ValidationError](err); ok {
		body.Field = cve.Field
		if lang == "en" {
			body.Message = cve.Message
		} else if cve.MessageRU != "" {
			body.Message = cve.MessageRU
		}
	}
	if ce, ok := errors.AsType[*card.ConsentError](err); ok {
		body.Field = "consent:" + string(ce.Type) // which consent to ask for
	}
	if nve, ok := errors.AsType[*notify.ValidationError](err); ok {
		body.Field = nve.Field
		body.Message = notifyMessage(nve, lang)
	}
	var ce *booking.ConflictError
	if errors.As(err, &ce) {
		body.Alternatives = make([]slotJSON, 0, len(ce.Alternatives))
		loc := ce.Location
		if loc == nil {
			loc = time.UTC
		}
		body.Alternatives = toSlotsJSON(ce.Alternatives, loc)
	}
	var ee *booking.EligibilityError
	if errors.As(err, &ee) && ee.Reason != "" {
		body.Reason = ee.Reason
		if lang == "en" && ee.ReasonEN != "" {
			body.Reason = ee.ReasonEN
		}
	}
	var ic *auth.InvalidCodeError
	if errors.As(err, &ic) {
		body.AttemptsLeft = &ic.AttemptsLeft
	}
	var rl *auth.RateLimitError
	if errors.As(err, &rl) {
		secs := int((rl.RetryAfter + time.Second - 1) / time.Second)
		body.RetryAfter = max(secs, 1)
		w.Header().Set("Retry-After", strconv.Itoa(body.RetryAfter))
		if lang == "en" {
			body.Message = fmt.Sprintf("Too many requests. Try again in %s.", enWait(body.RetryAfter))
		} else {
			body.Message = fmt.Sprintf("Слишком много запросов. Повторите через %s.", ruWait(body.RetryAfter))
		}
	}
	if s.card != nil {
		// Say the limit, so that a client knows what to send instead.
		cfg := s.card.Config()
		switch {
		case errors.Is(err, card.ErrTooLarge):
			mb := strconv.FormatInt(cfg.MaxPhotoBytes>>20, 10)
			body.Message = "Файл больше " + mb + " МБ. Выберите фото поменьше."
			if lang == "en" {
				body.Message = "The file is over " + mb + " MB. Choose a smaller photo."
			}
		case errors.Is(err, card.ErrPhotoQuota):
			n := strconv.Itoa(cfg.MaxPhotosPerClient)
			body.Message = "В карте уже " + n + " фото — это предел. Удалите ненужные, чтобы добавить новые."
			if lang == "en" {
				body.Message = "Your card already holds " + n + " photos, the most it can. Delete some to add new ones."
			}
		case errors.Is(err, card.ErrImageTooLarge):
			mp := strconv.Itoa(cfg.MaxPhotoPixels / 1_000_000)
			body.Message = "В изображении больше " + mp + " мегапикселей. Уменьшите его или снимите с меньшим разрешением."
			if lang == "en" {
				body.Message = "The image has over " + mp + " megapixels. Scale it down or take it at a lower resolution."
			}
		}
	}
	if kind.status >= 500 {
		s.log.ErrorContext(r.Context(), "httpapi: request failed", "method", r.Method, "path", r.URL.Path, "status", kind.status, "err", err)
	}
	if body.Alternatives != nil {
		// Also at the top level, where a booking form looks for them first.
		writeJSON(w, kind.status, map[string]any{"error": body, "alternatives": body.Alternatives})
		return
	}
	writeJSON(w, kind.status, map[string]apiError{"error": body})
}

// fieldError marks a request-layer error with the JSON field it concerns.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() + ": " + e.field }
func (e *fieldError) Unwrap() error { return e.err }

// sentence turns a domain error's fragment ("not a valid phone number") into
// a message for people ("Not a valid phone number.").
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
}

// ruWait says how long to wait in Russian: "53 с", "12 мин", "3 ч".
func ruWait(secs int) string {
	switch {
	case secs < 120:
		return strconv.Itoa(secs) + " с"
	case secs < 2*3600:
		return strconv.Itoa((secs+59)/60) + " мин"
	default:
		return strconv.Itoa((secs+3599)/3600) + " ч"
	}
}

// enWait says how long to wait in English: "53 s", "12 min", "3 h".
func enWait(secs int) string {
	switch {
	case secs < 120:
		return strconv.Itoa(secs) + " s"
	case secs < 2*3600:
		return strconv.Itoa((secs+59)/60) + " min"
	default:
		return strconv.Itoa((secs+3599)/3600) + " h"
	}
}
